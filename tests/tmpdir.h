/* SPDX-License-Identifier: MIT */
/* Private temporary directories for tests, under $TMPDIR (default /tmp). */
#ifndef SGW_TEST_TMPDIR_H
#define SGW_TEST_TMPDIR_H

#include <stddef.h>

/* Make $TMPDIR/PREFIX.XXXXXX into BUF (CAP bytes); fails the test otherwise. */
void test_mkdtemp(char *buf, size_t cap, const char *prefix);
/* Remove PATH and everything under it. */
void test_rm_tree(const char *path);

#endif
