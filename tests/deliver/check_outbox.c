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
#include "deliver/rate.h"
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

/* The pacing alone: never two events closer than 1/PER_S, no credit for idling. */
START_TEST(test_rate_pacing)
{
	struct sgw_rate r;
	int64_t t = 5 * SGW_NS_PER_S, first = t;
	size_t n = 0;

	sgw_rate_init(&r, 0);
	ck_assert(!sgw_rate_limited(&r));
	ck_assert(sgw_rate_ready(&r, t));
	sgw_rate_charge(&r, t);
	ck_assert(sgw_rate_ready(&r, t));
	ck_assert_int_eq(sgw_rate_next(&r, t), t);

	sgw_rate_init(&r, 3);
	ck_assert(sgw_rate_limited(&r));
	/* As many events as it allows, as early as it allows, for one second. */
	while (t < first + SGW_NS_PER_S) {
		ck_assert(sgw_rate_ready(&r, t));
		sgw_rate_charge(&r, t);
		n++;
		ck_assert(!sgw_rate_ready(&r, t));
		ck_assert_int_gt(sgw_rate_next(&r, t), t);
		t = sgw_rate_next(&r, t);
	}
	ck_assert_uint_eq(n, 3);
	ck_assert(!sgw_rate_ready(&r, t - 1));
	/* An idle minute earns one event, not a burst. */
	t += 60 * SGW_NS_PER_S;
	ck_assert(sgw_rate_ready(&r, t));
	sgw_rate_charge(&r, t);
	ck_assert(!sgw_rate_ready(&r, t + SGW_NS_PER_S / 3));
	ck_assert(sgw_rate_ready(&r, t + SGW_NS_PER_S / 3 + 1));
	/* A forced event (not asked for) pushes the next one back. */
	sgw_rate_charge(&r, t);
	ck_assert_int_eq(sgw_rate_next(&r, t), t + 2 * r.interval_ns);
}
END_TEST

static int64_t fake_ns;

static int64_t fake_now(void)
{
	return fake_ns;
}

/* At a pump, move the fake clock to AT_MS (since the start) and pump. */
static void pump_at(struct sgw_outbox *ob, int64_t at_ms)
{
	fake_ns = 1000 * SGW_NS_PER_S + at_ms * SGW_NS_PER_MS;
	sgw_outbox_pump(ob);
}

/*
 * max_rate: what the limit holds back waits in order and leaves at the
 * pace allowed, each message held back counted once, and the outbox says
 * when to pump again.
 */
START_TEST(test_rate_limit)
{
	struct sgw_outbox *ob = sgw_outbox_new(&mock, 100, NULL);
	struct sgw_outbox_stats st;

	mock.window = 100;
	mock.connected = true;
	fake_ns = 1000 * SGW_NS_PER_S;
	sgw_outbox_set_rate(ob, 100, fake_now);
	ck_assert_int_eq(sgw_outbox_next_deadline(ob), INT64_MAX);
	for (uint64_t i = 1; i <= 10; i++)
		push(ob, i);
	ck_assert_uint_eq(mock.n, 1);
	ck_assert_int_eq(sgw_outbox_next_deadline(ob), fake_ns + 10 * SGW_NS_PER_MS);
	pump_at(ob, 9);
	ck_assert_uint_eq(mock.n, 1);
	pump_at(ob, 10);
	ck_assert_uint_eq(mock.n, 2);
	/* A second later: one more, not a second's worth. */
	pump_at(ob, 1010);
	ck_assert_uint_eq(mock.n, 3);
	sgw_outbox_get_stats(ob, &st);
	ck_assert_uint_eq(st.rate_limited, 3);	/* 2, 3 and 4 waited */
	ck_assert_uint_eq(st.pending, 7);
	/* Offline: nothing to wake up for. */
	mock.connected = false;
	ck_assert_int_eq(sgw_outbox_next_deadline(ob), INT64_MAX);
	mock.connected = true;
	/* A status publish takes the next turn. */
	pump_at(ob, 1015);
	sgw_outbox_charge(ob);
	pump_at(ob, 1020);
	ck_assert_uint_eq(mock.n, 3);
	pump_at(ob, 1030);
	ck_assert_uint_eq(mock.n, 4);
	for (int64_t ms = 1040; mock.n < 10; ms += 10)
		pump_at(ob, ms);
	for (size_t i = 0; i < mock.n; i++)
		ck_assert_uint_eq(mock.tags[i], sgw_tag_make(SGW_TAG_MEMORY, i + 1));
	/* All sent: nothing held back, nothing to wake up for. */
	pump_at(ob, 2000);
	ck_assert_int_eq(sgw_outbox_next_deadline(ob), INT64_MAX);
	sgw_outbox_get_stats(ob, &st);
	ck_assert_uint_eq(st.rate_limited, 9);
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
	tcase_add_test(tc, test_rate_pacing);
	tcase_add_test(tc, test_rate_limit);
	suite_add_tcase(s, tc);
	return sgw_test_run(s);
}
