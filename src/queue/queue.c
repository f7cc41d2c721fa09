/* SPDX-License-Identifier: MIT */
/*
 * The disk queue: opening (recovery) and closing, appending with group
 * commit, the size bound, syncing and deleting what every cursor passed,
 * the cursor registry and the statistics.  The segment files are handled
 * in segment.c, reading and acknowledging in cursor.c.
 */
#include "queue.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "queue_int.h"
#include "record.h"
#include "state.h"

#define MIN_SEGMENT_SIZE 4096u
#define MAX_SEGMENT_SIZE (64u << 20)

void sgw_queue_options_init(struct sgw_queue_options *o)
{
	memset(o, 0, sizeof(*o));
	o->segment_size = 4u << 20;
	o->max_size = 64u << 20;
	o->full = SGW_QUEUE_DROP_OLDEST;
	o->sync = SGW_QUEUE_SYNC_INTERVAL;
	o->sync_interval_ms = 1000;
	o->sync_records = 512;
}

static int options_valid(const struct sgw_queue_options *o)
{
	return o->segment_size >= MIN_SEGMENT_SIZE && o->segment_size <= MAX_SEGMENT_SIZE &&
	       o->max_size >= 2 * (uint64_t)o->segment_size &&
	       (o->full == SGW_QUEUE_DROP_OLDEST || o->full == SGW_QUEUE_REFUSE) &&
	       (o->sync == SGW_QUEUE_SYNC_INTERVAL || o->sync == SGW_QUEUE_SYNC_ALWAYS) &&
	       o->sync_interval_ms > 0 && o->sync_interval_ms <= INT64_MAX / 1000000 &&
	       o->sync_records > 0;
}

static uint64_t min_cursor_ack(const struct sgw_queue *q)
{
	uint64_t m = UINT64_MAX;

	for (size_t i = 0; i < q->ncursors; i++)
		if (q->cursors[i]->ack_seq < m)
			m = q->cursors[i]->ack_seq;
	return m;
}

/* Segments were deleted from the front: the cursors move past them. */
static void segments_gone(struct sgw_queue *q)
{
	for (size_t i = 0; i < q->ncursors; i++)
		sgw_qcursor_segments_gone(q->cursors[i], q->segs[0].base);
}

/* Delete segs[0] (never the tail); the cursors move past it. */
static int remove_oldest(struct sgw_queue *q)
{
	int err = sgw_qseg_remove_oldest(q);

	if (!err)
		segments_gone(q);
	return err;
}

/* The size bound: drop the oldest segment, counting unacked records lost. */
static int drop_oldest(struct sgw_queue *q)
{
	int err = sgw_qseg_drop_oldest(q, q->ncursors ? min_cursor_ack(q) : 0);

	if (!err)
		segments_gone(q);
	return err;
}

/*
 * Delete the segments that every cursor has acknowledged, both in memory
 * and as last saved (so a crash never finds an ack.state pointing into a
 * deleted segment it still needs).  Without cursors nothing is deleted.
 */
static void prune(struct sgw_queue *q)
{
	uint64_t limit = min_cursor_ack(q);

	if (q->ncursors == 0 || q->saved.ncursors == 0)
		return;
	for (uint32_t i = 0; i < q->saved.ncursors; i++)
		if (q->saved.cursors[i].ack_seq < limit)
			limit = q->saved.cursors[i].ack_seq;
	while (q->nsegs > 1 && q->segs[1].base <= limit)
		if (remove_oldest(q) != 0)
			break;
}

static void fill_state(const struct sgw_queue *q, struct sgw_qstate *st)
{
	st->next_seq = q->next_seq;
	st->flags = 0;
	st->seq_reserve = q->opt.sync == SGW_QUEUE_SYNC_ALWAYS ? 1 : q->opt.sync_records;
	st->ncursors = (uint32_t)q->ncursors;
	for (size_t i = 0; i < q->ncursors; i++) {
		const struct sgw_queue_cursor *c = q->cursors[i];
		struct sgw_qstate_cursor *s = &st->cursors[i];

		memset(s->name, 0, sizeof(s->name));
		strcpy(s->name, c->name);
		s->ack_seq = c->ack_seq;
		sgw_qcursor_resume_point(c, &s->hint_seg, &s->hint_off);
	}
}

