/* SPDX-License-Identifier: MIT */
/*
 * Disk queue tests: append/read/ack/reopen, torn and corrupt records,
 * damaged ack state, the size bound, write errors through the ops seam,
 * sequence numbers across restarts, many segments, cursors, group commit.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "deliver/qmsg.h"
#include "queue/queue.h"
#include "tests/mocks/queue_faults.h"
#include "tests/fixtures/tmpdir.h"

#define SMALL_SEG 4096u

static char tmp[64];	/* private directory of this test */
static char qdir[160];	/* the queue in it */

static void setup(void)
{
	test_mkdtemp(tmp, sizeof(tmp), "sgwq");
	snprintf(qdir, sizeof(qdir), "%s/q", tmp);
	qfault_reset();
}

static void teardown(void)
{
	test_rm_tree(tmp);
}

/* Deterministic body of record SEQ: 20..119 bytes. */
static size_t body(uint64_t seq, uint8_t *buf)
{
	size_t len = 20 + (size_t)(seq * 37 % 100);

	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(seq * 31 + i * 7);
	return len;
}

/*
 * Loops check with plain ifs and fail with ck_abort_msg(): every ck_assert
 * costs Check a write to its message file, too slow for the per-byte tests.
 */
static void assert_body(const struct sgw_queue_record *r)
{
	uint8_t want[128];
	size_t len = body(r->seq, want);

	if (r->len != len || memcmp(r->data, want, len) != 0)
		ck_abort_msg("record %" PRIu64 ": wrong body (%zu bytes)", r->seq, r->len);
}

static void opts(struct sgw_queue_options *o, size_t seg, uint64_t max)
{
	sgw_queue_options_init(o);
	o->ops = &qfault_ops;
	if (seg)
		o->segment_size = seg;
	if (max)
		o->max_size = max;
}

static struct sgw_queue *open_q(const struct sgw_queue_options *o)
{
	struct sgw_queue *q = sgw_queue_open(qdir, o);

	if (!q)
		ck_abort_msg("open: %s", strerror(errno));
	return q;
}

/* Append records with the expected sequence numbers FIRST .. FIRST+N-1. */
static void append_n(struct sgw_queue *q, uint64_t first, unsigned n)
{
	uint8_t buf[128];

	for (unsigned i = 0; i < n; i++) {
		uint64_t seq = 0;
		size_t len = body(first + i, buf);

		int err = sgw_queue_append(q, buf, len, &seq);

		if (err != 0 || seq != first + i)
			ck_abort_msg("append %" PRIu64 ": %d, seq %" PRIu64, first + i, err, seq);
	}
}

/*
 * Read everything C has, checking each body and that sequence numbers
 * increase; store them in SEQS (up to MAX); ack them if ACK.  Returns count.
 */
static size_t drain(struct sgw_queue_cursor *c, uint64_t *seqs, size_t max, int ack)
{
	struct sgw_queue_record r;
	uint64_t last = 0;
	size_t n = 0;
	int err;

	while ((err = sgw_queue_read(c, &r)) == 0) {
		assert_body(&r);
		if (r.seq <= last)
			ck_abort_msg("seq %" PRIu64 " after %" PRIu64, r.seq, last);
		last = r.seq;
		if (seqs && n < max)
			seqs[n] = r.seq;
		n++;
		if (ack && (err = sgw_queue_ack(c, r.seq)) != 0)
			ck_abort_msg("ack %" PRIu64 ": %d", r.seq, err);
	}
	ck_assert_int_eq(err, -ENODATA);
	return n;
}

static void qpath(char *p, size_t cap, const char *name)
{
	snprintf(p, cap, "%s/%s", qdir, name);
}

/* Zeros over ack.state: "nothing saved", without unlinking an allocated file. */
static void forget_state(void)
{
	static const uint8_t zero[4096 + 1024];
	char p[224];
	int fd;

	qpath(p, sizeof(p), "ack.state");
	fd = open(p, O_WRONLY);
	if (fd < 0 || pwrite(fd, zero, sizeof(zero), 0) != (ssize_t)sizeof(zero))
		ck_abort_msg("%s: %s", p, strerror(errno));
	close(fd);
}

static void seg_path(char *p, size_t cap, uint64_t base)
{
	char name[32];

	snprintf(name, sizeof(name), "%020" PRIu64 ".seg", base);
	qpath(p, cap, name);
}

static uint8_t *slurp(const char *path, size_t *len)
{
	struct stat sb;
	uint8_t *buf;
	int fd = open(path, O_RDONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &sb), 0);
	buf = malloc((size_t)sb.st_size + 1);
	ck_assert_int_eq(pread(fd, buf, (size_t)sb.st_size, 0), sb.st_size);
	close(fd);
	*len = (size_t)sb.st_size;
	return buf;
}

static void spit(const char *path, const uint8_t *buf, size_t len)
{
	int fd;

	/* Not O_TRUNC: ext4 flushes a truncated and rewritten file on close. */
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0640);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

/* Sorted segment bases found in the directory. */
static size_t list_bases(uint64_t *bases, size_t max)
{
	DIR *d = opendir(qdir);
	struct dirent *de;
	size_t n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		if (strlen(de->d_name) == 24 && !strcmp(de->d_name + 20, ".seg") && n < max)
			bases[n++] = strtoull(de->d_name, NULL, 10);
	}
	closedir(d);
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && bases[j - 1] > bases[j]; j--) {
			uint64_t t = bases[j];

			bases[j] = bases[j - 1];
			bases[j - 1] = t;
		}
	return n;
}

START_TEST(test_append_read_ack_reopen)
{
	struct sgw_queue_options o;
	struct sgw_queue_cursor *c;
	struct sgw_queue_stats st;
	struct sgw_queue *q;
	uint64_t seqs[64];

	opts(&o, 0, 0);
	q = open_q(&o);
	ck_assert_uint_eq(sgw_queue_next_seq(q), 1);
	c = sgw_queue_cursor_get(q, "house", 0);
	ck_assert_ptr_nonnull(c);
	append_n(q, 1, 20);
	ck_assert_uint_eq(drain(c, seqs, 64, 0), 20);
	for (unsigned i = 0; i < 20; i++)
		ck_assert_uint_eq(seqs[i], i + 1);
	for (uint64_t s = 1; s <= 5; s++)
		ck_assert_int_eq(sgw_queue_ack(c, s), 0);
	sgw_queue_get_stats(q, &st);
	ck_assert_uint_eq(st.depth, 15);
	ck_assert_uint_eq(st.next_seq, 21);
	ck_assert_int_eq(sgw_queue_close(q), 0);

	/* The unacknowledged records come back, the acknowledged do not. */
	q = open_q(&o);
	ck_assert_uint_eq(sgw_queue_next_seq(q), 21);
	ck_assert_uint_eq(sgw_queue_cursor_count(q), 1);
	ck_assert_str_eq(sgw_queue_cursor_name_at(q, 0), "house");
	c = sgw_queue_cursor_get(q, "house", 0);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(drain(c, seqs, 64, 1), 15);
	ck_assert_uint_eq(seqs[0], 6);
	append_n(q, 21, 3);
	ck_assert_uint_eq(drain(c, seqs, 64, 1), 3);
	ck_assert_uint_eq(seqs[0], 21);
	sgw_queue_get_stats(q, &st);
	ck_assert_uint_eq(st.depth, 0);
	ck_assert_uint_eq(st.corrupt, 0);
	ck_assert_int_eq(sgw_queue_close(q), 0);

	q = open_q(&o);
	c = sgw_queue_cursor_get(q, "house", 0);
	ck_assert_uint_eq(drain(c, NULL, 0, 1), 0);
	ck_assert_int_eq(sgw_queue_close(q), 0);
}
END_TEST

