/* SPDX-License-Identifier: MIT */
/*
 * size_t sgw_delta_run(struct sgw_delta *st, const int32_t *in,
 *                      uint8_t *keep, size_t n)
 * keep = !primed || |x - last| * mul > thr + ppm * |last|  (unsigned 64-bit;
 * see sgw_kernels.h for why nothing overflows).
 * A deadband drops most samples, and LIMIT = thr + ppm * |last| changes only
 * when one is kept: the loop computes LIMIT once per kept sample, so the
 * common path is load, subtract, abs, multiply, compare, store, with no
 * value carried from one sample to the next (a branchless CSEL version
 * chains every sample on the one before, twice as slow).
 *
 * Registers: x4 thr, x5 mul, x6 ppm, x10 last, x12 limit, w8 primed,
 * x15 kept.
 */
#include "asm.h"

func sgw_delta_run
	mov	x15, #0
	cbz	x3, .Lret
	ldr	x4, [x0]
	ldp	w5, w6, [x0, #8]
	ldrsw	x10, [x0, #16]
	ldr	w8, [x0, #20]
	cbnz	w8, .Llimit
	ldrsw	x10, [x1], #4		// nothing kept yet: keep the first
	mov	w8, #1
	strb	w8, [x2], #1
	mov	x15, #1
	subs	x3, x3, #1
	b.eq	.Lstore
.Llimit:
	cmp	x10, #0
	cneg	x12, x10, lt
	madd	x12, x12, x6, x4	// limit for this LAST
.Lloop:
	ldrsw	x9, [x1], #4
	subs	x11, x9, x10
	cneg	x11, x11, lt		// |x - last| < 2^32
	mul	x11, x11, x5
	cmp	x11, x12
	cset	w13, hi
	strb	w13, [x2], #1
	b.hi	.Lkeep
	subs	x3, x3, #1
	b.ne	.Lloop
	b	.Lstore
.Lkeep:
	add	x15, x15, #1
	mov	x10, x9
	subs	x3, x3, #1
	b.ne	.Llimit
.Lstore:
	stp	w10, w8, [x0, #16]
.Lret:
	mov	x0, x15
	ret
endfunc sgw_delta_run
