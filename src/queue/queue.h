/* SPDX-License-Identifier: MIT */
/*
 * Store-and-forward disk queue: crash-safe, bounded, kind to SD cards.
 *
 * On disk (one directory, owned by one process: flock()ed while open):
 *   00000000000000000042.seg  append-only segment files named by the
 *                             sequence number of their first record
 *                             (20 digits, so names sort numerically);
 *   ack.state                 the cursors' acknowledged positions and the
 *                             sequence high-water mark, in two alternating
 *                             checksummed slots (see state.h).
 * A record is a 12-byte header (CRC-32C, magic + length, low 32 bits of the
 * sequence number) followed by the body (see record.h).  Records are
 * never rewritten; a segment is deleted whole once every cursor passed it.
 *
 * Sequence numbers start at 1, grow by one per appended record and are never
 * reused, across restarts too (also when every segment was deleted).  They
 * stay far below 2^64: a segment name or an ack.state holding a number of
 * SGW_QUEUE_SEQ_LIMIT or more is damage (no queue gets there in 100,000
 * years), not a segment or a state, so numbering never wraps.  After
 * a clean close numbering continues at the next number; after a crash it
 * skips sync_records numbers (the most that can have been lost unsynced),
 * so that a record delivered from the page cache and then lost never shares
 * its number with a later one.
 *
 * Durability: with SGW_QUEUE_SYNC_INTERVAL (default) appends are made
 * durable in groups, at most every sync_interval_ms or every sync_records
 * records; the main loop drives the timer with sgw_queue_next_sync_deadline()
 * and sgw_queue_sync_if_due().  With SGW_QUEUE_SYNC_ALWAYS, append returns
 * only after the record is durable.  Acknowledgements are always written in
 * groups (a crash may deliver a record again; consumers drop duplicates by
 * sequence number).  Data is made durable before the acknowledgements that
 * refer to it.
 *
 * Recovery at open reads only the tail segment (the one being appended to)
 * and truncates it after its last valid record; other segments are trusted
 * by name and size and checked record by record when read: a corrupt record
 * is skipped and counted, never delivered.
 *
 * Cursors: one named cursor per consumer (e.g. per uplink), each with its own
 * read position and acknowledged position.  Acks may arrive out of order; the
 * acknowledged position advances over the contiguous acknowledged prefix.
 *
 * Use from the daemon's main loop (one cursor per uplink):
 *   q = sgw_queue_open(dir, &opt);
 *   c = sgw_queue_cursor_get(q, uplink_name, 0);  for each uplink, then
 *       sgw_queue_cursor_remove() the names no uplink has any more;
 *   reading while offline:   sgw_qmsg_encode(), sgw_queue_append();
 *   online, window not full: sgw_queue_read(c, &rec), publish with
 *                            tag = rec.seq (decode with sgw_qmsg_decode());
 *   on_ack(tag):             sgw_queue_ack(c, tag);
 *   on_fail / reconnect:     sgw_queue_rewind(c);
 *   poll() timeout:          also sgw_queue_next_sync_deadline(q), then
 *                            sgw_queue_sync_if_due(q, now);
 *   SIGTERM:                 append what is in memory, sgw_queue_close(q).
 *
 * Threading: none.  A queue and its cursors belong to one thread.
 * Errors: -errno (or NULL and errno).  Nothing here prints or exits.
 */
#ifndef SGW_QUEUE_H
#define SGW_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct sgw_queue;
struct sgw_queue_cursor;

enum sgw_queue_sync {
	SGW_QUEUE_SYNC_INTERVAL,	/* group commit (default) */
	SGW_QUEUE_SYNC_ALWAYS,		/* append returns when durable */
};

enum sgw_queue_full {
	SGW_QUEUE_DROP_OLDEST,		/* delete the oldest segment (default) */
	SGW_QUEUE_REFUSE,		/* append returns -ENOSPC */
};

/*
 * System calls the queue uses for writing, syncing and the clock: a seam for
 * fault injection and power-cut simulation in tests.  Each behaves like its
 * libc namesake (-1 and errno on failure); now_ns returns CLOCK_MONOTONIC
 * nanoseconds.  Every member must be set.  renameat is not used by the
 * queue itself: it is there so that files kept beside the segments (the
 * spool's form table) are replaced through the same seam.
 */
