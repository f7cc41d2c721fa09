/* SPDX-License-Identifier: MIT */
/*
 * Queue recovery (src/queue): arbitrary bytes as segment files and
 * ack.state in a private folder, then open, read everything with every
 * cursor, read it again after a rewind, acknowledge it, append, close,
 * reopen.  Besides not crashing: each cursor gets increasing sequence
 * numbers below next_seq, a rewind gives the same records again, appends
 * get numbers above everything read, and after the clean close every
 * cursor that had read and acknowledged all finds exactly what was
 * appended, byte for byte.
 *
 * The input is a little program that builds the folder, so that the
 * fuzzer gets past the checksums:
 *   u8 options (bit 0: 4 KiB segments, bit 1: sync always, bit 2: sample
 *   times with sgw_qmsg_peek_ts(), bit 3: bits 4..6 say how many records
 *   to append, else 2), u8 limits (bit 0: max_size twice the segment
 *   size, bit 1: refuse when full instead of dropping the oldest), then ops:
 *   SEGMENT  u8 how, [u64 base | u8 gap]  start a segment file (base: any
 *            number, or the next record's number plus a gap)
 *   RECORD   u8 seq gap, u8 length, body  a valid record in the segment
 *   RAW      u8 length, bytes             appended to the segment as they are
 *   FLIP     u16 offset, u8 mask          bits flipped in the segment
 *   CUT      u16 length                   the segment cut to that length
 *   STATE    u64 gen, u64 next_seq, u8 cursors, u8 flags, u16 reserve,
 *            per cursor u8 name, u64 ack, u64 hint segment, u16 hint offset:
 *            a valid ack.state slot (written by the code's own encoder)
 *   STATE_RAW u16 offset, u8 length, bytes  into ack.state as they are
 *   JUNK     u8 what                      a file or folder that is not a segment
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "deliver/qmsg.h"
#include "queue/queue.h"
#include "queue/record.h"
#include "queue/state.h"
#include "tests/fuzz/fuzz.h"

const char *const fuzz_corpus[] = { "tests/fuzz/corpus/queue", NULL };

#define MAX_SEGS 8
/* Records per cursor and pass: a RECORD op takes 3 bytes of input at least. */
#define MAX_READ(size) ((size) / 3 + 16)

enum { SEGMENT, RECORD, RAW, FLIP, CUT, STATE, STATE_RAW, JUNK, NOPS };

static const char *const names[] = { "a", "b", "uplink-1", "x.y_z", "", "bad name" };

struct seg {
	uint64_t base;
	struct fuzz_out data;
};

struct folder {
	struct seg seg[MAX_SEGS];
	size_t nsegs;
	uint64_t next;		/* the next RECORD's seq */
	uint8_t state[SGW_QSTATE_FILE_SIZE];
	size_t state_len;	/* 0: no ack.state */
	unsigned junk;		/* JUNK bits */
};

/* ---------------------------------------------------------- the state encoder */

/* sgw_qstate_save() writes through ops: these write into the folder's ack.state. */
static struct folder *state_target;

static ssize_t mem_pwrite(int fd, const void *buf, size_t len, off_t off)
{
	struct folder *f = state_target;

	(void)fd;
	if ((size_t)off + len > sizeof(f->state))
		len = sizeof(f->state) - (size_t)off;
	memcpy(f->state + off, buf, len);
	if ((size_t)off + len > f->state_len)
		f->state_len = (size_t)off + len;
	return (ssize_t)len;
}

static int no_sync(int fd)
{
	(void)fd;
	return 0;
}

static const struct sgw_queue_ops state_ops = { .pwrite = mem_pwrite, .fdatasync = no_sync };

/* The real system calls, without the syncs that make no difference here. */
static struct sgw_queue_ops run_ops;

/* ---------------------------------------------------------- building the folder */

