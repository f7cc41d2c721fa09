/* SPDX-License-Identifier: MIT */
/* Sequence numbers across restarts, without a write per reading. */
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "deliver/seqstore.h"
#include "tests/fixtures/run.h"

static char dir[64];

static void setup(void)
{
	strcpy(dir, "/tmp/sgw-seq.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void write_file(const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/seq", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(test_never_reused_across_restarts)
{
	struct sgw_seqstore s;
	uint64_t last = 0;

	for (int run = 0; run < 3; run++) {
		ck_assert_int_eq(sgw_seqstore_open(&s, dir, 0), 0);
		ck_assert_uint_gt(s.next, last);
		/*
		 * Take more than a block in this run.  Checked without Check's
		 * assertions, which record their place on every call: 200,000
		 * of them take seconds under ASan on a busy machine.
		 */
		for (int i = 0; i < SGW_SEQ_BLOCK + 10; i++) {
			int rc = sgw_seqstore_reserve(&s, 1);

			if (rc != 0 || s.next <= last)
				ck_abort_msg("run %d, number %d: reserve %d, next %" PRIu64 " after %" PRIu64,
					     run, i, rc, s.next, last);
			last = s.next++;
		}
		/* A crash now: no close; the next run starts past every number given. */
		sgw_seqstore_close(&s);
	}
}
END_TEST

START_TEST(test_writes_once_per_block)
{
	struct sgw_seqstore s;
	struct stat st1, st2;
	char path[128];

	snprintf(path, sizeof(path), "%s/seq", dir);
	ck_assert_int_eq(sgw_seqstore_open(&s, dir, 0), 0);
	ck_assert_uint_eq(s.next, 1);
	ck_assert_int_eq(sgw_seqstore_reserve(&s, 8), 0);
	ck_assert_int_eq(stat(path, &st1), 0);
	s.next += 8;
	for (int i = 0; i < 1000; i++) {
		ck_assert_int_eq(sgw_seqstore_reserve(&s, 8), 0);
		s.next += 8;
	}
	ck_assert_int_eq(stat(path, &st2), 0);
	ck_assert_uint_eq(st1.st_ino, st2.st_ino);	/* not rewritten (rename makes a new inode) */
	sgw_seqstore_close(&s);
}
END_TEST

START_TEST(test_damaged_file_falls_back)
{
	struct sgw_seqstore s;

	write_file("12x\n");
	ck_assert_int_eq(sgw_seqstore_open(&s, dir, 5000), -EBADMSG);
	ck_assert_uint_eq(s.next, 5000);
	sgw_seqstore_close(&s);
	write_file("");
	ck_assert_int_eq(sgw_seqstore_open(&s, dir, 7), -EBADMSG);
	ck_assert_uint_eq(s.next, 7);
	sgw_seqstore_close(&s);
	write_file("123456\n");
	ck_assert_int_eq(sgw_seqstore_open(&s, dir, 7), 0);
	ck_assert_uint_eq(s.next, 123456);
	sgw_seqstore_close(&s);
}
END_TEST

START_TEST(test_unwritable_dir_counts_in_memory)
{
	struct sgw_seqstore s;

	ck_assert_int_lt(sgw_seqstore_open(&s, "/proc/sgw-no-such-dir", 0), 0);
	ck_assert_uint_eq(s.next, 1);
	ck_assert_int_lt(sgw_seqstore_reserve(&s, 1), 0);
	ck_assert_uint_eq(s.next, 1);
	ck_assert_uint_gt(s.limit, 1);
	sgw_seqstore_close(&s);
}
END_TEST

int main(void)
{
	Suite *su = suite_create("seqstore");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_never_reused_across_restarts);
	tcase_add_test(tc, test_writes_once_per_block);
	tcase_add_test(tc, test_damaged_file_falls_back);
	tcase_add_test(tc, test_unwritable_dir_counts_in_memory);
	suite_add_tcase(su, tc);
	return sgw_test_run(su);
}
