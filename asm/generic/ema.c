/* SPDX-License-Identifier: MIT */
/* Exponential moving average: the C reference (see sgw_kernels.h). */
#include "ref.h"

void sgw_ema_init(struct sgw_ema *st, int32_t alpha_q16)
{
	st->acc = 0;
	st->alpha = alpha_q16 < 1 ? 1 : alpha_q16 > 65536 ? 65536 : alpha_q16;
	st->primed = 0;
}

void sgw_ref_ema_run(struct sgw_ema *st, const int32_t *in, int32_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int64_t x = in[i];

		if (!st->primed) {
			st->acc = x * 65536;
			st->primed = 1;
		} else {
			/* |acc| <= 2^47 and 65536 - alpha < 2^16: no overflow. */
			st->acc = sgw_rshift_round((65536 - st->alpha) * st->acc, 16)
				  + st->alpha * x;
		}
		out[i] = (int32_t)sgw_rshift_round(st->acc, 16);
	}
}
SGW_KERNEL_PUBLIC(ema_run)
