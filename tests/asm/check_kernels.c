/* SPDX-License-Identifier: MIT */
/*
 * The kernels of asm/sgw_kernels.h, two ways:
 *  - the public sgw_*() (the AArch64 assembly when built for it) against the
 *    C reference sgw_ref_*(): identical output and state on edge vectors
 *    and on >= 10^6 seeded pseudo-random samples each, in random block
 *    sizes, at unaligned offsets, in place, with guard words around OUT;
 *  - both against values computed here independently (other algorithms:
 *    direct window sums, qsort, division with remainder, snprintf, the
 *    published CRC-32C check values) and on known signals.
 * In a build without assembly the public names are aliases of the
 * reference, so only the second half has teeth there.
 */
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#ifdef SGW_ASM_AARCH64
#include <sys/auxv.h>
#endif

#include "asm/sgw_kernels.h"

#define RANDOM_SAMPLES 1000000

/*
 * Check's ck_assert*() reports every passing assertion to the runner (a
 * write() each): in loops over millions of samples use this instead.
 */
#define EXPECT(cond, ...) \
	do { \
		if (!(cond)) \
			ck_abort_msg(__VA_ARGS__); \
	} while (0)
#define GUARD 0x5a5a5a5a

/* xorshift64*: small, seeded, the same on every host. */
static uint64_t rng_state;

static void rng_seed(uint64_t seed)
{
	rng_state = seed ? seed : 1;
}

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static const int32_t edge_values[] = {
	INT32_MIN, INT32_MIN + 1, INT32_MIN + 2, -65537, -65536, -32769, -32768, -32767,
	-100, -3, -2, -1, 0, 1, 2, 3, 100, 32767, 32768, 32769, 65535, 65536,
	INT32_MAX - 2, INT32_MAX - 1, INT32_MAX,
};
#define NEDGE (sizeof(edge_values) / sizeof(edge_values[0]))

/*
 * Samples that hit the corners: full range, small values (ties for the
 * median, exact halves for the rounding), near both ends, edge values,
 * runs of one value.  The mode changes every few hundred samples.
 */
static void fill_random(int32_t *v, size_t n)
{
	int mode = 0;
	int32_t run = 0;

	for (size_t i = 0; i < n; i++) {
		if (i % 256 == 0)
			mode = (int)(rng() % 6);
		switch (mode) {
		case 0:
			v[i] = (int32_t)(uint32_t)rng();
			break;
		case 1:
			v[i] = (int32_t)(rng() % 2001) - 1000;
			break;
		case 2:
			v[i] = INT32_MAX - (int32_t)(rng() % 1000);
			break;
		case 3:
			v[i] = INT32_MIN + (int32_t)(rng() % 1000);
			break;
		case 4:
			v[i] = edge_values[rng() % NEDGE];
			break;
		default:
			if (rng() % 8 == 0)
				run = (int32_t)(uint32_t)rng() >> (rng() % 32);
			v[i] = run;
		}
	}
}

/* ------------------------------------------------------------------ */
/* Generic asm == reference harness for the block filters.              */

struct filter_kind {
	const char *name;
	size_t state_size;
	void (*init)(void *st, uint64_t param);
	void (*run)(void *st, const int32_t *in, int32_t *out, uint8_t *keep, size_t n);
	void (*run_ref)(void *st, const int32_t *in, int32_t *out, uint8_t *keep, size_t n);
};

static void ema_init(void *st, uint64_t p) { sgw_ema_init(st, (int32_t)p); }
static void ema_run(void *st, const int32_t *in, int32_t *out, uint8_t *k, size_t n)
{ (void)k; sgw_ema_run(st, in, out, n); }
static void ema_ref(void *st, const int32_t *in, int32_t *out, uint8_t *k, size_t n)
{ (void)k; sgw_ref_ema_run(st, in, out, n); }

