/* SPDX-License-Identifier: MIT */
/*
 * Disk queue tests: faults through the ops seam (failed, short and partial
 * writes, a failed fdatasync) and a real full file system.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qtest.h"
#include "queue/queue.h"
#include "tests/fixtures/run.h"
#include "tests/fixtures/tmpdir.h"
#include "tests/mocks/queue_faults.h"

/* Write errors through the ops seam: refused cleanly, no partial record left. */
START_TEST(test_write_errors)
{
	struct sgw_queue_options o;
	struct sgw_queue_cursor *c;
	struct sgw_queue_stats st;
	struct sgw_queue *q;
	uint64_t seqs[300], seq;
	uint8_t b[128];
	size_t got;

	qt_opts(&o, QT_SMALL_SEG, 0);
	o.full = SGW_QUEUE_REFUSE;
	q = qt_open(&o);
	c = sgw_queue_cursor_get(q, "c", 0);
	qt_append_n(q, 1, 5);

	qfault.pwrite_errno = ENOSPC;
	qfault.pwrite_fails = 1;
	ck_assert_int_eq(sgw_queue_append(q, b, qt_body(6, b), NULL), -ENOSPC);
	/* A short write is completed by the next call. */
	qfault.pwrite_short = 7;
	ck_assert_int_eq(sgw_queue_append(q, b, qt_body(6, b), &seq), 0);
	ck_assert_uint_eq(seq, 6);
	qfault.pwrite_errno = EIO;
	qfault.pwrite_fails = 1;
	ck_assert_int_eq(sgw_queue_append(q, b, qt_body(7, b), NULL), -EIO);
	qt_append_n(q, 7, 3);
	sgw_queue_get_stats(q, &st);
	ck_assert_uint_eq(st.refused, 2);
	ck_assert_uint_eq(st.io_errors, 1);
	ck_assert_uint_eq(qt_drain(c, seqs, 300, 1), 9);
	for (unsigned i = 0; i < 9; i++)
		ck_assert_uint_eq(seqs[i], i + 1);
	ck_assert_int_eq(sgw_queue_close(q), 0);

	/* drop_oldest treats a full file system like a full queue. */
	test_rm_tree(qt_dir);
	qt_opts(&o, QT_SMALL_SEG, 0);
	q = qt_open(&o);
	c = sgw_queue_cursor_get(q, "c", 0);
	qt_append_n(q, 1, 200);	/* several segments */
	qfault.pwrite_errno = ENOSPC;
	qfault.pwrite_fails = 1;
	ck_assert_int_eq(sgw_queue_append(q, b, qt_body(201, b), &seq), 0);
	ck_assert_uint_eq(seq, 201);
	sgw_queue_get_stats(q, &st);
	ck_assert_uint_gt(st.dropped, 0);
	got = qt_drain(c, seqs, 300, 1);
	ck_assert_uint_eq(got + st.dropped, 201);
	ck_assert_uint_eq(seqs[got - 1], 201);
	ck_assert_int_eq(sgw_queue_close(q), 0);
}
END_TEST

/* A partial write that then fails leaves the file as it was. */
START_TEST(test_partial_write_undone)
{
	struct sgw_queue_options o;
	struct sgw_queue_cursor *c;
	struct sgw_queue *q;
	struct stat sb1, sb2;
	uint64_t seqs[8];
	uint8_t b[128];
	char p[224];

	qt_opts(&o, 0, 0);
	o.full = SGW_QUEUE_REFUSE;
	q = qt_open(&o);
	c = sgw_queue_cursor_get(q, "c", 0);
	qt_append_n(q, 1, 3);
	qt_seg_path(p, sizeof(p), 1);
	ck_assert_int_eq(stat(p, &sb1), 0);
	qfault.pwrite_short = 5;
	qfault.pwrite_errno = ENOSPC;
	qfault.pwrite_fails = 1;
	ck_assert_int_eq(sgw_queue_append(q, b, qt_body(4, b), NULL), -ENOSPC);
	ck_assert_int_eq(stat(p, &sb2), 0);
	ck_assert_int_eq(sb1.st_size, sb2.st_size);
	qt_append_n(q, 4, 1);
	ck_assert_uint_eq(qt_drain(c, seqs, 8, 1), 4);
	ck_assert_uint_eq(seqs[3], 4);
	ck_assert_int_eq(sgw_queue_close(q), 0);
}
END_TEST

