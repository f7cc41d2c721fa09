/* SPDX-License-Identifier: MIT */
/* Record header encoding and validation; the layout is in record.h. */
#include "record.h"

#include "asm/sgw_kernels.h"
#include "queue.h"
#include "util/le.h"

_Static_assert(SGW_QREC_HEADER == SGW_QUEUE_HEADER_SIZE, "one header size");

void sgw_qrec_header(uint8_t hdr[SGW_QREC_HEADER], uint64_t seq, const void *body,
		     size_t len)
{
	uint32_t crc;

	sgw_put_le32(hdr + 4, (uint32_t)len | SGW_QREC_MAGIC << 24);
	sgw_put_le32(hdr + 8, (uint32_t)seq);
	crc = sgw_crc32c(0, hdr + 4, SGW_QREC_HEADER - 4);
	crc = sgw_crc32c(crc, body, len);
	sgw_put_le32(hdr, crc);
}

long sgw_qrec_peek_len(const uint8_t hdr[SGW_QREC_HEADER])
{
	uint32_t w = sgw_get_le32(hdr + 4);

	if (w >> 24 != SGW_QREC_MAGIC)
		return -1;
	return (long)(w & SGW_QREC_LEN_MAX);
}

size_t sgw_qrec_check(const uint8_t *p, size_t avail, uint64_t min_seq, uint64_t limit_seq,
		      uint64_t *seq)
{
	long len;
	uint32_t lo;
	uint64_t s;

	if (avail < SGW_QREC_HEADER)
		return 0;
	len = sgw_qrec_peek_len(p);
	if (len < 0 || (size_t)len > avail - SGW_QREC_HEADER)
		return 0;
	if (sgw_crc32c(0, p + 4, SGW_QREC_HEADER - 4 + (size_t)len) != sgw_get_le32(p))
		return 0;
	/* The smallest sequence number >= min_seq with these low 32 bits. */
	lo = sgw_get_le32(p + 8);
	s = (min_seq & ~(uint64_t)0xFFFFFFFF) | lo;
	if (s < min_seq)
		s += (uint64_t)1 << 32;
	if (s < min_seq || s >= limit_seq)
		return 0;
	*seq = s;
	return SGW_QREC_HEADER + (size_t)len;
}
