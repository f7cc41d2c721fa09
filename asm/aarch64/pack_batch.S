/* SPDX-License-Identifier: MIT */
/*
 * size_t sgw_pack_batch(char *dst, const struct sgw_pack_item *it, size_t n,
 *                       size_t limit, size_t *ends)
 * The same text as the C reference (see sgw_kernels.h), written without
 * checking room (DST holds sgw_pack_bound() bytes) and without a division:
 *
 * - Keys and punctuation are 16-byte constants kept in NEON registers and
 *   stored whole, one STR Q each; the pointer then moves by their length,
 *   and the bytes stored past it are overwritten by what follows (or land
 *   in the bound's slack).
 * - Strings go 16 bytes at a time: one load, three compares and an SHRN
 *   (a 4-bit-per-byte mask for RBIT/CLZ) find the first byte that needs an
 *   escape; the 16 bytes are stored whole and the pointer moves past the
 *   plain ones.  An escape is an 8-byte table entry: its text, and its
 *   length in the last byte.  A load that would cross into a page the
 *   string ends before goes byte by byte instead.
 * - Numbers: the digit count comes first (CLZ, a table, one compare), so
 *   each number is written from the right straight into its place, two
 *   digits at a time from a "00".."99" table.  x / 100 is a multiply-high
 *   exact for every 32-bit x, u64 / 10^8 gcc's multiply-high exact for
 *   every 64-bit x; the value is split into its integer part and its
 *   fraction of PRECISION digits in 32 bits as in fmt_fixed.S.
 * - '}' and the next object's comma go out as one halfword; the comma after
 *   the last object lies past the text returned.
 *
 * Registers: x0 dst (ENDS are offsets from it), x1 the item, x2 the end of
 * the items, x3 limit, x4 the next ENDS slot, x5 objects written, x6 the
 * write pointer, x7 the pair table, x8 the escape table, x16 10^k (u64),
 * x17 ceil(2^63 / 10^k), w19 the /100 magic, w20 100, x21 the /10^8 magic,
 * x22 10^8, x23 the digit-count table, w24 the fraction, w25 precision,
 * w26 the /10^4 magic, w27 10^4, w28 '-'; x9-x15 scratch.  v16-v21 the
 * keys, v24-v26 0x20, '"' and '\' in every byte; v0-v3 scratch.  x19-x28
 * are the caller's: saved on the stack (no call is made, so no frame
 * record and no return address to sign).
 */
#include "asm.h"

/*
 * put_string SRC, LEN: the LEN bytes at SRC, escaped, at x6, which moves
 * past them.  Clobbers SRC, LEN, x13, x14, v0-v3.
 */
.macro put_string src, len
1:	cbz	\len, 9f
	cmp	\len, #16
	b.hs	2f			// all 16 bytes of the load are the string's
	and	x13, \src, #0xfff
	cmp	x13, #0xff0
	b.hi	5f			// the load would cross into a page the string ends before
