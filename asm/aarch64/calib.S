/* SPDX-License-Identifier: MIT */
/*
 * void sgw_calib_run(const struct sgw_calib *c, const int32_t *in,
 *                    int32_t *out, size_t n)
 * y = clamp(sat32(round(a * x / 2^16) + b), lo, hi), rounded half away
 * from zero (see sgw_kernels.h).  Four samples per NEON step:
 *     t = a * x + (b << 16) + (a * x < 0 ? -1 : 0)
 * then SQRSHRN #16 adds 2^15, shifts and saturates to int32 in one go, which
 * is exactly round-half-away(a * x / 2^16) + b, saturated (b << 16 is a
 * whole multiple of 2^16, so adding it before the shift changes nothing
 * else; |t| < 2^62 + 2^47 cannot overflow).
 */
#include "asm.h"

func sgw_calib_run
	ldp	w4, w5, [x0]		// a, b
	ldp	w6, w7, [x0, #8]	// lo, hi
	sxtw	x5, w5
	lsl	x5, x5, #16		// b << 16
	cmp	x3, #4
	b.lo	.Ltail
	dup	v0.4s, w4
	dup	v1.2d, x5
	dup	v2.4s, w6
	dup	v3.4s, w7
.Lloop4:
	ld1	{v4.4s}, [x1], #16
	smull	v5.2d, v4.2s, v0.2s
	smull2	v6.2d, v4.4s, v0.4s
	add	v16.2d, v5.2d, v1.2d
	add	v17.2d, v6.2d, v1.2d
	ssra	v16.2d, v5.2d, #63	// -1 where the product is negative
	ssra	v17.2d, v6.2d, #63
	sqrshrn	v4.2s, v16.2d, #16
	sqrshrn2 v4.4s, v17.2d, #16
	smax	v4.4s, v4.4s, v2.4s
	smin	v4.4s, v4.4s, v3.4s
	st1	{v4.4s}, [x2], #16
	sub	x3, x3, #4
	cmp	x3, #4
	b.hs	.Lloop4
.Ltail:
	cbz	x3, .Ldone
	mov	w12, #0x7fffffff
.Lloop1:
	ldr	w9, [x1], #4
	smull	x10, w9, w4
	add	x11, x10, x5
	add	x11, x11, x10, asr #63
	add	x11, x11, #8, lsl #12	// + 2^15
	asr	x11, x11, #16
	sxtw	x13, w11
	cmp	x11, x13		// fits in int32?
	asr	x14, x11, #63
	eor	w14, w14, w12		// INT32_MAX, or INT32_MIN when negative
	csel	w11, w11, w14, eq
	cmp	w11, w6
	csel	w11, w6, w11, lt
	cmp	w11, w7
	csel	w11, w7, w11, gt
	str	w11, [x2], #4
	subs	x3, x3, #1
	b.ne	.Lloop1
.Ldone:
	ret
endfunc sgw_calib_run