START_TEST(test_bad_arguments)
{
	struct sgw_queue_options o;
	struct sgw_queue *q, *q2;
	uint8_t big[SMALL_SEG];

	opts(&o, SMALL_SEG, 2 * SMALL_SEG - 1);
	ck_assert_ptr_null(sgw_queue_open(qdir, &o));
	ck_assert_int_eq(errno, EINVAL);
	opts(&o, 1024, 0);
	ck_assert_ptr_null(sgw_queue_open(qdir, &o));
	ck_assert_int_eq(errno, EINVAL);
	opts(&o, SMALL_SEG, 0);
	o.sync_records = 0;
	ck_assert_ptr_null(sgw_queue_open(qdir, &o));

	opts(&o, SMALL_SEG, 0);
	q = open_q(&o);
	/* One process per queue. */
	q2 = sgw_queue_open(qdir, &o);
	ck_assert_ptr_null(q2);
	ck_assert_int_eq(errno, EWOULDBLOCK);
	memset(big, 0, sizeof(big));
	ck_assert_int_eq(sgw_queue_append(q, big, SMALL_SEG - 12 + 1, NULL), -EMSGSIZE);
	ck_assert_int_eq(sgw_queue_append(q, big, SMALL_SEG - 12, NULL), 0);
	ck_assert_ptr_null(sgw_queue_cursor_get(q, "", 0));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(sgw_queue_cursor_get(q, "a/b", 0));
	ck_assert_ptr_null(sgw_queue_cursor_get(q,
		"0123456789012345678901234567890123456789012345678901234567890123", 0));
	for (int i = 0; i < SGW_QUEUE_MAX_CURSORS; i++) {
		char name[16];

		snprintf(name, sizeof(name), "u%d", i);
		ck_assert_ptr_nonnull(sgw_queue_cursor_get(q, name, 0));
	}
	ck_assert_ptr_null(sgw_queue_cursor_get(q, "onemore", 0));
	ck_assert_int_eq(errno, ENOBUFS);
	ck_assert_int_eq(sgw_queue_cursor_remove(q, "u3"), 0);
	ck_assert_int_eq(sgw_queue_cursor_remove(q, "u3"), -ENOENT);
	ck_assert_ptr_nonnull(sgw_queue_cursor_get(q, "onemore", 0));
	ck_assert_int_eq(sgw_queue_close(q), 0);
}
END_TEST

/*
 * Cut the segment at every byte offset inside its last record (a torn
 * append): the earlier records are intact, the torn one is gone, and
 * appending continues without reusing its sequence number.
 */
START_TEST(test_torn_last_record)
{
	struct sgw_queue_options o;
	struct sgw_queue *q;
	uint8_t *seg, *state;
	size_t seg_len, state_len, last_start;
	char sp[224], stp[224];
	const unsigned n = 12;

	opts(&o, 0, 0);
	q = open_q(&o);
	ck_assert_ptr_nonnull(sgw_queue_cursor_get(q, "c", 0));
	append_n(q, 1, n);
	ck_assert_int_eq(sgw_queue_close(q), 0);
	seg_path(sp, sizeof(sp), 1);
	qpath(stp, sizeof(stp), "ack.state");
	seg = slurp(sp, &seg_len);
	state = slurp(stp, &state_len);
	{
		uint8_t b[128];

		last_start = seg_len - 12 - body(n, b);
	}

	for (size_t cut = last_start; cut < seg_len; cut++) {
		struct sgw_queue_cursor *c;
		struct sgw_queue_stats st;
		uint64_t seqs[32], seq;
		uint8_t b[128];

		spit(sp, seg, cut);
		spit(stp, state, state_len);
		q = open_q(&o);
		sgw_queue_get_stats(q, &st);
		ck_assert_uint_eq(st.torn_bytes, cut - last_start);
		ck_assert_uint_eq(st.bytes, last_start);
		ck_assert_uint_eq(sgw_queue_next_seq(q), n + 1);
		c = sgw_queue_cursor_get(q, "c", 0);
		ck_assert_uint_eq(drain(c, seqs, 32, 0), n - 1);
		for (unsigned i = 0; i < n - 1; i++)
			ck_assert_uint_eq(seqs[i], i + 1);
		ck_assert_int_eq(sgw_queue_append(q, b, body(n + 1, b), &seq), 0);
		ck_assert_uint_eq(seq, n + 1);
		ck_assert_uint_eq(drain(c, seqs, 32, 0), 1);
		ck_assert_uint_eq(seqs[0], n + 1);
		sgw_queue_get_stats(q, &st);
		ck_assert_uint_eq(st.corrupt, 0);
		ck_assert_int_eq(sgw_queue_close(q), 0);
	}
	free(seg);
	free(state);
}
END_TEST

/*
 * Flip bits in every byte of a middle segment (checked lazily when read) and
 * of the tail (checked at open), one byte at a time: no crash, nothing
 * corrupt delivered, exactly the damaged record missing, damage counted.
 */
