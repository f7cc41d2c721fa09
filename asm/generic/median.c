/* SPDX-License-Identifier: MIT */
/*
 * Running median: the C reference (see sgw_kernels.h).  Deliberately the
 * obvious way: replace the oldest sample, sort the whole window afresh.
 */
#include "ref.h"

void sgw_median_init(struct sgw_median *st, unsigned window)
{
	for (int i = 0; i < 16; i++)
		st->sorted[i] = st->ring[i] = INT32_MAX;
	st->window = window < 1 ? 1 : window > SGW_MEDIAN_MAX ? SGW_MEDIAN_MAX : window;
	st->count = st->pos = st->pad_ = 0;
}

void sgw_ref_median_run(struct sgw_median *st, const int32_t *in, int32_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		st->ring[st->pos] = in[i];
		if (++st->pos == st->window)
			st->pos = 0;
		if (st->count < st->window)
			st->count++;
		/* Insertion sort of all 16 slots: the INT32_MAX padding sorts last. */
		for (int j = 0; j < 16; j++) {
			int32_t v = st->ring[j];
			int k = j;

			for (; k > 0 && st->sorted[k - 1] > v; k--)
				st->sorted[k] = st->sorted[k - 1];
			st->sorted[k] = v;
		}
		out[i] = st->sorted[st->count / 2];
	}
}
SGW_KERNEL_PUBLIC(median_run)
