/* SPDX-License-Identifier: MIT */
/* The assembly reads the kernel state at fixed offsets: keep them honest. */
#include <stddef.h>
#include <stdint.h>

#include "asm/sgw_kernels.h"

_Static_assert(offsetof(struct sgw_ema, acc) == 0, "ema layout");
_Static_assert(offsetof(struct sgw_ema, alpha) == 8, "ema layout");
_Static_assert(offsetof(struct sgw_ema, primed) == 12, "ema layout");
_Static_assert(offsetof(struct sgw_sma, sum) == 0, "sma layout");
_Static_assert(offsetof(struct sgw_sma, window) == 8, "sma layout");
_Static_assert(offsetof(struct sgw_sma, count) == 12, "sma layout");
_Static_assert(offsetof(struct sgw_sma, pos) == 16, "sma layout");
_Static_assert(offsetof(struct sgw_sma, ring) == 24, "sma layout");
_Static_assert(offsetof(struct sgw_median, sorted) == 0, "median layout");
_Static_assert(offsetof(struct sgw_median, ring) == 64, "median layout");
_Static_assert(offsetof(struct sgw_median, window) == 128, "median layout");
_Static_assert(offsetof(struct sgw_median, count) == 132, "median layout");
_Static_assert(offsetof(struct sgw_median, pos) == 136, "median layout");
_Static_assert(offsetof(struct sgw_calib, a) == 0, "calib layout");
_Static_assert(offsetof(struct sgw_calib, b) == 4, "calib layout");
_Static_assert(offsetof(struct sgw_calib, lo) == 8, "calib layout");
_Static_assert(offsetof(struct sgw_calib, hi) == 12, "calib layout");
_Static_assert(offsetof(struct sgw_delta, thr) == 0, "delta layout");
_Static_assert(offsetof(struct sgw_delta, mul) == 8, "delta layout");
_Static_assert(offsetof(struct sgw_delta, ppm) == 12, "delta layout");
_Static_assert(offsetof(struct sgw_delta, last) == 16, "delta layout");
_Static_assert(offsetof(struct sgw_delta, primed) == 20, "delta layout");
_Static_assert(offsetof(struct sgw_biquad, b0) == 0, "biquad layout");
_Static_assert(offsetof(struct sgw_biquad, a2) == 16, "biquad layout");
_Static_assert(offsetof(struct sgw_biquad, x1) == 20, "biquad layout");
_Static_assert(offsetof(struct sgw_biquad, y2) == 32, "biquad layout");
_Static_assert(offsetof(struct sgw_biquad, primed) == 36, "biquad layout");
_Static_assert(offsetof(struct sgw_biquad, err) == 40, "biquad layout");
_Static_assert(sizeof(struct sgw_biquad) == 48, "biquad layout");
/* Pointers and sizes in it: the assembly's targets are LP64. */
#if SIZE_MAX == UINT64_MAX
_Static_assert(offsetof(struct sgw_pack_item, topic) == 0, "pack item layout");
_Static_assert(offsetof(struct sgw_pack_item, unit) == 8, "pack item layout");
_Static_assert(offsetof(struct sgw_pack_item, topic_len) == 16, "pack item layout");
_Static_assert(offsetof(struct sgw_pack_item, unit_len) == 24, "pack item layout");
_Static_assert(offsetof(struct sgw_pack_item, ts_ms) == 32, "pack item layout");
_Static_assert(offsetof(struct sgw_pack_item, seq) == 40, "pack item layout");
_Static_assert(offsetof(struct sgw_pack_item, value) == 48, "pack item layout");
_Static_assert(offsetof(struct sgw_pack_item, scale) == 52, "pack item layout");
_Static_assert(offsetof(struct sgw_pack_item, precision) == 53, "pack item layout");
_Static_assert(sizeof(struct sgw_pack_item) == 56, "pack item layout");
#endif
