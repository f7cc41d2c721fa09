/* SPDX-License-Identifier: MIT */
/* Filter chains (src/sense/filter.h): the "filter =" syntax, and chains on known signals. */
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "asm/sgw_kernels.h"
#include "sense/filter.h"
#include "tests/fixtures/run.h"

static struct sgw_filter_chain *parse_ok(const char *spec, int scale)
{
	struct sgw_filter_chain *c = NULL;
	char err[200];
	int rc = sgw_filter_chain_parse(spec, scale, &c, err, sizeof(err));

	ck_assert_msg(rc == 0, "'%s' (scale %d) rejected: %s", spec, scale, err);
	ck_assert_ptr_nonnull(c);
	return c;
}

/* SPEC must fail, with a message containing WANT. */
static void parse_bad(const char *spec, int scale, const char *want)
{
	struct sgw_filter_chain *c = (struct sgw_filter_chain *)&c;
	char err[200];
	int rc = sgw_filter_chain_parse(spec, scale, &c, err, sizeof(err));

	ck_assert_msg(rc == -EINVAL, "'%s' (scale %d) accepted (rc %d)", spec, scale, rc);
	ck_assert_ptr_null(c);
	ck_assert_msg(strstr(err, want), "'%s': message \"%s\" lacks \"%s\"", spec, err, want);
}

/* Run IN through SPEC and compare with WANT / WANT_KEEP (NULL: all kept). */
static void run_spec(const char *spec, int scale, const int32_t *in, const int32_t *want,
		     const uint8_t *want_keep, size_t n)
{
	struct sgw_filter_chain *c = parse_ok(spec, scale);
	int32_t out[64];
	uint8_t keep[64];
	size_t kept = 0, want_kept = 0;

	ck_assert_uint_le(n, 64);
	/* One sample per call, as the scheduler does. */
	for (size_t i = 0; i < n; i++)
		kept += sgw_filter_chain_run(c, in + i, out + i, keep + i, 1);
	for (size_t i = 0; i < n; i++) {
		want_kept += want_keep ? want_keep[i] : 1;
		ck_assert_msg(keep[i] == (want_keep ? want_keep[i] : 1), "'%s' sample %zu: keep %d",
			      spec, i, keep[i]);
		/* Only kept samples' values are promised. */
		if (keep[i])
			ck_assert_msg(out[i] == want[i], "'%s' sample %zu: %" PRId32 ", want %" PRId32,
				      spec, i, out[i], want[i]);
	}
	ck_assert_uint_eq(kept, want_kept);
	sgw_filter_chain_free(c);
}