static void flip_every_byte(uint64_t victim_base, int victim_is_tail)
{
	struct sgw_queue_options o;
	struct sgw_queue *q;
	uint64_t bases[16], total;
	uint8_t *orig[16];
	size_t len[16], nb, victim = 0;
	char p[224];

	opts(&o, SMALL_SEG, 0);
	q = open_q(&o);
	append_n(q, 1, 130);	/* ~82 bytes a record: 3 segments */
	total = 130;
	ck_assert_int_eq(sgw_queue_close(q), 0);
	nb = list_bases(bases, 16);
	ck_assert_uint_ge(nb, 3);
	for (size_t i = 0; i < nb; i++) {
		seg_path(p, sizeof(p), bases[i]);
		orig[i] = slurp(p, &len[i]);
		if (victim_is_tail ? i == nb - 1 : bases[i] == victim_base)
			victim = i;
	}
	ck_assert(victim_is_tail || victim == 1);
	forget_state();

	for (size_t at = 0; at < len[victim]; at++) {
		struct sgw_queue_cursor *c;
		struct sgw_queue_stats st;
		size_t got;

		for (size_t i = 0; i < nb; i++) {
			seg_path(p, sizeof(p), bases[i]);
			if (i == victim) {
				orig[i][at] ^= (uint8_t)(1u << (at % 8));
				spit(p, orig[i], len[i]);
				orig[i][at] ^= (uint8_t)(1u << (at % 8));
			} else {
				spit(p, orig[i], len[i]);	/* deleted when acked */
			}
		}
		q = open_q(&o);
		sgw_queue_get_stats(q, &st);
		if (!victim_is_tail && (st.corrupt || st.torn_bytes))
			ck_abort_msg("byte %zu: open read a middle segment", at);
		c = sgw_queue_cursor_get(q, "c", SGW_QUEUE_CURSOR_FROM_OLDEST);
		got = drain(c, NULL, 0, 1);	/* checks every body */
		sgw_queue_get_stats(q, &st);
		if (got != total - 1)
			ck_abort_msg("byte %zu: %zu records", at, got);
		if (st.corrupt == 0 && st.torn_bytes == 0)
			ck_abort_msg("byte %zu: damage not counted", at);
		/* Appending continues after whatever recovery did. */
		append_n(q, sgw_queue_next_seq(q), 1);
		if (drain(c, NULL, 0, 1) != 1 || sgw_queue_close(q) != 0)
			ck_abort_msg("byte %zu: append after recovery", at);
		forget_state();
		/* Drop what the extra append added so the next round starts alike. */
		{
			uint64_t now[16];
			size_t k = list_bases(now, 16);

			for (size_t i = 0; i < k; i++)
				if (now[i] > bases[nb - 1]) {
					seg_path(p, sizeof(p), now[i]);
					unlink(p);
				}
		}
	}
	for (size_t i = 0; i < nb; i++)
		free(orig[i]);
}

START_TEST(test_flip_middle_segment)
{
	struct sgw_queue_options o;
	struct sgw_queue *q;
	uint64_t bases[16];

	/* Find the second segment's base with a dry run. */
	opts(&o, SMALL_SEG, 0);
	q = open_q(&o);
	append_n(q, 1, 130);
	ck_assert_int_eq(sgw_queue_close(q), 0);
	ck_assert_uint_ge(list_bases(bases, 16), 3);
	test_rm_tree(qdir);
	flip_every_byte(bases[1], 0);
}
END_TEST

START_TEST(test_flip_tail_segment)
{
	flip_every_byte(0, 1);
}
END_TEST

/* A corrupt record in a middle segment is skipped by every cursor, counted once. */
START_TEST(test_corrupt_counted_once)
{
	struct sgw_queue_options o;
	struct sgw_queue_cursor *a, *b;
	struct sgw_queue_stats st;
	struct sgw_queue *q;
	uint64_t bases[16];
	uint8_t *seg;
	size_t len;
	char p[224];

	opts(&o, SMALL_SEG, 0);
	q = open_q(&o);
	ck_assert_ptr_nonnull(sgw_queue_cursor_get(q, "a", 0));
	ck_assert_ptr_nonnull(sgw_queue_cursor_get(q, "b", 0));
	append_n(q, 1, 130);
	ck_assert_int_eq(sgw_queue_close(q), 0);
	ck_assert_uint_ge(list_bases(bases, 16), 3);
	seg_path(p, sizeof(p), bases[1]);
	seg = slurp(p, &len);
	seg[100] ^= 0x10;
	spit(p, seg, len);
	free(seg);

	q = open_q(&o);
	a = sgw_queue_cursor_get(q, "a", 0);
	b = sgw_queue_cursor_get(q, "b", 0);
	ck_assert_uint_eq(drain(a, NULL, 0, 1), 129);
	sgw_queue_rewind(a);
	ck_assert_uint_eq(drain(b, NULL, 0, 1), 129);
	sgw_queue_get_stats(q, &st);
	ck_assert_uint_eq(st.corrupt, 1);
	/* The skipped record does not hold back the acknowledged position. */
	ck_assert_uint_eq(st.depth, 0);
	ck_assert_int_eq(sgw_queue_close(q), 0);
}
END_TEST

/*
 * ack.state after a crash: damage the newest slot, the older slot, both, or
 * tear the newest; the queue falls back to the other slot or, with none,
 * redelivers everything.  Numbering skips what may have been lost.
 */
START_TEST(test_ack_slot_damage)
{
	struct sgw_queue_options o;
	struct sgw_queue_cursor *c;
	struct sgw_queue_stats st;
	struct sgw_queue *q;
	struct sgw_queue_record r;
	uint8_t *state;
	size_t state_len;
	char p[224];
	uint64_t seqs[32];

	opts(&o, 0, 0);
	q = open_q(&o);				/* generation 1, slot 1 */
	c = sgw_queue_cursor_get(q, "c", 0);	/* generation 2, slot 0 */
	append_n(q, 1, 10);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(sgw_queue_read(c, &r), 0);
		ck_assert_int_eq(sgw_queue_ack(c, r.seq), 0);
	}
	ck_assert_int_eq(sgw_queue_sync(q), 0);	/* generation 3, slot 1: ack 4 */
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(sgw_queue_read(c, &r), 0);
		ck_assert_int_eq(sgw_queue_ack(c, r.seq), 0);
	}
	ck_assert_int_eq(sgw_queue_sync(q), 0);	/* generation 4, slot 0: ack 7 */
	qpath(p, sizeof(p), "ack.state");
	state = slurp(p, &state_len);		/* as a crash would leave it */
	ck_assert_uint_eq(state_len, 4096 + 1024);
	ck_assert_int_eq(sgw_queue_close(q), 0);

	for (int victim = 0; victim < 4; victim++) {
		/* Every 29th byte of a slot, CRC and generation included. */
		for (size_t at = 0; at < 1024; at += (victim < 3 ? 29 : 1024)) {
			uint8_t *bad = malloc(state_len);
			uint64_t want;

			memcpy(bad, state, state_len);
			if (victim == 0) {
				bad[at] ^= 0x04;		/* newest */
				want = 4;
			} else if (victim == 1) {
				bad[4096 + at] ^= 0x04;		/* older */
				want = 7;
			} else if (victim == 2) {
				bad[at] ^= 0x04;		/* both */
				bad[4096 + at] ^= 0x04;
				want = 1;
			} else {
				memset(bad + 512, 0, 512);	/* newest torn */
				want = 4;
			}
			spit(p, bad, state_len);
			free(bad);
			q = open_q(&o);
			sgw_queue_get_stats(q, &st);
			if (st.state_lost != (victim == 2))
				ck_abort_msg("victim %d byte %zu: state_lost %d", victim, at,
					     st.state_lost);
			/* Records 1..10 were found; up to 512 may have been lost after. */
			if (sgw_queue_next_seq(q) != 11 + 512)
				ck_abort_msg("victim %d byte %zu: next seq %" PRIu64, victim, at,
					     sgw_queue_next_seq(q));
			/* With the state lost, even a "new" cursor starts at the oldest. */
			c = sgw_queue_cursor_get(q, "c", 0);
			if (drain(c, seqs, 32, 0) != 11 - want || seqs[0] != want)
				ck_abort_msg("victim %d byte %zu: wrong records", victim, at);
			ck_assert_int_eq(sgw_queue_close(q), 0);
		}
	}
	/* The last close was clean: numbering continues exactly. */
	q = open_q(&o);
	ck_assert_uint_eq(sgw_queue_next_seq(q), 11 + 512);
	append_n(q, 11 + 512, 1);
	ck_assert_int_eq(sgw_queue_close(q), 0);
	q = open_q(&o);
	ck_assert_uint_eq(sgw_queue_next_seq(q), 11 + 512 + 1);
	ck_assert_int_eq(sgw_queue_close(q), 0);
	free(state);
}
END_TEST

