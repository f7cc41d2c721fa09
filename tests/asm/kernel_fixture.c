/* SPDX-License-Identifier: MIT */
/* What the kernel suites share; see kernel_fixture.h. */
#include "kernel_fixture.h"

#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

/* xorshift64*: small, seeded, the same on every host. */
uint64_t rng_state;

void rng_seed(uint64_t seed)
{
	rng_state = seed ? seed : 1;
}

uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

const int32_t edge_values[] = {
	INT32_MIN, INT32_MIN + 1, INT32_MIN + 2, -65537, -65536, -32769, -32768, -32767,
	-100, -3, -2, -1, 0, 1, 2, 3, 100, 32767, 32768, 32769, 65535, 65536,
	INT32_MAX - 2, INT32_MAX - 1, INT32_MAX,
};

/*
 * Samples that hit the corners: full range, small values (ties for the
 * median, exact halves for the rounding), near both ends, edge values,
 * runs of one value.  The mode changes every few hundred samples.
 */
void fill_random(int32_t *v, size_t n)
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
struct sgw_calib calib_params[8];
uint64_t calib_param(size_t i, struct sgw_calib c)
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
int32_t biquad_params[8][5];
static void biquad_init(void *st, uint64_t p)
{
	const int32_t *c = biquad_params[p];

	ck_assert_int_eq(sgw_biquad_init(st, c[0], c[1], c[2], c[3], c[4]), 0);
}
static void biquad_run(void *st, const int32_t *in, int32_t *out, uint8_t *k, size_t n)
{ (void)k; sgw_biquad_run(st, in, out, n); }
static void biquad_ref(void *st, const int32_t *in, int32_t *out, uint8_t *k, size_t n)
{ (void)k; sgw_ref_biquad_run(st, in, out, n); }

const struct filter_kind k_ema = { "ema", sizeof(struct sgw_ema), ema_init, ema_run, ema_ref };
const struct filter_kind k_sma = { "sma", sizeof(struct sgw_sma), sma_init, sma_run, sma_ref };
const struct filter_kind k_median = { "median", sizeof(struct sgw_median), median_init, median_run, median_ref };
const struct filter_kind k_calib = { "calib", sizeof(struct sgw_calib), calib_init, calib_run, calib_ref };
const struct filter_kind k_delta = { "delta", sizeof(struct sgw_delta), delta_init, delta_run, delta_ref };
const struct filter_kind k_biquad = { "biquad", sizeof(struct sgw_biquad), biquad_init, biquad_run, biquad_ref };

/* Butterworth low-pass at 1/20 of the sampling rate: scipy.signal.butter(2, 0.1). */
const int32_t butter_lp[5] = {
	Q30(0.02008337), Q30(0.04016673), Q30(0.02008337), Q30(-1.56101808), Q30(0.64135154),
};

/*
 * Run IN (n samples) through the public kernel and the reference in the
 * same random block sizes; OUT at an unaligned offset with guard words on
 * both sides; every other block in place.  Outputs, decisions and the
 * state after every block must be identical.
 */
void compare_kernel(const struct filter_kind *k, uint64_t param, const int32_t *in,
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
void compare_kernel_all(const struct filter_kind *k, const uint64_t *params,
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

/* ------------------------------------------------------------------ */
/* Independent expectations.                                            */

/* Round half away from zero of a / 2^16, by division with remainder. */
int64_t ref_round_q16(int64_t a)
{
	int64_t q = a / 65536, r = a % 65536;	/* C: toward zero */

	if (r >= 32768)
		q++;
	else if (r <= -32768)
		q--;
	return q;
}

int32_t sat(int64_t v)
{
	return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
}

/* Run a whole signal through one kernel, public and reference, and check both. */
void run_both(const struct filter_kind *k, uint64_t param, const int32_t *in,
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
