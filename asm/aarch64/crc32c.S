/* SPDX-License-Identifier: MIT */
/*
 * uint32_t sgw_crc32c_armv8(uint32_t crc, const void *buf, size_t len)
 * CRC-32C with the ARMv8 CRC32C instructions (optional in ARMv8.0: only
 * called when HWCAP_CRC32 is set, see crc32c_select.c).  Eight bytes per
 * CRC32CX, 32 per loop trip; the 0..31 byte tail with the narrower forms.
 * Unaligned buffers are fine: AArch64 Linux allows unaligned loads.
 */
#include "asm.h"

	.arch armv8-a+crc

func sgw_crc32c_armv8
	mvn	w0, w0
	cmp	x2, #32
	b.lo	.Ltail
.Lloop32:
	ldp	x3, x4, [x1], #16
	ldp	x5, x6, [x1], #16
	crc32cx	w0, w0, x3
	crc32cx	w0, w0, x4
	crc32cx	w0, w0, x5
	crc32cx	w0, w0, x6
	sub	x2, x2, #32
	cmp	x2, #32
	b.hs	.Lloop32
.Ltail:
	tbz	x2, #4, 1f
	ldp	x3, x4, [x1], #16
	crc32cx	w0, w0, x3
	crc32cx	w0, w0, x4
1:	tbz	x2, #3, 2f
	ldr	x3, [x1], #8
	crc32cx	w0, w0, x3
2:	tbz	x2, #2, 3f
	ldr	w3, [x1], #4
	crc32cw	w0, w0, w3
3:	tbz	x2, #1, 4f
	ldrh	w3, [x1], #2
	crc32ch	w0, w0, w3
4:	tbz	x2, #0, 5f
	ldrb	w3, [x1]
	crc32cb	w0, w0, w3
5:	mvn	w0, w0
	ret
endfunc sgw_crc32c_armv8
