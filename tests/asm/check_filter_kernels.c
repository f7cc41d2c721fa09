/* SPDX-License-Identifier: MIT */
/*
 * The block filters of asm/sgw_kernels.h, two ways:
 *  - the public sgw_*() (the AArch64 assembly when built for it) against the
 *    C reference sgw_ref_*(): identical output and state on edge vectors
 *    and on >= 10^6 seeded pseudo-random samples each, in random block
 *    sizes, at unaligned offsets, in place, with guard words around OUT;
 *  - both against values computed here independently (direct window sums,
 *    qsort, division with remainder) on known signals.
 * In a build without assembly the public names are aliases of the
 * reference, so only the second half has teeth there.
 */
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef SGW_ASM_AARCH64
#include <sys/auxv.h>
#endif

#include "kernel_fixture.h"
#include "tests/fixtures/run.h"

START_TEST(test_ema_vs_ref)
{
	static const uint64_t params[] = { 1, 2, 3, 13107, 32767, 32768, 32769, 65535, 65536 };

	compare_kernel_all(&k_ema, params, sizeof(params) / sizeof(params[0]), 1);
}
END_TEST

START_TEST(test_sma_vs_ref)
{
	static const uint64_t params[] = { 1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64 };

	compare_kernel_all(&k_sma, params, sizeof(params) / sizeof(params[0]), 2);
}
END_TEST

START_TEST(test_median_vs_ref)
{
	static const uint64_t params[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 13, 14, 15 };

	compare_kernel_all(&k_median, params, sizeof(params) / sizeof(params[0]), 3);
}
END_TEST

START_TEST(test_calib_vs_ref)
{
	uint64_t params[] = {
		calib_param(0, (struct sgw_calib){ 65536, 0, INT32_MIN, INT32_MAX }),
		calib_param(1, (struct sgw_calib){ -65536, 0, INT32_MIN, INT32_MAX }),
		calib_param(2, (struct sgw_calib){ 66847, -50, INT32_MIN, INT32_MAX }),
		calib_param(3, (struct sgw_calib){ INT32_MAX, INT32_MAX, INT32_MIN, INT32_MAX }),
		calib_param(4, (struct sgw_calib){ INT32_MIN, INT32_MIN, INT32_MIN, INT32_MAX }),
		calib_param(5, (struct sgw_calib){ 3, 7, -1000, 1000 }),
		calib_param(6, (struct sgw_calib){ -32768, 1, -5, 5 }),
		calib_param(7, (struct sgw_calib){ 1, 0, 0, 0 }),
	};

	compare_kernel_all(&k_calib, params, sizeof(params) / sizeof(params[0]), 4);
}
END_TEST

START_TEST(test_delta_vs_ref)
{
	static const uint64_t params[] = {
		0, 1, 5, 1000, 0x7fffffff, 0xffffffff,
		DELTA_REL | 0, DELTA_REL | 1, DELTA_REL | 50000, DELTA_REL | 1000000,
		DELTA_REL | SGW_DELTA_PPM_MAX,
	};

	compare_kernel_all(&k_delta, params, sizeof(params) / sizeof(params[0]), 5);
}
END_TEST

START_TEST(test_biquad_vs_ref)
{
	static const int32_t sets[][5] = {
		/* Butterworth low-pass 0.05 (see butter_lp) */
		{ 0, 0, 0, 0, 0 },
		/* low-pass butter(2, 0.4) */
		{ Q30(0.20657208), Q30(0.41314417), Q30(0.20657208), Q30(-0.36952738), Q30(0.19581571) },
		/* identity, and gain -1 (saturates on INT32_MIN) */
		{ 1 << 30, 0, 0, 0, 0 },
		{ -(1 << 30), 0, 0, 0, 0 },
		/* unstable: grows into saturation, again and again */
		{ 1 << 29, 0, 0, Q30(-1.9999999), Q30(1.0) },
		/* |sum| just below 4: the largest sums the kernel allows */
		{ INT32_MIN, INT32_MAX, 0, 0, 0 },
		{ 1 << 30, 0, 0, INT32_MIN + 1, (1 << 30) - 2 },
		/* a slow low-pass, where fraction saving matters most */
		{ Q30(0.0000241), Q30(0.0000482), Q30(0.0000241), Q30(-1.9861162), Q30(0.9862126) },
	};
	uint64_t params[8];

	for (int i = 0; i < 8; i++) {
		memcpy(biquad_params[i], i ? sets[i] : butter_lp, sizeof(biquad_params[i]));
		params[i] = (uint64_t)i;
	}
	compare_kernel_all(&k_biquad, params, 8, 8);
}
END_TEST

