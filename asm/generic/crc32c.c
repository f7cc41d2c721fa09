/* SPDX-License-Identifier: MIT */
/* CRC-32C, table driven (slice-by-1); the reference for the ARMv8 CRC32C code. */
#include "ref.h"

static uint32_t crc32c_table[256];

static void crc32c_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
		crc32c_table[i] = c;
	}
}

uint32_t sgw_ref_crc32c(uint32_t crc, const void *buf, size_t len)
{
	static int ready;
	const uint8_t *p = buf;

	/* Idempotent: racing threads write the same values. */
	if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE)) {
		crc32c_init();
		__atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
	}
	crc = ~crc;
	while (len--)
		crc = crc32c_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}
SGW_KERNEL_PUBLIC(crc32c)
