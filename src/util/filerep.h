/* SPDX-License-Identifier: MIT */
/*
 * Replace a small file whole: write PATH.tmp, rename it over PATH, so that
 * a reader (or a crash) sees the old content or the new, never a mix.
 */
#ifndef SGW_FILEREP_H
#define SGW_FILEREP_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Write LEN bytes of BUF as PATH.  With DURABLE the data and the rename are
 * fsync()ed (file, then directory) before it returns.  0 or -errno; on
 * failure PATH keeps its old content.
 */
int sgw_file_replace(const char *path, const void *buf, size_t len, bool durable);

#endif
