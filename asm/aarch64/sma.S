/* SPDX-License-Identifier: MIT */
/*
 * void sgw_sma_run(struct sgw_sma *st, const int32_t *in, int32_t *out,
 *                  size_t n)
 * Running sum over a ring of WINDOW samples; the output is
 * sign(sum) * ((|sum| + count/2) / count), rounded half away from zero.
 *
 * The division by count (1..64) is a multiply-high by ceil(2^58 / count)
 * of (|sum| + count/2) << 6: with n = |sum| + count/2 < 2^38 the error term
 * n * e / (count * 2^58), e < count, stays below 1 / count, so the
 * quotient is exact (no SDIV, whose 64-bit latency dominates otherwise).
 *
 * Registers: x4 sum, w5 window, w6 count, w7 pos, x12 ring, x13 magic table.
 */
#include "asm.h"

func sgw_sma_run
	cbz	x3, .Lret
	ldr	x4, [x0]
	ldp	w5, w6, [x0, #8]
	ldr	w7, [x0, #16]
	add	x12, x0, #24
	adrp	x13, .Lmagic
	add	x13, x13, :lo12:.Lmagic
.Lloop:
	ldrsw	x8, [x1], #4		// x
	ldrsw	x9, [x12, w7, uxtw #2]	// the sample leaving the window (0 at first)
	str	w8, [x12, w7, uxtw #2]
	add	x4, x4, x8
	sub	x4, x4, x9
	add	w7, w7, #1
	cmp	w7, w5
	csel	w7, w7, wzr, ne
	cmp	w6, w5
	cinc	w6, w6, lo
	ldr	x10, [x13, w6, uxtw #3]
	cmp	x4, #0
	cneg	x11, x4, lt		// |sum|
	add	x11, x11, x6, lsr #1	// + count / 2
	lsl	x11, x11, #6
	umulh	x11, x11, x10
	cneg	x11, x11, lt
	str	w11, [x2], #4
	subs	x3, x3, #1
	b.ne	.Lloop
	str	x4, [x0]
	stp	w6, w7, [x0, #12]
.Lret:
	ret
endfunc sgw_sma_run

	.section .rodata
	.balign 8
.Lmagic:
	.quad 0			// (count 0 never divides)
	.quad 0x0400000000000000	// ceil(2^58 / 1)
	.quad 0x0200000000000000	// ceil(2^58 / 2)
	.quad 0x0155555555555556	// ceil(2^58 / 3)
	.quad 0x0100000000000000	// ceil(2^58 / 4)
	.quad 0x00cccccccccccccd	// ceil(2^58 / 5)
	.quad 0x00aaaaaaaaaaaaab	// ceil(2^58 / 6)
	.quad 0x0092492492492493	// ceil(2^58 / 7)
	.quad 0x0080000000000000	// ceil(2^58 / 8)
	.quad 0x0071c71c71c71c72	// ceil(2^58 / 9)
	.quad 0x0066666666666667	// ceil(2^58 / 10)
	.quad 0x005d1745d1745d18	// ceil(2^58 / 11)
	.quad 0x0055555555555556	// ceil(2^58 / 12)
	.quad 0x004ec4ec4ec4ec4f	// ceil(2^58 / 13)
	.quad 0x004924924924924a	// ceil(2^58 / 14)
	.quad 0x0044444444444445	// ceil(2^58 / 15)
	.quad 0x0040000000000000	// ceil(2^58 / 16)
	.quad 0x003c3c3c3c3c3c3d	// ceil(2^58 / 17)
	.quad 0x0038e38e38e38e39	// ceil(2^58 / 18)
	.quad 0x0035e50d79435e51	// ceil(2^58 / 19)
	.quad 0x0033333333333334	// ceil(2^58 / 20)
	.quad 0x0030c30c30c30c31	// ceil(2^58 / 21)
	.quad 0x002e8ba2e8ba2e8c	// ceil(2^58 / 22)
	.quad 0x002c8590b21642c9	// ceil(2^58 / 23)
	.quad 0x002aaaaaaaaaaaab	// ceil(2^58 / 24)
	.quad 0x0028f5c28f5c28f6	// ceil(2^58 / 25)
	.quad 0x0027627627627628	// ceil(2^58 / 26)
	.quad 0x0025ed097b425ed1	// ceil(2^58 / 27)
	.quad 0x0024924924924925	// ceil(2^58 / 28)
	.quad 0x00234f72c234f72d	// ceil(2^58 / 29)
	.quad 0x0022222222222223	// ceil(2^58 / 30)
	.quad 0x0021084210842109	// ceil(2^58 / 31)
	.quad 0x0020000000000000	// ceil(2^58 / 32)
	.quad 0x001f07c1f07c1f08	// ceil(2^58 / 33)
	.quad 0x001e1e1e1e1e1e1f	// ceil(2^58 / 34)
	.quad 0x001d41d41d41d41e	// ceil(2^58 / 35)
	.quad 0x001c71c71c71c71d	// ceil(2^58 / 36)
	.quad 0x001bacf914c1bad0	// ceil(2^58 / 37)
	.quad 0x001af286bca1af29	// ceil(2^58 / 38)
	.quad 0x001a41a41a41a41b	// ceil(2^58 / 39)
	.quad 0x001999999999999a	// ceil(2^58 / 40)
	.quad 0x0018f9c18f9c18fa	// ceil(2^58 / 41)
	.quad 0x0018618618618619	// ceil(2^58 / 42)
	.quad 0x0017d05f417d05f5	// ceil(2^58 / 43)
	.quad 0x001745d1745d1746	// ceil(2^58 / 44)
	.quad 0x0016c16c16c16c17	// ceil(2^58 / 45)
	.quad 0x001642c8590b2165	// ceil(2^58 / 46)
	.quad 0x0015c9882b931058	// ceil(2^58 / 47)
	.quad 0x0015555555555556	// ceil(2^58 / 48)
	.quad 0x0014e5e0a72f053a	// ceil(2^58 / 49)
	.quad 0x00147ae147ae147b	// ceil(2^58 / 50)
	.quad 0x0014141414141415	// ceil(2^58 / 51)
	.quad 0x0013b13b13b13b14	// ceil(2^58 / 52)
	.quad 0x0013521cfb2b78c2	// ceil(2^58 / 53)
	.quad 0x0012f684bda12f69	// ceil(2^58 / 54)
	.quad 0x00129e4129e4129f	// ceil(2^58 / 55)
	.quad 0x0012492492492493	// ceil(2^58 / 56)
	.quad 0x0011f7047dc11f71	// ceil(2^58 / 57)
	.quad 0x0011a7b9611a7b97	// ceil(2^58 / 58)
	.quad 0x00115b1e5f75270e	// ceil(2^58 / 59)
	.quad 0x0011111111111112	// ceil(2^58 / 60)
	.quad 0x0010c9714fbcda3b	// ceil(2^58 / 61)
	.quad 0x0010842108421085	// ceil(2^58 / 62)
	.quad 0x0010410410410411	// ceil(2^58 / 63)
	.quad 0x0010000000000000	// ceil(2^58 / 64)
