/* SPDX-License-Identifier: MIT */
/* Biquad, direct form I with fraction saving: the C reference (see sgw_kernels.h). */
#include <errno.h>

#include "ref.h"

int sgw_biquad_init(struct sgw_biquad *st, int32_t b0, int32_t b1, int32_t b2,
		    int32_t a1, int32_t a2)
{
	int64_t c[5] = { b0, b1, b2, a1, a2 }, sum = 0;

	for (int i = 0; i < 5; i++)
		sum += c[i] < 0 ? -c[i] : c[i];
	/* sum < 4.0: |acc| < 2^32 * 2^31 = 2^63, with room for err. */
	if (sum >= (int64_t)4 << 30)
		return -EINVAL;
	*st = (struct sgw_biquad){ .b0 = b0, .b1 = b1, .b2 = b2, .a1 = a1, .a2 = a2 };
	return 0;
}

void sgw_ref_biquad_run(struct sgw_biquad *st, const int32_t *in, int32_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int32_t x = in[i];
		int64_t acc, y;

		if (!st->primed) {
			st->x1 = st->x2 = st->y1 = st->y2 = x;
			st->err = 0;
			st->primed = 1;
		}
		acc = (int64_t)st->b0 * x + (int64_t)st->b1 * st->x1 + (int64_t)st->b2 * st->x2
		      - (int64_t)st->a1 * st->y1 - (int64_t)st->a2 * st->y2 + st->err;
		y = sgw_rshift_round(acc, 30);
		if (y > INT32_MAX || y < INT32_MIN) {
			y = sgw_sat32(y);
			st->err = 0;
		} else {
			st->err = acc - y * ((int64_t)1 << 30);
		}
		st->x2 = st->x1;
		st->x1 = x;
		st->y2 = st->y1;
		st->y1 = (int32_t)y;
		out[i] = (int32_t)y;
	}
}
SGW_KERNEL_PUBLIC(biquad_run)
