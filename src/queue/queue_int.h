/* SPDX-License-Identifier: MIT */
/*
 * Queue internals, private to the .c files of src/queue: the structures
 * behind the opaque handles of queue.h and the calls between the library's
 * files.  Not an API; nothing outside src/queue includes this.
 *
 * Calls flow one way, down this list: a file calls only files below it.
 *
 *   queue.c    open/close, append with group commit, sync, the cursor
 *              registry and statistics; moves the cursors past the
 *              segments it deletes
 *   cursor.c   reading, the in-flight window, acks (sgw_qcursor_*)
 *   segment.c  the segment files: names, listing, creating, recovering the
 *              tail, removing the oldest, finding a seq, counting corrupt
 *              regions (sgw_qseg_*)
 *   record.c   one record's header (sgw_qrec_*, record.h)
 *   state.c    ack.state (sgw_qstate_*, state.h)
 *   sysops.c   the real system calls, reached through q->ops only
 *
 * A lower file that must flag the queue's state (cursor.c: acks to save)
 * does it with a static inline helper below, not by calling upward.
 */
#ifndef SGW_QUEUE_INT_H
#define SGW_QUEUE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "queue.h"
#include "state.h"

struct sgw_qseg {
	uint64_t base;		/* sequence number in the name */
	uint64_t size;		/* bytes of valid records (the tail: what we wrote) */
};

/* A record read and not yet acknowledged, with where it is on disk. */
struct sgw_qinflight {
	uint64_t seq;
	uint64_t seg;
	uint64_t off;
	int64_t ts_ms;
	bool acked;
};

/* A cursor's position in the segment files, with a read-ahead window. */
struct sgw_qreader {
	bool placed;		/* seg/off are meaningful */
	uint64_t seg;
	uint64_t off;
	uint64_t min_seq;	/* a record here has at least this seq */
	int fd;			/* -1 until a segment is open */
	uint8_t *buf;
	size_t cap;
	uint64_t buf_off;	/* file offset of buf[0] */
	size_t buf_len;
};

struct sgw_queue_cursor {
	struct sgw_queue *q;
	char name[SGW_QUEUE_NAME_MAX + 1];
	uint64_t ack_seq;
	uint64_t read_seq;
	struct sgw_qinflight *inf;	/* inf[head .. head+len) in seq order */
	size_t inf_head, inf_len, inf_cap;
	struct sgw_qreader rd;
};

struct sgw_queue {
	struct sgw_queue_options opt;
	const struct sgw_queue_ops *ops;
	int dirfd;
	int tailfd;			/* the last segment, open for writing */
	int statefd;
	struct sgw_qseg *segs;		/* sorted by base; the last is the tail */
	size_t nsegs, segs_cap;
	uint64_t next_seq;
	bool tail_broken;		/* write or sync failed: start a new segment */

	/* Group commit. */
	uint32_t unsynced;
	bool data_dirty, dir_dirty, acks_dirty;
	int64_t data_dirty_since, acks_dirty_since;

	struct sgw_qstate saved;	/* as last saved: its gen, the durable acks */
	bool state_saved;		/* saved holds a save of this run or a load */

	struct sgw_queue_cursor *cursors[SGW_QUEUE_MAX_CURSORS];
	size_t ncursors;

	uint8_t *wbuf;
	size_t wcap;

	/* Corrupt regions already counted (readers pass them more than once). */
	uint64_t bad_seg, bad_off;

	struct sgw_queue_stats st;	/* counters only */
};

/* A cursor's acknowledged position moved: save it with the next sync. */
static inline void sgw_queue_acks_changed(struct sgw_queue *q)
{
	if (!q->acks_dirty) {
		q->acks_dirty = true;
		q->acks_dirty_since = q->ops->now_ns();
	}
}

/* Bytes in all segment files (checked on every append). */
static inline uint64_t sgw_qseg_bytes(const struct sgw_queue *q)
{
	uint64_t b = 0;

	for (size_t i = 0; i < q->nsegs; i++)
		b += q->segs[i].size;
	return b;
}

/* segment.c: the segment files, q->segs and the tail's descriptor. */

/* Name a segment file: 20 digits and ".seg". */
void sgw_qseg_name(char name[32], uint64_t base);
/* Index of the segment with this base, or -1. */
long sgw_qseg_index(const struct sgw_queue *q, uint64_t base);
/* Index of the last segment whose base <= SEQ, or -1 if SEQ is older than all. */
long sgw_qseg_for_seq(const struct sgw_queue *q, uint64_t seq);
/* Count a corrupt region found at SEG/OFF once, however often it is read. */
void sgw_qseg_note_corrupt(struct sgw_queue *q, uint64_t seg, uint64_t off);
/* Fill q->segs, sorted, from the directory's names and sizes.  0 or -errno. */
int sgw_qseg_list(struct sgw_queue *q);
/*
 * Create the segment BASE, empty, as the new tail (q->tailfd); its name is
 * made durable with the next sync.  0 or -errno.
 */
int sgw_qseg_create(struct sgw_queue *q, uint64_t base);
/*
 * Open the tail segment for appending (q->tailfd), find the end of its last
 * valid record and cut off what follows (a torn append), counted in
 * torn_bytes.  Sets *LAST_SEQ to the last valid seq, or 0.  0 or -errno.
 */
int sgw_qseg_recover_tail(struct sgw_queue *q, uint64_t *last_seq);
/*
 * Delete segs[0] (never the tail: at least two segments).  The caller moves
 * the cursors past it.  0 or -errno (counted in io_errors).
 */
int sgw_qseg_remove_oldest(struct sgw_queue *q);
/*
 * The size bound: delete segs[0] as sgw_qseg_remove_oldest() does, counting
 * its records from ACKED (the slowest cursor's position) on as dropped.
 */
int sgw_qseg_drop_oldest(struct sgw_queue *q, uint64_t acked);

/* cursor.c: one consumer's read position and in-flight window. */

/*
 * A cursor at ACK_SEQ (within the segments); HINT_SEG/HINT_OFF, where
 * reading resumed last time, spare a scan when still valid.  NULL and errno.
 */
struct sgw_queue_cursor *sgw_qcursor_new(struct sgw_queue *q, const char *name,
					 uint64_t ack_seq, uint64_t hint_seg, uint64_t hint_off);
void sgw_qcursor_free(struct sgw_queue_cursor *c);
/* Segments before FIRST were deleted: move C past them. */
void sgw_qcursor_segments_gone(struct sgw_queue_cursor *c, uint64_t first);
/* Where reading the unacknowledged records resumes (for ack.state). */
void sgw_qcursor_resume_point(const struct sgw_queue_cursor *c, uint64_t *seg, uint64_t *off);

#endif
