/* SPDX-License-Identifier: MIT */
/*
 * What the kernel suites share: a seeded generator, edge values and
 * corner-hitting random samples, the block filters as a table of kinds
 * (public and reference run side by side), the comparison harness, and
 * independent helpers for expected values.
 */
#ifndef SGW_KERNEL_FIXTURE_H
#define SGW_KERNEL_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

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
#define Q30(x) ((int32_t)((x) * 1073741824.0 + ((x) < 0 ? -0.5 : 0.5)))
/* delta's parameter: relative threshold when this bit is set. */
#define DELTA_REL (1ULL << 63)

/* xorshift64*: small, seeded, the same on every host. */
void rng_seed(uint64_t seed);
uint64_t rng(void);

/* Values where rounding and saturation change: both ends, around 2^15 and 2^16. */
#define NEDGE 25
extern const int32_t edge_values[NEDGE];

/*
 * Samples that hit the corners: full range, small values (ties for the
 * median, exact halves for the rounding), near both ends, edge values,
 * runs of one value.
 */
void fill_random(int32_t *v, size_t n);

/* A block filter, public and reference, with its parameter decoded by init. */
struct filter_kind {
	const char *name;
	size_t state_size;
	void (*init)(void *st, uint64_t param);
	void (*run)(void *st, const int32_t *in, int32_t *out, uint8_t *keep, size_t n);
	void (*run_ref)(void *st, const int32_t *in, int32_t *out, uint8_t *keep, size_t n);
};

extern const struct filter_kind k_ema, k_sma, k_median, k_calib, k_delta, k_biquad;
/* calib's and biquad's parameter is an index into these. */
extern struct sgw_calib calib_params[8];
extern int32_t biquad_params[8][5];
uint64_t calib_param(size_t i, struct sgw_calib c);
/* scipy.signal.butter(2, 0.1) in Q30. */
extern const int32_t butter_lp[5];

/*
 * The public kernel against the reference on IN, in random block sizes,
 * at an unaligned offset with guard words, every other block in place:
 * outputs, decisions and the state after every block identical.
 */
void compare_kernel(const struct filter_kind *k, uint64_t param, const int32_t *in, size_t n);
/* The edge values in every order that matters, then random samples, for each parameter. */
void compare_kernel_all(const struct filter_kind *k, const uint64_t *params, size_t nparams,
			uint64_t seed);

/* Round half away from zero of a / 2^16, by division with remainder. */
int64_t ref_round_q16(int64_t a);
int32_t sat(int64_t v);
/* Run a whole signal through one kernel, public and reference, and check both. */
void run_both(const struct filter_kind *k, uint64_t param, const int32_t *in,
	      const int32_t *want, const uint8_t *want_keep, size_t n);

#endif
