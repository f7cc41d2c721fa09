/* SPDX-License-Identifier: MIT */
/*
 * One queue record on disk (internal to the queue):
 *
 *   offset 0  u32 CRC-32C of bytes 4 .. 12+len (header rest and body)
 *   offset 4  u32 len | 0xA7 << 24   (body length, 24 bits; magic byte)
 *   offset 8  u32 low 32 bits of the sequence number
 *   offset 12 body, len bytes
 *
 * All little endian.  Twelve bytes keep a 60-byte reading at 1.2 times its
 * size.  The full sequence number is rebuilt from the segment's name (its
 * first sequence number) and the records before it: a segment never spans
 * 2^32 sequence numbers.  Zero-filled space (a torn append on many file
 * systems) fails the magic test.
 */
#ifndef SGW_QUEUE_RECORD_H
#define SGW_QUEUE_RECORD_H

#include <stddef.h>
#include <stdint.h>

#define SGW_QREC_HEADER 12u
#define SGW_QREC_MAGIC 0xA7u
#define SGW_QREC_LEN_MAX 0xFFFFFFu

/* Write the header for BODY (LEN <= SGW_QREC_LEN_MAX) into HDR. */
void sgw_qrec_header(uint8_t hdr[SGW_QREC_HEADER], uint64_t seq, const void *body,
		     size_t len);

/*
 * Body length from a header, or -1 when the magic byte is wrong.  Cheap:
 * tells the reader how much to fetch before sgw_qrec_check().
 */
long sgw_qrec_peek_len(const uint8_t hdr[SGW_QREC_HEADER]);

/*
 * Is there a valid record at P (AVAIL bytes readable)?  Its sequence number
 * must be >= MIN_SEQ (the one after the previous record) and < LIMIT_SEQ.
 * Returns the record's total size and sets *SEQ, or 0.
 */
size_t sgw_qrec_check(const uint8_t *p, size_t avail, uint64_t min_seq, uint64_t limit_seq,
		      uint64_t *seq);

#endif