START_TEST(test_ema_known)
{
	/* alpha 1/2, step 0 -> 100 and 0 -> -100: 100 * (1 - 2^-n), halves away from 0. */
	static const int32_t up[] = { 0, 100, 100, 100, 100, 100, 100, 100, 100 };
	static const int32_t up_want[] = { 0, 50, 75, 88, 94, 97, 98, 99, 100 };
	static const int32_t dn[] = { 0, -100, -100, -100, -100, -100, -100, -100, -100 };
	static const int32_t dn_want[] = { 0, -50, -75, -88, -94, -97, -98, -99, -100 };
	static const int32_t ext[] = { INT32_MAX, INT32_MAX, INT32_MIN, INT32_MIN, INT32_MAX };
	static const int32_t ext_half[] = { INT32_MAX, INT32_MAX, -1, -1073741824, 536870911 };
	int32_t in[200], want[200];

	run_both(&k_ema, 32768, up, up_want, NULL, 9);
	run_both(&k_ema, 32768, dn, dn_want, NULL, 9);
	/* alpha 1: the output is the input, also at the ends of the range. */
	run_both(&k_ema, 65536, ext, ext, NULL, 5);
	/*
	 * alpha 1/2 on the extremes: (2^31-1 + -2^31) / 2 = -0.5 -> -1;
	 * the state keeps -0.5, not -1: (-0.5 + -2^31) / 2 = -1073741824.25;
	 * then (-1073741824.25 + 2^31-1) / 2 = 536870911.375.
	 */
	run_both(&k_ema, 32768, ext, ext_half, NULL, 5);
	/* alpha 0.2 step response against the closed form 1000 * (1 - 0.8^n). */
	for (int i = 0; i < 200; i++) {
		double a = 13107.0 / 65536.0, y = 1.0;

		for (int j = 0; j < i; j++)
			y *= 1.0 - a;
		in[i] = i ? 100000 : 0;
		want[i] = (int32_t)(100000.0 * (1.0 - y) + 0.5);
	}
	{
		struct sgw_ema st;
		int32_t out[200];

		for (int pass = 0; pass < 2; pass++) {
			sgw_ema_init(&st, 13107);
			(pass ? sgw_ref_ema_run : sgw_ema_run)(&st, in, out, 200);
			for (int i = 0; i < 200; i++)
				EXPECT(abs(out[i] - want[i]) <= 1, "ema 0.2 step, sample %d: %" PRId32
					      " vs closed form %" PRId32, i, out[i], want[i]);
			/* It settles on the input exactly: no rounding dead band. */
			ck_assert_int_eq(out[199], 100000);
		}
	}
}
END_TEST