START_TEST(test_parse_good)
{
	static const struct {
		const char *spec;
		int scale;
		size_t len;
	} cases[] = {
		{ "median 5, ema 0.2, delta 0.05", 2, 3 },
		{ "", 2, 0 },
		{ "   ", 0, 0 },
		{ "  median   3  ,ema 1,  delta 0", 0, 3 },
		{ "sma 1", 0, 1 }, { "sma 64", 0, 1 }, { "median 15", 0, 1 },
		{ "ema 0.0000153", 0, 1 }, { "ema 1.0", 0, 1 },
		{ "calibrate 1.8 32", 1, 1 }, { "calibrate -0.5 -1.25", 2, 1 },
		{ "calibrate 32767.99999 0", 0, 1 }, { "calibrate -32767.999999 0", 0, 1 },
		{ "clamp -40 125", 0, 1 }, { "clamp -2147483.648 2147483.647", 3, 1 },
		{ "delta 5%", 2, 1 }, { "delta 0.0001%", 0, 1 }, { "delta 1000%", 0, 1 },
		{ "delta 0.000000001", 9, 1 },
		{ "biquad 0.0200834 0.0401667 0.0200834 -1.5610181 0.6413515", 2, 1 },
		{ "median 5, biquad 1 0 0 0 0, delta 1", 2, 3 },
		{ "ema 0.5,ema 0.5,ema 0.5,ema 0.5,ema 0.5,ema 0.5,ema 0.5,ema 0.5", 0, 8 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sgw_filter_chain *c = parse_ok(cases[i].spec, cases[i].scale);

		ck_assert_msg(sgw_filter_chain_length(c) == cases[i].len, "'%s': %zu stages",
			      cases[i].spec, sgw_filter_chain_length(c));
		sgw_filter_chain_free(c);
	}
	/* NULL is "no filter". */
	{
		struct sgw_filter_chain *c = parse_ok(NULL, 0);

		ck_assert_uint_eq(sgw_filter_chain_length(c), 0);
		sgw_filter_chain_free(c);
	}
}
END_TEST

START_TEST(test_parse_bad)
{
	parse_bad("mediam 5", 0, "unknown filter 'mediam'");
	parse_bad("median", 0, "takes 1 value");
	parse_bad("median 5 7", 0, "takes 1 value");
	parse_bad("median 2", 0, "3..15");
	parse_bad("median 16", 0, "3..15");
	parse_bad("median 5x", 0, "'5x'");
	parse_bad("median 0x5", 0, "'0x5'");
	parse_bad("sma 0", 0, "1..64");
	parse_bad("sma 65", 0, "1..64");
	parse_bad("ema 0", 0, "(0, 1]");
	parse_bad("ema 1.5", 0, "(0, 1]");
	parse_bad("ema -0.2", 0, "(0, 1]");
	parse_bad("ema .2", 0, "(0, 1]");
	parse_bad("ema 0.2.", 0, "(0, 1]");
	parse_bad("ema 0.000001", 0, "(0, 1]");
	parse_bad("ema 2e-1", 0, "(0, 1]");
	/* finer than the channel: 0.05 on a scale-1 channel */
	parse_bad("delta 0.05", 1, "more than 1 decimal");
	parse_bad("delta 0.5", 0, "more than 0 decimals");
	parse_bad("delta -1", 0, "negative");
	parse_bad("delta 1001%", 0, "percentage");
	parse_bad("delta -5%", 0, "percentage");
	parse_bad("delta 0.00001%", 0, "percentage");
	parse_bad("delta 1000.0001%", 0, "percentage");
	parse_bad("delta 999999999999999999%", 0, "percentage");
	parse_bad("delta %", 0, "decimal number");
	parse_bad("delta 3000000000", 0, "out of range");
	parse_bad("clamp 5 1", 0, "above");
	parse_bad("clamp 1", 0, "takes 2 values");
	parse_bad("calibrate 40000 0", 0, "|gain| < 32768");
	parse_bad("calibrate 32767.999999 0", 0, "|gain| < 32768");
	parse_bad("calibrate -32768 0", 0, "|gain| < 32768");
	parse_bad("calibrate 1 0.5", 0, "more than 0 decimals");
	parse_bad("calibrate x 0", 0, "gain 'x'");
	parse_bad("biquad 1 2 3", 0, "takes 5 values");
	parse_bad("biquad 2 0 0 0 0", 0, "(-2, 2)");
	parse_bad("biquad 0.1234567891 0 0 0 0", 0, "at most 9 decimals");
	parse_bad("biquad 1.9 1.9 0.3 0 0", 0, "less than 4");
	parse_bad("median 5,", 0, "stray comma");
	parse_bad(",median 5", 0, "stray comma");
	parse_bad("median 5,,ema 0.5", 0, "stray comma");
	parse_bad(",", 0, "stray comma");
	parse_bad("ema 0.5,ema 0.5,ema 0.5,ema 0.5,ema 0.5,ema 0.5,ema 0.5,ema 0.5,ema 0.5", 0,
		  "more than 8");
	parse_bad("median 5 5 5 5 5 5 5", 0, "too many values");
	parse_bad("median 12345678901234567890123456789012345", 0, "too long");
	{
		struct sgw_filter_chain *c;
		char err[200];

		ck_assert_int_eq(sgw_filter_chain_parse("ema 0.5", 10, &c, err, sizeof(err)), -EINVAL);
		ck_assert_ptr_null(c);
		ck_assert_ptr_nonnull(strstr(err, "scale"));
	}
}
END_TEST

/* The error message is cut to ERRLEN and stays a C string; ERRLEN 0 writes nothing. */
START_TEST(test_parse_err_buffer)
{
	struct sgw_filter_chain *c;
	char err[8];

	memset(err, 'x', sizeof(err));
	ck_assert_int_eq(sgw_filter_chain_parse("bogus 1", 0, &c, err, 5), -EINVAL);
	ck_assert_str_eq(err, "unkn");
	ck_assert_int_eq(err[5], 'x');
	ck_assert_int_eq(sgw_filter_chain_parse("bogus 1", 0, &c, NULL, 0), -EINVAL);
	ck_assert_ptr_null(c);
}
END_TEST

START_TEST(test_passthrough)
{
	static const int32_t in[] = { 5, INT32_MIN, INT32_MAX, 0, -7 };

	run_spec("", 0, in, in, NULL, 5);
}
END_TEST

/* The promise of each name, on a known signal. */
START_TEST(test_signals)
{
	/* median: a one-sample spike disappears, the step after it survives. */
	static const int32_t spike[] = { 2000, 2000, 2000, 9999, 2000, 2000, 2100, 2100, 2100 };
	static const int32_t spike_want[] = { 2000, 2000, 2000, 2000, 2000, 2000, 2000, 2100, 2100 };
	/* ema 0.5: a step approaches the new value halving the distance. */
	static const int32_t step[] = { 0, 1000, 1000, 1000, 1000, 1000 };
	static const int32_t step_want[] = { 0, 500, 750, 875, 938, 969 };
	/* sma 4: a ramp comes out delayed by 1.5 samples (rounded half away from 0). */
	static const int32_t ramp[] = { 0, 10, 20, 30, 40, 50, 60 };
	static const int32_t ramp_want[] = { 0, 5, 10, 15, 25, 35, 45 };
	/* delta 0.05 on a scale-2 channel is 5 counts. */
	static const int32_t drift[] = { 2300, 2304, 2305, 2306, 2302, 2300, 2311 };
	static const uint8_t drift_keep[] = { 1, 0, 0, 1, 0, 1, 1 };
	/* delta 10%: relative to the last kept value. */
	static const int32_t rel[] = { 1000, 1100, 1101, 1200, 990, 900 };
	static const uint8_t rel_keep[] = { 1, 0, 1, 0, 1, 0 };
	/* calibrate 1.8 32 on 0.1 °C: Celsius to Fahrenheit. */
	static const int32_t c[] = { 0, 250, -400, 1000 };
	static const int32_t f[] = { 320, 770, -400, 2120 };
	/* clamp -40 125 */
	static const int32_t wild[] = { -41, -40, 0, 125, 126, INT32_MIN, INT32_MAX };
	static const int32_t tame[] = { -40, -40, 0, 125, 125, -40, 125 };

	run_spec("median 3", 0, spike, spike_want, NULL, 9);
	run_spec("ema 0.5", 0, step, step_want, NULL, 6);
	run_spec("sma 4", 0, ramp, ramp_want, NULL, 7);
	run_spec("delta 0.05", 2, drift, drift, drift_keep, 7);
	run_spec("delta 10%", 0, rel, rel, rel_keep, 6);
	run_spec("calibrate 1.8 32", 1, c, f, NULL, 4);
	run_spec("clamp -40 125", 0, wild, tame, NULL, 7);
}
END_TEST

/* biquad: the Butterworth low-pass smooths a step and settles on it exactly. */
START_TEST(test_biquad_chain)
{
	struct sgw_filter_chain *c =
		parse_ok("biquad 0.0200834 0.0401667 0.0200834 -1.5610181 0.6413515", 2);
	int32_t out[200];
	uint8_t keep[200];
	int32_t in[200];

	for (int i = 0; i < 200; i++)
		in[i] = i < 3 ? 2000 : 2500;
	ck_assert_uint_eq(sgw_filter_chain_run(c, in, out, keep, 200), 200);
	ck_assert_int_eq(out[0], 2000);	/* primed: no start-up transient */
	ck_assert_int_eq(out[2], 2000);
	ck_assert_int_gt(out[4], 2000);
	ck_assert_int_lt(out[4], 2100);	/* no jump: smoothed */
	ck_assert_int_eq(out[199], 2500);
	/* After a reset the same input gives the same output. */
	{
		int32_t again[200];

		sgw_filter_chain_reset(c);
		ck_assert_uint_eq(sgw_filter_chain_run(c, in, again, keep, 200), 200);
		ck_assert_mem_eq(again, out, sizeof(out));
	}
	sgw_filter_chain_free(c);
}
END_TEST

/* Stages in the order written, and dropped samples stop at their delta. */
START_TEST(test_order_and_drops)
{
	/* delta first: only 0, 10, 20 reach the average. */
	static const int32_t in[] = { 0, 1, 10, 11, 20, 21 };
	static const uint8_t keep[] = { 1, 0, 1, 0, 1, 0 };
	static const int32_t want[] = { 0, 0, 5, 0, 15, 0 };
	/* the other way round, the average sees every sample */
	static const int32_t want2[] = { 0, 1, 4, 6, 11, 16 };
	static const uint8_t keep2[] = { 1, 0, 1, 0, 1, 1 };

	run_spec("delta 5, sma 2", 0, in, want, keep, 6);
	/* sma 4 of 0,1,10,11,20,21: 0, 0.5->1, 3.67->4, 5.5->6, 10.5->11, 15.5->16 */
	run_spec("sma 4, delta 2", 0, in, want2, keep2, 6);
}
END_TEST

/*
 * "median 5, ema 0.2, delta 0.05" equals the kernels applied by hand, for
 * random data in blocks of random size (also over the internal chunk of
 * 64), in place, and after a reset.
 */
START_TEST(test_chain_equals_kernels)
{
	enum { N = 3000 };
	int32_t *in = malloc(N * sizeof(*in)), *out = malloc(N * sizeof(*out));
	int32_t *want = malloc(N * sizeof(*want));
	uint8_t *keep = malloc(N), *want_keep = malloc(N);
	struct sgw_filter_chain *c = parse_ok("median 5, ema 0.2, delta 0.05", 2);
	struct sgw_median med;
	struct sgw_ema ema;
	struct sgw_delta del;
	uint64_t r = 99;

	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(out);
	ck_assert_ptr_nonnull(want);
	ck_assert_ptr_nonnull(keep);
	ck_assert_ptr_nonnull(want_keep);
	for (int i = 0; i < N; i++) {
		r = r * 6364136223846793005ULL + 1442695040888963407ULL;
		in[i] = 2000 + (int32_t)(i % 200) + (int32_t)((r >> 33) % 21) - 10;
		if (i % 97 == 0)
			in[i] += 5000;	/* spikes */
	}
	sgw_median_init(&med, 5);
	sgw_ema_init(&ema, 13107);
	sgw_delta_init_abs(&del, 5);
	sgw_ref_median_run(&med, in, want, N);
	sgw_ref_ema_run(&ema, want, want, N);
	sgw_ref_delta_run(&del, want, want_keep, N);

	for (int pass = 0; pass < 3; pass++) {
		size_t pos = 0, kept = 0, want_kept = 0;

		if (pass == 2) {
			sgw_filter_chain_reset(c);
			memcpy(out, in, N * sizeof(*out));
		}
		while (pos < N) {
			size_t m = (size_t)((r >> 40) % 150);

			r = r * 6364136223846793005ULL + 1442695040888963407ULL;
			if (m > N - pos)
				m = N - pos;
			kept += sgw_filter_chain_run(c, pass == 2 ? out + pos : in + pos, out + pos,
						     keep + pos, m);
			pos += m;
		}
		for (int i = 0; i < N; i++) {
			want_kept += want_keep[i];
			if (keep[i] != want_keep[i] || (keep[i] && out[i] != want[i]))
				ck_abort_msg("pass %d sample %d: %" PRId32 "/%d, want %" PRId32 "/%d",
					     pass, i, out[i], keep[i], want[i], want_keep[i]);
		}
		ck_assert_uint_eq(kept, want_kept);
		ck_assert_uint_gt(kept, 10);
		ck_assert_uint_lt(kept, N / 2);
		if (pass == 0)
			sgw_filter_chain_reset(c);
	}
	sgw_filter_chain_free(c);
	free(want_keep);
	free(keep);
	free(want);
	free(out);
	free(in);
}
END_TEST

static Suite *filter_suite(void)
{
	Suite *s = suite_create("filter");
	TCase *tc = tcase_create("chain");

	tcase_add_test(tc, test_parse_good);
	tcase_add_test(tc, test_parse_bad);
	tcase_add_test(tc, test_parse_err_buffer);
	tcase_add_test(tc, test_passthrough);
	tcase_add_test(tc, test_signals);
	tcase_add_test(tc, test_biquad_chain);
	tcase_add_test(tc, test_order_and_drops);
	tcase_add_test(tc, test_chain_equals_kernels);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return sgw_test_run(filter_suite());
}
