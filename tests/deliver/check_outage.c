/* SPDX-License-Identifier: MIT */
/*
 * An uplink's connection trouble as the log tells it (deliver/outage.c):
 * the first failure of an outage is said, the same reason again only after
 * ten minutes, a new reason at once; the recovery counts the time down and
 * the attempts; the last error stays for the statistics.  The clock is the
 * test's.
 */
#include <check.h>
#include <stdio.h>

#include "deliver/outage.h"
#include "tests/fixtures/run.h"

#define S SGW_NS_PER_S
#define MIN (60 * S)

START_TEST(test_first_then_quiet)
{
	struct sgw_outage o;
	uint64_t unsaid, attempts;
	int64_t down;

	sgw_outage_init(&o, 100 * S);
	ck_assert_str_eq(o.last_error, "");
	ck_assert_int_eq(sgw_outage_failed(&o, "refused", 101 * S, 5000, &unsaid), SGW_OUTAGE_FIRST);
	ck_assert_uint_eq(unsaid, 1);
	/* The same reason, every second for nine minutes: nothing more. */
	for (int i = 2; i < 540; i++) {
		ck_assert_int_eq(sgw_outage_failed(&o, "refused", (100 + i) * S, 5000 + i * 1000, &unsaid),
				 SGW_OUTAGE_QUIET);
		ck_assert_uint_eq(unsaid, (uint64_t)i - 1);
	}
	ck_assert_str_eq(o.last_error, "refused");
	ck_assert_int_eq(o.last_error_ms, 5000 + 539 * 1000);
	/* Ten minutes after the line: said again, with the attempts since. */
	ck_assert_int_eq(sgw_outage_failed(&o, "refused", 101 * S + 10 * MIN, 0, &unsaid),
			 SGW_OUTAGE_STILL);
	ck_assert_uint_eq(unsaid, 539);
	ck_assert_int_eq(sgw_outage_failed(&o, "refused", 102 * S + 10 * MIN, 0, &unsaid),
			 SGW_OUTAGE_QUIET);
	ck_assert_uint_eq(unsaid, 1);

	ck_assert(sgw_outage_up(&o, 110 * S + 10 * MIN, &down, &attempts));
	ck_assert_int_eq(down, 10 * S + 10 * MIN);
	ck_assert_uint_eq(attempts, 541 + 1);
	/* Kept after the recovery, until the next error. */
	ck_assert_str_eq(o.last_error, "refused");
}
END_TEST

START_TEST(test_changed_reason_at_once)
{
	struct sgw_outage o;
	uint64_t unsaid;

	sgw_outage_init(&o, 0);
	ck_assert_int_eq(sgw_outage_failed(&o, "refused", 1 * S, 1, &unsaid), SGW_OUTAGE_FIRST);
	ck_assert_int_eq(sgw_outage_failed(&o, "refused", 2 * S, 2, &unsaid), SGW_OUTAGE_QUIET);
	ck_assert_int_eq(sgw_outage_failed(&o, "not authorized", 3 * S, 3, &unsaid), SGW_OUTAGE_CHANGED);
	ck_assert_uint_eq(unsaid, 2);
	ck_assert_int_eq(sgw_outage_failed(&o, "not authorized", 4 * S, 4, &unsaid), SGW_OUTAGE_QUIET);
	/* Back to the first reason: a change too. */
	ck_assert_int_eq(sgw_outage_failed(&o, "refused", 5 * S, 5, &unsaid), SGW_OUTAGE_CHANGED);
	ck_assert_str_eq(o.last_error, "refused");
	ck_assert_int_eq(o.last_error_ms, 5);
}
END_TEST

START_TEST(test_loss_begins_an_outage)
{
	struct sgw_outage o;
	uint64_t unsaid, attempts;
	int64_t down;

	/* The first connect at start, at once: nothing to tell. */
	sgw_outage_init(&o, 0);
	ck_assert(!sgw_outage_up(&o, 1 * S, &down, &attempts));
	ck_assert_uint_eq(attempts, 1);

	/* Lost, and back at the first attempt: a recovery, one attempt. */
	sgw_outage_lost(&o, "connection lost", 10 * S, 10000);
	ck_assert_str_eq(o.last_error, "connection lost");
	ck_assert(sgw_outage_up(&o, 12 * S, &down, &attempts));
	ck_assert_int_eq(down, 2 * S);
	ck_assert_uint_eq(attempts, 1);

	/* Lost again: the same first-failure rule for the reconnects, even
	 * with the reason the last outage already gave. */
	ck_assert_int_eq(sgw_outage_failed(&o, "refused", 13 * S, 0, &unsaid), SGW_OUTAGE_FIRST);
	ck_assert(sgw_outage_up(&o, 14 * S, &down, &attempts));
	sgw_outage_lost(&o, "connection lost", 20 * S, 20000);
	ck_assert_int_eq(sgw_outage_failed(&o, "refused", 21 * S, 21000, &unsaid), SGW_OUTAGE_FIRST);
	ck_assert_int_eq(sgw_outage_failed(&o, "refused", 22 * S, 22000, &unsaid), SGW_OUTAGE_QUIET);
	ck_assert(sgw_outage_up(&o, 23 * S, &down, &attempts));
	ck_assert_int_eq(down, 3 * S);
	ck_assert_uint_eq(attempts, 3);
	ck_assert_str_eq(o.last_error, "refused");
	ck_assert_int_eq(o.last_error_ms, 22000);
}
END_TEST

START_TEST(test_duration)
{
	char b[32];

	ck_assert_str_eq(sgw_outage_duration(b, sizeof(b), -5), "0 ms");
	ck_assert_str_eq(sgw_outage_duration(b, sizeof(b), 850 * SGW_NS_PER_MS), "850 ms");
	ck_assert_str_eq(sgw_outage_duration(b, sizeof(b), 4200 * SGW_NS_PER_MS), "4.2 s");
	ck_assert_str_eq(sgw_outage_duration(b, sizeof(b), 42 * S), "42 s");
	ck_assert_str_eq(sgw_outage_duration(b, sizeof(b), 12 * MIN + 5 * S), "12 min 5 s");
	ck_assert_str_eq(sgw_outage_duration(b, sizeof(b), 200 * MIN + 59 * S), "3 h 20 min");
	ck_assert_str_eq(sgw_outage_duration(b, sizeof(b), 52 * 60 * MIN), "2 d 4 h");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("outage");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_first_then_quiet);
	tcase_add_test(tc, test_changed_reason_at_once);
	tcase_add_test(tc, test_loss_begins_an_outage);
	tcase_add_test(tc, test_duration);
	suite_add_tcase(s, tc);
	return sgw_test_run(s);
}
