/* SPDX-License-Identifier: MIT */
/*
 * size_t sgw_fmt_fixed(char *dst, int32_t v, unsigned scale, unsigned precision)
 * Same text as the C reference (see sgw_kernels.h), computed differently:
 * everything stays in 32 bits by splitting |v| into an integer part I and a
 * fraction F of exactly PRECISION digits first:
 *   precision < scale:  m = (|v| + d/2) / d, d = 10^(scale - precision)
 *                       (< 2^31 + 5*10^8 < 2^32), I = m / 10^p, F = m % 10^p
 *   otherwise:          I = |v| / 10^s, F = (|v| % 10^s) * 10^(p - s)
 * Divisions by 10^k are multiply-highs: q = umulh(x << 1, ceil(2^63 / 10^k))
 * is exact for every x < 2^32 (the error x * e / (10^k * 2^63), e < 10^k,
 * stays below 1 / 10^k).  The digit count of I comes from CLZ (bits *
 * 1233 >> 12 ~ log10) and one comparison, so the length is known before
 * any digit is written; the digits then go straight to their place from
 * the right, two at a time from a "00".."99" table (x / 100 as a
 * multiply-high by 0x51EB851F >> 37, exact for all 32-bit x), instead of
 * one 64-bit division per digit.
 *
 * Registers: x0 dst, w3 precision, w7 negative, w10 I, w11 F, w15 length,
 * x16 write pointer (moves left), x17 pair table, w12 the /100 magic.
 */
#include "asm.h"

func sgw_fmt_fixed
	mov	w4, #9
	cmp	w2, #9
	csel	w2, w2, w4, ls
	cmp	w3, #9
	csel	w3, w3, w4, ls
	adrp	x5, .Lpow10
	add	x5, x5, :lo12:.Lpow10
	adrp	x17, .Lrecip
	add	x17, x17, :lo12:.Lrecip
	cmp	w1, #0
	cneg	w6, w1, lt		// |v| as unsigned (INT32_MIN -> 2^31)
	cset	w7, lt
	cmp	w3, w2
	b.hs	1f
	sub	w8, w2, w3		// precision < scale: round
	ldr	w9, [x5, w8, uxtw #2]	// d
	ldr	x14, [x17, w8, uxtw #3]
	add	w6, w6, w9, lsr #1	// |v| + d/2 < 2^32
	lsl	x6, x6, #1
	umulh	x6, x6, x14		// m = (|v| + d/2) / d
	ldr	w9, [x5, w3, uxtw #2]	// 10^precision
	ldr	x14, [x17, w3, uxtw #3]
	lsl	x8, x6, #1
	umulh	x10, x8, x14		// I
	msub	w11, w10, w9, w6	// F
	b	2f
1:	ldr	w9, [x5, w2, uxtw #2]	// precision >= scale: append zeros
	ldr	x14, [x17, w2, uxtw #3]
	lsl	x8, x6, #1
	umulh	x10, x8, x14		// I = |v| / 10^scale
	msub	w11, w10, w9, w6
	sub	w8, w3, w2
	ldr	w8, [x5, w8, uxtw #2]
	mul	w11, w11, w8		// F < 10^precision
2:	orr	w8, w10, w11
	cmp	w8, #0
	csel	w7, wzr, w7, eq		// rounds to zero: no "-0"
	orr	w8, w10, #1		// digits of I: t = bits(I) * 1233 >> 12,
	clz	w8, w8			// then one more if I >= 10^t, at least 1
	mov	w14, #32
	sub	w8, w14, w8
	mov	w14, #1233
	mul	w8, w8, w14
	lsr	w8, w8, #12
	ldr	w14, [x5, w8, uxtw #2]
	cmp	w10, w14
	cinc	w13, w8, hs
	cmp	w13, #0
	csinc	w13, w13, wzr, ne
4:	add	w15, w7, w13		// sign + integer digits
	cbz	w3, 5f
	add	w15, w15, w3		// + "." + fraction digits
	add	w15, w15, #1
5:	add	x16, x0, x15
	adrp	x17, .Lpairs
	add	x17, x17, :lo12:.Lpairs
	mov	w12, #0x851f
	movk	w12, #0x51eb, lsl #16
	mov	w9, #100
	mov	w4, w3			// fraction digits still to write
6:	cmp	w4, #2
	b.lo	7f
	umull	x8, w11, w12
	lsr	x8, x8, #37		// F / 100
	msub	w6, w8, w9, w11
	ldrh	w6, [x17, w6, uxtw #1]
	strh	w6, [x16, #-2]!
	mov	w11, w8
	sub	w4, w4, #2
	b	6b
7:	cbz	w4, 8f
	add	w6, w11, #'0'		// one digit left: F < 10
	strb	w6, [x16, #-1]!
8:	cbz	w3, 10f
	mov	w6, #'.'
	strb	w6, [x16, #-1]!
10:	cmp	w10, #100
	b.lo	11f
	umull	x8, w10, w12
	lsr	x8, x8, #37
	msub	w6, w8, w9, w10
	ldrh	w6, [x17, w6, uxtw #1]
	strh	w6, [x16, #-2]!
	mov	w10, w8
	b	10b
11:	cmp	w10, #10
	b.lo	12f
	ldrh	w6, [x17, w10, uxtw #1]
	strh	w6, [x16, #-2]!
	b	13f
12:	add	w6, w10, #'0'
	strb	w6, [x16, #-1]!
13:	cbz	w7, 14f
	mov	w6, #'-'
	strb	w6, [x0]
14:	mov	w0, w15
	ret
endfunc sgw_fmt_fixed

	.section .rodata
	.balign 4
.Lpow10:
	.long 1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000
	.balign 8
.Lrecip:
	.quad 0x8000000000000000	// ceil(2^63 / 10^0)
	.quad 0x0ccccccccccccccd	// ceil(2^63 / 10^1)
	.quad 0x0147ae147ae147af	// ceil(2^63 / 10^2)
	.quad 0x0020c49ba5e353f8	// ceil(2^63 / 10^3)
	.quad 0x000346dc5d638866	// ceil(2^63 / 10^4)
	.quad 0x000053e2d6238da4	// ceil(2^63 / 10^5)
	.quad 0x000008637bd05af7	// ceil(2^63 / 10^6)
	.quad 0x000000d6bf94d5e6	// ceil(2^63 / 10^7)
	.quad 0x00000015798ee231	// ceil(2^63 / 10^8)
	.quad 0x0000000225c17d05	// ceil(2^63 / 10^9)
.Lpairs:
	.ascii "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"
