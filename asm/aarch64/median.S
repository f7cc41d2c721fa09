/* SPDX-License-Identifier: MIT */
/*
 * void sgw_median_run(struct sgw_median *st, const int32_t *in,
 *                     int32_t *out, size_t n)
 * The sorted window (16 int32, INT32_MAX-padded) lives in v0-v3 for the
 * whole block.  Each sample replaces the oldest value OLD by the new X
 * without branches:
 *   delete OLD: lanes i with S[i] >= OLD (all from OLD's first position on,
 *               S being sorted) take S[i+1] (INT32_MAX shifts in at the end);
 *   insert X:   S[i] = max(S[i-1], min(S[i], X)) (INT32_MIN shifts in at
 *               the front), which keeps lanes below X, puts X at its place
 *               and moves the rest up by one.
 * The result is the sorted multiset, identical to the reference's full sort.
 * The median, lane count/2, is picked with TBL.
 *
 * Registers: v0-v3 sorted, v30 INT32_MIN, v31 INT32_MAX, x12 ring,
 * w5 window, w6 count, w7 pos, w15 0x01010101, w16 0x03020100.
 */
#include "asm.h"

func sgw_median_run
	cbz	x3, .Lret
	ld1	{v0.4s-v3.4s}, [x0]
	add	x12, x0, #64
	ldp	w5, w6, [x0, #128]
	ldr	w7, [x0, #136]
	movi	v30.4s, #0x80, lsl #24	// INT32_MIN
	mvni	v31.4s, #0x80, lsl #24	// INT32_MAX
	mov	w15, #0x0101
	movk	w15, #0x0101, lsl #16
	mov	w16, #0x0100
	movk	w16, #0x0302, lsl #16
.Lloop:
	ldr	w8, [x1], #4		// x
	ldr	w9, [x12, w7, uxtw #2]	// old (INT32_MAX while the window fills)
	str	w8, [x12, w7, uxtw #2]
	add	w7, w7, #1
	cmp	w7, w5
	csel	w7, w7, wzr, ne
	cmp	w6, w5
	cinc	w6, w6, lo
	dup	v16.4s, w9
	dup	v17.4s, w8
	// delete old
	cmge	v18.4s, v0.4s, v16.4s
	cmge	v19.4s, v1.4s, v16.4s
	cmge	v20.4s, v2.4s, v16.4s
	cmge	v21.4s, v3.4s, v16.4s
	ext	v22.16b, v0.16b, v1.16b, #4
	ext	v23.16b, v1.16b, v2.16b, #4
	ext	v24.16b, v2.16b, v3.16b, #4
	ext	v25.16b, v3.16b, v31.16b, #4
	bit	v0.16b, v22.16b, v18.16b
	bit	v1.16b, v23.16b, v19.16b
	bit	v2.16b, v24.16b, v20.16b
	bit	v3.16b, v25.16b, v21.16b
	// insert x
	ext	v22.16b, v30.16b, v0.16b, #12
	ext	v23.16b, v0.16b, v1.16b, #12
	ext	v24.16b, v1.16b, v2.16b, #12
	ext	v25.16b, v2.16b, v3.16b, #12
	smin	v0.4s, v0.4s, v17.4s
	smin	v1.4s, v1.4s, v17.4s
	smin	v2.4s, v2.4s, v17.4s
	smin	v3.4s, v3.4s, v17.4s
	smax	v0.4s, v0.4s, v22.4s
	smax	v1.4s, v1.4s, v23.4s
	smax	v2.4s, v2.4s, v24.4s
	smax	v3.4s, v3.4s, v25.4s
	// out = sorted[count / 2]: TBL bytes 4k .. 4k+3
	lsr	w10, w6, #1
	lsl	w10, w10, #2
	madd	w10, w10, w15, w16
	fmov	s26, w10
	tbl	v26.16b, {v0.16b-v3.16b}, v26.16b
	st1	{v26.s}[0], [x2], #4
	subs	x3, x3, #1
	b.ne	.Lloop
	st1	{v0.4s-v3.4s}, [x0]
	stp	w6, w7, [x0, #132]
.Lret:
	ret
endfunc sgw_median_run
