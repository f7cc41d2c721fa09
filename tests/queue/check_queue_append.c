/* SPDX-License-Identifier: MIT */
/*
 * Disk queue tests: appending and reading back across reopen, bad options
 * and arguments, the size bound (dropping the oldest segment or refusing),
 * sequence numbers across restarts, many segments, group commit.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qtest.h"
#include "queue/queue.h"
#include "tests/fixtures/run.h"
#include "tests/fixtures/tmpdir.h"
#include "tests/mocks/queue_faults.h"

START_TEST(test_append_read_ack_reopen)
{
	struct sgw_queue_options o;
	struct sgw_queue_cursor *c;
	struct sgw_queue_stats st;
	struct sgw_queue *q;
	uint64_t seqs[64];

	qt_opts(&o, 0, 0);
	q = qt_open(&o);
	ck_assert_uint_eq(sgw_queue_next_seq(q), 1);
	c = sgw_queue_cursor_get(q, "house", 0);
	ck_assert_ptr_nonnull(c);
	qt_append_n(q, 1, 20);
	ck_assert_uint_eq(qt_drain(c, seqs, 64, 0), 20);
	for (unsigned i = 0; i < 20; i++)
		ck_assert_uint_eq(seqs[i], i + 1);
	for (uint64_t s = 1; s <= 5; s++)
		ck_assert_int_eq(sgw_queue_ack(c, s), 0);
	sgw_queue_get_stats(q, &st);
	ck_assert_uint_eq(st.depth, 15);
	ck_assert_uint_eq(st.next_seq, 21);
	ck_assert_int_eq(sgw_queue_close(q), 0);

	/* The unacknowledged records come back, the acknowledged do not. */
	q = qt_open(&o);
	ck_assert_uint_eq(sgw_queue_next_seq(q), 21);
	ck_assert_uint_eq(sgw_queue_cursor_count(q), 1);
	ck_assert_str_eq(sgw_queue_cursor_name_at(q, 0), "house");
	c = sgw_queue_cursor_get(q, "house", 0);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(qt_drain(c, seqs, 64, 1), 15);
	ck_assert_uint_eq(seqs[0], 6);
	qt_append_n(q, 21, 3);
	ck_assert_uint_eq(qt_drain(c, seqs, 64, 1), 3);
	ck_assert_uint_eq(seqs[0], 21);
	sgw_queue_get_stats(q, &st);
	ck_assert_uint_eq(st.depth, 0);
	ck_assert_uint_eq(st.corrupt, 0);
	ck_assert_int_eq(sgw_queue_close(q), 0);

	q = qt_open(&o);
	c = sgw_queue_cursor_get(q, "house", 0);
	ck_assert_uint_eq(qt_drain(c, NULL, 0, 1), 0);
	ck_assert_int_eq(sgw_queue_close(q), 0);
}
END_TEST

