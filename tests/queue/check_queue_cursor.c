/* SPDX-License-Identifier: MIT */
/*
 * Disk queue tests: cursors and acknowledgements: two cursors holding
 * segments back, out-of-order acks and rewinding, the statistics' sample
 * time, and random operations against a model.
 */
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "deliver/qmsg.h"
#include "qtest.h"
#include "queue/queue.h"
#include "tests/fixtures/run.h"
#include "tests/mocks/queue_faults.h"

START_TEST(test_two_cursors)
{
	struct sgw_queue_options o;
	struct sgw_queue_cursor *house, *cloud;
	struct sgw_queue_cursor_stats cs;
	struct sgw_queue_stats st;
	struct sgw_queue_record r;
	struct sgw_queue *q;
	uint64_t seqs[400];

	qt_opts(&o, QT_SMALL_SEG, 0);
	q = qt_open(&o);
	house = sgw_queue_cursor_get(q, "house", 0);
	cloud = sgw_queue_cursor_get(q, "cloud", 0);
	qt_append_n(q, 1, 300);
	ck_assert_uint_eq(qt_drain(house, NULL, 0, 1), 300);
	for (int i = 0; i < 100; i++) {
		ck_assert_int_eq(sgw_queue_read(cloud, &r), 0);
		ck_assert_int_eq(sgw_queue_ack(cloud, r.seq), 0);
	}
	ck_assert_int_eq(sgw_queue_sync(q), 0);
	sgw_queue_get_stats(q, &st);
	ck_assert_uint_eq(st.depth, 200);	/* the slowest cursor counts */
	sgw_queue_cursor_get_stats(house, &cs);
	ck_assert_uint_eq(cs.depth, 0);
	sgw_queue_cursor_get_stats(cloud, &cs);
	ck_assert_uint_eq(cs.depth, 200);
	ck_assert_uint_eq(cs.ack_seq, 101);
	/* Segments the cloud still needs are kept. */
	ck_assert_uint_gt(st.segments, 3);
	ck_assert_int_eq(sgw_queue_close(q), 0);

	q = qt_open(&o);
	house = sgw_queue_cursor_get(q, "house", 0);
	cloud = sgw_queue_cursor_get(q, "cloud", 0);
	ck_assert_uint_eq(qt_drain(house, NULL, 0, 1), 0);
	ck_assert_uint_eq(qt_drain(cloud, seqs, 400, 1), 200);
	ck_assert_uint_eq(seqs[0], 101);
	ck_assert_int_eq(sgw_queue_sync(q), 0);
	sgw_queue_get_stats(q, &st);
	ck_assert_uint_eq(st.segments, 1);
	ck_assert_uint_eq(st.depth, 0);
	/* A removed cursor no longer holds segments back. */
	qt_append_n(q, 301, 200);
	ck_assert_uint_eq(qt_drain(house, NULL, 0, 1), 200);
	ck_assert_int_eq(sgw_queue_cursor_remove(q, "cloud"), 0);
	ck_assert_int_eq(sgw_queue_sync(q), 0);
	sgw_queue_get_stats(q, &st);
	ck_assert_uint_eq(st.segments, 1);
	ck_assert_int_eq(sgw_queue_close(q), 0);
}
END_TEST