struct sgw_queue_ops {
	int (*openat)(int dirfd, const char *name, int flags, mode_t mode);
	ssize_t (*pwrite)(int fd, const void *buf, size_t len, off_t off);
	ssize_t (*pread)(int fd, void *buf, size_t len, off_t off);
	int (*fdatasync)(int fd);
	int (*fsync)(int fd);		/* used on the directory */
	int (*ftruncate)(int fd, off_t len);
	int (*unlinkat)(int dirfd, const char *name, int flags);
	int (*renameat)(int olddirfd, const char *oldname, int newdirfd, const char *newname);
	int64_t (*now_ns)(void);
};

/* The real system calls. */
extern const struct sgw_queue_ops sgw_queue_sys_ops;

#define SGW_QUEUE_HEADER_SIZE 12	/* bytes of header per record */
#define SGW_QUEUE_SEQ_LIMIT (UINT64_C(1) << 62)	/* see the top of this file */
#define SGW_QUEUE_NAME_MAX 63		/* cursor name length */
#define SGW_QUEUE_MAX_CURSORS 8
#define SGW_QUEUE_TS_NONE INT64_MIN	/* no sample time known */

struct sgw_queue_options {
	/* Bytes per segment file; 4 KiB .. 64 MiB.  Default 4 MiB. */
	size_t segment_size;
	/* Bytes on disk at most (segments); >= 2 * segment_size.  Default 64 MiB. */
	uint64_t max_size;
	enum sgw_queue_full full;	/* default SGW_QUEUE_DROP_OLDEST */
	enum sgw_queue_sync sync;	/* default SGW_QUEUE_SYNC_INTERVAL */
	int64_t sync_interval_ms;	/* default 1000; > 0 */
	uint32_t sync_records;		/* sync after this many; default 512; > 0 */
	/*
	 * Optional: the sample time (ms since the epoch) of a record body, or
	 * SGW_QUEUE_TS_NONE; used only for the statistics.  The daemon passes
	 * sgw_qmsg_peek_ts().
	 */
	int64_t (*record_ts)(const void *body, size_t len);
	const struct sgw_queue_ops *ops;	/* NULL: sgw_queue_sys_ops */
};

/* Fill O with the defaults. */
void sgw_queue_options_init(struct sgw_queue_options *o);

/*
 * Open (creating it if missing, parent must exist) the queue in DIR and
 * recover it; O NULL means defaults.  Takes an exclusive flock() on DIR:
 * EWOULDBLOCK when another process has it open.  Returns NULL and sets errno
 * (EINVAL for bad options).
 */
struct sgw_queue *sgw_queue_open(const char *dir, const struct sgw_queue_options *o);

/*
 * Make everything durable (data, then acknowledgements, marked as a clean
 * stop), release all cursors and free Q.  Returns 0 or the -errno of a
 * failed sync; Q is freed anyway.
 */
int sgw_queue_close(struct sgw_queue *q);

/*
 * Append one record of LEN bytes (at most segment_size - 12) and store its
 * sequence number in *SEQ (may be NULL; set only when the record was
 * appended).  Returns 0; -EMSGSIZE when too
 * long; -ENOSPC when the queue is full under SGW_QUEUE_REFUSE, or the file
 * system is full and nothing can be dropped; -EOVERFLOW when the numbering
 * reached SGW_QUEUE_SEQ_LIMIT (damage only gets there); -EIO (or another -errno) when
 * writing failed.  A failed append leaves no trace in the queue and is
 * counted in stats.refused.  With SGW_QUEUE_SYNC_ALWAYS a failed sync
 * returns its -errno although the record was appended (*SEQ is set).
 */
int sgw_queue_append(struct sgw_queue *q, const void *data, size_t len, uint64_t *seq);

/*
 * Group commit, driven by the main loop: CLOCK_MONOTONIC ns at which
 * sgw_queue_sync_if_due() wants to run, INT64_MAX when nothing waits.
 */
int64_t sgw_queue_next_sync_deadline(const struct sgw_queue *q);
/* Sync when due at NOW_NS.  Returns 0 or -errno of a failed sync. */
int sgw_queue_sync_if_due(struct sgw_queue *q, int64_t now_ns);
/*
 * Make appended data durable, then the acknowledgements, then delete the
 * segments that every cursor passed.  Returns 0 or the first -errno.
 */
int sgw_queue_sync(struct sgw_queue *q);

