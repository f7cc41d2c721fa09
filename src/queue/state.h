/* SPDX-License-Identifier: MIT */
/*
 * ack.state: the cursors' acknowledged positions and the sequence
 * high-water mark (internal to the queue).
 *
 * Two slots, 4 KiB apart (so that a torn write of one flash page cannot
 * reach the other), written alternately: a save goes to the slot that does
 * not hold the newest state, then fdatasync.  Each slot carries a generation
 * number and a CRC-32C; load takes the valid slot (magic, version and CRC
 * right, sequence numbers at most SGW_QUEUE_SEQ_LIMIT) with the higher
 * generation.  A torn save therefore falls back to the state before it,
 * which is safe: the queue deletes segments only after a save succeeded, so
 * the older state never points at deleted data it needs, and records
 * acknowledged since are merely delivered again.
 *
 * Slot layout (little endian): u32 magic "SGWA", u32 version 1, u64
 * generation, u64 next_seq, u32 cursor count, u32 flags, u32 seq_reserve,
 * u32 zero, then from offset 40 per cursor char name[64] (NUL-padded),
 * u64 ack_seq, u64 hint segment, u64 hint offset; the slot's last 4 bytes
 * (offset 1020) are the CRC-32C of bytes 0..1019.
 */
#ifndef SGW_QUEUE_STATE_H
#define SGW_QUEUE_STATE_H

#include <stdint.h>

#include "queue.h"

#define SGW_QSTATE_FILE "ack.state"
#define SGW_QSTATE_SLOT_SIZE 1024u
#define SGW_QSTATE_SLOT_STRIDE 4096u
/* Allocated when created, so that saving never needs new blocks. */
/* flags: saved by sgw_queue_close() after everything was synced. */
#define SGW_QSTATE_CLEAN 0x1u

#define SGW_QSTATE_FILE_SIZE (SGW_QSTATE_SLOT_STRIDE + SGW_QSTATE_SLOT_SIZE)

struct sgw_qstate_cursor {
	char name[SGW_QUEUE_NAME_MAX + 1];
	uint64_t ack_seq;	/* first record not acknowledged */
	/* Where reading resumes: segment (its first seq) and byte offset. */
	uint64_t hint_seg;
	uint64_t hint_off;
};

struct sgw_qstate {
	uint64_t gen;		/* 0: never saved */
	uint64_t next_seq;	/* high-water mark: next seq to assign */
	uint32_t flags;		/* SGW_QSTATE_CLEAN */
	/*
	 * Records that may be appended and lost unsynced (sync_records): after
	 * an unclean stop, numbering resumes this far past the last record
	 * found, so that a record read before its sync and lost in a power
	 * cut never shares its sequence number with a later one.
	 */
	uint32_t seq_reserve;
	uint32_t ncursors;
	struct sgw_qstate_cursor cursors[SGW_QUEUE_MAX_CURSORS];
};

enum sgw_qstate_result {
	SGW_QSTATE_LOADED,	/* a valid slot was found */
	SGW_QSTATE_EMPTY,	/* new file (zeros): nothing saved yet */
	SGW_QSTATE_LOST,	/* the file has data but no valid slot */
};

/* 1..63 of [A-Za-z0-9._-]. */
int sgw_qstate_name_valid(const char *name);

/*
 * Read the state from FD into ST.  Returns an sgw_qstate_result, or -errno
 * when the file cannot be read.
 */
int sgw_qstate_load(const struct sgw_queue_ops *ops, int fd, struct sgw_qstate *st);

/*
 * Save ST with generation st->gen + 1 to the other slot and fdatasync;
 * st->gen is updated on success.  Returns 0 or -errno.
 */
int sgw_qstate_save(const struct sgw_queue_ops *ops, int fd, struct sgw_qstate *st);

#endif
