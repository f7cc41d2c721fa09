/* SPDX-License-Identifier: MIT */
/*
 * Hot-path kernels: one API, two implementations (the assembly in
 * asm/aarch64 and the C reference in asm/generic), chosen at configure
 * time.  The two are bit-exact on every input.
 */
#ifndef SGW_KERNELS_H
#define SGW_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/*
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as used by iSCSI
 * and ext4.  Pass crc = 0 to start; feed the result back to continue:
 * sgw_crc32c(0, "123456789", 9) == 0xE3069283.
 */
uint32_t sgw_crc32c(uint32_t crc, const void *buf, size_t len);

/*
 * Fixed point to decimal ASCII without printf or floats.  V carries SCALE
 * (0..9) fraction digits; the text has PRECISION (0..9) fraction digits.
 * When PRECISION < SCALE the value is rounded half away from zero
 * (2345, scale 3, precision 2 -> "2.35"; -2345 -> "-2.35"); when larger,
 * zeros are appended.  No NUL is written; returns the length, at most
 * SGW_FMT_FIXED_MAX.  "-0" is never produced: a value that rounds to zero
 * prints without sign.
 */
#define SGW_FMT_FIXED_MAX 24
size_t sgw_fmt_fixed(char *dst, int32_t v, unsigned scale, unsigned precision);

#endif
