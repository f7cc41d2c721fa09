/* SPDX-License-Identifier: MIT */
/* Sliding-window moving average: the C reference (see sgw_kernels.h). */
#include <string.h>

#include "ref.h"

void sgw_sma_init(struct sgw_sma *st, unsigned window)
{
	memset(st, 0, sizeof(*st));
	st->window = window < 1 ? 1 : window > SGW_SMA_MAX ? SGW_SMA_MAX : window;
}

void sgw_ref_sma_run(struct sgw_sma *st, const int32_t *in, int32_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		/* Until the window is full the slot leaving it still holds 0. */
		st->sum += (int64_t)in[i] - st->ring[st->pos];
		st->ring[st->pos] = in[i];
		if (++st->pos == st->window)
			st->pos = 0;
		if (st->count < st->window)
			st->count++;
		out[i] = (int32_t)sgw_div_round(st->sum, st->count);
	}
}
SGW_KERNEL_PUBLIC(sma_run)
