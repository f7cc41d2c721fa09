/* SPDX-License-Identifier: MIT */
/*
 * Little-endian load/store for on-disk formats: files written on the Pi and
 * read on an x86_64 test machine must agree, whatever the host's byte order.
 */
#ifndef SGW_QUEUE_LE_H
#define SGW_QUEUE_LE_H

#include <stdint.h>

static inline void sgw_put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline uint32_t sgw_get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline void sgw_put_le64(uint8_t *p, uint64_t v)
{
	sgw_put_le32(p, (uint32_t)v);
	sgw_put_le32(p + 4, (uint32_t)(v >> 32));
}

static inline uint64_t sgw_get_le64(const uint8_t *p)
{
	return (uint64_t)sgw_get_le32(p) | (uint64_t)sgw_get_le32(p + 4) << 32;
}

#endif
