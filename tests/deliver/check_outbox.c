/* SPDX-License-Identifier: MIT */
/*
 * Outbox: in-order delivery, window, resend after a lost connection, bound;
 * with a disk queue, order across a disk that refuses and recovers.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/mocks/mock_uplink.h"
#include "deliver/outbox.h"
#include "tests/mocks/queue_faults.h"
#include "tests/fixtures/tmpdir.h"

static struct sgw_msg *msg(uint64_t seq)
{
	return sgw_msg_new(seq, (int64_t)seq * 10, "a/b", 3, "1.0", 3);
}

static void push(struct sgw_outbox *ob, uint64_t seq)
{
	struct sgw_msg *m = msg(seq);

	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(sgw_outbox_push(ob, m), 0);
	sgw_msg_unref(m);
}

static void ack(struct sgw_outbox *ob, uint64_t tag)
{
	mock.inflight--;
	sgw_outbox_ack(ob, tag);
	sgw_outbox_pump(ob);
}

static void setup(void)
{
	memset(&mock, 0, sizeof(mock));
	mock.window = 4;
}

START_TEST(test_window_and_order)
{
	struct sgw_outbox *ob = sgw_outbox_new(NULL, 100, NULL);
	struct sgw_outbox_stats st;

	mock.connected = true;
	for (uint64_t i = 1; i <= 10; i++)
		push(ob, i);
	ck_assert_uint_eq(mock.n, 4);
	sgw_outbox_get_stats(ob, &st);
	ck_assert_uint_eq(st.inflight, 4);
	ck_assert_uint_eq(st.pending, 6);
	ack(ob, 2);
	ack(ob, 1);
	ck_assert_uint_eq(mock.n, 6);
	for (uint64_t i = 3; i <= 10; i++)
		ack(ob, i);
	for (size_t i = 0; i < mock.n; i++)
		ck_assert_uint_eq(mock.tags[i], i + 1);
	sgw_outbox_get_stats(ob, &st);
	ck_assert_uint_eq(st.delivered, 10);
	ck_assert_uint_eq(st.inflight + st.pending, 0);
	ck_assert_ptr_null(sgw_outbox_oldest(ob));
	/* A stray or repeated ack changes nothing. */
	sgw_outbox_ack(ob, 3);
	sgw_outbox_get_stats(ob, &st);
	ck_assert_uint_eq(st.delivered, 10);
	sgw_outbox_free(ob);
}
END_TEST

START_TEST(test_resend_after_lost_connection)
{
	struct sgw_outbox *ob = sgw_outbox_new(NULL, 100, NULL);
	struct sgw_outbox_stats st;

	mock.connected = true;
	for (uint64_t i = 1; i <= 6; i++)
		push(ob, i);
	ack(ob, 1);
	/* The connection drops with 2..5 in flight, reported out of order. */
	mock.connected = false;
	mock.inflight = 0;
	sgw_outbox_fail(ob, 4);
	sgw_outbox_fail(ob, 2);
	sgw_outbox_fail(ob, 5);
	sgw_outbox_fail(ob, 3);
	push(ob, 7);
	ck_assert_uint_eq(sgw_outbox_oldest(ob)->seq, 2);
	mock.connected = true;
	mock.n = 0;
	mock.window = 100;
	sgw_outbox_pump(ob);
	ck_assert_uint_eq(mock.n, 6);
	for (size_t i = 0; i < mock.n; i++)
		ck_assert_uint_eq(mock.tags[i], i + 2);
	sgw_outbox_get_stats(ob, &st);
	ck_assert_uint_eq(st.resent, 4);
	sgw_outbox_free(ob);
}
END_TEST

START_TEST(test_bound_drops_oldest)
{
	struct sgw_outbox *ob = sgw_outbox_new(NULL, 3, NULL);
	struct sgw_outbox_stats st;

	for (uint64_t i = 1; i <= 5; i++)
		push(ob, i);
	sgw_outbox_get_stats(ob, &st);
	ck_assert_uint_eq(st.dropped, 2);
	ck_assert_uint_eq(st.pending, 3);
	ck_assert_uint_eq(sgw_outbox_oldest(ob)->seq, 3);
	sgw_outbox_free(ob);
}
END_TEST

START_TEST(test_refused_message_dropped_not_stuck)
{
	struct sgw_outbox *ob = sgw_outbox_new(NULL, 10, NULL);
	struct sgw_outbox_stats st;

	mock.connected = true;
	mock.refuse_tag = 2;
	for (uint64_t i = 1; i <= 3; i++)
		push(ob, i);
	ck_assert_uint_eq(mock.n, 2);
	ck_assert_uint_eq(mock.tags[1], 3);
	sgw_outbox_get_stats(ob, &st);
	ck_assert_uint_eq(st.dropped, 1);
	sgw_outbox_free(ob);
}
END_TEST

static uint64_t drained[64];
static size_t ndrained;