START_TEST(test_bad_arguments)
{
	struct sgw_queue_options o;
	struct sgw_queue *q, *q2;
	uint8_t big[QT_SMALL_SEG];

	qt_opts(&o, QT_SMALL_SEG, 2 * QT_SMALL_SEG - 1);
	ck_assert_ptr_null(sgw_queue_open(qt_dir, &o));
	ck_assert_int_eq(errno, EINVAL);
	qt_opts(&o, 1024, 0);
	ck_assert_ptr_null(sgw_queue_open(qt_dir, &o));
	ck_assert_int_eq(errno, EINVAL);
	qt_opts(&o, QT_SMALL_SEG, 0);
	o.sync_records = 0;
	ck_assert_ptr_null(sgw_queue_open(qt_dir, &o));

	qt_opts(&o, QT_SMALL_SEG, 0);
	q = qt_open(&o);
	/* One process per queue. */
	q2 = sgw_queue_open(qt_dir, &o);
	ck_assert_ptr_null(q2);
	ck_assert_int_eq(errno, EWOULDBLOCK);
	memset(big, 0, sizeof(big));
	ck_assert_int_eq(sgw_queue_append(q, big, QT_SMALL_SEG - 12 + 1, NULL), -EMSGSIZE);
	ck_assert_int_eq(sgw_queue_append(q, big, QT_SMALL_SEG - 12, NULL), 0);
	ck_assert_ptr_null(sgw_queue_cursor_get(q, "", 0));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(sgw_queue_cursor_get(q, "a/b", 0));
	ck_assert_ptr_null(sgw_queue_cursor_get(q,
		"0123456789012345678901234567890123456789012345678901234567890123", 0));
	for (int i = 0; i < SGW_QUEUE_MAX_CURSORS; i++) {
		char name[16];

		snprintf(name, sizeof(name), "u%d", i);
		ck_assert_ptr_nonnull(sgw_queue_cursor_get(q, name, 0));
	}
	ck_assert_ptr_null(sgw_queue_cursor_get(q, "onemore", 0));
	ck_assert_int_eq(errno, ENOBUFS);
	ck_assert_int_eq(sgw_queue_cursor_remove(q, "u3"), 0);
	ck_assert_int_eq(sgw_queue_cursor_remove(q, "u3"), -ENOENT);
	ck_assert_ptr_nonnull(sgw_queue_cursor_get(q, "onemore", 0));
	ck_assert_int_eq(sgw_queue_close(q), 0);
}
END_TEST

START_TEST(test_full_drop_oldest)
{
	struct sgw_queue_options o;
	struct sgw_queue_cursor *c;
	struct sgw_queue_stats st;
	struct sgw_queue *q;
	uint64_t seqs[400];
	size_t got;

	qt_opts(&o, QT_SMALL_SEG, 3 * QT_SMALL_SEG);
	q = qt_open(&o);
	c = sgw_queue_cursor_get(q, "slow", 0);
	for (uint64_t s = 1; s <= 400; s++) {
		qt_append_n(q, s, 1);
		sgw_queue_get_stats(q, &st);
		ck_assert_uint_le(st.bytes, 3 * QT_SMALL_SEG);
	}
	sgw_queue_get_stats(q, &st);
	ck_assert_uint_gt(st.dropped, 0);
	ck_assert_uint_eq(st.refused, 0);
	got = qt_drain(c, seqs, 400, 1);
	/* Every record is either delivered or counted as dropped. */
	ck_assert_uint_eq(got + st.dropped, 400);
	ck_assert_uint_eq(seqs[0], st.dropped + 1);
	ck_assert_uint_eq(seqs[got - 1], 400);
	ck_assert_int_eq(sgw_queue_close(q), 0);
}
END_TEST

START_TEST(test_full_refuse)
{
	struct sgw_queue_options o;
	struct sgw_queue_cursor *c;
	struct sgw_queue_stats st;
	struct sgw_queue *q;
	uint8_t b[128];
	uint64_t s = 1, seq;
	int err;

	qt_opts(&o, QT_SMALL_SEG, 3 * QT_SMALL_SEG);
	o.full = SGW_QUEUE_REFUSE;
	q = qt_open(&o);
	c = sgw_queue_cursor_get(q, "c", 0);
	while ((err = sgw_queue_append(q, b, qt_body(s, b), &seq)) == 0) {
		ck_assert_uint_eq(seq, s);
		s++;
		ck_assert_uint_lt(s, 1000);
	}
	ck_assert_int_eq(err, -ENOSPC);
	ck_assert_int_eq(sgw_queue_append(q, b, qt_body(s, b), NULL), -ENOSPC);
	sgw_queue_get_stats(q, &st);
	ck_assert_uint_eq(st.refused, 2);
	ck_assert_uint_eq(st.dropped, 0);
	ck_assert_uint_le(st.bytes, 3 * QT_SMALL_SEG);
	/* Nothing was lost; once delivered and synced, there is room again. */
	ck_assert_uint_eq(qt_drain(c, NULL, 0, 1), s - 1);
	ck_assert_int_eq(sgw_queue_sync(q), 0);
	ck_assert_int_eq(sgw_queue_append(q, b, qt_body(s, b), &seq), 0);
	ck_assert_uint_eq(seq, s);
	ck_assert_int_eq(sgw_queue_close(q), 0);
}
END_TEST