static void build(struct fuzz_in *in, struct folder *f)
{
	while (in->n) {
		struct seg *s = f->nsegs ? &f->seg[f->nsegs - 1] : NULL;
		unsigned op = fuzz_u8(in) % NOPS;
		const uint8_t *p;
		size_t got;

		switch (op) {
		case SEGMENT: {
			uint8_t how = fuzz_u8(in);

			if (f->nsegs == MAX_SEGS)
				break;
			s = &f->seg[f->nsegs++];
			memset(s, 0, sizeof(*s));
			s->base = how & 1 ? fuzz_u64(in) : f->next + fuzz_u8(in) % 4;
			f->next = s->base;
			break;
		}
		case RECORD: {
			uint8_t hdr[SGW_QREC_HEADER];
			uint64_t seq = f->next + fuzz_u8(in) % 3;

			p = fuzz_bytes(in, fuzz_u8(in), &got);
			if (!s)
				break;
			sgw_qrec_header(hdr, seq, p, got);
			fuzz_put(&s->data, hdr, sizeof(hdr));
			fuzz_put(&s->data, p, got);
			f->next = seq + 1;
			break;
		}
		case RAW:
			p = fuzz_bytes(in, fuzz_u8(in), &got);
			if (s)
				fuzz_put(&s->data, p, got);
			break;
		case FLIP: {
			uint16_t off = fuzz_u16(in);
			uint8_t mask = fuzz_u8(in);

			if (s && s->data.n)
				s->data.p[off % s->data.n] ^= mask;
			break;
		}
		case CUT: {
			uint16_t len = fuzz_u16(in);

			if (s && len < s->data.n)
				s->data.n = len;
			break;
		}
		case STATE: {
			struct sgw_qstate st = { 0 };

			st.gen = fuzz_u64(in);
			st.next_seq = fuzz_u64(in);
			st.ncursors = fuzz_u8(in) % (SGW_QUEUE_MAX_CURSORS + 2);
			st.flags = fuzz_u8(in);
			st.seq_reserve = fuzz_u16(in);
			for (uint32_t i = 0; i < st.ncursors && i < SGW_QUEUE_MAX_CURSORS; i++) {
				struct sgw_qstate_cursor *c = &st.cursors[i];

				snprintf(c->name, sizeof(c->name), "%s",
					 names[fuzz_u8(in) % (sizeof(names) / sizeof(names[0]))]);
				c->ack_seq = fuzz_u64(in);
				c->hint_seg = fuzz_u64(in);
				c->hint_off = fuzz_u16(in);
			}
			if (st.ncursors > SGW_QUEUE_MAX_CURSORS)
				st.ncursors = SGW_QUEUE_MAX_CURSORS;
			state_target = f;
			sgw_qstate_save(&state_ops, -1, &st);
			break;
		}
		case STATE_RAW: {
			size_t off = fuzz_u16(in) % sizeof(f->state);

			p = fuzz_bytes(in, fuzz_u8(in), &got);
			if (got > sizeof(f->state) - off)
				got = sizeof(f->state) - off;
			memcpy(f->state + off, p, got);
			if (off + got > f->state_len)
				f->state_len = off + got;
			break;
		}
		case JUNK:
			f->junk |= 1u << (fuzz_u8(in) % 5);
			break;
		}
	}
}

static void write_folder(const char *dir, const struct folder *f)
{
	char name[PATH_MAX + 64];

	for (size_t i = 0; i < f->nsegs; i++) {
		snprintf(name, sizeof(name), "%020llu.seg", (unsigned long long)f->seg[i].base);
		fuzz_write_file(dir, name, f->seg[i].data.p, f->seg[i].data.n);
	}
	if (f->state_len)
		fuzz_write_file(dir, SGW_QSTATE_FILE, f->state, f->state_len);
	if (f->junk & 1)
		fuzz_write_file(dir, "0000000000000000001.seg", "x", 1);	/* 19 digits */
	if (f->junk & 2)
		fuzz_write_file(dir, "00000000000000000001.seg.tmp", "x", 1);
	if (f->junk & 4) {
		snprintf(name, sizeof(name), "%s/%020u.seg", dir, 7u);
		mkdir(name, 0700);	/* a folder with a segment's name, unless it is one */
	}
	if (f->junk & 8) {
		snprintf(name, sizeof(name), "%s/%020u.seg", dir, 3u);
		(void)!symlink("/dev/zero", name);	/* unless segment 3 is there */
	}
	if (f->junk & 16)
		fuzz_write_file(dir, "99999999999999999999.seg", "x", 1);	/* > 2^64 */
}