/*
 * A crash (files as they were while open) after records were read from the
 * page cache: their numbers are not given out again.
 */
START_TEST(test_seq_after_crash)
{
	struct sgw_queue_options o;
	struct sgw_queue_cursor *c;
	struct sgw_queue *q;
	uint8_t *seg, *state;
	size_t seg_len, state_len;
	char sp[224], stp[224];

	opts(&o, 0, 0);
	o.sync_records = 50;
	q = open_q(&o);
	c = sgw_queue_cursor_get(q, "c", 0);
	append_n(q, 1, 60);		/* synced at 50 */
	ck_assert_uint_eq(drain(c, NULL, 0, 0), 60);
	seg_path(sp, sizeof(sp), 1);
	qpath(stp, sizeof(stp), "ack.state");
	seg = slurp(sp, &seg_len);
	state = slurp(stp, &state_len);
	ck_assert_int_eq(sgw_queue_close(q), 0);
	/* Power cut: the 10 unsynced records never reached the disk. */
	{
		uint8_t b[128];
		size_t cut = seg_len;

		for (uint64_t s = 60; s > 50; s--)
			cut -= 12 + body(s, b);
		spit(sp, seg, cut);
	}
	spit(stp, state, state_len);
	q = open_q(&o);
	ck_assert_uint_eq(sgw_queue_next_seq(q), 51 + 50);
	c = sgw_queue_cursor_get(q, "c", 0);
	ck_assert_uint_eq(drain(c, NULL, 0, 1), 50);
	append_n(q, 101, 1);
	ck_assert_uint_eq(drain(c, NULL, 0, 1), 1);
	ck_assert_int_eq(sgw_queue_close(q), 0);
	free(seg);
	free(state);
}
END_TEST

START_TEST(test_full_drop_oldest)
{
	struct sgw_queue_options o;
	struct sgw_queue_cursor *c;
	struct sgw_queue_stats st;
	struct sgw_queue *q;
	uint64_t seqs[400];
	size_t got;

	opts(&o, SMALL_SEG, 3 * SMALL_SEG);
	q = open_q(&o);
	c = sgw_queue_cursor_get(q, "slow", 0);
	for (uint64_t s = 1; s <= 400; s++) {
		append_n(q, s, 1);
		sgw_queue_get_stats(q, &st);
		ck_assert_uint_le(st.bytes, 3 * SMALL_SEG);
	}
	sgw_queue_get_stats(q, &st);
	ck_assert_uint_gt(st.dropped, 0);
	ck_assert_uint_eq(st.refused, 0);
	got = drain(c, seqs, 400, 1);
	/* Every record is either delivered or counted as dropped. */
	ck_assert_uint_eq(got + st.dropped, 400);
	ck_assert_uint_eq(seqs[0], st.dropped + 1);
	ck_assert_uint_eq(seqs[got - 1], 400);
	ck_assert_int_eq(sgw_queue_close(q), 0);
}
END_TEST

START_TEST(test_full_refuse)
{
	struct sgw_queue_options o;
	struct sgw_queue_cursor *c;
	struct sgw_queue_stats st;
	struct sgw_queue *q;
	uint8_t b[128];
	uint64_t s = 1, seq;
	int err;

	opts(&o, SMALL_SEG, 3 * SMALL_SEG);
	o.full = SGW_QUEUE_REFUSE;
	q = open_q(&o);
	c = sgw_queue_cursor_get(q, "c", 0);
	while ((err = sgw_queue_append(q, b, body(s, b), &seq)) == 0) {
		ck_assert_uint_eq(seq, s);
		s++;
		ck_assert_uint_lt(s, 1000);
	}
	ck_assert_int_eq(err, -ENOSPC);
	ck_assert_int_eq(sgw_queue_append(q, b, body(s, b), NULL), -ENOSPC);
	sgw_queue_get_stats(q, &st);
	ck_assert_uint_eq(st.refused, 2);
	ck_assert_uint_eq(st.dropped, 0);
	ck_assert_uint_le(st.bytes, 3 * SMALL_SEG);
	/* Nothing was lost; once delivered and synced, there is room again. */
	ck_assert_uint_eq(drain(c, NULL, 0, 1), s - 1);
	ck_assert_int_eq(sgw_queue_sync(q), 0);
	ck_assert_int_eq(sgw_queue_append(q, b, body(s, b), &seq), 0);
	ck_assert_uint_eq(seq, s);
	ck_assert_int_eq(sgw_queue_close(q), 0);
}
END_TEST