static int sync_data(struct sgw_queue *q)
{
	int err = 0;

	if (q->dir_dirty) {
		q->st.fsyncs++;
		if (q->ops->fsync(q->dirfd) != 0) {
			err = -errno;
			q->st.io_errors++;
		} else {
			q->dir_dirty = false;
		}
	}
	if (q->data_dirty) {
		q->st.fsyncs++;
		if (q->ops->fdatasync(q->tailfd) != 0) {
			/*
			 * After a failed fdatasync the kernel may have dropped
			 * the dirty pages: retrying would report success for
			 * lost data.  Count it and continue in a new segment.
			 */
			if (!err)
				err = -errno;
			q->st.io_errors++;
			q->tail_broken = true;
		}
		q->data_dirty = false;
		q->unsynced = 0;
	}
	return err;
}

static int sync_acks(struct sgw_queue *q)
{
	struct sgw_qstate st = q->saved;
	int err;

	fill_state(q, &st);
	err = sgw_qstate_save(q->ops, q->statefd, &st);
	if (err) {
		q->st.io_errors++;
		q->acks_dirty_since = q->ops->now_ns();	/* retry one interval later */
		return err;
	}
	q->st.fsyncs++;
	q->saved = st;
	q->state_saved = true;
	q->acks_dirty = false;
	prune(q);
	return 0;
}

int sgw_queue_sync(struct sgw_queue *q)
{
	int err = sync_data(q), e2 = 0;

	if (q->acks_dirty)
		e2 = sync_acks(q);
	return err ? err : e2;
}

int64_t sgw_queue_next_sync_deadline(const struct sgw_queue *q)
{
	int64_t iv = q->opt.sync_interval_ms * 1000000, d = INT64_MAX;

	if (q->data_dirty || q->dir_dirty)
		d = q->data_dirty_since + iv;
	if (q->acks_dirty && q->acks_dirty_since + iv < d)
		d = q->acks_dirty_since + iv;
	return d;
}

int sgw_queue_sync_if_due(struct sgw_queue *q, int64_t now_ns)
{
	if (now_ns < sgw_queue_next_sync_deadline(q))
		return 0;
	return sgw_queue_sync(q);
}

uint64_t sgw_queue_next_seq(const struct sgw_queue *q)
{
	return q->next_seq;
}

static void mark_data_dirty(struct sgw_queue *q)
{
	if (!q->data_dirty && !q->dir_dirty)
		q->data_dirty_since = q->ops->now_ns();
	q->data_dirty = true;
}

/* Close the tail (its data synced) and start a segment at next_seq. */
static int roll(struct sgw_queue *q)
{
	if (q->data_dirty) {
		q->st.fsyncs++;
		if (q->ops->fdatasync(q->tailfd) != 0)
			q->st.io_errors++;
		q->data_dirty = false;
		q->unsynced = 0;
	}
	if (q->tailfd >= 0)
		close(q->tailfd);
	q->tailfd = -1;
	return sgw_qseg_create(q, q->next_seq);
}