static void sma_init(void *st, uint64_t p) { sgw_sma_init(st, (unsigned)p); }
static void sma_run(void *st, const int32_t *in, int32_t *out, uint8_t *k, size_t n)
{ (void)k; sgw_sma_run(st, in, out, n); }
static void sma_ref(void *st, const int32_t *in, int32_t *out, uint8_t *k, size_t n)
{ (void)k; sgw_ref_sma_run(st, in, out, n); }

static void median_init(void *st, uint64_t p) { sgw_median_init(st, (unsigned)p); }
static void median_run(void *st, const int32_t *in, int32_t *out, uint8_t *k, size_t n)
{ (void)k; sgw_median_run(st, in, out, n); }
static void median_ref(void *st, const int32_t *in, int32_t *out, uint8_t *k, size_t n)
{ (void)k; sgw_ref_median_run(st, in, out, n); }

/* param: a (low 32 bits), b, lo, hi packed by calib_param(). */
static struct sgw_calib calib_params[8];
static uint64_t calib_param(size_t i, struct sgw_calib c)
{
	calib_params[i] = c;
	return i;
}
static void calib_init(void *st, uint64_t p) { *(struct sgw_calib *)st = calib_params[p]; }
static void calib_run(void *st, const int32_t *in, int32_t *out, uint8_t *k, size_t n)
{ (void)k; sgw_calib_run(st, in, out, n); }
static void calib_ref(void *st, const int32_t *in, int32_t *out, uint8_t *k, size_t n)
{ (void)k; sgw_ref_calib_run(st, in, out, n); }

/* param: bit 63 = relative, low bits the threshold. */
#define DELTA_REL (1ULL << 63)
static void delta_init(void *st, uint64_t p)
{
	if (p & DELTA_REL)
		sgw_delta_init_rel(st, (uint32_t)p);
	else
		sgw_delta_init_abs(st, (uint32_t)p);
}
/* The delta kernel passes samples through: OUT gets IN, KEEP the decision. */
static void delta_run(void *st, const int32_t *in, int32_t *out, uint8_t *k, size_t n)
{
	size_t kept = sgw_delta_run(st, in, k, n), c = 0;

	for (size_t i = 0; i < n; i++) {
		out[i] = in[i];
		c += k[i];
	}
	EXPECT(kept == c, "kept count %zu, %zu keep flags set", kept, c);
}
static void delta_ref(void *st, const int32_t *in, int32_t *out, uint8_t *k, size_t n)
{
	size_t kept = sgw_ref_delta_run(st, in, k, n), c = 0;

	for (size_t i = 0; i < n; i++) {
		out[i] = in[i];
		c += k[i];
	}
	EXPECT(kept == c, "kept count %zu, %zu keep flags set", kept, c);
}

/* param: index into biquad_params[] (the test sets them). */
static int32_t biquad_params[8][5];
static void biquad_init(void *st, uint64_t p)
{
	const int32_t *c = biquad_params[p];

	ck_assert_int_eq(sgw_biquad_init(st, c[0], c[1], c[2], c[3], c[4]), 0);
}
static void biquad_run(void *st, const int32_t *in, int32_t *out, uint8_t *k, size_t n)
{ (void)k; sgw_biquad_run(st, in, out, n); }
static void biquad_ref(void *st, const int32_t *in, int32_t *out, uint8_t *k, size_t n)
{ (void)k; sgw_ref_biquad_run(st, in, out, n); }

static const struct filter_kind k_ema = { "ema", sizeof(struct sgw_ema), ema_init, ema_run, ema_ref };
static const struct filter_kind k_sma = { "sma", sizeof(struct sgw_sma), sma_init, sma_run, sma_ref };
static const struct filter_kind k_median = { "median", sizeof(struct sgw_median), median_init, median_run, median_ref };
static const struct filter_kind k_calib = { "calib", sizeof(struct sgw_calib), calib_init, calib_run, calib_ref };
static const struct filter_kind k_delta = { "delta", sizeof(struct sgw_delta), delta_init, delta_run, delta_ref };
static const struct filter_kind k_biquad = { "biquad", sizeof(struct sgw_biquad), biquad_init, biquad_run, biquad_ref };

