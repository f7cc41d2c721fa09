/* SPDX-License-Identifier: MIT */
/*
 * size_t sgw_delta_run(struct sgw_delta *st, const int32_t *in,
 *                      uint8_t *keep, size_t n)
 * keep = !primed || |x - last| * mul > thr + ppm * |last|  (unsigned 64-bit;
 * see sgw_kernels.h for why nothing overflows).  Each decision moves LAST,
 * so this is a recurrence: one sample at a time, without branches (CCMP
 * folds "not primed" into the comparison, CSEL moves LAST).
 *
 * Registers: x4 thr, x5 mul, x6 ppm, w7 last, w8 primed, x15 kept.
 */
#include "asm.h"

func sgw_delta_run
	mov	x15, #0
	cbz	x3, .Lret
	ldr	x4, [x0]
	ldp	w5, w6, [x0, #8]
	ldp	w7, w8, [x0, #16]
.Lloop:
	ldrsw	x9, [x1], #4
	sxtw	x10, w7
	subs	x11, x9, x10
	cneg	x11, x11, lt		// |x - last| < 2^32
	cmp	x10, #0
	cneg	x12, x10, lt		// |last|
	mul	x11, x11, x5		// moved
	madd	x12, x12, x6, x4	// limit
	cmp	w8, #0
	ccmp	x11, x12, #2, ne	// not primed: flags "hi" (C set, Z clear)
	cset	w13, hi
	strb	w13, [x2], #1
	csel	w7, w9, w7, hi
	orr	w8, w8, w13
	add	x15, x15, x13
	subs	x3, x3, #1
	b.ne	.Lloop
	stp	w7, w8, [x0, #16]
.Lret:
	mov	x0, x15
	ret
endfunc sgw_delta_run