/* One pwrite of header and body at the tail's end; undone on failure. */
static int write_record(struct sgw_queue *q, size_t total)
{
	struct sgw_qseg *t = &q->segs[q->nsegs - 1];
	size_t done = 0;

	while (done < total) {
		ssize_t n = q->ops->pwrite(q->tailfd, q->wbuf + done, total - done,
					   (off_t)(t->size + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int err = n < 0 ? -errno : -ENOSPC;

			/* Leave no partial record; if even that fails, the
			 * next recovery cuts it off, and we move on. */
			if (done && q->ops->ftruncate(q->tailfd, (off_t)t->size) != 0)
				q->tail_broken = true;
			return err;
		}
		done += (size_t)n;
	}
	t->size += total;
	return 0;
}

int sgw_queue_append(struct sgw_queue *q, const void *data, size_t len, uint64_t *seq)
{
	size_t total = SGW_QREC_HEADER + len;
	int err;

	if (len > SGW_QREC_LEN_MAX || total > q->opt.segment_size)
		return -EMSGSIZE;
	/*
	 * Only damage takes numbering this far (records near the limit, or a
	 * state just below it and a crash's skip): a record numbered at the
	 * limit would read back as damage and be lost, so it is not written.
	 */
	if (q->next_seq >= SGW_QUEUE_SEQ_LIMIT) {
		q->st.refused++;
		return -EOVERFLOW;
	}
	if (total > q->wcap) {
		uint8_t *w = realloc(q->wbuf, total);

		if (!w)
			return -ENOMEM;
		q->wbuf = w;
		q->wcap = total;
	}
	sgw_qrec_header(q->wbuf, q->next_seq, data, len);
	memcpy(q->wbuf + SGW_QREC_HEADER, data, len);

	for (;;) {
		struct sgw_qseg *t = &q->segs[q->nsegs - 1];
		/*
		 * The header carries only 32 bits of the number: a record must
		 * be less than 2^32 - 1 past its segment's first.  Growing one
		 * by one never gets there, but a damaged ack.state can put
		 * next_seq anywhere past the tail.
		 */
		bool out_of_reach = q->next_seq - t->base >= UINT32_MAX;

		err = 0;
		if (q->tail_broken || q->tailfd < 0 || out_of_reach ||
		    (t->size > 0 && t->size + total > q->opt.segment_size)) {
			if (t->size == 0 && q->tailfd >= 0 && !out_of_reach)
				q->tail_broken = false;	/* empty: keep using it */
			else
				err = roll(q);
		}
		if (!err && sgw_qseg_bytes(q) + total > q->opt.max_size) {
			if (q->opt.full == SGW_QUEUE_REFUSE || q->nsegs < 2) {
				q->st.refused++;
				return -ENOSPC;
			}
			err = drop_oldest(q);
			if (!err)
				continue;
		}
		if (!err)
			err = write_record(q, total);
		if (!err)
			break;
		if (err != -ENOSPC)
			q->st.io_errors++;
		/* A full file system is the same as a full queue. */
		if (err == -ENOSPC && q->opt.full == SGW_QUEUE_DROP_OLDEST && q->nsegs >= 2 &&
		    drop_oldest(q) == 0)
			continue;
		q->st.refused++;
		return err;
	}

	if (seq)
		*seq = q->next_seq;
	q->next_seq++;
	mark_data_dirty(q);
	q->unsynced++;
	if (q->opt.sync == SGW_QUEUE_SYNC_ALWAYS || q->unsynced >= q->opt.sync_records)
		return sync_data(q);
	return 0;
}

static int cursor_find(const struct sgw_queue *q, const char *name)
{
	for (size_t i = 0; i < q->ncursors; i++)
		if (strcmp(q->cursors[i]->name, name) == 0)
			return (int)i;
	return -1;
}

static int add_cursor(struct sgw_queue *q, const char *name, uint64_t ack_seq,
		      uint64_t hint_seg, uint64_t hint_off)
{
	struct sgw_queue_cursor *c;
	uint64_t oldest = q->segs[0].base;

	if (q->ncursors == SGW_QUEUE_MAX_CURSORS)
		return -ENOBUFS;
	if (ack_seq < oldest)
		ack_seq = oldest;
	if (ack_seq > q->next_seq)
		ack_seq = q->next_seq;
	c = sgw_qcursor_new(q, name, ack_seq, hint_seg, hint_off);
	if (!c)
		return -errno;
	q->cursors[q->ncursors++] = c;
	return 0;
}

struct sgw_queue_cursor *sgw_queue_cursor_get(struct sgw_queue *q, const char *name,
					      unsigned flags)
{
	int i, err;

	if (!sgw_qstate_name_valid(name) || (flags & ~SGW_QUEUE_CURSOR_FROM_OLDEST)) {
		errno = EINVAL;
		return NULL;
	}
	i = cursor_find(q, name);
	if (i >= 0)
		return q->cursors[i];
	/* After ack.state was lost, deliver again rather than lose. */
	if ((flags & SGW_QUEUE_CURSOR_FROM_OLDEST) || q->st.state_lost) {
		err = add_cursor(q, name, q->segs[0].base, 0, 0);
	} else {
		const struct sgw_qseg *t = &q->segs[q->nsegs - 1];

		/* At the tail's end: no need to read past the records before. */
		err = add_cursor(q, name, q->next_seq, t->base, t->size);
	}
	if (err) {
		errno = -err;
		return NULL;
	}
	/*
	 * Saved now, not with the next sync: after a crash before that, a
	 * cursor that starts at the next record would skip what was
	 * appended for it in between.  A failed save is retried later.
	 */
	sgw_queue_acks_changed(q);
	sync_acks(q);
	return q->cursors[q->ncursors - 1];
}

int sgw_queue_cursor_remove(struct sgw_queue *q, const char *name)
{
	int i = cursor_find(q, name);

	if (i < 0)
		return -ENOENT;
	sgw_qcursor_free(q->cursors[i]);
	memmove(q->cursors + i, q->cursors + i + 1,
		(q->ncursors - (size_t)i - 1) * sizeof(*q->cursors));
	q->ncursors--;
	sgw_queue_acks_changed(q);
	return 0;
}

size_t sgw_queue_cursor_count(const struct sgw_queue *q)
{
	return q->ncursors;
}

const char *sgw_queue_cursor_name_at(const struct sgw_queue *q, size_t i)
{
	return i < q->ncursors ? q->cursors[i]->name : NULL;
}

static int open_state(struct sgw_queue *q)
{
	struct sgw_qstate st;
	struct stat sb;
	int r;

	q->statefd = q->ops->openat(q->dirfd, SGW_QSTATE_FILE, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	if (q->statefd < 0)
		return -errno;
	if (fstat(q->statefd, &sb) != 0)
		return -errno;
	r = sgw_qstate_load(q->ops, q->statefd, &st);
	if (r < 0)
		return r;
	q->saved = st;
	q->state_saved = r == SGW_QSTATE_LOADED;
	q->st.state_lost = r == SGW_QSTATE_LOST;
	if (sb.st_size < SGW_QSTATE_FILE_SIZE) {
		/*
		 * Allocate both slots now: saving acknowledgements (which is
		 * what frees space) must not fail on a full file system.
		 */
		r = posix_fallocate(q->statefd, 0, SGW_QSTATE_FILE_SIZE);
		if (r != 0)
			return -r;
		q->dir_dirty = true;	/* the new file's name: synced before open returns */
	}
	return 0;
}

struct sgw_queue *sgw_queue_open(const char *dir, const struct sgw_queue_options *o)
{
	struct sgw_queue_options defaults;
	struct sgw_queue *q;
	uint64_t last_seq = 0;
	int err;

	if (!o) {
		sgw_queue_options_init(&defaults);
		o = &defaults;
	}
	if (!options_valid(o)) {
		errno = EINVAL;
		return NULL;
	}
	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->opt = *o;
	q->ops = o->ops ? o->ops : &sgw_queue_sys_ops;
	q->tailfd = -1;
	q->statefd = -1;

	if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
		err = -errno;
		goto free_q;
	}
	q->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (q->dirfd < 0) {
		err = -errno;
		goto free_q;
	}
	/* Two writers would interleave records: one process per queue. */
	if (flock(q->dirfd, LOCK_EX | LOCK_NB) != 0) {
		err = -errno;
		goto close_dir;
	}
	err = open_state(q);
	if (err)
		goto close_files;
	err = sgw_qseg_list(q);
	if (err)
		goto close_files;

	q->next_seq = q->saved.next_seq ? q->saved.next_seq : 1;
	if (q->nsegs == 0) {
		err = sgw_qseg_create(q, q->next_seq);
	} else {
		err = sgw_qseg_recover_tail(q, &last_seq);
		if (!err && q->segs[q->nsegs - 1].base > q->next_seq)
			q->next_seq = q->segs[q->nsegs - 1].base;
		if (!err && last_seq >= q->next_seq)
			q->next_seq = last_seq + 1;
	}
	if (err)
		goto close_files;
	if (q->state_saved ? !(q->saved.flags & SGW_QSTATE_CLEAN) : q->st.state_lost) {
		/* Unclean stop: skip the numbers of records lost unsynced. */
		uint64_t after = last_seq ? last_seq + 1 : 0;
		uint64_t reserve = q->state_saved ? q->saved.seq_reserve : q->opt.sync_records;

		if (after < q->segs[q->nsegs - 1].base)
			after = q->segs[q->nsegs - 1].base;
		if (after + reserve > q->next_seq)
			q->next_seq = after + reserve;
	}
	/* Damage's numbers (see queue.h): no further; appends are refused there. */
	if (q->next_seq > SGW_QUEUE_SEQ_LIMIT)
		q->next_seq = SGW_QUEUE_SEQ_LIMIT;
	/*
	 * A new ack.state or tail segment is named durably now, not with the
	 * first group commit: records read from the page cache before it must
	 * find, after a power cut, the state that makes recovery skip their
	 * numbers.  A failure is counted, and retried with the next sync.
	 */
	if (q->dir_dirty)
		sync_data(q);

	for (uint32_t i = 0; i < q->saved.ncursors; i++) {
		const struct sgw_qstate_cursor *s = &q->saved.cursors[i];

		if (cursor_find(q, s->name) >= 0)
			continue;
		err = add_cursor(q, s->name, s->ack_seq, s->hint_seg, s->hint_off);
		if (err)
			goto free_cursors;
	}
	/* Saved at once without the clean flag: a crash from now on shows. */
	err = sync_acks(q);
	if (err)
		goto free_cursors;
	return q;

free_cursors:
	for (size_t i = 0; i < q->ncursors; i++)
		sgw_qcursor_free(q->cursors[i]);
close_files:
	if (q->tailfd >= 0)
		close(q->tailfd);
	if (q->statefd >= 0)
		close(q->statefd);
	free(q->segs);
close_dir:
	close(q->dirfd);
free_q:
	free(q);
	errno = -err;
	return NULL;
}

int sgw_queue_close(struct sgw_queue *q)
{
	int err;

	if (!q)
		return 0;
	err = sgw_queue_sync(q);
	if (!err) {
		struct sgw_qstate st = q->saved;

		fill_state(q, &st);
		st.flags = SGW_QSTATE_CLEAN;
		err = sgw_qstate_save(q->ops, q->statefd, &st);
	}
	for (size_t i = 0; i < q->ncursors; i++)
		sgw_qcursor_free(q->cursors[i]);
	if (q->tailfd >= 0)
		close(q->tailfd);
	close(q->statefd);
	close(q->dirfd);	/* releases the flock */
	free(q->segs);
	free(q->wbuf);
	free(q);
	return err;
}

static int64_t cursor_oldest_ts(struct sgw_queue_cursor *c);

void sgw_queue_get_stats(struct sgw_queue *q, struct sgw_queue_stats *st)
{
	uint64_t slowest = q->ncursors ? min_cursor_ack(q) : q->segs[0].base;

	*st = q->st;
	st->bytes = sgw_qseg_bytes(q);
	st->segments = q->nsegs;
	st->next_seq = q->next_seq;
	if (slowest < q->segs[0].base)
		slowest = q->segs[0].base;
	st->depth = q->next_seq - slowest;
	st->oldest_ts_ms = SGW_QUEUE_TS_NONE;
	for (size_t i = 0; i < q->ncursors; i++) {
		int64_t ts = cursor_oldest_ts(q->cursors[i]);

		if (ts != SGW_QUEUE_TS_NONE &&
		    (st->oldest_ts_ms == SGW_QUEUE_TS_NONE || ts < st->oldest_ts_ms))
			st->oldest_ts_ms = ts;
	}
}

static int64_t cursor_oldest_ts(struct sgw_queue_cursor *c)
{
	struct sgw_queue_cursor_stats cs;

	sgw_queue_cursor_get_stats(c, &cs);
	return cs.oldest_ts_ms;
}