START_TEST(test_seq_across_restarts)
{
	struct sgw_queue_options o;
	struct sgw_queue_cursor *c;
	struct sgw_queue_stats st;
	struct sgw_queue *q;
	uint64_t bases[256];
	size_t nb;
	char p[224];

	qt_opts(&o, QT_SMALL_SEG, 0);
	q = qt_open(&o);
	c = sgw_queue_cursor_get(q, "c", 0);
	qt_append_n(q, 1, 5);
	ck_assert_int_eq(sgw_queue_close(q), 0);
	q = qt_open(&o);
	ck_assert_uint_eq(sgw_queue_next_seq(q), 6);
	c = sgw_queue_cursor_get(q, "c", 0);
	qt_append_n(q, 6, 195);
	/* Deliver everything: all but the tail segment are deleted. */
	ck_assert_uint_eq(qt_drain(c, NULL, 0, 1), 200);
	ck_assert_int_eq(sgw_queue_sync(q), 0);
	sgw_queue_get_stats(q, &st);
	ck_assert_uint_eq(st.segments, 1);
	ck_assert_uint_eq(st.depth, 0);
	ck_assert_int_eq(sgw_queue_close(q), 0);
	nb = qt_list_bases(bases, 256);
	ck_assert_uint_eq(nb, 1);
	/* Even with no segment left, numbering continues (high-water mark). */
	qt_seg_path(p, sizeof(p), bases[0]);
	ck_assert_int_eq(unlink(p), 0);
	q = qt_open(&o);
	ck_assert_uint_eq(sgw_queue_next_seq(q), 201);
	c = sgw_queue_cursor_get(q, "c", 0);
	qt_append_n(q, 201, 1);
	ck_assert_uint_eq(qt_drain(c, NULL, 0, 1), 1);
	ck_assert_int_eq(sgw_queue_close(q), 0);
}
END_TEST

/* Past 9, 10, 100 segments the names still sort and read in order. */
START_TEST(test_many_segments)
{
	struct sgw_queue_options o;
	struct sgw_queue_cursor *c;
	struct sgw_queue_stats st;
	struct sgw_queue *q;
	uint64_t bases[256], *seqs;
	size_t nb, got;
	DIR *d;
	struct dirent *de;
	char names[256][32];
	size_t nn = 0;
	const unsigned n = 6000;

	qt_opts(&o, QT_SMALL_SEG, 1 << 20);
	q = qt_open(&o);
	c = sgw_queue_cursor_get(q, "c", SGW_QUEUE_CURSOR_FROM_OLDEST);
	qt_append_n(q, 1, n);
	sgw_queue_get_stats(q, &st);
	ck_assert_uint_gt(st.segments, 100);
	ck_assert_int_eq(sgw_queue_close(q), 0);

	nb = qt_list_bases(bases, 256);
	ck_assert_uint_gt(nb, 100);
	d = opendir(qt_dir);
	while ((de = readdir(d)) != NULL)
		if (strlen(de->d_name) == 24 && strstr(de->d_name, ".seg") && nn < 256)
			memcpy(names[nn++], de->d_name, 25);
	closedir(d);
	ck_assert_uint_eq(nn, nb);
	qsort(names, nn, sizeof(names[0]), (int (*)(const void *, const void *))strcmp);
	for (size_t i = 0; i < nn; i++)
		ck_assert_uint_eq(strtoull(names[i], NULL, 10), bases[i]);

	seqs = malloc(n * sizeof(*seqs));
	/* Open reads the tail segment and ack.state, no other segment. */
	{
		struct stat sb;
		char p[224];

		qt_seg_path(p, sizeof(p), bases[nb - 1]);
		ck_assert_int_eq(stat(p, &sb), 0);
		qfault.pread_bytes = 0;
		q = qt_open(&o);
		ck_assert_uint_le(qfault.pread_bytes, (uint64_t)sb.st_size + 2 * 1024);
	}
	c = sgw_queue_cursor_get(q, "c", 0);
	got = qt_drain(c, seqs, n, 1);
	ck_assert_uint_eq(got, n);
	for (unsigned i = 0; i < n; i++)
		ck_assert_uint_eq(seqs[i], i + 1);
	ck_assert_int_eq(sgw_queue_close(q), 0);
	free(seqs);
}
END_TEST