START_TEST(test_sma_known)
{
	/* window 4: ramp, then a step; the first outputs average what there is. */
	static const int32_t in[] = { 1, 2, 3, 4, 5, 6, -6, -6, -6, -6, -7 };
	/* 1, 1.5->2, 2, 2.5->3, 3.5->4, 4.5->5, 2.25->2, -0.25->0, -3, -6, -6.25->-6 */
	static const int32_t want[] = { 1, 2, 2, 3, 4, 5, 2, 0, -3, -6, -6 };
	static const int32_t ext[] = { INT32_MAX, INT32_MAX, INT32_MIN, INT32_MIN, INT32_MAX };
	/* window 2: (MAX+MIN)/2 = -0.5 -> -1 */
	static const int32_t ext_want[] = { INT32_MAX, INT32_MAX, -1, INT32_MIN, -1 };
	int32_t rnd[5000], want_r[5000];

	run_both(&k_sma, 4, in, want, NULL, 11);
	run_both(&k_sma, 2, ext, ext_want, NULL, 5);
	/* Random data against a direct sum over the window, for every window. */
	rng_seed(42);
	for (unsigned w = 1; w <= SGW_SMA_MAX; w++) {
		struct sgw_sma st;
		int32_t out[5000];

		fill_random(rnd, 5000);
		for (int i = 0; i < 5000; i++) {
			int c = i + 1 < (int)w ? i + 1 : (int)w;
			int64_t s = 0, q, r;

			for (int j = i - c + 1; j <= i; j++)
				s += rnd[j];
			q = s / c;
			r = s % c;
			if (2 * (r < 0 ? -r : r) >= c)
				q += s < 0 ? -1 : 1;
			want_r[i] = (int32_t)q;
		}
		for (int pass = 0; pass < 2; pass++) {
			sgw_sma_init(&st, w);
			(pass ? sgw_ref_sma_run : sgw_sma_run)(&st, rnd, out, 5000);
			for (int i = 0; i < 5000; i++)
				EXPECT(out[i] == want_r[i], "sma %u sample %d: %" PRId32 " want %" PRId32,
					      w, i, out[i], want_r[i]);
		}
	}
}
END_TEST

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

START_TEST(test_median_known)
{
	/* window 5 removes single and double spikes from a flat signal. */
	static const int32_t spike[] = { 10, 10, 10, 900, 10, 10, -800, -800, 10, 10, 10 };
	static const int32_t spike_want[] = { 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10 };
	/* A step passes with a delay of window/2 samples, unflattened. */
	static const int32_t step[] = { 0, 0, 0, 0, 0, 50, 50, 50, 50, 50 };
	static const int32_t step_want[] = { 0, 0, 0, 0, 0, 0, 0, 50, 50, 50 };
	/* Upper middle while the window fills (count 2: rank 1). */
	static const int32_t fill[] = { 5, 1, 3, INT32_MIN, INT32_MAX, INT32_MAX, INT32_MAX };
	static const int32_t fill_want[] = { 5, 5, 3, 3, 3, 3, INT32_MAX };
	int32_t rnd[4000], want_r[4000];

	run_both(&k_median, 5, spike, spike_want, NULL, 11);
	run_both(&k_median, 5, step, step_want, NULL, 10);
	run_both(&k_median, 5, fill, fill_want, NULL, 7);
	/* Random data against qsort of the window, for every window. */
	rng_seed(43);
	for (unsigned w = 1; w <= SGW_MEDIAN_MAX; w++) {
		struct sgw_median st;
		int32_t out[4000];

		fill_random(rnd, 4000);
		for (int i = 0; i < 4000; i++) {
			int c = i + 1 < (int)w ? i + 1 : (int)w;
			int32_t win[SGW_MEDIAN_MAX];

			memcpy(win, rnd + i - c + 1, (size_t)c * sizeof(*win));
			qsort(win, (size_t)c, sizeof(*win), cmp_i32);
			want_r[i] = win[c / 2];
		}
		for (int pass = 0; pass < 2; pass++) {
			sgw_median_init(&st, w);
			(pass ? sgw_ref_median_run : sgw_median_run)(&st, rnd, out, 4000);
			for (int i = 0; i < 4000; i++)
				EXPECT(out[i] == want_r[i], "median %u sample %d: %" PRId32 " want %" PRId32,
					      w, i, out[i], want_r[i]);
		}
	}
}
END_TEST

