/* SPDX-License-Identifier: MIT */
/* Fixed point to decimal text: the C reference (see sgw_kernels.h). */
#include "ref.h"

static const uint32_t pow10_u32[10] = {
	1u, 10u, 100u, 1000u, 10000u, 100000u, 1000000u, 10000000u,
	100000000u, 1000000000u,
};

size_t sgw_ref_fmt_fixed(char *dst, int32_t v, unsigned scale, unsigned precision)
{
	char tmp[SGW_FMT_FIXED_MAX];
	size_t n = 0, len = 0;
	int neg = v < 0;
	/* |INT32_MIN| fits in uint64 with room for appended zeros. */
	uint64_t mag = neg ? (uint64_t)(-(int64_t)v) : (uint64_t)v;
	unsigned digits;

	if (scale > 9)
		scale = 9;
	if (precision > 9)
		precision = 9;
	if (precision < scale) {
		uint32_t div = pow10_u32[scale - precision];

		mag = (mag + div / 2) / div;	/* half away from zero */
	} else {
		mag *= pow10_u32[precision - scale];
	}
	if (mag == 0)
		neg = 0;
	/* Digits, least significant first; at least precision + 1 of them. */
	digits = 0;
	do {
		tmp[n++] = (char)('0' + mag % 10);
		mag /= 10;
		digits++;
	} while (mag || digits <= precision);
	if (neg)
		dst[len++] = '-';
	while (n > 0) {
		dst[len++] = tmp[--n];
		if (n == precision && n > 0)
			dst[len++] = '.';
	}
	return len;
}
SGW_KERNEL_PUBLIC(fmt_fixed)
