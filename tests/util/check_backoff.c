/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "tests/fixtures/run.h"
#include "util/backoff.h"

/* The cap of attempt N: min * 2^N, at most max. */
static uint64_t cap_of(uint32_t min, uint32_t max, uint32_t n)
{
	uint64_t d = min;

	for (uint32_t i = 0; i < n && d < max; i++)
		d *= 2;
	return d < max ? d : max;
}

START_TEST(test_bounds_each_attempt)
{
	struct sgw_backoff b;

	/* Many seeds, the first attempts: each delay within [d/2, d]. */
	for (uint64_t seed = 1; seed <= 200; seed++) {
		sgw_backoff_init(&b, 1000, 60000, seed);
		for (uint32_t n = 0; n < 12; n++) {
			uint64_t d = cap_of(1000, 60000, n);
			uint32_t v = sgw_backoff_next(&b);

			ck_assert_uint_ge(v, d / 2);
			ck_assert_uint_le(v, d);
			ck_assert_uint_eq(b.attempt, n + 1);
		}
	}
}
END_TEST

START_TEST(test_jitter_spreads)
{
	struct sgw_backoff b;
	uint32_t lo = UINT32_MAX, hi = 0;

	/* Attempt 0 of min 1000: [500, 1000].  Over many seeds the draws must
	 * cover most of the range, not sit at one end. */
	for (uint64_t seed = 1; seed <= 2000; seed++) {
		uint32_t v;

		sgw_backoff_init(&b, 1000, 60000, seed * 0x9e3779b97f4a7c15ull);
		v = sgw_backoff_next(&b);
		if (v < lo)
			lo = v;
		if (v > hi)
			hi = v;
	}
	ck_assert_uint_le(lo, 550);
	ck_assert_uint_ge(hi, 950);
}
END_TEST

START_TEST(test_capped)
{
	struct sgw_backoff b;

	sgw_backoff_init(&b, 100, 5000, 42);
	for (int i = 0; i < 10; i++)
		sgw_backoff_next(&b);
	/* 100 * 2^10 > 5000: from here on every delay is in [2500, 5000]. */
	for (int i = 0; i < 1000; i++) {
		uint32_t v = sgw_backoff_next(&b);

		ck_assert_uint_ge(v, 2500);
		ck_assert_uint_le(v, 5000);
	}
}
END_TEST

START_TEST(test_reset)
{
	struct sgw_backoff b;

	sgw_backoff_init(&b, 200, 60000, 7);
	for (int i = 0; i < 20; i++)
		sgw_backoff_next(&b);
	ck_assert_uint_eq(b.attempt, 20);
	sgw_backoff_reset(&b);
	ck_assert_uint_eq(b.attempt, 0);
	for (int i = 0; i < 100; i++) {
		uint32_t v;

		sgw_backoff_reset(&b);
		v = sgw_backoff_next(&b);
		ck_assert_uint_ge(v, 100);
		ck_assert_uint_le(v, 200);
	}
}
END_TEST

START_TEST(test_deterministic)
{
	struct sgw_backoff a, b, c;
	int differ = 0;

	sgw_backoff_init(&a, 1000, 60000, 12345);
	sgw_backoff_init(&b, 1000, 60000, 12345);
	sgw_backoff_init(&c, 1000, 60000, 54321);
	for (int i = 0; i < 100; i++) {
		uint32_t va = sgw_backoff_next(&a), vb = sgw_backoff_next(&b);
		uint32_t vc = sgw_backoff_next(&c);

		ck_assert_uint_eq(va, vb);
		differ += va != vc;
	}
	ck_assert_int_gt(differ, 50);
}
END_TEST

START_TEST(test_no_overflow)
{
	struct sgw_backoff b;

	/* Largest values: min * 2^n overflows 32 bits at once, 64 bits by 32. */
	sgw_backoff_init(&b, UINT32_MAX, UINT32_MAX, 99);
	for (int i = 0; i < 1000; i++) {
		uint32_t v = sgw_backoff_next(&b);

		ck_assert_uint_ge(v, UINT32_MAX / 2);
	}
	sgw_backoff_init(&b, 1, 60000, 99);
	for (int i = 0; i < 1000; i++) {
		uint32_t v = sgw_backoff_next(&b);

		if (i >= 16) {
			ck_assert_uint_ge(v, 30000);
			ck_assert_uint_le(v, 60000);
		}
	}
	ck_assert_uint_eq(b.attempt, 1000);
	/* The attempt counter saturates instead of wrapping to 0. */
	b.attempt = UINT32_MAX - 1;
	sgw_backoff_next(&b);
	sgw_backoff_next(&b);
	ck_assert_uint_eq(b.attempt, UINT32_MAX);
	ck_assert_uint_ge(sgw_backoff_next(&b), 30000);
}
END_TEST

START_TEST(test_degenerate)
{
	struct sgw_backoff b;

	/* Seed 0 would stall xorshift at 0; max < min is raised to min. */
	sgw_backoff_init(&b, 1000, 10, 0);
	ck_assert_uint_ne(b.rng, 0);
	ck_assert_uint_eq(b.max_ms, 1000);
	for (int i = 0; i < 50; i++) {
		uint32_t v = sgw_backoff_next(&b);

		ck_assert_uint_ge(v, 500);
		ck_assert_uint_le(v, 1000);
	}
	sgw_backoff_init(&b, 0, 0, 5);
	ck_assert_uint_eq(sgw_backoff_next(&b), 0);
}
END_TEST

static Suite *backoff_suite(void)
{
	Suite *s = suite_create("backoff");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_bounds_each_attempt);
	tcase_add_test(tc, test_jitter_spreads);
	tcase_add_test(tc, test_capped);
	tcase_add_test(tc, test_reset);
	tcase_add_test(tc, test_deterministic);
	tcase_add_test(tc, test_no_overflow);
	tcase_add_test(tc, test_degenerate);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return sgw_test_run(backoff_suite());
}
