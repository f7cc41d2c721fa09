/* SPDX-License-Identifier: MIT */
/*
 * void sgw_biquad_run(struct sgw_biquad *st, const int32_t *in, int32_t *out,
 *                     size_t n)
 * Direct form I with fraction saving (see sgw_kernels.h):
 *     acc = b0*x + b1*x1 + b2*x2 - a2*y2 + err - a1*y1
 *     y = sat32(round(acc / 2^30)), err = acc - y * 2^30 (0 when saturated)
 * A recurrence, one sample at a time.  To keep the loop-carried path short
 * the remainder is never formed inside the loop: with c = 2^30 + a1,
 *     err - a1*y1 = (acc' - y1 * 2^30) - a1*y1 = acc' - c*y1
 * (acc' the previous sum), so each sum is P + acc' - c*y1 where
 * P = b0*x + b1*x1 + b2*x2 - a2*y2 does not depend on the previous output.
 * The path is then MSUB, ADD, CINC (rounding half away from zero by the
 * sign of acc), ASR.  Intermediate sums may wrap: the arithmetic is modulo
 * 2^64 and the true sum fits int64 (the |coefficient| sum is below 4), so
 * the result is exact.  A saturated output sets acc' = y * 2^30 (err = 0)
 * out of line.
 * The Cortex-A57/A72 issue multiplies in order through one pipeline, so P
 * for the next sample is computed (software-pipelined) ahead of this
 * sample's MSUB, which waits for the previous output: placed after it, the
 * independent multiplies would queue behind it.
 *
 * Registers: w4 b0, w5 b1, w6 b2, x7 c, w8 a2, w9 x[n], w10 x[n-1],
 * x11 P of the next sample, w12 y2, x13 2^29 - 1, x14 P + acc', w15 x,
 * x16 acc, x17 y (sign-extended; y1 at the top of the loop).
 */
#include "asm.h"

/* acc = x14 - c * y1, then y = sat32(round(acc)), store it; y2 = old y1. */
.macro step
	msub	x16, x17, x7, x14
	mov	w12, w17
	add	x15, x16, x13
	cmp	x16, #0
	cinc	x15, x15, ge		// + 2^29, or 2^29 - 1 when negative
	asr	x17, x15, #30		// y
	cmp	x17, w17, sxtw
	b.eq	1f
	asr	x15, x17, #63		// saturated: rare
	eor	w17, w15, #0x7fffffff	// INT32_MAX, or INT32_MIN when negative
	sxtw	x17, w17
	lsl	x16, x17, #30		// so that err = 0
1:	str	w17, [x2], #4
.endm

func sgw_biquad_run
	cbz	x3, .Lret
	ldp	w4, w5, [x0]
	ldp	w6, w7, [x0, #8]
	ldr	w8, [x0, #16]
	ldp	w9, w10, [x0, #20]
	ldp	w17, w12, [x0, #28]
	ldr	w13, [x0, #36]
	ldr	x16, [x0, #40]		// err
	cbnz	w13, 1f
	ldr	w9, [x1]		// the first sample primes the history
	mov	w10, w9
	mov	w17, w9
	mov	w12, w9
	mov	x16, #0
1:	mov	x14, #0x40000000
	add	x7, x14, w7, sxtw	// c = 2^30 + a1
	sxtw	x17, w17
	add	x16, x16, x17, lsl #30	// acc' = err + y1 * 2^30
	mov	x13, #0x1fffffff	// 2^29 - 1
	ldr	w15, [x1], #4
	smull	x11, w4, w15
	smaddl	x11, w5, w9, x11
	smaddl	x11, w6, w10, x11
	smsubl	x11, w8, w12, x11	// P of the first sample
	mov	w10, w9
	mov	w9, w15
	subs	x3, x3, #1
	b.eq	.Llast
.Lloop:
	add	x14, x11, x16		// P + acc'
	ldr	w15, [x1], #4		// the next sample's P: y2 will be this y1
	smull	x11, w4, w15
	smaddl	x11, w5, w9, x11
	smaddl	x11, w6, w10, x11
	smsubl	x11, w8, w17, x11
	mov	w10, w9
	mov	w9, w15
	step
	subs	x3, x3, #1
	b.ne	.Lloop
.Llast:
	add	x14, x11, x16
	step
	sub	x16, x16, x17, lsl #30	// err of the last sample
	stp	w9, w10, [x0, #20]
	stp	w17, w12, [x0, #28]
	mov	w13, #1
	str	w13, [x0, #36]
	str	x16, [x0, #40]
.Lret:
	ret
endfunc sgw_biquad_run
