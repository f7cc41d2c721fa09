/* SPDX-License-Identifier: MIT */
/* Scheduler deadlines on a fake clock. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "sense/scheduler.h"
#include "tests/fixtures/run.h"

#define MS 1000000LL

START_TEST(test_first_tick_all_due_together)
{
	struct sgw_sched s;
	uint32_t per[3] = { 1000, 1000, 250 }, idx[8];
	int64_t due[8];

	ck_assert_int_eq(sgw_sched_init(&s, 3, per, 5 * MS), 0);
	ck_assert_int_eq(sgw_sched_next_due(&s), 5 * MS);
	ck_assert_uint_eq(sgw_sched_take_due(&s, 4 * MS, idx, due, 8), 0);
	ck_assert_uint_eq(sgw_sched_take_due(&s, 5 * MS, idx, due, 8), 3);
	ck_assert_int_eq(due[0], 5 * MS);
	ck_assert_int_eq(sgw_sched_next_due(&s), 255 * MS);
	/* 1005 ms: the two 1 s sensors and the 250 ms one share the tick. */
	ck_assert_uint_eq(sgw_sched_take_due(&s, 255 * MS, idx, due, 8), 1);
	ck_assert_uint_eq(idx[0], 2);
	ck_assert_uint_eq(sgw_sched_take_due(&s, 505 * MS, idx, NULL, 8), 1);
	ck_assert_uint_eq(sgw_sched_take_due(&s, 755 * MS, idx, NULL, 8), 1);
	ck_assert_uint_eq(sgw_sched_take_due(&s, 1005 * MS, idx, NULL, 8), 3);
	sgw_sched_free(&s);
}
END_TEST

/* Served late every time (by up to 40% of the period): deadlines stay on the grid. */
START_TEST(test_no_drift_over_hours)
{
	struct sgw_sched s;
	uint32_t per[1] = { 1000 }, idx[1];
	int64_t due[1], now = 0;
	uint64_t rng = 88172645463325252ull;

	ck_assert_int_eq(sgw_sched_init(&s, 1, per, 0), 0);
	for (int64_t k = 0; k < 6 * 3600; k++) {
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		now = sgw_sched_next_due(&s) + (int64_t)(rng % (400 * MS));
		ck_assert_uint_eq(sgw_sched_take_due(&s, now, idx, due, 1), 1);
		ck_assert_int_eq(due[0], k * 1000 * MS);
	}
	ck_assert_int_eq(sgw_sched_next_due(&s), 6 * 3600 * 1000 * MS);
	ck_assert_uint_eq(s.e[0].missed, 0);
	sgw_sched_free(&s);
}
END_TEST

/* A loop stalled for 3.5 periods runs the sensor once, skips the rest, keeps phase. */
START_TEST(test_missed_deadlines_skipped)
{
	struct sgw_sched s;
	uint32_t per[1] = { 100 }, idx[4];
	int64_t due[4];

	ck_assert_int_eq(sgw_sched_init(&s, 1, per, 0), 0);
	ck_assert_uint_eq(sgw_sched_take_due(&s, 0, idx, due, 4), 1);
	ck_assert_uint_eq(sgw_sched_take_due(&s, 450 * MS, idx, due, 4), 1);
	ck_assert_int_eq(due[0], 100 * MS);
	ck_assert_uint_eq(s.e[0].missed, 3);
	ck_assert_int_eq(sgw_sched_next_due(&s), 500 * MS);
	sgw_sched_free(&s);
}
END_TEST

START_TEST(test_take_respects_max)
{
	struct sgw_sched s;
	uint32_t per[5] = { 10, 10, 10, 10, 10 }, idx[2];

	ck_assert_int_eq(sgw_sched_init(&s, 5, per, 0), 0);
	ck_assert_uint_eq(sgw_sched_take_due(&s, 0, idx, NULL, 2), 2);
	ck_assert_uint_eq(sgw_sched_take_due(&s, 0, idx, NULL, 2), 2);
	ck_assert_uint_eq(sgw_sched_take_due(&s, 0, idx, NULL, 2), 1);
	ck_assert_uint_eq(idx[0], 4);
	ck_assert_uint_eq(sgw_sched_take_due(&s, 0, idx, NULL, 2), 0);
	sgw_sched_free(&s);
}
END_TEST

START_TEST(test_empty)
{
	struct sgw_sched s;
	uint32_t idx[1];

	ck_assert_int_eq(sgw_sched_init(&s, 0, NULL, 0), 0);
	ck_assert_int_eq(sgw_sched_next_due(&s), INT64_MAX);
	ck_assert_uint_eq(sgw_sched_take_due(&s, INT64_MAX - 1, idx, NULL, 1), 0);
	sgw_sched_free(&s);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("scheduler");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_first_tick_all_due_together);
	tcase_add_test(tc, test_no_drift_over_hours);
	tcase_add_test(tc, test_missed_deadlines_skipped);
	tcase_add_test(tc, test_take_respects_max);
	tcase_add_test(tc, test_empty);
	suite_add_tcase(s, tc);
	return sgw_test_run(s);
}