/* Group commit on the test's clock; sync=always syncs every append. */
START_TEST(test_group_commit)
{
	struct sgw_queue_options o;
	struct sgw_queue_cursor *c;
	struct sgw_queue_stats st;
	struct sgw_queue *q;
	int64_t t0, dl;
	unsigned before;

	qt_opts(&o, 0, 0);
	o.sync_records = 100;
	q = qt_open(&o);
	c = sgw_queue_cursor_get(q, "c", 0);
	ck_assert_int_eq(sgw_queue_sync(q), 0);
	ck_assert(sgw_queue_next_sync_deadline(q) == INT64_MAX);
	t0 = qfault.now_ns;
	before = qfault.fdatasyncs;
	qt_append_n(q, 1, 10);
	dl = sgw_queue_next_sync_deadline(q);
	ck_assert(dl == t0 + 1000000000);
	qfault.now_ns = t0 + 999999999;
	ck_assert_int_eq(sgw_queue_sync_if_due(q, qfault.now_ns), 0);
	ck_assert_uint_eq(qfault.fdatasyncs, before);
	qfault.now_ns = dl;
	ck_assert_int_eq(sgw_queue_sync_if_due(q, qfault.now_ns), 0);
	ck_assert_uint_eq(qfault.fdatasyncs, before + 1);
	ck_assert(sgw_queue_next_sync_deadline(q) == INT64_MAX);
	/* The record limit syncs without waiting for the timer. */
	qt_append_n(q, 11, 99);
	ck_assert_uint_eq(qfault.fdatasyncs, before + 1);
	qt_append_n(q, 110, 1);
	ck_assert_uint_eq(qfault.fdatasyncs, before + 2);
	/* Acks are saved on the same timer. */
	ck_assert_uint_eq(qt_drain(c, NULL, 0, 1), 110);
	dl = sgw_queue_next_sync_deadline(q);
	ck_assert(dl == qfault.now_ns + 1000000000);
	ck_assert_int_eq(sgw_queue_sync_if_due(q, dl), 0);
	ck_assert_uint_eq(qfault.fdatasyncs, before + 3);
	sgw_queue_get_stats(q, &st);
	ck_assert_uint_ge(st.fsyncs, 3);
	ck_assert_int_eq(sgw_queue_close(q), 0);

	test_rm_tree(qt_dir);
	qt_opts(&o, 0, 0);
	o.sync = SGW_QUEUE_SYNC_ALWAYS;
	q = qt_open(&o);
	before = qfault.fdatasyncs;
	qt_append_n(q, 1, 5);
	ck_assert_uint_eq(qfault.fdatasyncs, before + 5);
	ck_assert(sgw_queue_next_sync_deadline(q) == INT64_MAX);
	ck_assert_int_eq(sgw_queue_close(q), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("queue_append");
	TCase *tc = qt_tcase("core", 120);

	tcase_add_test(tc, test_append_read_ack_reopen);
	tcase_add_test(tc, test_bad_arguments);
	tcase_add_test(tc, test_full_drop_oldest);
	tcase_add_test(tc, test_full_refuse);
	tcase_add_test(tc, test_seq_across_restarts);
	tcase_add_test(tc, test_many_segments);
	tcase_add_test(tc, test_group_commit);
	suite_add_tcase(s, tc);
	return sgw_test_run(s);
}