/* Write errors through the ops seam: refused cleanly, no partial record left. */
START_TEST(test_write_errors)
{
	struct sgw_queue_options o;
	struct sgw_queue_cursor *c;
	struct sgw_queue_stats st;
	struct sgw_queue *q;
	uint64_t seqs[300], seq;
	uint8_t b[128];
	size_t got;

	opts(&o, SMALL_SEG, 0);
	o.full = SGW_QUEUE_REFUSE;
	q = open_q(&o);
	c = sgw_queue_cursor_get(q, "c", 0);
	append_n(q, 1, 5);

	qfault.pwrite_errno = ENOSPC;
	qfault.pwrite_fails = 1;
	ck_assert_int_eq(sgw_queue_append(q, b, body(6, b), NULL), -ENOSPC);
	/* A short write is completed by the next call. */
	qfault.pwrite_short = 7;
	ck_assert_int_eq(sgw_queue_append(q, b, body(6, b), &seq), 0);
	ck_assert_uint_eq(seq, 6);
	qfault.pwrite_errno = EIO;
	qfault.pwrite_fails = 1;
	ck_assert_int_eq(sgw_queue_append(q, b, body(7, b), NULL), -EIO);
	append_n(q, 7, 3);
	sgw_queue_get_stats(q, &st);
	ck_assert_uint_eq(st.refused, 2);
	ck_assert_uint_eq(st.io_errors, 1);
	ck_assert_uint_eq(drain(c, seqs, 300, 1), 9);
	for (unsigned i = 0; i < 9; i++)
		ck_assert_uint_eq(seqs[i], i + 1);
	ck_assert_int_eq(sgw_queue_close(q), 0);

	/* drop_oldest treats a full file system like a full queue. */
	test_rm_tree(qdir);
	opts(&o, SMALL_SEG, 0);
	q = open_q(&o);
	c = sgw_queue_cursor_get(q, "c", 0);
	append_n(q, 1, 200);	/* several segments */
	qfault.pwrite_errno = ENOSPC;
	qfault.pwrite_fails = 1;
	ck_assert_int_eq(sgw_queue_append(q, b, body(201, b), &seq), 0);
	ck_assert_uint_eq(seq, 201);
	sgw_queue_get_stats(q, &st);
	ck_assert_uint_gt(st.dropped, 0);
	got = drain(c, seqs, 300, 1);
	ck_assert_uint_eq(got + st.dropped, 201);
	ck_assert_uint_eq(seqs[got - 1], 201);
	ck_assert_int_eq(sgw_queue_close(q), 0);
}
END_TEST

/* A partial write that then fails leaves the file as it was. */
START_TEST(test_partial_write_undone)
{
	struct sgw_queue_options o;
	struct sgw_queue_cursor *c;
	struct sgw_queue *q;
	struct stat sb1, sb2;
	uint64_t seqs[8];
	uint8_t b[128];
	char p[224];

	opts(&o, 0, 0);
	o.full = SGW_QUEUE_REFUSE;
	q = open_q(&o);
	c = sgw_queue_cursor_get(q, "c", 0);
	append_n(q, 1, 3);
	seg_path(p, sizeof(p), 1);
	ck_assert_int_eq(stat(p, &sb1), 0);
	qfault.pwrite_short = 5;
	qfault.pwrite_errno = ENOSPC;
	qfault.pwrite_fails = 1;
	ck_assert_int_eq(sgw_queue_append(q, b, body(4, b), NULL), -ENOSPC);
	ck_assert_int_eq(stat(p, &sb2), 0);
	ck_assert_int_eq(sb1.st_size, sb2.st_size);
	append_n(q, 4, 1);
	ck_assert_uint_eq(drain(c, seqs, 8, 1), 4);
	ck_assert_uint_eq(seqs[3], 4);
	ck_assert_int_eq(sgw_queue_close(q), 0);
}
END_TEST

START_TEST(test_sync_failure)
{
	struct sgw_queue_options o;
	struct sgw_queue_cursor *c;
	struct sgw_queue_stats st;
	struct sgw_queue *q;
	uint64_t seq;
	uint8_t b[128];

	opts(&o, 0, 0);
	o.sync = SGW_QUEUE_SYNC_ALWAYS;
	q = open_q(&o);
	c = sgw_queue_cursor_get(q, "c", 0);
	append_n(q, 1, 2);
	qfault.fdatasync_errno = EIO;
	qfault.fdatasync_fails = 1;
	ck_assert_int_eq(sgw_queue_append(q, b, body(3, b), &seq), -EIO);
	ck_assert_uint_eq(seq, 3);
	/* The next record goes to a fresh segment. */
	append_n(q, 4, 1);
	sgw_queue_get_stats(q, &st);
	ck_assert_uint_eq(st.segments, 2);
	ck_assert_uint_eq(st.io_errors, 1);
	ck_assert_uint_eq(drain(c, NULL, 0, 1), 4);
	ck_assert_int_eq(sgw_queue_close(q), 0);
}
END_TEST

