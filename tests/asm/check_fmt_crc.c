/* SPDX-License-Identifier: MIT */
/*
 * Number formatting and CRC-32C of asm/sgw_kernels.h: the public kernels
 * against the reference and both against snprintf and the published
 * CRC-32C check values; the run-time choice of the CRC implementation.
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

/* ------------------------------------------------------------------ */
/* fmt_fixed                                                            */

static const int64_t p10[] = {
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000,
};

/* The expected text, by division with remainder and snprintf. */
static void fmt_expect(char *buf, size_t cap, int32_t v, unsigned s, unsigned p)
{
	int64_t mag = v < 0 ? -(int64_t)v : v, ip, fp;

	if (p >= s) {
		ip = mag / p10[s];
		fp = (mag % p10[s]) * p10[p - s];
	} else {
		int64_t d = p10[s - p], m = mag / d;

		if (2 * (mag % d) >= d)
			m++;
		ip = m / p10[p];
		fp = m % p10[p];
	}
	if (p)
		snprintf(buf, cap, "%s%" PRId64 ".%0*" PRId64, v < 0 && (ip || fp) ? "-" : "", ip,
			 (int)p, fp);
	else
		snprintf(buf, cap, "%s%" PRId64, v < 0 && ip ? "-" : "", ip);
}

static void fmt_check(int32_t v, unsigned s, unsigned p)
{
	char want[64], got[SGW_FMT_FIXED_MAX + 8], ref[SGW_FMT_FIXED_MAX + 8];
	size_t n, nr;

	fmt_expect(want, sizeof(want), v, s > 9 ? 9 : s, p > 9 ? 9 : p);
	memset(got, '#', sizeof(got));
	memset(ref, '#', sizeof(ref));
	n = sgw_fmt_fixed(got + 1, v, s, p);	/* unaligned destination */
	nr = sgw_ref_fmt_fixed(ref, v, s, p);
	EXPECT(n <= SGW_FMT_FIXED_MAX, "length %zu", n);
	EXPECT(n == strlen(want) && memcmp(got + 1, want, n) == 0,
		      "fmt_fixed(%" PRId32 ", %u, %u) = \"%.*s\", want \"%s\"", v, s, p, (int)n,
		      got + 1, want);
	EXPECT(nr == n && memcmp(ref, want, n) == 0,
		      "ref fmt_fixed(%" PRId32 ", %u, %u) = \"%.*s\", want \"%s\"", v, s, p, (int)nr,
		      ref, want);
	/* Nothing written outside [0, n). */
	EXPECT(got[0] == '#', "wrote before DST");
	for (size_t i = n + 1; i < sizeof(got); i++)
		EXPECT(got[i] == '#', "fmt_fixed(%" PRId32 ", %u, %u) wrote past its length", v, s, p);
	for (size_t i = nr; i < sizeof(ref); i++)
		EXPECT(ref[i] == '#', "ref fmt_fixed(%" PRId32 ", %u, %u) wrote past its length", v, s, p);
}