/* Next sequence number that sgw_queue_append() will assign. */
uint64_t sgw_queue_next_seq(const struct sgw_queue *q);

/* Flags for sgw_queue_cursor_get(). */
#define SGW_QUEUE_CURSOR_FROM_OLDEST 0x1u	/* new cursor: start at the oldest record */

/*
 * The cursor named NAME (1..63 of [A-Za-z0-9._-]), created if missing: a new
 * cursor starts at the next appended record, or with
 * SGW_QUEUE_CURSOR_FROM_OLDEST at the oldest record stored (and always at
 * the oldest when ack.state was lost: better twice than never).  Get the
 * cursors right after sgw_queue_open(), before appending.  A cursor known
 * from ack.state resumes at its acknowledged position; getting an open
 * cursor again returns the same handle, positions unchanged.  Cursors are
 * remembered in ack.state; one that is no longer wanted (an uplink removed
 * from the configuration: see sgw_queue_cursor_name_at()) must be removed,
 * or it keeps segments from being deleted.  The handle lives until
 * sgw_queue_close() or sgw_queue_cursor_remove().  NULL and errno: EINVAL
 * (bad name or flags), ENOBUFS (more than SGW_QUEUE_MAX_CURSORS).
 */
struct sgw_queue_cursor *sgw_queue_cursor_get(struct sgw_queue *q, const char *name,
					      unsigned flags);
/* Forget the cursor NAME (handle becomes invalid).  -ENOENT if unknown. */
int sgw_queue_cursor_remove(struct sgw_queue *q, const char *name);
/* Names of the known cursors (also those only loaded from ack.state). */
size_t sgw_queue_cursor_count(const struct sgw_queue *q);
const char *sgw_queue_cursor_name_at(const struct sgw_queue *q, size_t i);
const char *sgw_queue_cursor_name(const struct sgw_queue_cursor *c);

struct sgw_queue_record {
	uint64_t seq;
	const void *data;	/* valid until the next call on this cursor or queue */
	size_t len;
};

/*
 * Next record for C.  Returns 0 and fills REC; -ENODATA when C has read all;
 * -EIO when the tail segment cannot be read.  Corrupt records are skipped
 * and counted.  The record is in flight until acknowledged.
 */
int sgw_queue_read(struct sgw_queue_cursor *c, struct sgw_queue_record *rec);
/*
 * Acknowledge record SEQ, in any order among those in flight.  Returns 0
 * (also for a SEQ already acknowledged), -ENOENT for a SEQ never read.
 */
int sgw_queue_ack(struct sgw_queue_cursor *c, uint64_t seq);
/*
 * Move the read position back to the acknowledged position: records in
 * flight (also those acknowledged out of order) will be read again.
 */
void sgw_queue_rewind(struct sgw_queue_cursor *c);

struct sgw_queue_cursor_stats {
	uint64_t ack_seq;	/* every record before this is acknowledged */
	uint64_t read_seq;	/* the next record read has at least this seq */
	uint64_t depth;		/* records not acknowledged (seq span) */
	uint64_t inflight;	/* read, not acknowledged */
	int64_t oldest_ts_ms;	/* sample time of the oldest unacked record */
};

/* Counters (dropped .. io_errors) count since sgw_queue_open(). */
struct sgw_queue_stats {
	uint64_t depth;		/* records not acknowledged by the slowest cursor */
	uint64_t bytes;		/* bytes in segment files */
	uint64_t segments;
	int64_t oldest_ts_ms;	/* oldest unacked record of any cursor, or TS_NONE */
	uint64_t next_seq;
	uint64_t dropped;	/* unacked records deleted to make room */
	uint64_t refused;	/* appends refused or failed */
	uint64_t corrupt;	/* corrupt regions skipped while reading */
	uint64_t torn_bytes;	/* bytes cut off the tail at recovery */
	uint64_t fsyncs;	/* fdatasync + fsync calls */
	uint64_t io_errors;	/* failed writes, syncs, reads */
	bool state_lost;	/* ack.state had no valid slot at open */
};

/*
 * Statistics.  Finding a sample time may read one record per cursor (that
 * is why Q is not const); *ST is filled even when that fails.
 */
void sgw_queue_get_stats(struct sgw_queue *q, struct sgw_queue_stats *st);
void sgw_queue_cursor_get_stats(struct sgw_queue_cursor *c, struct sgw_queue_cursor_stats *st);

#endif
