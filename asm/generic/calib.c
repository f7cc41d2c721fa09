/* SPDX-License-Identifier: MIT */
/* Linear calibration and clamp: the C reference (see sgw_kernels.h). */
#include "ref.h"

void sgw_ref_calib_run(const struct sgw_calib *c, const int32_t *in, int32_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int32_t y = sgw_sat32(sgw_rshift_round((int64_t)c->a * in[i], 16) + c->b);

		out[i] = y < c->lo ? c->lo : y > c->hi ? c->hi : y;
	}
}
SGW_KERNEL_PUBLIC(calib_run)