START_TEST(test_fmt_fixed_known)
{
	static const struct {
		int32_t v;
		unsigned s, p;
		const char *want;
	} cases[] = {
		{ 2345, 3, 2, "2.35" }, { -2345, 3, 2, "-2.35" }, { 2344, 3, 2, "2.34" },
		{ 2346, 2, 2, "23.46" }, { -5, 2, 2, "-0.05" }, { -4, 2, 1, "0.0" },
		{ -5, 2, 1, "-0.1" }, { -49, 2, 0, "0" }, { -50, 2, 0, "-1" }, { 0, 0, 0, "0" },
		{ 0, 3, 3, "0.000" }, { 7, 0, 3, "7.000" }, { 123, 1, 0, "12" }, { 125, 1, 0, "13" },
		{ INT32_MAX, 0, 0, "2147483647" }, { INT32_MIN, 0, 0, "-2147483648" },
		{ INT32_MIN, 0, 9, "-2147483648.000000000" }, { INT32_MAX, 9, 0, "2" },
		{ INT32_MIN, 9, 9, "-2.147483648" }, { INT32_MIN, 9, 2, "-2.15" },
		{ 999999999, 9, 8, "1.00000000" }, { 95, 2, 1, "1.0" }, { -95, 2, 1, "-1.0" },
		{ 2346, 12, 2, "0.00" }, { 2346, 2, 12, "23.460000000" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[SGW_FMT_FIXED_MAX], ref[SGW_FMT_FIXED_MAX];
		size_t n = sgw_fmt_fixed(buf, cases[i].v, cases[i].s, cases[i].p);
		size_t nr = sgw_ref_fmt_fixed(ref, cases[i].v, cases[i].s, cases[i].p);

		EXPECT(n == strlen(cases[i].want) && !memcmp(buf, cases[i].want, n),
			      "fmt_fixed(%" PRId32 ", %u, %u) = \"%.*s\", want \"%s\"", cases[i].v,
			      cases[i].s, cases[i].p, (int)n, buf, cases[i].want);
		EXPECT(nr == n && !memcmp(ref, buf, n), "reference differs on case %zu", i);
		fmt_check(cases[i].v, cases[i].s, cases[i].p);
	}
}
END_TEST

START_TEST(test_fmt_fixed_random)
{
	rng_seed(6);
	for (unsigned s = 0; s <= 10; s++)
		for (unsigned p = 0; p <= 10; p++)
			for (size_t i = 0; i < NEDGE; i++)
				fmt_check(edge_values[i], s, p);
	for (long i = 0; i < RANDOM_SAMPLES; i++) {
		int32_t v = (int32_t)(uint32_t)rng();
		unsigned sp = (unsigned)rng();

		/* Small values too, where rounding to zero and "-0" live. */
		if (i % 3 == 0)
			v >>= rng() % 32;
		fmt_check(v, sp % 10, (sp >> 8) % 10);
	}
}
END_TEST

/* ------------------------------------------------------------------ */
/* crc32c                                                               */

START_TEST(test_crc32c_known)
{
	/* RFC 3720 (iSCSI) B.4 check values, and the classic "123456789". */
	uint8_t buf[48];

	ck_assert_uint_eq(sgw_crc32c(0, "123456789", 9), 0xE3069283u);
	memset(buf, 0, 32);
	ck_assert_uint_eq(sgw_crc32c(0, buf, 32), 0x8A9136AAu);
	memset(buf, 0xff, 32);
	ck_assert_uint_eq(sgw_crc32c(0, buf, 32), 0x62A8AB43u);
	for (int i = 0; i < 32; i++)
		buf[i] = (uint8_t)i;
	ck_assert_uint_eq(sgw_crc32c(0, buf, 32), 0x46DD794Eu);
	for (int i = 0; i < 32; i++)
		buf[i] = (uint8_t)(31 - i);
	ck_assert_uint_eq(sgw_crc32c(0, buf, 32), 0x113FDB5Cu);
	ck_assert_uint_eq(sgw_crc32c(0, buf, 0), 0);
	ck_assert_uint_eq(sgw_crc32c(0x12345678, NULL, 0), 0x12345678);
	ck_assert_uint_eq(sgw_ref_crc32c(0, "123456789", 9), 0xE3069283u);
	/* Incremental: split anywhere, same result. */
	for (int k = 0; k <= 9; k++)
		ck_assert_uint_eq(sgw_crc32c(sgw_crc32c(0, "123456789", (size_t)k),
					     "123456789" + k, (size_t)(9 - k)), 0xE3069283u);
}
END_TEST

typedef uint32_t crc_fn(uint32_t, const void *, size_t);

/* FN against the reference: every length 0..300 at every offset 0..15, then random. */
static void crc_compare(crc_fn *fn, const char *name)
{
	enum { LEN = 4096 };
	uint8_t *buf = malloc(LEN + 16);

	ck_assert_ptr_nonnull(buf);
	rng_seed(7);
	for (size_t i = 0; i < LEN + 16; i++)
		buf[i] = (uint8_t)rng();
	for (size_t off = 0; off < 16; off++)
		for (size_t len = 0; len <= 300; len++) {
			uint32_t seed = (uint32_t)rng();

			EXPECT(fn(seed, buf + off, len) == sgw_ref_crc32c(seed, buf + off, len),
				      "%s: offset %zu length %zu", name, off, len);
		}
	/* >= 10^6 random bytes in random pieces, chained. */
	for (int round = 0; round < 256; round++) {
		uint32_t a = 0, r = 0;
		size_t pos = 0;

		for (size_t i = 0; i < LEN + 16; i++)
			buf[i] = (uint8_t)rng();
		while (pos < LEN) {
			size_t m = (size_t)(rng() % 200);

			if (m > LEN - pos)
				m = LEN - pos;
			a = fn(a, buf + pos, m);
			r = sgw_ref_crc32c(r, buf + pos, m);
			pos += m;
		}
		EXPECT(a == r, "%s: chained random buffer %d", name, round);
	}
	free(buf);
}

START_TEST(test_crc32c_vs_ref)
{
	crc_compare(sgw_crc32c, "sgw_crc32c");
#ifdef SGW_ASM_AARCH64
	if (getauxval(AT_HWCAP) & HWCAP_CRC32)
		crc_compare(sgw_crc32c_armv8, "sgw_crc32c_armv8");
	else
		fprintf(stderr, "note: no CRC32 instructions here, sgw_crc32c_armv8 not tested\n");
#endif
}
END_TEST

/*
 * The build tests what it claims to: with the assembly configured the
 * public names are not the reference (else asm == reference would prove
 * nothing), without it they are its aliases; and CRC-32C falls back to the
 * table when the CPU lacks the CRC32 instructions.
 */
START_TEST(test_dispatch)
{
	void *pub[] = { (void *)sgw_fmt_fixed, (void *)sgw_ema_run, (void *)sgw_sma_run,
			(void *)sgw_median_run, (void *)sgw_calib_run, (void *)sgw_delta_run,
			(void *)sgw_biquad_run };
	void *ref[] = { (void *)sgw_ref_fmt_fixed, (void *)sgw_ref_ema_run, (void *)sgw_ref_sma_run,
			(void *)sgw_ref_median_run, (void *)sgw_ref_calib_run, (void *)sgw_ref_delta_run,
			(void *)sgw_ref_biquad_run };

	for (size_t i = 0; i < sizeof(pub) / sizeof(pub[0]); i++) {
#ifdef SGW_ASM_AARCH64
		ck_assert_msg(pub[i] != ref[i], "kernel %zu is the C reference in an asm build", i);
#else
		ck_assert_msg(pub[i] == ref[i], "kernel %zu is not the C reference", i);
#endif
	}
#ifdef SGW_ASM_AARCH64
	ck_assert_ptr_eq((void *)sgw_crc32c_select(0), (void *)sgw_ref_crc32c);
	ck_assert_ptr_eq((void *)sgw_crc32c_select(HWCAP_CRC32), (void *)sgw_crc32c_armv8);
	ck_assert_ptr_eq((void *)sgw_crc32c_select(getauxval(AT_HWCAP)),
			 (getauxval(AT_HWCAP) & HWCAP_CRC32) ? (void *)sgw_crc32c_armv8
							     : (void *)sgw_ref_crc32c);
#else
	ck_assert_ptr_eq((void *)sgw_crc32c, (void *)sgw_ref_crc32c);
#endif
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("fmt and crc kernels");
	TCase *tc = tcase_create("kernels");

	/* A million samples per kernel take a while under qemu and sanitizers. */
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_dispatch);
	tcase_add_test(tc, test_fmt_fixed_known);
	tcase_add_test(tc, test_crc32c_known);
	tcase_add_test(tc, test_fmt_fixed_random);
	tcase_add_test(tc, test_crc32c_vs_ref);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return sgw_test_run(make_suite());
}