/* A real full file system (tmpfs), where mounting is allowed. */
START_TEST(test_tmpfs_enospc)
{
	struct sgw_queue_options o;
	struct sgw_queue_cursor *c;
	struct sgw_queue_stats st;
	struct sgw_queue *q;
	char mnt[100];
	uint64_t seqs[2000];
	size_t got;
	int oldcwd;

	snprintf(mnt, sizeof(mnt), "%s/mnt", tmp);
	ck_assert_int_eq(mkdir(mnt, 0700), 0);
	if (mount("tmpfs", mnt, "tmpfs", 0, "size=64k") != 0) {
		fprintf(stderr, "test_tmpfs_enospc: skipped, cannot mount tmpfs: %s\n",
			strerror(errno));
		return;
	}
	/*
	 * Work inside it and detach it at once: it lives while it is our
	 * working directory, and no failed assertion can leave it mounted.
	 */
	oldcwd = open(".", O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(oldcwd, 0);
	ck_assert_int_eq(chdir(mnt), 0);
	ck_assert_int_eq(umount2(mnt, MNT_DETACH), 0);
	snprintf(qdir, sizeof(qdir), "q");
	sgw_queue_options_init(&o);	/* real system calls */
	o.segment_size = 8192;
	o.max_size = 1 << 20;		/* more than the file system holds */
	q = sgw_queue_open(qdir, &o);
	ck_assert_ptr_nonnull(q);
	c = sgw_queue_cursor_get(q, "c", 0);
	for (uint64_t s = 1; s <= 2000; s++)
		append_n(q, s, 1);
	sgw_queue_get_stats(q, &st);
	ck_assert_uint_gt(st.dropped, 0);
	ck_assert_uint_eq(st.refused, 0);
	ck_assert_uint_le(st.bytes, 64 * 1024);
	got = drain(c, seqs, 2000, 1);
	ck_assert_uint_eq(got + st.dropped, 2000);
	ck_assert_uint_eq(seqs[got - 1], 2000);
	ck_assert_int_eq(sgw_queue_close(q), 0);
	ck_assert_int_eq(fchdir(oldcwd), 0);	/* the file system goes with it */
	close(oldcwd);
}
END_TEST

START_TEST(test_seq_across_restarts)
{
	struct sgw_queue_options o;
	struct sgw_queue_cursor *c;
	struct sgw_queue_stats st;
	struct sgw_queue *q;
	uint64_t bases[256];
	size_t nb;
	char p[224];

	opts(&o, SMALL_SEG, 0);
	q = open_q(&o);
	c = sgw_queue_cursor_get(q, "c", 0);
	append_n(q, 1, 5);
	ck_assert_int_eq(sgw_queue_close(q), 0);
	q = open_q(&o);
	ck_assert_uint_eq(sgw_queue_next_seq(q), 6);
	c = sgw_queue_cursor_get(q, "c", 0);
	append_n(q, 6, 195);
	/* Deliver everything: all but the tail segment are deleted. */
	ck_assert_uint_eq(drain(c, NULL, 0, 1), 200);
	ck_assert_int_eq(sgw_queue_sync(q), 0);
	sgw_queue_get_stats(q, &st);
	ck_assert_uint_eq(st.segments, 1);
	ck_assert_uint_eq(st.depth, 0);
	ck_assert_int_eq(sgw_queue_close(q), 0);
	nb = list_bases(bases, 256);
	ck_assert_uint_eq(nb, 1);
	/* Even with no segment left, numbering continues (high-water mark). */
	seg_path(p, sizeof(p), bases[0]);
	ck_assert_int_eq(unlink(p), 0);
	q = open_q(&o);
	ck_assert_uint_eq(sgw_queue_next_seq(q), 201);
	c = sgw_queue_cursor_get(q, "c", 0);
	append_n(q, 201, 1);
	ck_assert_uint_eq(drain(c, NULL, 0, 1), 1);
	ck_assert_int_eq(sgw_queue_close(q), 0);
}
END_TEST

/* Past 9, 10, 100 segments the names still sort and read in order. */
START_TEST(test_many_segments)
{
	struct sgw_queue_options o;
	struct sgw_queue_cursor *c;
	struct sgw_queue_stats st;
	struct sgw_queue *q;
	uint64_t bases[256], *seqs;
	size_t nb, got;
	DIR *d;
	struct dirent *de;
	char names[256][32];
	size_t nn = 0;
	const unsigned n = 6000;

	opts(&o, SMALL_SEG, 1 << 20);
	q = open_q(&o);
	c = sgw_queue_cursor_get(q, "c", SGW_QUEUE_CURSOR_FROM_OLDEST);
	append_n(q, 1, n);
	sgw_queue_get_stats(q, &st);
	ck_assert_uint_gt(st.segments, 100);
	ck_assert_int_eq(sgw_queue_close(q), 0);

	nb = list_bases(bases, 256);
	ck_assert_uint_gt(nb, 100);
	d = opendir(qdir);
	while ((de = readdir(d)) != NULL)
		if (strlen(de->d_name) == 24 && strstr(de->d_name, ".seg") && nn < 256)
			memcpy(names[nn++], de->d_name, 25);
	closedir(d);
	ck_assert_uint_eq(nn, nb);
	qsort(names, nn, sizeof(names[0]), (int (*)(const void *, const void *))strcmp);
	for (size_t i = 0; i < nn; i++)
		ck_assert_uint_eq(strtoull(names[i], NULL, 10), bases[i]);

	seqs = malloc(n * sizeof(*seqs));
	/* Open reads the tail segment and ack.state, no other segment. */
	{
		struct stat sb;
		char p[224];

		seg_path(p, sizeof(p), bases[nb - 1]);
		ck_assert_int_eq(stat(p, &sb), 0);
		qfault.pread_bytes = 0;
		q = open_q(&o);
		ck_assert_uint_le(qfault.pread_bytes, (uint64_t)sb.st_size + 2 * 1024);
	}
	c = sgw_queue_cursor_get(q, "c", 0);
	got = drain(c, seqs, n, 1);
	ck_assert_uint_eq(got, n);
	for (unsigned i = 0; i < n; i++)
		ck_assert_uint_eq(seqs[i], i + 1);
	ck_assert_int_eq(sgw_queue_close(q), 0);
	free(seqs);
}
END_TEST

START_TEST(test_two_cursors)
{
	struct sgw_queue_options o;
	struct sgw_queue_cursor *house, *cloud;
	struct sgw_queue_cursor_stats cs;
	struct sgw_queue_stats st;
	struct sgw_queue_record r;
	struct sgw_queue *q;
	uint64_t seqs[400];

	opts(&o, SMALL_SEG, 0);
	q = open_q(&o);
	house = sgw_queue_cursor_get(q, "house", 0);
	cloud = sgw_queue_cursor_get(q, "cloud", 0);
	append_n(q, 1, 300);
	ck_assert_uint_eq(drain(house, NULL, 0, 1), 300);
	for (int i = 0; i < 100; i++) {
		ck_assert_int_eq(sgw_queue_read(cloud, &r), 0);
		ck_assert_int_eq(sgw_queue_ack(cloud, r.seq), 0);
	}
	ck_assert_int_eq(sgw_queue_sync(q), 0);
	sgw_queue_get_stats(q, &st);
	ck_assert_uint_eq(st.depth, 200);	/* the slowest cursor counts */
	sgw_queue_cursor_get_stats(house, &cs);
	ck_assert_uint_eq(cs.depth, 0);
	sgw_queue_cursor_get_stats(cloud, &cs);
	ck_assert_uint_eq(cs.depth, 200);
	ck_assert_uint_eq(cs.ack_seq, 101);
	/* Segments the cloud still needs are kept. */
	ck_assert_uint_gt(st.segments, 3);
	ck_assert_int_eq(sgw_queue_close(q), 0);

	q = open_q(&o);
	house = sgw_queue_cursor_get(q, "house", 0);
	cloud = sgw_queue_cursor_get(q, "cloud", 0);
	ck_assert_uint_eq(drain(house, NULL, 0, 1), 0);
	ck_assert_uint_eq(drain(cloud, seqs, 400, 1), 200);
	ck_assert_uint_eq(seqs[0], 101);
	ck_assert_int_eq(sgw_queue_sync(q), 0);
	sgw_queue_get_stats(q, &st);
	ck_assert_uint_eq(st.segments, 1);
	ck_assert_uint_eq(st.depth, 0);
	/* A removed cursor no longer holds segments back. */
	append_n(q, 301, 200);
	ck_assert_uint_eq(drain(house, NULL, 0, 1), 200);
	ck_assert_int_eq(sgw_queue_cursor_remove(q, "cloud"), 0);
	ck_assert_int_eq(sgw_queue_sync(q), 0);
	sgw_queue_get_stats(q, &st);
	ck_assert_uint_eq(st.segments, 1);
	ck_assert_int_eq(sgw_queue_close(q), 0);
}
END_TEST

START_TEST(test_out_of_order_acks)
{
	struct sgw_queue_options o;
	struct sgw_queue_cursor *c;
	struct sgw_queue_cursor_stats cs;
	struct sgw_queue *q;
	uint64_t seqs[32];

	opts(&o, 0, 0);
	q = open_q(&o);
	c = sgw_queue_cursor_get(q, "c", 0);
	append_n(q, 1, 10);
	ck_assert_uint_eq(drain(c, NULL, 0, 0), 10);
	ck_assert_int_eq(sgw_queue_ack(c, 3), 0);
	ck_assert_int_eq(sgw_queue_ack(c, 2), 0);
	sgw_queue_cursor_get_stats(c, &cs);
	ck_assert_uint_eq(cs.ack_seq, 1);
	ck_assert_uint_eq(cs.inflight, 10);
	ck_assert_int_eq(sgw_queue_ack(c, 1), 0);
	sgw_queue_cursor_get_stats(c, &cs);
	ck_assert_uint_eq(cs.ack_seq, 4);
	ck_assert_uint_eq(cs.inflight, 7);
	for (uint64_t s = 10; s >= 5; s--)
		ck_assert_int_eq(sgw_queue_ack(c, s), 0);
	ck_assert_int_eq(sgw_queue_ack(c, 7), 0);	/* again: fine */
	ck_assert_int_eq(sgw_queue_ack(c, 2), 0);	/* long done */
	ck_assert_int_eq(sgw_queue_ack(c, 11), -ENOENT);	/* never read */
	sgw_queue_cursor_get_stats(c, &cs);
	ck_assert_uint_eq(cs.ack_seq, 4);
	ck_assert_uint_eq(cs.depth, 7);
	/* Getting the cursor again changes nothing. */
	ck_assert_ptr_eq(sgw_queue_cursor_get(q, "c", 0), c);
	sgw_queue_cursor_get_stats(c, &cs);
	ck_assert_uint_eq(cs.inflight, 7);
	ck_assert_uint_eq(cs.read_seq, 11);
	/* Reconnect: what is in flight is sent again, from the ack position. */
	sgw_queue_rewind(c);
	ck_assert_uint_eq(drain(c, seqs, 32, 0), 7);
	ck_assert_uint_eq(seqs[0], 4);
	ck_assert_int_eq(sgw_queue_ack(c, 4), 0);
	sgw_queue_cursor_get_stats(c, &cs);
	ck_assert_uint_eq(cs.ack_seq, 5);
	/* Across a restart the durable position is the contiguous prefix. */
	ck_assert_int_eq(sgw_queue_close(q), 0);
	q = open_q(&o);
	c = sgw_queue_cursor_get(q, "c", 0);
	ck_assert_uint_eq(drain(c, seqs, 32, 1), 6);
	ck_assert_uint_eq(seqs[0], 5);
	ck_assert_int_eq(sgw_queue_close(q), 0);
}
END_TEST

/* Group commit on the test's clock; sync=always syncs every append. */
START_TEST(test_group_commit)
{
	struct sgw_queue_options o;
	struct sgw_queue_cursor *c;
	struct sgw_queue_stats st;
	struct sgw_queue *q;
	int64_t t0, dl;
	unsigned before;

	opts(&o, 0, 0);
	o.sync_records = 100;
	q = open_q(&o);
	c = sgw_queue_cursor_get(q, "c", 0);
	ck_assert_int_eq(sgw_queue_sync(q), 0);
	ck_assert(sgw_queue_next_sync_deadline(q) == INT64_MAX);
	t0 = qfault.now_ns;
	before = qfault.fdatasyncs;
	append_n(q, 1, 10);
	dl = sgw_queue_next_sync_deadline(q);
	ck_assert(dl == t0 + 1000000000);
	qfault.now_ns = t0 + 999999999;
	ck_assert_int_eq(sgw_queue_sync_if_due(q, qfault.now_ns), 0);
	ck_assert_uint_eq(qfault.fdatasyncs, before);
	qfault.now_ns = dl;
	ck_assert_int_eq(sgw_queue_sync_if_due(q, qfault.now_ns), 0);
	ck_assert_uint_eq(qfault.fdatasyncs, before + 1);
	ck_assert(sgw_queue_next_sync_deadline(q) == INT64_MAX);
	/* The record limit syncs without waiting for the timer. */
	append_n(q, 11, 99);
	ck_assert_uint_eq(qfault.fdatasyncs, before + 1);
	append_n(q, 110, 1);
	ck_assert_uint_eq(qfault.fdatasyncs, before + 2);
	/* Acks are saved on the same timer. */
	ck_assert_uint_eq(drain(c, NULL, 0, 1), 110);
	dl = sgw_queue_next_sync_deadline(q);
	ck_assert(dl == qfault.now_ns + 1000000000);
	ck_assert_int_eq(sgw_queue_sync_if_due(q, dl), 0);
	ck_assert_uint_eq(qfault.fdatasyncs, before + 3);
	sgw_queue_get_stats(q, &st);
	ck_assert_uint_ge(st.fsyncs, 3);
	ck_assert_int_eq(sgw_queue_close(q), 0);

	test_rm_tree(qdir);
	opts(&o, 0, 0);
	o.sync = SGW_QUEUE_SYNC_ALWAYS;
	q = open_q(&o);
	before = qfault.fdatasyncs;
	append_n(q, 1, 5);
	ck_assert_uint_eq(qfault.fdatasyncs, before + 5);
	ck_assert(sgw_queue_next_sync_deadline(q) == INT64_MAX);
	ck_assert_int_eq(sgw_queue_close(q), 0);
}
END_TEST

static int64_t ts_of(const void *b, size_t len)
{
	return sgw_qmsg_peek_ts(b, len);
}

START_TEST(test_stats_sample_time)
{
	struct sgw_queue_options o;
	struct sgw_queue_cursor *c;
	struct sgw_queue_stats st;
	struct sgw_queue_record r;
	struct sgw_queue *q;
	uint8_t buf[128];

	opts(&o, 0, 0);
	o.record_ts = ts_of;
	q = open_q(&o);
	c = sgw_queue_cursor_get(q, "c", 0);
	sgw_queue_get_stats(q, &st);
	ck_assert(st.oldest_ts_ms == SGW_QUEUE_TS_NONE);
	for (int i = 0; i < 3; i++) {
		struct sgw_qmsg m = { .ts_ms = 1700000000000 + i, .seq = (uint64_t)i,
				      .topic = "a/b", .topic_len = 3,
				      .payload = "21.5", .payload_len = 4, .qos = 1 };
		long n = sgw_qmsg_encode(&m, buf, sizeof(buf));

		ck_assert_int_gt(n, 0);
		ck_assert_int_eq(sgw_queue_append(q, buf, (size_t)n, NULL), 0);
	}
	sgw_queue_get_stats(q, &st);
	ck_assert(st.oldest_ts_ms == 1700000000000);
	ck_assert_uint_eq(st.depth, 3);
	ck_assert_uint_eq(st.bytes, 3 * (12 + 9 + 3 + 4));
	ck_assert_int_eq(sgw_queue_read(c, &r), 0);
	ck_assert_int_eq(sgw_queue_read(c, &r), 0);
	ck_assert_int_eq(sgw_queue_ack(c, 1), 0);
	sgw_queue_get_stats(q, &st);
	ck_assert(st.oldest_ts_ms == 1700000000001);	/* in flight */
	ck_assert_int_eq(sgw_queue_ack(c, 2), 0);
	sgw_queue_get_stats(q, &st);
	ck_assert(st.oldest_ts_ms == 1700000000002);	/* not read yet */
	ck_assert_int_eq(sgw_queue_read(c, &r), 0);	/* the peek consumed nothing */
	ck_assert_uint_eq(r.seq, 3);
	ck_assert_int_eq(sgw_queue_close(q), 0);
}
END_TEST

/*
 * Random operations on two cursors against a model: bodies intact, each
 * cursor reads in increasing order since its last rewind or reopen, never
 * below its acknowledged position, and in the end every record was
 * acknowledged by both.
 */
START_TEST(test_random_model)
{
	enum { N = 3000, NC = 2 };
	static const char *names[NC] = { "house", "cloud" };
	struct sgw_queue_options o;
	struct sgw_queue_cursor *c[NC];
	struct sgw_queue *q;
	static uint8_t acked[NC][N + 2];
	static uint64_t inflight[NC][N + 2];
	size_t ninf[NC] = { 0 };
	uint64_t last[NC] = { 0 }, next = 1;
	unsigned seed = 12345;

	memset(acked, 0, sizeof(acked));
	opts(&o, SMALL_SEG, 64u << 20);
	o.sync_records = 64;
	q = open_q(&o);
	for (int k = 0; k < NC; k++)
		c[k] = sgw_queue_cursor_get(q, names[k], 0);

	while (next <= N) {
		int op = rand_r(&seed) % 100, k = rand_r(&seed) % NC;
		struct sgw_queue_cursor_stats cs;
		struct sgw_queue_record r;
		int err;

		if (op < 40) {
			append_n(q, next, 1);
			next++;
		} else if (op < 70) {
			err = sgw_queue_read(c[k], &r);
			if (err == -ENODATA)
				continue;
			if (err)
				ck_abort_msg("read: %d", err);
			assert_body(&r);
			sgw_queue_cursor_get_stats(c[k], &cs);
			if (r.seq <= last[k] || r.seq >= next)
				ck_abort_msg("cursor %d: seq %" PRIu64 " after %" PRIu64, k, r.seq,
					     last[k]);
			last[k] = r.seq;
			inflight[k][ninf[k]++] = r.seq;
		} else if (op < 92) {
			size_t i;
			uint64_t s;

			if (ninf[k] == 0)
				continue;
			i = (size_t)rand_r(&seed) % ninf[k];
			s = inflight[k][i];
			inflight[k][i] = inflight[k][--ninf[k]];
			if ((err = sgw_queue_ack(c[k], s)) != 0)
				ck_abort_msg("ack %" PRIu64 ": %d", s, err);
			acked[k][s] = 1;
			sgw_queue_cursor_get_stats(c[k], &cs);
			for (uint64_t t = 1; t < cs.ack_seq; t++)
				if (!acked[k][t])
					ck_abort_msg("cursor %d: ack position %" PRIu64 " passes %" PRIu64,
						     k, cs.ack_seq, t);
		} else if (op < 95) {
			sgw_queue_rewind(c[k]);
			sgw_queue_cursor_get_stats(c[k], &cs);
			ninf[k] = 0;
			last[k] = cs.ack_seq - 1;
		} else if (op < 99) {
			qfault.now_ns += 300000000;
			if ((err = sgw_queue_sync_if_due(q, qfault.now_ns)) != 0)
				ck_abort_msg("sync: %d", err);
		} else {
			ck_assert_int_eq(sgw_queue_close(q), 0);
			q = open_q(&o);
			for (int j = 0; j < NC; j++) {
				c[j] = sgw_queue_cursor_get(q, names[j], 0);
				sgw_queue_cursor_get_stats(c[j], &cs);
				ninf[j] = 0;
				last[j] = cs.ack_seq - 1;
			}
		}
	}
	/* Finish: everything read and acknowledged by both. */
	for (int k = 0; k < NC; k++) {
		struct sgw_queue_record r;
		int err;

		sgw_queue_rewind(c[k]);
		while ((err = sgw_queue_read(c[k], &r)) == 0) {
			assert_body(&r);
			ck_assert_int_eq(sgw_queue_ack(c[k], r.seq), 0);
			acked[k][r.seq] = 1;
		}
		ck_assert_int_eq(err, -ENODATA);
		for (uint64_t s = 1; s <= N; s++)
			if (!acked[k][s])
				ck_abort_msg("cursor %d: record %" PRIu64 " never acknowledged", k, s);
	}
	ck_assert_int_eq(sgw_queue_sync(q), 0);
	{
		struct sgw_queue_stats st;

		sgw_queue_get_stats(q, &st);
		ck_assert_uint_eq(st.depth, 0);
		ck_assert_uint_eq(st.segments, 1);
		ck_assert_uint_eq(st.corrupt, 0);
		ck_assert_uint_eq(st.dropped, 0);
	}
	ck_assert_int_eq(sgw_queue_close(q), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("queue");
	TCase *tc = tcase_create("core");
	TCase *slow = tcase_create("exhaustive");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_checked_fixture(slow, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_set_timeout(slow, 900);	/* every byte, under valgrind or qemu too */
	tcase_add_test(tc, test_append_read_ack_reopen);
	tcase_add_test(tc, test_bad_arguments);
	tcase_add_test(slow, test_torn_last_record);
	tcase_add_test(slow, test_flip_middle_segment);
	tcase_add_test(slow, test_flip_tail_segment);
	tcase_add_test(tc, test_corrupt_counted_once);
	tcase_add_test(tc, test_ack_slot_damage);
	tcase_add_test(tc, test_full_drop_oldest);
	tcase_add_test(tc, test_full_refuse);
	tcase_add_test(tc, test_write_errors);
	tcase_add_test(tc, test_partial_write_undone);
	tcase_add_test(tc, test_sync_failure);
	tcase_add_test(tc, test_tmpfs_enospc);
	tcase_add_test(tc, test_seq_across_restarts);
	tcase_add_test(tc, test_seq_after_crash);
	tcase_add_test(tc, test_many_segments);
	tcase_add_test(tc, test_two_cursors);
	tcase_add_test(tc, test_out_of_order_acks);
	tcase_add_test(tc, test_group_commit);
	tcase_add_test(tc, test_stats_sample_time);
	tcase_add_test(tc, test_random_model);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, slow);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