START_TEST(test_calib_known)
{
	struct sgw_calib c;
	static const int32_t in[] = { 0, 1, -1, 3, -3, 100, INT32_MAX, INT32_MIN };
	int32_t out[8];
	uint64_t p;

	/* gain 0.5: halves round away from zero; offset 0. */
	static const int32_t half_want[] = { 0, 1, -1, 2, -2, 50, 1073741824, -1073741824 };
	p = calib_param(0, (struct sgw_calib){ 32768, 0, INT32_MIN, INT32_MAX });
	run_both(&k_calib, p, in, half_want, NULL, 8);
	/* gain 2 + 10: saturates at both ends instead of wrapping. */
	static const int32_t two_want[] = { 10, 12, 8, 16, 4, 210, INT32_MAX, INT32_MIN };
	p = calib_param(0, (struct sgw_calib){ 131072, 10, INT32_MIN, INT32_MAX });
	run_both(&k_calib, p, in, two_want, NULL, 8);
	/* gain -1: -INT32_MIN saturates to INT32_MAX. */
	static const int32_t neg_want[] = { 0, -1, 1, -3, 3, -100, -INT32_MAX, INT32_MAX };
	p = calib_param(0, (struct sgw_calib){ -65536, 0, INT32_MIN, INT32_MAX });
	run_both(&k_calib, p, in, neg_want, NULL, 8);
	/* clamp only. */
	static const int32_t clamp_want[] = { 0, 1, -1, 3, -2, 50, 50, -2 };
	p = calib_param(0, (struct sgw_calib){ 65536, 0, -2, 50 });
	run_both(&k_calib, p, in, clamp_want, NULL, 8);

	/* Random gains and offsets against division with remainder. */
	rng_seed(44);
	for (int t = 0; t < 20000; t++) {
		int32_t x[8];

		c.a = (int32_t)(uint32_t)rng() >> (rng() % 32);
		c.b = (int32_t)(uint32_t)rng() >> (rng() % 32);
		c.lo = (int32_t)(uint32_t)rng();
		c.hi = (int32_t)(uint32_t)rng();
		if (c.lo > c.hi) {
			int32_t s = c.lo;

			c.lo = c.hi;
			c.hi = s;
		}
		if (t % 2) {
			c.lo = INT32_MIN;
			c.hi = INT32_MAX;
		}
		fill_random(x, 8);
		for (int pass = 0; pass < 2; pass++) {
			(pass ? sgw_ref_calib_run : sgw_calib_run)(&c, x, out, 8);
			for (int i = 0; i < 8; i++) {
				int32_t y = sat(ref_round_q16((int64_t)c.a * x[i]) + c.b);

				y = y < c.lo ? c.lo : y > c.hi ? c.hi : y;
				EXPECT(out[i] == y, "calib a=%" PRId32 " b=%" PRId32 " x=%" PRId32
					      ": %" PRId32 " want %" PRId32, c.a, c.b, x[i], out[i], y);
			}
		}
	}
}
END_TEST