#define Q30(x) ((int32_t)((x) * 1073741824.0 + ((x) < 0 ? -0.5 : 0.5)))
/* Butterworth low-pass at 1/20 of the sampling rate: scipy.signal.butter(2, 0.1). */
static const int32_t butter_lp[5] = {
	Q30(0.02008337), Q30(0.04016673), Q30(0.02008337), Q30(-1.56101808), Q30(0.64135154),
};

/*
 * Run IN (n samples) through the public kernel and the reference in the
 * same random block sizes; OUT at an unaligned offset with guard words on
 * both sides; every other block in place.  Outputs, decisions and the
 * state after every block must be identical.
 */
static void compare_kernel(const struct filter_kind *k, uint64_t param, const int32_t *in,
			   size_t n)
{
	unsigned char st_a[512], st_r[512];
	int32_t *buf_a = malloc((n + 16) * sizeof(*buf_a));
	int32_t *buf_r = malloc((n + 16) * sizeof(*buf_r));
	uint8_t *keep_a = malloc(n + 16), *keep_r = malloc(n + 16);
	size_t off = 1 + (size_t)(rng() % 3);	/* never 16-byte aligned */
	size_t i = 0, blk = 0;

	ck_assert_ptr_nonnull(buf_a);
	ck_assert_ptr_nonnull(buf_r);
	ck_assert_ptr_nonnull(keep_a);
	ck_assert_ptr_nonnull(keep_r);
	ck_assert_uint_le(k->state_size, sizeof(st_a));
	memset(st_a, 0xa5, sizeof(st_a));
	memset(st_r, 0xa5, sizeof(st_r));
	k->init(st_a, param);
	k->init(st_r, param);
	for (size_t j = 0; j < n + 16; j++)
		buf_a[j] = buf_r[j] = GUARD;
	memset(keep_a, 0xee, n + 16);
	memset(keep_r, 0xee, n + 16);
	while (i < n) {
		size_t m = (size_t)(rng() % 38);	/* 0..37: every NEON tail */
		int32_t *oa = buf_a + off + i, *or = buf_r + off + i;
		const int32_t *ia = in + i, *ir = in + i;

		if (m > n - i)
			m = n - i;
		if (blk++ % 2) {	/* in place */
			memcpy(oa, in + i, m * sizeof(*oa));
			memcpy(or, in + i, m * sizeof(*or));
			ia = oa;
			ir = or;
		}
		k->run(st_a, ia, oa, keep_a + off + i, m);
		k->run_ref(st_r, ir, or, keep_r + off + i, m);
		for (size_t j = 0; j < m; j++) {
			if (oa[j] != or[j] || keep_a[off + i + j] != keep_r[off + i + j])
				ck_abort_msg("%s(param %#" PRIx64 "): sample %zu: in %" PRId32
					     " -> %" PRId32 "/%d, reference %" PRId32 "/%d", k->name,
					     param, i + j, in[i + j], oa[j], keep_a[off + i + j],
					     or[j], keep_r[off + i + j]);
		}
		EXPECT(memcmp(st_a, st_r, k->state_size) == 0,
			      "%s(param %#" PRIx64 "): state differs after sample %zu",
			      k->name, param, i + m);
		i += m;
	}
	for (size_t j = 0; j < n + 16; j++)
		EXPECT(j - off < n || buf_a[j] == GUARD, "%s: wrote outside OUT at %zd", k->name,
		       (ssize_t)j - (ssize_t)off);
	free(keep_r);
	free(keep_a);
	free(buf_r);
	free(buf_a);
}

