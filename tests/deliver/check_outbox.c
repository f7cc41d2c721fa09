/* SPDX-License-Identifier: MIT */
/*
 * Outbox: in-order delivery, window, resend after a lost connection, bound,
 * draining.  Where messages are kept (memory or disk) is the router's
 * (check_router.c).
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deliver/outbox.h"
#include "deliver/tag.h"
#include "tests/fixtures/run.h"
#include "tests/mocks/mock_uplink.h"

/* A message as the router hands it over: tagged with its sequence number. */
static struct sgw_msg *msg(uint64_t seq)
{
	struct sgw_stamp ts = { .wall_ms = (int64_t)seq * 10 };
	struct sgw_msg *m = sgw_msg_new(seq, &ts, "a/b", 3, "1.0", 3);

	if (m)
		m->tag = sgw_tag_make(SGW_TAG_MEMORY, seq);
	return m;
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
	struct sgw_outbox *ob = sgw_outbox_new(&mock, 100, NULL);
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
	struct sgw_outbox *ob = sgw_outbox_new(&mock, 100, NULL);
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
	struct sgw_outbox *ob = sgw_outbox_new(&mock, 3, NULL);
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
	struct sgw_outbox *ob = sgw_outbox_new(&mock, 10, NULL);
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
	struct sgw_outbox *ob = sgw_outbox_new(&mock, 100, NULL);

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
	struct sgw_outbox *ob = sgw_outbox_new(&mock, 100000, NULL);
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

int main(void)
{
	Suite *s = suite_create("outbox");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_window_and_order);
	tcase_add_test(tc, test_resend_after_lost_connection);
	tcase_add_test(tc, test_bound_drops_oldest);
	tcase_add_test(tc, test_refused_message_dropped_not_stuck);
	tcase_add_test(tc, test_drain_in_order);
	tcase_add_test(tc, test_large_window);
	suite_add_tcase(s, tc);
	return sgw_test_run(s);
}
