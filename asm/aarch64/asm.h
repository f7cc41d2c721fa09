/* SPDX-License-Identifier: MIT */
/*
 * Shared by the AArch64 kernels (AAPCS64: arguments in x0-x7, result in
 * x0, x0-x17 and v0-v7/v16-v31 free to clobber, the kernels are leaves that
 * never spill the link register, so they need no stack frame and no PAC).
 *
 * func/endfunc give every kernel its .type and .size and a "bti c" landing
 * pad (HINT #34: a NOP before ARMv8.5, so no -march flag is needed); the
 * note below marks the object BTI- and PAC-compatible, so a binary built
 * with -mbranch-protection=standard keeps its protection when it links
 * these objects.  Tables live in .rodata and are reached with adrp/add: no
 * text relocations.
 */
#ifndef SGW_AARCH64_ASM_H
#define SGW_AARCH64_ASM_H

.macro func name
	.text
	.balign 16
	.globl \name
	.type \name, %function
\name:
	hint #34		// bti c
.endm

.macro endfunc name
	.size \name, . - \name
.endm

/* GNU_PROPERTY_AARCH64_FEATURE_1_AND: BTI (1) | PAC (2). */
	.pushsection .note.gnu.property, "a"
	.balign 8
	.long 4			// name size
	.long 16		// descriptor size
	.long 5			// NT_GNU_PROPERTY_TYPE_0
	.asciz "GNU"
	.long 0xc0000000	// GNU_PROPERTY_AARCH64_FEATURE_1_AND
	.long 4
	.long 3
	.long 0
	.popsection

/* No executable stack. */
	.section .note.GNU-stack, "", %progbits

#endif