START_TEST(test_out_of_order_acks)
{
	struct sgw_queue_options o;
	struct sgw_queue_cursor *c;
	struct sgw_queue_cursor_stats cs;
	struct sgw_queue *q;
	uint64_t seqs[32];

	qt_opts(&o, 0, 0);
	q = qt_open(&o);
	c = sgw_queue_cursor_get(q, "c", 0);
	qt_append_n(q, 1, 10);
	ck_assert_uint_eq(qt_drain(c, NULL, 0, 0), 10);
	ck_assert_int_eq(sgw_queue_ack(c, 3), 0);
	ck_assert_int_eq(sgw_queue_ack(c, 2), 0);
	sgw_queue_cursor_get_stats(c, &cs);
	ck_assert_uint_eq(cs.ack_seq, 1);
	ck_assert_uint_eq(cs.inflight, 10);
	ck_assert_int_eq(sgw_queue_ack(c, 1), 0);
	sgw_queue_cursor_get_stats(c, &cs);
	ck_assert_uint_eq(cs.ack_seq, 4);
	ck_assert_uint_eq(cs.inflight, 7);
	for (uint64_t s = 10; s >= 5; s--)
		ck_assert_int_eq(sgw_queue_ack(c, s), 0);
	ck_assert_int_eq(sgw_queue_ack(c, 7), 0);	/* again: fine */
	ck_assert_int_eq(sgw_queue_ack(c, 2), 0);	/* long done */
	ck_assert_int_eq(sgw_queue_ack(c, 11), -ENOENT);	/* never read */
	sgw_queue_cursor_get_stats(c, &cs);
	ck_assert_uint_eq(cs.ack_seq, 4);
	ck_assert_uint_eq(cs.depth, 7);
	/* Getting the cursor again changes nothing. */
	ck_assert_ptr_eq(sgw_queue_cursor_get(q, "c", 0), c);
	sgw_queue_cursor_get_stats(c, &cs);
	ck_assert_uint_eq(cs.inflight, 7);
	ck_assert_uint_eq(cs.read_seq, 11);
	/* Reconnect: what is in flight is sent again, from the ack position. */
	sgw_queue_rewind(c);
	ck_assert_uint_eq(qt_drain(c, seqs, 32, 0), 7);
	ck_assert_uint_eq(seqs[0], 4);
	ck_assert_int_eq(sgw_queue_ack(c, 4), 0);
	sgw_queue_cursor_get_stats(c, &cs);
	ck_assert_uint_eq(cs.ack_seq, 5);
	/* Across a restart the durable position is the contiguous prefix. */
	ck_assert_int_eq(sgw_queue_close(q), 0);
	q = qt_open(&o);
	c = sgw_queue_cursor_get(q, "c", 0);
	ck_assert_uint_eq(qt_drain(c, seqs, 32, 1), 6);
	ck_assert_uint_eq(seqs[0], 5);
	ck_assert_int_eq(sgw_queue_close(q), 0);
}
END_TEST

static int64_t ts_of(const void *b, size_t len)
{
	return sgw_qmsg_peek_ts(b, len);
}

START_TEST(test_stats_sample_time)
{
	struct sgw_queue_options o;
	struct sgw_queue_cursor *c;
	struct sgw_queue_stats st;
	struct sgw_queue_record r;
	struct sgw_queue *q;
	uint8_t buf[128];

	qt_opts(&o, 0, 0);
	o.record_ts = ts_of;
	q = qt_open(&o);
	c = sgw_queue_cursor_get(q, "c", 0);
	sgw_queue_get_stats(q, &st);
	ck_assert(st.oldest_ts_ms == SGW_QUEUE_TS_NONE);
	for (int i = 0; i < 3; i++) {
		struct sgw_qmsg m = { .ts.wall_ms = 1700000000000 + i, .seq = (uint64_t)i,
				      .topic = "a/b", .topic_len = 3,
				      .payload = "21.5", .payload_len = 4, .qos = 1 };
		long n = sgw_qmsg_encode(&m, buf, sizeof(buf));

		ck_assert_int_gt(n, 0);
		ck_assert_int_eq(sgw_queue_append(q, buf, (size_t)n, NULL), 0);
	}
	sgw_queue_get_stats(q, &st);
	ck_assert(st.oldest_ts_ms == 1700000000000);
	ck_assert_uint_eq(st.depth, 3);
	ck_assert_uint_eq(st.bytes, 3 * (12 + 9 + 3 + 4));
	ck_assert_int_eq(sgw_queue_read(c, &r), 0);
	ck_assert_int_eq(sgw_queue_read(c, &r), 0);
	ck_assert_int_eq(sgw_queue_ack(c, 1), 0);
	sgw_queue_get_stats(q, &st);
	ck_assert(st.oldest_ts_ms == 1700000000001);	/* in flight */
	ck_assert_int_eq(sgw_queue_ack(c, 2), 0);
	sgw_queue_get_stats(q, &st);
	ck_assert(st.oldest_ts_ms == 1700000000002);	/* not read yet */
	ck_assert_int_eq(sgw_queue_read(c, &r), 0);	/* the peek consumed nothing */
	ck_assert_uint_eq(r.seq, 3);
	ck_assert_int_eq(sgw_queue_close(q), 0);
}
END_TEST

/*
 * Random operations on two cursors against a model: bodies intact, each
 * cursor reads in increasing order since its last rewind or reopen, never
 * below its acknowledged position, and in the end every record was
 * acknowledged by both.
 */