START_TEST(test_delta_known)
{
	static const int32_t in[] = { 100, 104, 105, 106, 106, 100, 99, 94, INT32_MIN, INT32_MAX };
	/* absolute 5: kept when |x - last kept| > 5 (105 is not, 106 is) */
	static const uint8_t abs_keep[] = { 1, 0, 0, 1, 0, 1, 0, 1, 1, 1 };
	/* relative 5 %: 105 is exactly 5 % of 100 (not kept), 106 is more;
	 * from 106 the limit is 5.3: 100 is kept; 99 (1 %) is not; 94 is. */
	static const uint8_t rel_keep[] = { 1, 0, 0, 1, 0, 1, 0, 1, 1, 1 };
	/* absolute 0: every change */
	static const uint8_t zero_keep[] = { 1, 1, 1, 1, 0, 1, 1, 1, 1, 1 };
	static const int32_t zeros[] = { 0, 0, 1, 1, 0 };
	/* relative from a last value of 0: any change is kept */
	static const uint8_t zeros_keep[] = { 1, 0, 1, 0, 1 };

	run_both(&k_delta, 5, in, in, abs_keep, 10);
	run_both(&k_delta, DELTA_REL | 50000, in, in, rel_keep, 10);
	run_both(&k_delta, 0, in, in, zero_keep, 10);
	run_both(&k_delta, DELTA_REL | 50000, zeros, zeros, zeros_keep, 5);
	/* The largest threshold keeps only the first sample, even for a full swing. */
	static const uint8_t max_keep[] = { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	static const int32_t swing[] = { INT32_MIN, INT32_MAX, 0, INT32_MAX, INT32_MIN, 1, 2, 3, 4, 5 };
	run_both(&k_delta, 0xffffffff, swing, swing, max_keep, 10);
	/* 1000 % from -2^31 needs a change of more than 2^34: never. */
	run_both(&k_delta, DELTA_REL | SGW_DELTA_PPM_MAX, swing, swing, max_keep, 10);
}
END_TEST

START_TEST(test_biquad_known)
{
	enum { N = 400 };
	static const int32_t identity[] = { 5, INT32_MIN, INT32_MAX, 0, -7 };
	struct sgw_biquad st;
	int32_t in[N], out[N];

	/* Coefficients whose |sum| reaches 4.0 are refused. */
	ck_assert_int_eq(sgw_biquad_init(&st, INT32_MIN, INT32_MIN, 0, 0, 1 << 30), -EINVAL);
	ck_assert_int_eq(sgw_biquad_init(&st, 1 << 30, 1 << 30, 1 << 30, 1 << 30, 0), -EINVAL);
	memcpy(biquad_params[0], (int32_t[5]){ 1 << 30, 0, 0, 0, 0 }, sizeof(biquad_params[0]));
	run_both(&k_biquad, 0, identity, identity, NULL, 5);

	/* Step 0 -> 100000 against the same filter in double precision. */
	for (int i = 0; i < N; i++)
		in[i] = i < 10 ? 0 : 100000;
	for (int pass = 0; pass < 2; pass++) {
		double x1 = 0, x2 = 0, y1 = 0, y2 = 0, b[5];
		double peak = 0;

		for (int j = 0; j < 5; j++)
			b[j] = butter_lp[j] / 1073741824.0;
		ck_assert_int_eq(sgw_biquad_init(&st, butter_lp[0], butter_lp[1], butter_lp[2],
						 butter_lp[3], butter_lp[4]), 0);
		(pass ? sgw_ref_biquad_run : sgw_biquad_run)(&st, in, out, N);
		for (int i = 0; i < N; i++) {
			double y = b[0] * in[i] + b[1] * x1 + b[2] * x2 - b[3] * y1 - b[4] * y2;

			x2 = x1;
			x1 = in[i];
			y2 = y1;
			y1 = y;
			peak = y > peak ? y : peak;
			EXPECT(out[i] >= y - 2 && out[i] <= y + 2, "biquad step sample %d: %" PRId32
			       " vs %.2f in double", i, out[i], y);
		}
		/* Butterworth: about 4 % overshoot; then it settles exactly. */
		ck_assert(peak > 103000 && peak < 105000);
		ck_assert_int_eq(out[N - 1], 100000);
	}

	/* A slow low-pass (cutoff 1/600 of the rate) settles exactly too:
	 * without fraction saving it would stop up to 1 / (1 + a1 + a2) ~ 1000
	 * counts short of a step, with no error left to drive it. */
	{
		static int32_t slow_in[20000], slow_out[20000];
		const int32_t *c = (const int32_t[5]){ Q30(0.0000241), Q30(0.0000482), Q30(0.0000241),
						       Q30(-1.9861162), Q30(0.9862126) };

		for (int i = 0; i < 20000; i++)
			slow_in[i] = i < 5 ? 0 : 2346;
		for (int pass = 0; pass < 2; pass++) {
			ck_assert_int_eq(sgw_biquad_init(&st, c[0], c[1], c[2], c[3], c[4]), 0);
			(pass ? sgw_ref_biquad_run : sgw_biquad_run)(&st, slow_in, slow_out, 20000);
			ck_assert_int_eq(slow_out[19999], 2346);
		}
	}
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("filter kernels");
	TCase *tc = tcase_create("kernels");

	/* A million samples per kernel take a while under qemu and sanitizers. */
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_ema_known);
	tcase_add_test(tc, test_sma_known);
	tcase_add_test(tc, test_median_known);
	tcase_add_test(tc, test_calib_known);
	tcase_add_test(tc, test_delta_known);
	tcase_add_test(tc, test_biquad_known);
	tcase_add_test(tc, test_ema_vs_ref);
	tcase_add_test(tc, test_sma_vs_ref);
	tcase_add_test(tc, test_median_vs_ref);
	tcase_add_test(tc, test_calib_vs_ref);
	tcase_add_test(tc, test_delta_vs_ref);
	tcase_add_test(tc, test_biquad_vs_ref);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return sgw_test_run(make_suite());
}
