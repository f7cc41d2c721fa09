/* SPDX-License-Identifier: MIT */
/*
 * Delivery tags: the number an uplink hands back with a message's
 * acknowledgement (or its loss), by which the outbox knows which message
 * it was.  A message's tag is not its sequence number: the sequence number
 * is the gateway's, the one its payload shows, and stays the same when the
 * message is read back from disk; the tag says where the message is kept.
 *
 * The two top bits are the kind, the rest a number unique within the kind:
 *   SGW_TAG_MEMORY     kept in memory: the message's sequence number
 *   SGW_TAG_SPOOL      kept in the disk queue: its record number there,
 *                      which the spool acknowledges on delivery
 *   SGW_TAG_UNTRACKED  nothing waits for it (the statistics)
 *   SGW_TAG_ANNOUNCE   a Home Assistant discovery message: its round and
 *                      place in it (deliver/announce.h)
 * This is the only place that defines tag values.
 */
#ifndef SGW_TAG_H
#define SGW_TAG_H

#include <stdint.h>

#define SGW_TAG_KIND_MASK (3ull << 62)
#define SGW_TAG_MEMORY (0ull << 62)
#define SGW_TAG_SPOOL (1ull << 62)
#define SGW_TAG_UNTRACKED (2ull << 62)
#define SGW_TAG_ANNOUNCE (3ull << 62)

static inline uint64_t sgw_tag_kind(uint64_t tag)
{
	return tag & SGW_TAG_KIND_MASK;
}

static inline uint64_t sgw_tag_number(uint64_t tag)
{
	return tag & ~SGW_TAG_KIND_MASK;
}

static inline uint64_t sgw_tag_make(uint64_t kind, uint64_t number)
{
	return kind | (number & ~SGW_TAG_KIND_MASK);
}

#endif