START_TEST(test_random_model)
{
	enum { N = 3000, NC = 2 };
	static const char *names[NC] = { "house", "cloud" };
	struct sgw_queue_options o;
	struct sgw_queue_cursor *c[NC];
	struct sgw_queue *q;
	static uint8_t acked[NC][N + 2];
	static uint64_t inflight[NC][N + 2];
	size_t ninf[NC] = { 0 };
	uint64_t last[NC] = { 0 }, next = 1;
	unsigned seed = 12345;

	memset(acked, 0, sizeof(acked));
	qt_opts(&o, QT_SMALL_SEG, 64u << 20);
	o.sync_records = 64;
	q = qt_open(&o);
	for (int k = 0; k < NC; k++)
		c[k] = sgw_queue_cursor_get(q, names[k], 0);

	while (next <= N) {
		int op = rand_r(&seed) % 100, k = rand_r(&seed) % NC;
		struct sgw_queue_cursor_stats cs;
		struct sgw_queue_record r;
		int err;

		if (op < 40) {
			qt_append_n(q, next, 1);
			next++;
		} else if (op < 70) {
			err = sgw_queue_read(c[k], &r);
			if (err == -ENODATA)
				continue;
			if (err)
				ck_abort_msg("read: %d", err);
			qt_assert_body(&r);
			sgw_queue_cursor_get_stats(c[k], &cs);
			if (r.seq <= last[k] || r.seq >= next)
				ck_abort_msg("cursor %d: seq %" PRIu64 " after %" PRIu64, k, r.seq,
					     last[k]);
			last[k] = r.seq;
			inflight[k][ninf[k]++] = r.seq;
		} else if (op < 92) {
			size_t i;
			uint64_t s;

			if (ninf[k] == 0)
				continue;
			i = (size_t)rand_r(&seed) % ninf[k];
			s = inflight[k][i];
			inflight[k][i] = inflight[k][--ninf[k]];
			if ((err = sgw_queue_ack(c[k], s)) != 0)
				ck_abort_msg("ack %" PRIu64 ": %d", s, err);
			acked[k][s] = 1;
			sgw_queue_cursor_get_stats(c[k], &cs);
			for (uint64_t t = 1; t < cs.ack_seq; t++)
				if (!acked[k][t])
					ck_abort_msg("cursor %d: ack position %" PRIu64 " passes %" PRIu64,
						     k, cs.ack_seq, t);
		} else if (op < 95) {
			sgw_queue_rewind(c[k]);
			sgw_queue_cursor_get_stats(c[k], &cs);
			ninf[k] = 0;
			last[k] = cs.ack_seq - 1;
		} else if (op < 99) {
			qfault.now_ns += 300000000;
			if ((err = sgw_queue_sync_if_due(q, qfault.now_ns)) != 0)
				ck_abort_msg("sync: %d", err);
		} else {
			ck_assert_int_eq(sgw_queue_close(q), 0);
			q = qt_open(&o);
			for (int j = 0; j < NC; j++) {
				c[j] = sgw_queue_cursor_get(q, names[j], 0);
				sgw_queue_cursor_get_stats(c[j], &cs);
				ninf[j] = 0;
				last[j] = cs.ack_seq - 1;
			}
		}
	}
	/* Finish: everything read and acknowledged by both. */
	for (int k = 0; k < NC; k++) {
		struct sgw_queue_record r;
		int err;

		sgw_queue_rewind(c[k]);
		while ((err = sgw_queue_read(c[k], &r)) == 0) {
			qt_assert_body(&r);
			ck_assert_int_eq(sgw_queue_ack(c[k], r.seq), 0);
			acked[k][r.seq] = 1;
		}
		ck_assert_int_eq(err, -ENODATA);
		for (uint64_t s = 1; s <= N; s++)
			if (!acked[k][s])
				ck_abort_msg("cursor %d: record %" PRIu64 " never acknowledged", k, s);
	}
	ck_assert_int_eq(sgw_queue_sync(q), 0);
	{
		struct sgw_queue_stats st;

		sgw_queue_get_stats(q, &st);
		ck_assert_uint_eq(st.depth, 0);
		ck_assert_uint_eq(st.segments, 1);
		ck_assert_uint_eq(st.corrupt, 0);
		ck_assert_uint_eq(st.dropped, 0);
	}
	ck_assert_int_eq(sgw_queue_close(q), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("queue_cursor");
	TCase *tc = qt_tcase("core", 120);

	tcase_add_test(tc, test_two_cursors);
	tcase_add_test(tc, test_out_of_order_acks);
	tcase_add_test(tc, test_stats_sample_time);
	tcase_add_test(tc, test_random_model);
	suite_add_tcase(s, tc);
	return sgw_test_run(s);
}
