/* SPDX-License-Identifier: MIT */
/*
 * void sgw_ema_run(struct sgw_ema *st, const int32_t *in, int32_t *out,
 *                  size_t n)
 * acc = round((65536 - alpha) * acc / 2^16) + alpha * x;  y = round(acc / 2^16)
 * rounded half away from zero (see sgw_kernels.h).  A recurrence, so one
 * sample at a time; the work is arranged so that the loop-carried path is
 * only MUL + ADD + ADD (shifted): the rounding term 2^15 - (acc < 0) is
 * ready before the product ((65536 - alpha) * acc has the sign of acc, or
 * is 0, where 2^15 - 1 rounds the same as 2^15), and alpha * x is computed
 * off the path.  (A MADD with the rounding term as addend would wait for
 * it before starting: one cycle more per sample.)
 *
 * Registers: x4 acc, x5 alpha, x6 primed, x7 65536 - alpha.
 */
#include "asm.h"

func sgw_ema_run
	cbz	x3, .Lret
	ldr	x4, [x0]
	ldp	w5, w6, [x0, #8]
	mov	x7, #65536
	sub	x7, x7, x5
	cbnz	w6, .Lloop
	ldrsw	x8, [x1], #4		// the first sample primes the filter
	lsl	x4, x8, #16
	str	w8, [x2], #4
	mov	w6, #1
	subs	x3, x3, #1
	b.eq	.Lstore
.Lloop:
	ldrsw	x8, [x1], #4
	mul	x9, x5, x8		// alpha * x, off the critical path
	asr	x10, x4, #63
	add	x10, x10, #8, lsl #12	// 2^15 - (acc < 0), meanwhile
	mul	x11, x7, x4
	add	x11, x11, x10
	add	x4, x9, x11, asr #16	// new acc
	asr	x11, x4, #63
	add	x11, x4, x11
	add	x11, x11, #8, lsl #12
	asr	x11, x11, #16		// round(acc / 2^16)
	str	w11, [x2], #4
	subs	x3, x3, #1
	b.ne	.Lloop
.Lstore:
	str	x4, [x0]
	str	w6, [x0, #12]
.Lret:
	ret
endfunc sgw_ema_run
