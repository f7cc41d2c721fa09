/* SPDX-License-Identifier: MIT */
/* Delta / deadband: the C reference (see sgw_kernels.h). */
#include "ref.h"

void sgw_delta_init_abs(struct sgw_delta *st, uint32_t thr)
{
	st->thr = thr;
	st->mul = 1;
	st->ppm = 0;
	st->last = 0;
	st->primed = 0;
}

void sgw_delta_init_rel(struct sgw_delta *st, uint32_t ppm)
{
	st->thr = 0;
	st->mul = 1000000;
	st->ppm = ppm > SGW_DELTA_PPM_MAX ? SGW_DELTA_PPM_MAX : ppm;
	st->last = 0;
	st->primed = 0;
}

static uint64_t abs64(int64_t v)
{
	return v < 0 ? (uint64_t)-v : (uint64_t)v;
}

size_t sgw_ref_delta_run(struct sgw_delta *st, const int32_t *in, uint8_t *keep, size_t n)
{
	size_t kept = 0;

	for (size_t i = 0; i < n; i++) {
		/* < 2^32 * 10^6 and < 2^32 + 10^7 * 2^31: both below 2^63. */
		uint64_t moved = abs64((int64_t)in[i] - st->last) * st->mul;
		uint64_t limit = st->thr + (uint64_t)st->ppm * abs64(st->last);

		keep[i] = !st->primed || moved > limit;
		if (keep[i]) {
			st->last = in[i];
			st->primed = 1;
			kept++;
		}
	}
	return kept;
}
SGW_KERNEL_PUBLIC(delta_run)