static void collect(void *arg, struct sgw_msg *m)
{
	(void)arg;
	drained[ndrained++] = m->seq;
}

START_TEST(test_drain_in_order)
{
	struct sgw_outbox *ob = sgw_outbox_new(NULL, 100, NULL);

	mock.connected = true;
	for (uint64_t i = 1; i <= 8; i++)
		push(ob, i);
	ack(ob, 3);
	mock.inflight--;
	sgw_outbox_fail(ob, 1);
	ndrained = 0;
	sgw_outbox_drain(ob, collect, NULL);
	/* 1 (retry), 2 4 5 6 (in flight after the pump), then 7 8 (waiting). */
	ck_assert_uint_eq(ndrained, 7);
	for (size_t i = 1; i < ndrained; i++)
		ck_assert_uint_lt(drained[i - 1], drained[i]);
	ck_assert_uint_eq(drained[0], 1);
	ck_assert_uint_eq(drained[6], 8);
	ck_assert_ptr_null(sgw_outbox_oldest(ob));
	sgw_outbox_free(ob);
}
END_TEST

/* Many messages in flight: the seq table grows and deletes correctly. */
START_TEST(test_large_window)
{
	struct sgw_outbox *ob = sgw_outbox_new(NULL, 100000, NULL);
	struct sgw_outbox_stats st;

	mock.connected = true;
	mock.window = 3000;
	for (uint64_t i = 1; i <= 3000; i++)
		push(ob, i * 7);
	for (int64_t i = 3000; i >= 1; i -= 2)
		ack(ob, (uint64_t)i * 7);
	for (int64_t i = 2999; i >= 1; i -= 2)
		ack(ob, (uint64_t)i * 7);
	sgw_outbox_get_stats(ob, &st);
	ck_assert_uint_eq(st.delivered, 3000);
	ck_assert_uint_eq(st.inflight, 0);
	sgw_outbox_free(ob);
}
END_TEST

/* What the gateway does with a new message for one uplink (src/daemon/gateway.c emit). */
static void route(struct sgw_outbox *ob, struct sgw_spool *sp, uint64_t seq)
{
	char payload[16];
	int n = snprintf(payload, sizeof(payload), "%llu", (unsigned long long)seq);
	struct sgw_msg *m = sgw_msg_new(seq, (int64_t)seq * 10, "a/b", 3, payload, (size_t)n);

	ck_assert_ptr_nonnull(m);
	if (!sgw_outbox_wants_disk(ob, false) || sgw_spool_append(sp, m, 1) < 0)
		ck_assert_int_eq(sgw_outbox_push(ob, m), 0);
	sgw_msg_unref(m);
}

/*
 * Offline, the disk refuses reading 6 twice (its append, and the move of
 * memory to disk right after) and then works again: 6 waits in memory, and
 * what comes after it must not overtake it.  Everything arrives in order,
 * nothing twice.
 */
START_TEST(test_disk_refuses_then_recovers)
{
	static const struct sgw_queue_config qc = {
		.sync_interval_ms = 1000, .max_size = 1u << 20, .segment_size = 64u << 10,
	};
	struct sgw_spool_cursor *sc;
	struct sgw_outbox *ob;
	struct sgw_spool *sp;
	char dir[64], qdir[100];

	test_mkdtemp(dir, sizeof(dir), "sgwob");
	snprintf(qdir, sizeof(qdir), "%s/q", dir);
	qfault_reset();
	sp = sgw_spool_open(qdir, &qc, &qfault_ops);
	ck_assert_ptr_nonnull(sp);
	sc = sgw_spool_cursor(sp, "u", 0);
	ck_assert_ptr_nonnull(sc);
	ob = sgw_outbox_new(NULL, 100, sc);
	mock.window = 100;
	for (uint64_t s = 1; s <= 5; s++)
		route(ob, sp, s);
	qfault.pwrite_errno = EIO;
	qfault.pwrite_fails = 2;
	for (uint64_t s = 6; s <= 12; s++)
		route(ob, sp, s);
	ck_assert_int_eq(qfault.pwrite_fails, 0);
	mock.connected = true;
	sgw_outbox_pump(ob);
	ck_assert_uint_eq(mock.n, 12);
	for (size_t i = 0; i < 12; i++) {
		char want[16];

		snprintf(want, sizeof(want), "%zu", i + 1);
		ck_assert_str_eq(mock.payloads[i], want);
	}
	sgw_outbox_free(ob);
	ck_assert_int_eq(sgw_spool_close(sp), 0);
	test_rm_tree(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("outbox");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_window_and_order);
	tcase_add_test(tc, test_resend_after_lost_connection);
	tcase_add_test(tc, test_bound_drops_oldest);
	tcase_add_test(tc, test_refused_message_dropped_not_stuck);
	tcase_add_test(tc, test_drain_in_order);
	tcase_add_test(tc, test_large_window);
	tcase_add_test(tc, test_disk_refuses_then_recovers);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
