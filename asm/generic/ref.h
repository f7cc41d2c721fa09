/* SPDX-License-Identifier: MIT */
/*
 * Included by each reference kernel: names the public sgw_NAME after the
 * reference sgw_ref_NAME unless the AArch64 assembly provides it.  An alias,
 * not a wrapper, so the C build pays no extra call.
 */
#ifndef SGW_KERNELS_REF_H
#define SGW_KERNELS_REF_H

#include "asm/sgw_kernels.h"

#ifdef SGW_ASM_AARCH64
#define SGW_KERNEL_PUBLIC(name)
#else
#define SGW_KERNEL_PUBLIC(name) \
	extern __typeof__(sgw_ref_##name) sgw_##name __attribute__((alias("sgw_ref_" #name)));
#endif

/* Round half away from zero: v / 2^k (see sgw_kernels.h). */
static inline int64_t sgw_rshift_round(int64_t v, unsigned k)
{
	return (v + ((int64_t)1 << (k - 1)) - (v < 0)) >> k;
}

/* Round half away from zero: v / d for d > 0. */
static inline int64_t sgw_div_round(int64_t v, int64_t d)
{
	uint64_t m = v < 0 ? -(uint64_t)v : (uint64_t)v;
	int64_t q = (int64_t)((m + (uint64_t)d / 2) / (uint64_t)d);

	return v < 0 ? -q : q;
}

static inline int32_t sgw_sat32(int64_t v)
{
	return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
}

#endif