/* ---------------------------------------------------------- running the queue */

struct seen {
	uint64_t *seq;
	size_t n, cap;
	bool complete;	/* read to -ENODATA */
};

/* Read everything C has; the sequence numbers into *S. */
static void read_all(struct sgw_queue *q, struct sgw_queue_cursor *c, struct seen *s)
{
	struct sgw_queue_record rec;
	int rc;

	s->n = 0;
	s->complete = false;
	while (s->n < s->cap) {
		rc = sgw_queue_read(c, &rec);
		if (rc == -ENODATA) {
			s->complete = true;
			break;
		}
		if (rc < 0) {
			FUZZ_CHECK(rc == -EIO, "read: %d", rc);
			break;
		}
		FUZZ_CHECK(rec.seq < sgw_queue_next_seq(q), "seq %llu, next_seq %llu",
			   (unsigned long long)rec.seq, (unsigned long long)sgw_queue_next_seq(q));
		FUZZ_CHECK(!s->n || rec.seq > s->seq[s->n - 1], "seq %llu after %llu",
			   (unsigned long long)rec.seq, (unsigned long long)s->seq[s->n - 1]);
		s->seq[s->n++] = rec.seq;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint8_t opts = fuzz_u8(&in), limits = fuzz_u8(&in);
	struct folder *f = calloc(1, sizeof(*f));
	struct sgw_queue_options o;
	struct sgw_queue_cursor *c[SGW_QUEUE_MAX_CURSORS];
	struct seen seen[SGW_QUEUE_MAX_CURSORS], again;
	char cname[SGW_QUEUE_MAX_CURSORS][SGW_QUEUE_NAME_MAX + 1];
	uint64_t appended[8], max_read = 0;
	size_t nc = 0, nappend = opts & 8 ? (size_t)(opts >> 4) % 8 : 2;
	const char *dir = fuzz_tmpdir();
	struct sgw_queue *q;
	char body[8];

	FUZZ_CHECK(f, "out of memory");
	if (!run_ops.pwrite) {
		run_ops = sgw_queue_sys_ops;
		run_ops.fdatasync = no_sync;
		run_ops.fsync = no_sync;
	}
	build(&in, f);
	fuzz_empty_dir(dir);
	write_folder(dir, f);

	sgw_queue_options_init(&o);
	o.segment_size = opts & 1 ? 4096 : 65536;
	o.sync = opts & 2 ? SGW_QUEUE_SYNC_ALWAYS : SGW_QUEUE_SYNC_INTERVAL;
	o.record_ts = opts & 4 ? sgw_qmsg_peek_ts : NULL;
	if (limits & 1)
		o.max_size = 2 * o.segment_size;
	o.full = limits & 2 ? SGW_QUEUE_REFUSE : SGW_QUEUE_DROP_OLDEST;
	o.ops = &run_ops;
	q = sgw_queue_open(dir, &o);
	if (!q) {
		/*
		 * Only something that is no regular file where ack.state or the
		 * tail should be is fatal: a folder (EISDIR, ENOENT), or a
		 * symlink or FIFO named as the next tail segment, which the
		 * queue creates with O_EXCL rather than write through (EEXIST).
		 */
		FUZZ_CHECK(errno == EISDIR || errno == ENOENT || errno == EEXIST, "open: %s",
			   strerror(errno));
		goto out_free;
	}

	/* The cursors ack.state knows, a new one from the oldest record, one at the end. */
	for (size_t i = 0; i < sgw_queue_cursor_count(q) && nc < SGW_QUEUE_MAX_CURSORS; i++)
		c[nc++] = sgw_queue_cursor_get(q, sgw_queue_cursor_name_at(q, i), 0);
	if (nc < SGW_QUEUE_MAX_CURSORS)
		c[nc++] = sgw_queue_cursor_get(q, "from-oldest", SGW_QUEUE_CURSOR_FROM_OLDEST);
	if (nc < SGW_QUEUE_MAX_CURSORS)
		c[nc++] = sgw_queue_cursor_get(q, "at-end", 0);
	again.cap = MAX_READ(size);
	again.seq = malloc(again.cap * sizeof(uint64_t));
	FUZZ_CHECK(again.seq, "out of memory");
	for (size_t i = 0; i < nc; i++) {
		struct sgw_queue_stats st;

		FUZZ_CHECK(c[i], "cursor %zu: %s", i, strerror(errno));
		snprintf(cname[i], sizeof(cname[i]), "%s", sgw_queue_cursor_name(c[i]));
		seen[i].cap = again.cap;
		seen[i].seq = malloc(seen[i].cap * sizeof(uint64_t));
		FUZZ_CHECK(seen[i].seq, "out of memory");
		read_all(q, c[i], &seen[i]);
		/* Statistics peek ahead: they must not move the cursor. */
		sgw_queue_get_stats(q, &st);
		sgw_queue_rewind(c[i]);
		read_all(q, c[i], &again);
		FUZZ_CHECK(again.n == seen[i].n && (!again.n ||
			   !memcmp(again.seq, seen[i].seq, again.n * sizeof(uint64_t))),
			   "cursor %zu: %zu records, %zu after a rewind", i, seen[i].n, again.n);
		/* Acknowledged in reverse: the position moves only at the end. */
		for (size_t k = seen[i].n; k-- > 0;)
			FUZZ_CHECK(sgw_queue_ack(c[i], seen[i].seq[k]) == 0, "ack");
		if (seen[i].n && seen[i].seq[seen[i].n - 1] > max_read)
			max_read = seen[i].seq[seen[i].n - 1];
	}

	for (size_t k = 0; k < nappend; k++) {
		int rc;

		snprintf(body, sizeof(body), "rec%zu", k);
		rc = sgw_queue_append(q, body, strlen(body), &appended[k]);
		if ((rc == -ENOSPC && o.full == SGW_QUEUE_REFUSE) ||
		    (rc == -EOVERFLOW && sgw_queue_next_seq(q) >= SGW_QUEUE_SEQ_LIMIT)) {
			nappend = k;	/* full: the ones before are there */
			break;
		}
		/* Dropping the oldest segments never reaches the few appended here. */
		FUZZ_CHECK(rc == 0, "append: %d", rc);
		FUZZ_CHECK(appended[k] > max_read && (!k || appended[k] > appended[k - 1]),
			   "appended as %llu after %llu", (unsigned long long)appended[k],
			   (unsigned long long)(k ? appended[k - 1] : max_read));
	}
	FUZZ_CHECK(sgw_queue_close(q) == 0, "close");

	/* Clean stop: whoever had read everything finds just what was appended. */
	q = sgw_queue_open(dir, &o);
	FUZZ_CHECK(q, "reopen: %s", strerror(errno));
	for (size_t i = 0; i < nc; i++) {
		struct sgw_queue_cursor *r;
		struct sgw_queue_record rec;

		if (!seen[i].complete)
			continue;
		r = sgw_queue_cursor_get(q, cname[i], 0);
		FUZZ_CHECK(r, "cursor %s after reopening: %s", cname[i], strerror(errno));
		for (size_t k = 0; k < nappend; k++) {
			int rc = sgw_queue_read(r, &rec);

			snprintf(body, sizeof(body), "rec%zu", k);
			FUZZ_CHECK(rc == 0, "cursor %s: appended record %zu: %d", cname[i], k, rc);
			FUZZ_CHECK(rec.seq == appended[k] && rec.len == strlen(body) &&
				   !memcmp(rec.data, body, rec.len),
				   "cursor %s: record %llu, appended %llu", cname[i],
				   (unsigned long long)rec.seq, (unsigned long long)appended[k]);
		}
		FUZZ_CHECK(sgw_queue_read(r, &rec) == -ENODATA, "cursor %s: more than appended", cname[i]);
	}
	sgw_queue_close(q);
	for (size_t i = 0; i < nc; i++)
		free(seen[i].seq);
	free(again.seq);
out_free:
	for (size_t i = 0; i < f->nsegs; i++)
		fuzz_out_free(&f->seg[i].data);
	free(f);
	return 0;
}

/* ---------------------------------------------------------- seeds */

static void seed_records(struct fuzz_out *o, int n, int len)
{
	for (int i = 0; i < n; i++) {
		fuzz_put_u8(o, RECORD);
		fuzz_put_u8(o, 0);
		fuzz_put_u8(o, (uint8_t)len);
		for (int k = 0; k < len; k++)
			fuzz_put_u8(o, (uint8_t)(i + k));
	}
}

static void seed_state(struct fuzz_out *o, uint64_t gen, uint64_t next, uint8_t flags,
		       uint64_t ack_a, uint64_t ack_b)
{
	fuzz_put_u8(o, STATE);
	fuzz_put_u64(o, gen);
	fuzz_put_u64(o, next);
	fuzz_put_u8(o, 2);
	fuzz_put_u8(o, flags);
	fuzz_put_u16(o, 512);
	fuzz_put_u8(o, 0);	/* "a" */
	fuzz_put_u64(o, ack_a);
	fuzz_put_u64(o, 1);
	fuzz_put_u16(o, 0);
	fuzz_put_u8(o, 2);	/* "uplink-1" */
	fuzz_put_u64(o, ack_b);
	fuzz_put_u64(o, 0);
	fuzz_put_u16(o, 0);
}

void fuzz_seeds(fuzz_emit_fn *emit, void *arg)
{
	struct fuzz_out o = { 0 };

	/* Two segments from 1, ack.state with both slots, one cursor halfway. */
	fuzz_put_u8(&o, 0);
	fuzz_put_u8(&o, 0);
	fuzz_put_u8(&o, SEGMENT);
	fuzz_put_u8(&o, 0);
	fuzz_put_u8(&o, 1);
	seed_records(&o, 5, 20);
	fuzz_put_u8(&o, SEGMENT);
	fuzz_put_u8(&o, 0);
	fuzz_put_u8(&o, 0);
	seed_records(&o, 5, 40);
	seed_state(&o, 1, 6, 0, 3, 1);
	seed_state(&o, 2, 11, SGW_QSTATE_CLEAN, 7, 1);
	fuzz_out_emit(&o, emit, arg);

	/* A torn tail and a flipped byte in the middle; a small queue, refusing. */
	fuzz_put_u8(&o, 0x1d);
	fuzz_put_u8(&o, 3);
	fuzz_put_u8(&o, SEGMENT);
	fuzz_put_u8(&o, 0);
	fuzz_put_u8(&o, 1);
	seed_records(&o, 8, 30);
	fuzz_put_u8(&o, FLIP);
	fuzz_put_u16(&o, 100);
	fuzz_put_u8(&o, 0x10);
	fuzz_put_u8(&o, RAW);
	fuzz_put_u8(&o, 7);
	fuzz_put(&o, "\x01\x02\x03\x04\x05\x06\x07", 7);
	seed_state(&o, 9, 1, 0, 2, 5);
	fuzz_out_emit(&o, emit, arg);

	/* Far-apart bases, junk, ack.state damaged; a small queue, dropping. */
	fuzz_put_u8(&o, 0x03);
	fuzz_put_u8(&o, 1);
	fuzz_put_u8(&o, SEGMENT);
	fuzz_put_u8(&o, 1);
	fuzz_put_u64(&o, UINT64_C(4294967290));
	seed_records(&o, 12, 3);
	fuzz_put_u8(&o, SEGMENT);
	fuzz_put_u8(&o, 1);
	fuzz_put_u64(&o, UINT64_C(1) << 40);
	seed_records(&o, 2, 200);
	fuzz_put_u8(&o, CUT);
	fuzz_put_u16(&o, 300);
	seed_state(&o, 3, UINT64_C(1) << 40, SGW_QSTATE_CLEAN, 4294967295u, 0);
	fuzz_put_u8(&o, STATE_RAW);
	fuzz_put_u16(&o, 4096 + 24);
	fuzz_put_u8(&o, 4);
	fuzz_put_u32(&o, 0xffffffff);
	for (int j = 0; j < 5; j++) {
		fuzz_put_u8(&o, JUNK);
		fuzz_put_u8(&o, (uint8_t)j);
	}
	fuzz_out_emit(&o, emit, arg);
	fuzz_out_free(&o);
}