/* The edge values in every order that matters, then random samples. */
static void compare_kernel_all(const struct filter_kind *k, const uint64_t *params,
			       size_t nparams, uint64_t seed)
{
	size_t nrand = RANDOM_SAMPLES / nparams + 1;
	int32_t *in = malloc(nrand * sizeof(*in));
	int32_t edges[4 * NEDGE];

	ck_assert_ptr_nonnull(in);
	rng_seed(seed);
	for (size_t i = 0; i < NEDGE; i++) {
		edges[i] = edge_values[i];			/* rising */
		edges[NEDGE + i] = edge_values[NEDGE - 1 - i];	/* falling */
		edges[2 * NEDGE + i] = edge_values[i % 2 ? i : NEDGE - 1 - i];	/* jumping */
		edges[3 * NEDGE + i] = i % 2 ? INT32_MIN : INT32_MAX;	/* swinging */
	}
	for (size_t p = 0; p < nparams; p++) {
		compare_kernel(k, params[p], edges, 4 * NEDGE);
		compare_kernel(k, params[p], edges, 1);
		compare_kernel(k, params[p], edges, 0);
		fill_random(in, nrand);
		compare_kernel(k, params[p], in, nrand);
	}
	free(in);
}

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

/* ------------------------------------------------------------------ */
/* Independent expectations.                                            */

/* Round half away from zero of a / 2^16, by division with remainder. */
static int64_t ref_round_q16(int64_t a)
{
	int64_t q = a / 65536, r = a % 65536;	/* C: toward zero */

	if (r >= 32768)
		q++;
	else if (r <= -32768)
		q--;
	return q;
}

static int32_t sat(int64_t v)
{
	return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
}

/* Run a whole signal through one kernel, public and reference, and check both. */
static void run_both(const struct filter_kind *k, uint64_t param, const int32_t *in,
		     const int32_t *want, const uint8_t *want_keep, size_t n)
{
	unsigned char st[512];
	int32_t out[256];
	uint8_t keep[256];

	ck_assert_uint_le(n, 256);
	for (int pass = 0; pass < 2; pass++) {
		k->init(st, param);
		(pass ? k->run_ref : k->run)(st, in, out, keep, n);
		for (size_t i = 0; i < n; i++) {
			EXPECT(out[i] == want[i], "%s%s sample %zu: got %" PRId32 ", want %" PRId32,
				      pass ? "reference " : "", k->name, i, out[i], want[i]);
			if (want_keep)
				EXPECT(keep[i] == want_keep[i], "%s%s sample %zu: keep %d, want %d",
					      pass ? "reference " : "", k->name, i, keep[i], want_keep[i]);
		}
	}
}

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

static Suite *kernels_suite(void)
{
	Suite *s = suite_create("kernels");
	TCase *tc = tcase_create("vs_reference");
	TCase *tk = tcase_create("known");

	/* A million samples per kernel take a while under qemu and sanitizers. */
	tcase_set_timeout(tc, 600);
	tcase_set_timeout(tk, 600);
	tcase_add_test(tc, test_ema_vs_ref);
	tcase_add_test(tc, test_sma_vs_ref);
	tcase_add_test(tc, test_median_vs_ref);
	tcase_add_test(tc, test_calib_vs_ref);
	tcase_add_test(tc, test_delta_vs_ref);
	tcase_add_test(tc, test_biquad_vs_ref);
	tcase_add_test(tc, test_fmt_fixed_random);
	tcase_add_test(tc, test_crc32c_vs_ref);
	tcase_add_test(tk, test_dispatch);
	tcase_add_test(tk, test_ema_known);
	tcase_add_test(tk, test_sma_known);
	tcase_add_test(tk, test_median_known);
	tcase_add_test(tk, test_calib_known);
	tcase_add_test(tk, test_delta_known);
	tcase_add_test(tk, test_biquad_known);
	tcase_add_test(tk, test_fmt_fixed_known);
	tcase_add_test(tk, test_crc32c_known);
	suite_add_tcase(s, tk);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(kernels_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
