/* SPDX-License-Identifier: MIT */
/*
 * sgw_crc32c() on AArch64: CRC32 instructions are optional in ARMv8.0, so
 * the choice is made once, when the program is loaded, by an ifunc
 * resolver from the hardware capabilities the kernel reports (glibc hands
 * AT_HWCAP to AArch64 resolvers as their first argument).  Calls then go
 * straight to the chosen code.
 */
#include <sys/auxv.h>

#include "asm/sgw_kernels.h"

sgw_crc32c_fn *sgw_crc32c_select(uint64_t hwcap)
{
	return (hwcap & HWCAP_CRC32) ? sgw_crc32c_armv8 : sgw_ref_crc32c;
}

uint32_t sgw_crc32c(uint32_t crc, const void *buf, size_t len)
	__attribute__((ifunc("sgw_crc32c_select")));
