/* SPDX-License-Identifier: MIT */
/*
 * Queue cursors: reading records in order (checking each one, skipping and
 * counting corrupt ones), the in-flight window and out-of-order acks.
 */
#include "queue.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "queue_int.h"
#include "record.h"

#define READ_WINDOW (64u << 10)	/* bytes read ahead per cursor */

static void reader_close(struct sgw_qreader *rd)
{
	if (rd->fd >= 0)
		close(rd->fd);
	rd->fd = -1;
	rd->buf_len = 0;
}

/* Position the reader; the open file is kept when the segment stays. */
static void reader_move(struct sgw_qreader *rd, uint64_t seg, uint64_t off, uint64_t min_seq)
{
	if (!rd->placed || rd->seg != seg)
		reader_close(rd);
	rd->placed = true;
	rd->seg = seg;
	rd->off = off;
	rd->min_seq = min_seq;
}

/* Make bytes [off, off+n) of the segment available in rd->buf. */
static int reader_fill(struct sgw_queue *q, struct sgw_qreader *rd, uint64_t off, size_t n,
		       uint64_t end)
{
	size_t want = n > READ_WINDOW ? n : READ_WINDOW, got = 0;

	if (off >= rd->buf_off && off + n <= rd->buf_off + rd->buf_len)
		return 0;
	if (want > end - off)
		want = (size_t)(end - off);
	if (want > rd->cap) {
		uint8_t *b = realloc(rd->buf, want);

		if (!b)
			return -ENOMEM;
		rd->buf = b;
		rd->cap = want;
	}
	if (rd->fd < 0) {
		char name[32];

		sgw_qseg_name(name, rd->seg);
		rd->fd = q->ops->openat(q->dirfd, name, O_RDONLY | O_CLOEXEC, 0);
		if (rd->fd < 0)
			return -errno;
	}
	rd->buf_off = off;
	rd->buf_len = 0;
	while (got < want) {
		ssize_t r = q->ops->pread(rd->fd, rd->buf + got, want - got, (off_t)(off + got));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	rd->buf_len = got;
	return got >= n ? 0 : -EIO;	/* shorter than its size: treat as damage */
}

static void recompute_ack(struct sgw_queue_cursor *c)
{
	uint64_t a = c->inf_len ? c->inf[c->inf_head].seq : c->read_seq;

	if (a != c->ack_seq) {
		c->ack_seq = a;
		sgw_queue_acks_changed(c->q);
	}
}

/* Where reading starts when the reader has no valid position. */
static void reader_place(struct sgw_queue_cursor *c)
{
	struct sgw_queue *q = c->q;
	long i = sgw_qseg_for_seq(q, c->read_seq);

	if (i < 0)
		i = 0;
	reader_move(&c->rd, q->segs[i].base, 0, q->segs[i].base);
}

/*
 * Find the next valid record with seq >= read_seq and leave the reader at
 * its start.  Corrupt stretches and records already acknowledged are passed
 * for good.  Returns 0, -ENODATA at the end of the tail, -EIO, -ENOMEM.
 */
static int fetch(struct sgw_queue_cursor *c, uint64_t *seq, const uint8_t **p, size_t *size)
{
	struct sgw_queue *q = c->q;
	struct sgw_qreader *rd = &c->rd;
	bool in_bad = false;

	for (;;) {
		long i = rd->placed ? sgw_qseg_index(q, rd->seg) : -1;
		bool tail;
		uint64_t end, limit;
		long len;
		size_t n = 0;
		int err;

		if (i < 0) {	/* not placed yet, or the segment was deleted */
			reader_place(c);
			continue;
		}
		tail = (size_t)i == q->nsegs - 1;
		end = q->segs[i].size;
		limit = tail ? q->next_seq : q->segs[i + 1].base;
		if (rd->off + SGW_QREC_HEADER > end) {
			if (rd->off < end && !in_bad)
				sgw_qseg_note_corrupt(q, rd->seg, rd->off);
			if (tail) {
				rd->off = end;
				/* Everything before next_seq has been seen. */
				if (c->read_seq < q->next_seq) {
					c->read_seq = q->next_seq;
					recompute_ack(c);
				}
				return -ENODATA;
			}
			reader_move(rd, q->segs[i + 1].base, 0, q->segs[i + 1].base);
			in_bad = false;
			continue;
		}
		err = reader_fill(q, rd, rd->off, SGW_QREC_HEADER, end);
		if (err == 0) {
			len = sgw_qrec_peek_len(rd->buf + (rd->off - rd->buf_off));
			if (len >= 0 && rd->off + SGW_QREC_HEADER + (uint64_t)len <= end) {
				size_t want = SGW_QREC_HEADER + (size_t)len;

				err = reader_fill(q, rd, rd->off, want, end);
				if (err == 0)
					n = sgw_qrec_check(rd->buf + (rd->off - rd->buf_off), want,
							   rd->min_seq, limit, seq);
			}
		}
		if (err == -ENOMEM)
			return err;
		if (err) {
			/* Unreadable: give up on the rest of this segment. */
			q->st.io_errors++;
			sgw_qseg_note_corrupt(q, rd->seg, rd->off);
			if (tail)
				return -EIO;
			rd->off = end;
			continue;
		}
		if (n == 0) {
			if (!in_bad)
				sgw_qseg_note_corrupt(q, rd->seg, rd->off);
			in_bad = true;
			rd->off++;	/* resynchronise on the next valid record */
			continue;
		}
		in_bad = false;
		if (*seq < c->read_seq) {	/* already read (and acknowledged) */
			rd->off += n;
			rd->min_seq = *seq + 1;
			continue;
		}
		*p = rd->buf + (rd->off - rd->buf_off);
		*size = n;
		return 0;
	}
}

static int inflight_push(struct sgw_queue_cursor *c, const struct sgw_qinflight *e)
{
	if (c->inf_head + c->inf_len == c->inf_cap) {
		if (c->inf_head > 0) {
			memmove(c->inf, c->inf + c->inf_head, c->inf_len * sizeof(*c->inf));
			c->inf_head = 0;
		} else {
			size_t cap = c->inf_cap ? 2 * c->inf_cap : 64;
			struct sgw_qinflight *n = realloc(c->inf, cap * sizeof(*n));

			if (!n)
				return -ENOMEM;
			c->inf = n;
			c->inf_cap = cap;
		}
	}
	c->inf[c->inf_head + c->inf_len++] = *e;
	return 0;
}

static void inflight_pop(struct sgw_queue_cursor *c)
{
	c->inf_head++;
	if (--c->inf_len == 0)
		c->inf_head = 0;
}

static int64_t record_ts(const struct sgw_queue *q, const uint8_t *p, size_t size)
{
	if (!q->opt.record_ts)
		return SGW_QUEUE_TS_NONE;
	return q->opt.record_ts(p + SGW_QREC_HEADER, size - SGW_QREC_HEADER);
}

int sgw_queue_read(struct sgw_queue_cursor *c, struct sgw_queue_record *rec)
{
	struct sgw_qinflight e;
	const uint8_t *p;
	size_t size;
	uint64_t seq;
	int err;

	err = fetch(c, &seq, &p, &size);
	if (err)
		return err;
	e.seq = seq;
	e.seg = c->rd.seg;
	e.off = c->rd.off;
	e.ts_ms = record_ts(c->q, p, size);
	e.acked = false;
	err = inflight_push(c, &e);
	if (err)
		return err;
	c->rd.off += size;
	c->rd.min_seq = seq + 1;
	c->read_seq = seq + 1;
	recompute_ack(c);
	rec->seq = seq;
	rec->data = p + SGW_QREC_HEADER;
	rec->len = size - SGW_QREC_HEADER;
	return 0;
}

int sgw_queue_ack(struct sgw_queue_cursor *c, uint64_t seq)
{
	size_t lo = 0, hi = c->inf_len;

	if (seq < c->ack_seq)
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->inf[c->inf_head + mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == c->inf_len || c->inf[c->inf_head + lo].seq != seq)
		return -ENOENT;
	c->inf[c->inf_head + lo].acked = true;
	while (c->inf_len && c->inf[c->inf_head].acked)
		inflight_pop(c);
	recompute_ack(c);
	return 0;
}

void sgw_queue_rewind(struct sgw_queue_cursor *c)
{
	if (c->inf_len == 0)
		return;
	{
		const struct sgw_qinflight *e = &c->inf[c->inf_head];

		reader_move(&c->rd, e->seg, e->off, e->seq);
		c->read_seq = e->seq;
	}
	c->inf_head = 0;
	c->inf_len = 0;
	recompute_ack(c);
}

void sgw_qcursor_segments_gone(struct sgw_queue_cursor *c, uint64_t first)
{
	if (c->rd.placed && c->rd.seg < first) {
		reader_close(&c->rd);
		c->rd.placed = false;
	}
	while (c->inf_len && c->inf[c->inf_head].seq < first)
		inflight_pop(c);
	if (c->read_seq < first)
		c->read_seq = first;
	recompute_ack(c);
}

void sgw_qcursor_resume_point(const struct sgw_queue_cursor *c, uint64_t *seg, uint64_t *off)
{
	if (c->inf_len) {
		*seg = c->inf[c->inf_head].seg;
		*off = c->inf[c->inf_head].off;
	} else if (c->rd.placed) {
		*seg = c->rd.seg;
		*off = c->rd.off;
	} else {
		*seg = 0;	/* no segment has base 0: "search" */
		*off = 0;
	}
}

struct sgw_queue_cursor *sgw_qcursor_new(struct sgw_queue *q, const char *name,
					 uint64_t ack_seq, uint64_t hint_seg, uint64_t hint_off)
{
	struct sgw_queue_cursor *c = calloc(1, sizeof(*c));
	long i;

	if (!c)
		return NULL;
	c->q = q;
	strcpy(c->name, name);
	c->ack_seq = ack_seq;
	c->read_seq = ack_seq;
	c->rd.fd = -1;
	/*
	 * The saved resume point spares a scan from the segment's start; it
	 * is only a hint: records before read_seq are skipped anyway.
	 */
	i = sgw_qseg_index(q, hint_seg);
	if (i >= 0 && hint_seg <= ack_seq && hint_off <= q->segs[i].size)
		reader_move(&c->rd, hint_seg, hint_off, hint_seg);
	return c;
}

void sgw_qcursor_free(struct sgw_queue_cursor *c)
{
	reader_close(&c->rd);
	free(c->rd.buf);
	free(c->inf);
	free(c);
}

const char *sgw_queue_cursor_name(const struct sgw_queue_cursor *c)
{
	return c->name;
}

void sgw_queue_cursor_get_stats(struct sgw_queue_cursor *c, struct sgw_queue_cursor_stats *st)
{
	struct sgw_queue *q = c->q;
	uint64_t from = c->ack_seq > q->segs[0].base ? c->ack_seq : q->segs[0].base;
	const uint8_t *p;
	size_t size;
	uint64_t seq;

	st->ack_seq = c->ack_seq;
	st->read_seq = c->read_seq;
	st->inflight = c->inf_len;
	st->depth = q->next_seq > from ? q->next_seq - from : 0;
	st->oldest_ts_ms = SGW_QUEUE_TS_NONE;
	if (c->inf_len)
		st->oldest_ts_ms = c->inf[c->inf_head].ts_ms;
	else if (fetch(c, &seq, &p, &size) == 0)	/* peek: not consumed */
		st->oldest_ts_ms = record_ts(q, p, size);
	/* The peek may have passed corrupt records or reached the end. */
	st->ack_seq = c->ack_seq;
	st->read_seq = c->read_seq;
}