START_TEST(test_sync_failure)
{
	struct sgw_queue_options o;
	struct sgw_queue_cursor *c;
	struct sgw_queue_stats st;
	struct sgw_queue *q;
	uint64_t seq;
	uint8_t b[128];

	qt_opts(&o, 0, 0);
	o.sync = SGW_QUEUE_SYNC_ALWAYS;
	q = qt_open(&o);
	c = sgw_queue_cursor_get(q, "c", 0);
	qt_append_n(q, 1, 2);
	qfault.fdatasync_errno = EIO;
	qfault.fdatasync_fails = 1;
	ck_assert_int_eq(sgw_queue_append(q, b, qt_body(3, b), &seq), -EIO);
	ck_assert_uint_eq(seq, 3);
	/* The next record goes to a fresh segment. */
	qt_append_n(q, 4, 1);
	sgw_queue_get_stats(q, &st);
	ck_assert_uint_eq(st.segments, 2);
	ck_assert_uint_eq(st.io_errors, 1);
	ck_assert_uint_eq(qt_drain(c, NULL, 0, 1), 4);
	ck_assert_int_eq(sgw_queue_close(q), 0);
}
END_TEST

/* A real full file system (tmpfs), where mounting is allowed. */
START_TEST(test_tmpfs_enospc)
{
	struct sgw_queue_options o;
	struct sgw_queue_cursor *c;
	struct sgw_queue_stats st;
	struct sgw_queue *q;
	char mnt[100];
	uint64_t seqs[2000];
	size_t got;
	int oldcwd;

	snprintf(mnt, sizeof(mnt), "%s/mnt", qt_tmp);
	ck_assert_int_eq(mkdir(mnt, 0700), 0);
	if (mount("tmpfs", mnt, "tmpfs", 0, "size=64k") != 0) {
		fprintf(stderr, "test_tmpfs_enospc: skipped, cannot mount tmpfs: %s\n",
			strerror(errno));
		return;
	}
	/*
	 * Work inside it and detach it at once: it lives while it is our
	 * working directory, and no failed assertion can leave it mounted.
	 */
	oldcwd = open(".", O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(oldcwd, 0);
	ck_assert_int_eq(chdir(mnt), 0);
	ck_assert_int_eq(umount2(mnt, MNT_DETACH), 0);
	snprintf(qt_dir, sizeof(qt_dir), "q");
	sgw_queue_options_init(&o);	/* real system calls */
	o.segment_size = 8192;
	o.max_size = 1 << 20;		/* more than the file system holds */
	q = sgw_queue_open(qt_dir, &o);
	ck_assert_ptr_nonnull(q);
	c = sgw_queue_cursor_get(q, "c", 0);
	for (uint64_t s = 1; s <= 2000; s++)
		qt_append_n(q, s, 1);
	sgw_queue_get_stats(q, &st);
	ck_assert_uint_gt(st.dropped, 0);
	ck_assert_uint_eq(st.refused, 0);
	ck_assert_uint_le(st.bytes, 64 * 1024);
	got = qt_drain(c, seqs, 2000, 1);
	ck_assert_uint_eq(got + st.dropped, 2000);
	ck_assert_uint_eq(seqs[got - 1], 2000);
	ck_assert_int_eq(sgw_queue_close(q), 0);
	ck_assert_int_eq(fchdir(oldcwd), 0);	/* the file system goes with it */
	close(oldcwd);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("queue_faults");
	TCase *tc = qt_tcase("core", 120);

	tcase_add_test(tc, test_write_errors);
	tcase_add_test(tc, test_partial_write_undone);
	tcase_add_test(tc, test_sync_failure);
	tcase_add_test(tc, test_tmpfs_enospc);
	suite_add_tcase(s, tc);
	return sgw_test_run(s);
}