2:	ldr	q0, [\src]
	cmhi	v1.16b, v24.16b, v0.16b	// control characters
	cmeq	v2.16b, v0.16b, v25.16b	// '"'
	cmeq	v3.16b, v0.16b, v26.16b	// '\'
	orr	v1.16b, v1.16b, v2.16b
	orr	v1.16b, v1.16b, v3.16b
	shrn	v1.8b, v1.8h, #4	// four bits per byte
	fmov	x13, d1
	str	q0, [x6]		// the plain bytes and maybe more: overwritten next
	rbit	x13, x13
	clz	x13, x13
	lsr	x13, x13, #2		// the first byte to escape, 16 if none
	cmp	x13, \len
	csel	x14, x13, \len, lo	// the string's plain bytes in this block
	add	\src, \src, x14
	add	x6, x6, x14
	subs	\len, \len, x14
	b.eq	9f
	cmp	x13, #16
	b.eq	1b			// 16 plain bytes, more to come
	ldrb	w13, [\src], #1		// SRC[0] needs an escape
	ldr	x14, [x8, x13, lsl #3]
4:	str	x14, [x6]
	add	x6, x6, x14, lsr #56	// the escape's length
	sub	\len, \len, #1
	b	1b
5:	ldrb	w13, [\src], #1		// byte by byte up to the page's end
	cmp	w13, #0x5c
	b.hi	6f			// past the table: plain
	ldr	x14, [x8, x13, lsl #3]
	cbnz	x14, 4b			// an escape
6:	strb	w13, [x6], #1
	sub	\len, \len, #1
	b	1b
9:
.endm

/*
 * put_digits X, K, E: the K (0..10) lowest decimal digits of X (32-bit,
 * leading zeros included) ending at E, which moves left to their start.
 * Clobbers X, K, x13, x14.
 */
.macro put_digits x, k, e
	subs	\k, \k, #2
	b.lo	2f
1:	umull	x13, \x, w19
	lsr	x13, x13, #37		// X / 100
	msub	w14, w13, w20, \x
	ldrh	w14, [x7, w14, uxtw #1]
	strh	w14, [\e, #-2]!
	mov	\x, w13
	subs	\k, \k, #2
	b.hs	1b
2:	tbz	\k, #0, 3f		// K - 2j is -2 (even K: done) or -1: one digit left
	add	w14, \x, #'0'
	strb	w14, [\e, #-1]!
3:
.endm

/*
 * put8 X, E: X (< 10^8) as exactly 8 digits ending at E, which moves left
 * to their start: X / 10^4 and X % 10^4, then each of those / 100 and
 * % 100 beside each other, four pairs without a loop.  Clobbers X, x13-x15.
 */
.macro put8 x, e
	umull	x13, \x, w26
	lsr	x13, x13, #45		// X / 10^4
	msub	w14, w13, w27, \x	// X % 10^4
	umull	x15, w13, w19
	lsr	x15, x15, #37
	msub	w13, w15, w20, w13
	ldrh	w15, [x7, w15, uxtw #1]
	ldrh	w13, [x7, w13, uxtw #1]
	strh	w15, [\e, #-8]
	strh	w13, [\e, #-6]
	umull	x15, w14, w19
	lsr	x15, x15, #37
	msub	w14, w15, w20, w14
	ldrh	w15, [x7, w15, uxtw #1]
	ldrh	w14, [x7, w14, uxtw #1]
	strh	w15, [\e, #-4]
	strh	w14, [\e, #-2]
	sub	\e, \e, #8
.endm

/*
 * ndigits X: x15 = the decimal digits of X (64-bit), at least 1.  X has t
 * or t + 1 digits, t = floor(bits * log10(2)) from a table by CLZ; one
 * compare with 10^t decides.  Clobbers x13, x14.
 */
.macro ndigits x
	orr	x13, \x, #1
	clz	x15, x13
	ldrb	w15, [x23, x15]
	ldr	x14, [x16, x15, lsl #3]
	cmp	x13, x14
	cinc	x15, x15, hs
.endm

/*
 * put_u64: x11 (unsigned) in decimal at x6, which moves past it: eight
 * digits at a time from the right while x11 >= 10^8, then the rest.
 * Clobbers x9-x15.
 */
.macro put_u64
	ndigits	x11
	add	x6, x6, x15
	mov	x9, x6			// digits go from the right
	mov	w12, w15
	cmp	x11, x22
	b.lo	7f
	umulh	x10, x11, x21
	lsr	x10, x10, #26		// q = x11 / 10^8
	msub	x11, x10, x22, x11	// x11 % 10^8
	put8	w11, x9
	mov	x11, x10
	sub	w12, w12, #8
	cmp	x11, x22
	b.lo	7f
	umulh	x10, x11, x21		// 10^16 or more: once again
	lsr	x10, x10, #26
	msub	x11, x10, x22, x11
	put8	w11, x9
	mov	x11, x10
	sub	w12, w12, #8
7:	put_digits w11, w12, x9
.endm

func sgw_pack_batch
	cbz	x2, .Lnone
	stp	x19, x20, [sp, #-80]!
	stp	x21, x22, [sp, #16]
	stp	x23, x24, [sp, #32]
	stp	x25, x26, [sp, #48]
	stp	x27, x28, [sp, #64]
	mov	x9, #56			// sizeof(struct sgw_pack_item)
	madd	x2, x2, x9, x1
	mov	x5, #0
	mov	x6, x0
	adrp	x9, .Lkeys
	add	x9, x9, :lo12:.Lkeys
	ld1	{v16.16b-v19.16b}, [x9], #64
	ld1	{v20.16b-v21.16b}, [x9]
	movi	v24.16b, #0x20
	movi	v25.16b, #0x22		// '"'
	movi	v26.16b, #0x5c		// '\'
	adrp	x7, .Lpairs
	add	x7, x7, :lo12:.Lpairs
	adrp	x8, .Lescape
	add	x8, x8, :lo12:.Lescape
	adrp	x16, .Lpow10
	add	x16, x16, :lo12:.Lpow10
	adrp	x17, .Lrecip
	add	x17, x17, :lo12:.Lrecip
	adrp	x23, .Ltdigits
	add	x23, x23, :lo12:.Ltdigits
	mov	w19, #0x851f
	movk	w19, #0x51eb, lsl #16	// x / 100 = x * 0x51eb851f >> 37
	mov	w20, #100
	mov	x21, #0xcefd
	movk	x21, #0x8461, lsl #16
	movk	x21, #0x7711, lsl #32
	movk	x21, #0xabcc, lsl #48	// x / 10^8 = umulh(x, 0xabcc77118461cefd) >> 26
	mov	x22, #0xe100
	movk	x22, #0x5f5, lsl #16	// 10^8
	mov	w26, #0x1759
	movk	w26, #0xd1b7, lsl #16	// x / 10^4 = x * 0xd1b71759 >> 45, x < 2^32
	mov	w27, #10000
	mov	w28, #'-'

.Lobject:
	ldr	x9, [x1]		// topic
	cbz	x9, .Lno_topic
	ldr	x11, [x1, #16]
	str	q16, [x6]
	add	x6, x6, #10		// {"topic":"
	put_string x9, x11
	str	q17, [x6]
	add	x6, x6, #10		// ","value":
	b	.Lvalue
.Lno_topic:
	str	q21, [x6]
	add	x6, x6, #9		// {"value":

.Lvalue:
	ldr	w11, [x1, #48]
	ldrb	w9, [x1, #52]		// scale
	ldrb	w25, [x1, #53]		// precision
	mov	w13, #9
	cmp	w9, #9
	csel	w9, w9, w13, ls
	cmp	w25, #9
	csel	w25, w25, w13, ls
	cmp	w11, #0
	cneg	w11, w11, lt		// |v| as unsigned (INT32_MIN -> 2^31)
	cset	w12, lt
	cmp	w25, w9
	b.lo	.Lround
	ldr	x14, [x17, w9, uxtw #3]	// precision >= scale: zeros appended
	lsl	x13, x11, #1
	umulh	x13, x13, x14		// I = |v| / 10^scale
	ldr	x14, [x16, w9, uxtw #3]
	msub	w24, w13, w14, w11
	sub	w15, w25, w9
	ldr	x15, [x16, w15, uxtw #3]
	mul	w24, w24, w15		// F = (|v| % 10^scale) * 10^(precision - scale)
	mov	w11, w13
	b	.Lsplit
.Lround:
	sub	w15, w9, w25		// precision < scale: rounded
	ldr	x14, [x16, w15, uxtw #3]
	add	w11, w11, w14, lsr #1	// |v| + d/2 < 2^32, d = 10^(scale - precision)
	ldr	x14, [x17, w15, uxtw #3]
	lsl	x11, x11, #1
	umulh	x11, x11, x14		// m = (|v| + d/2) / d
	ldr	x14, [x17, w25, uxtw #3]
	lsl	x13, x11, #1
	umulh	x13, x13, x14		// I = m / 10^precision
	ldr	x14, [x16, w25, uxtw #3]
	msub	w24, w13, w14, w11	// F = m % 10^precision
	mov	w11, w13
.Lsplit:
	orr	w13, w11, w24
	cmp	w13, #0
	csel	w12, wzr, w12, eq	// rounds to zero: no "-0"
	strb	w28, [x6]		// '-': a digit overwrites it when not negative
	add	x6, x6, x12
	ndigits	x11
	add	x6, x6, x15
	mov	x9, x6
	mov	w12, w15
	put_digits w11, w12, x9
	cbz	w25, .Lunit
	mov	w13, #'.'
	strb	w13, [x6], #1
	add	x6, x6, x25
	mov	x9, x6
	put_digits w24, w25, x9

.Lunit:
	str	q18, [x6]
	add	x6, x6, #9		// ,"unit":"
	ldr	x10, [x1, #8]
	ldr	x12, [x1, #24]
	put_string x10, x12
	str	q19, [x6]
	add	x6, x6, #7		// ","ts":
	ldr	x11, [x1, #32]
	strb	w28, [x6]		// '-', overwritten when not negative
	cmp	x11, #0
	cneg	x11, x11, lt		// INT64_MIN -> 2^63
	cinc	x6, x6, lt
	put_u64
	str	q20, [x6]
	add	x6, x6, #7		// ,"seq":
	ldr	x11, [x1, #40]
	put_u64
	mov	w13, #'}' | (',' << 8)
	strh	w13, [x6]
	add	x6, x6, #1
	sub	x13, x6, x0
	str	x13, [x4], #8		// ENDS[i]: just past the '}'
	add	x6, x6, #1		// and past the comma
	add	x5, x5, #1
	add	x1, x1, #56
	cmp	x13, x3
	b.hi	.Ldone			// this object ended past LIMIT
	cmp	x1, x2
	b.lo	.Lobject

.Ldone:
	mov	x0, x5
	ldp	x27, x28, [sp, #64]
	ldp	x25, x26, [sp, #48]
	ldp	x23, x24, [sp, #32]
	ldp	x21, x22, [sp, #16]
	ldp	x19, x20, [sp], #80
	ret
.Lnone:
	mov	x0, #0
	ret
endfunc sgw_pack_batch

	.section .rodata
	.balign 16
.Lkeys:					// one per 16 bytes, for LD1
	.ascii "{\"topic\":\""		// v16
	.balign 16
	.ascii "\",\"value\":"		// v17
	.balign 16
	.ascii ",\"unit\":\""		// v18
	.balign 16
	.ascii "\",\"ts\":"		// v19
	.balign 16
	.ascii ",\"seq\":"		// v20
	.balign 16
	.ascii "{\"value\":"		// v21
	.balign 16

/* The escape of bytes 0x00..0x5c: its text, zeros, its length (0: none). */
.macro esc2 c			// \C
	.byte 0x5c, \c, 0, 0, 0, 0, 0, 2
.endm
.macro escu h, l		// \u00HL
	.byte 0x5c, 'u', '0', '0', \h, \l, 0, 6
.endm
	.balign 8
.Lescape:
	escu '0','0'; escu '0','1'; escu '0','2'; escu '0','3'
	escu '0','4'; escu '0','5'; escu '0','6'; escu '0','7'
	esc2 'b'; esc2 't'; esc2 'n'; escu '0','b'
	esc2 'f'; esc2 'r'; escu '0','e'; escu '0','f'
	escu '1','0'; escu '1','1'; escu '1','2'; escu '1','3'
	escu '1','4'; escu '1','5'; escu '1','6'; escu '1','7'
	escu '1','8'; escu '1','9'; escu '1','a'; escu '1','b'
	escu '1','c'; escu '1','d'; escu '1','e'; escu '1','f'
	.fill 2, 8, 0			// ' ' '!'
	esc2 0x22			// '"'
	.fill 0x5c - 0x23, 8, 0		// '#'..'['
	esc2 0x5c			// '\'

	.balign 8
.Lpow10:
	.quad 1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000
	.quad 1000000000, 10000000000, 100000000000, 1000000000000
	.quad 10000000000000, 100000000000000, 1000000000000000
	.quad 10000000000000000, 100000000000000000, 1000000000000000000
	.quad 10000000000000000000
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
/* By CLZ of x | 1: floor((64 - clz) * 1233 / 4096) ~ bits * log10(2). */
.Ltdigits:
	.byte 19, 18, 18, 18, 18, 17, 17, 17, 16, 16, 16, 15, 15, 15, 15, 14
	.byte 14, 14, 13, 13, 13, 12, 12, 12, 12, 11, 11, 11, 10, 10, 10, 9
	.byte 9, 9, 9, 8, 8, 8, 7, 7, 7, 6, 6, 6, 6, 5, 5, 5
	.byte 4, 4, 4, 3, 3, 3, 3, 2, 2, 2, 1, 1, 1, 0, 0, 0
.Lpairs:
	.ascii "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"
