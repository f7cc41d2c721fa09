/* SPDX-License-Identifier: MIT */
/*
 * Disk queue tests: recovery and corruption: torn last records, bit flips
 * in every byte of a middle and of the tail segment, corrupt records counted
 * once, damaged ack state, sequence numbers after a crash.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qtest.h"
#include "queue/queue.h"
#include "queue/state.h"
#include "tests/fixtures/run.h"
#include "tests/fixtures/tmpdir.h"
#include "tests/mocks/queue_faults.h"

/* Zeros over ack.state: "nothing saved", without unlinking an allocated file. */
static void forget_state(void)
{
	static const uint8_t zero[4096 + 1024];
	char p[224];
	int fd;

	qt_path(p, sizeof(p), "ack.state");
	fd = open(p, O_WRONLY);
	if (fd < 0 || pwrite(fd, zero, sizeof(zero), 0) != (ssize_t)sizeof(zero))
		ck_abort_msg("%s: %s", p, strerror(errno));
	close(fd);
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

	qt_opts(&o, 0, 0);
	q = qt_open(&o);
	ck_assert_ptr_nonnull(sgw_queue_cursor_get(q, "c", 0));
	qt_append_n(q, 1, n);
	ck_assert_int_eq(sgw_queue_close(q), 0);
	qt_seg_path(sp, sizeof(sp), 1);
	qt_path(stp, sizeof(stp), "ack.state");
	seg = slurp(sp, &seg_len);
	state = slurp(stp, &state_len);
	{
		uint8_t b[128];

		last_start = seg_len - 12 - qt_body(n, b);
	}

	for (size_t cut = last_start; cut < seg_len; cut++) {
		struct sgw_queue_cursor *c;
		struct sgw_queue_stats st;
		uint64_t seqs[32], seq;
		uint8_t b[128];

		spit(sp, seg, cut);
		spit(stp, state, state_len);
		q = qt_open(&o);
		sgw_queue_get_stats(q, &st);
		ck_assert_uint_eq(st.torn_bytes, cut - last_start);
		ck_assert_uint_eq(st.bytes, last_start);
		ck_assert_uint_eq(sgw_queue_next_seq(q), n + 1);
		c = sgw_queue_cursor_get(q, "c", 0);
		ck_assert_uint_eq(qt_drain(c, seqs, 32, 0), n - 1);
		for (unsigned i = 0; i < n - 1; i++)
			ck_assert_uint_eq(seqs[i], i + 1);
		ck_assert_int_eq(sgw_queue_append(q, b, qt_body(n + 1, b), &seq), 0);
		ck_assert_uint_eq(seq, n + 1);
		ck_assert_uint_eq(qt_drain(c, seqs, 32, 0), 1);
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

	qt_opts(&o, QT_SMALL_SEG, 0);
	q = qt_open(&o);
	qt_append_n(q, 1, 130);	/* ~82 bytes a record: 3 segments */
	total = 130;
	ck_assert_int_eq(sgw_queue_close(q), 0);
	nb = qt_list_bases(bases, 16);
	ck_assert_uint_ge(nb, 3);
	for (size_t i = 0; i < nb; i++) {
		qt_seg_path(p, sizeof(p), bases[i]);
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
			qt_seg_path(p, sizeof(p), bases[i]);
			if (i == victim) {
				orig[i][at] ^= (uint8_t)(1u << (at % 8));
				spit(p, orig[i], len[i]);
				orig[i][at] ^= (uint8_t)(1u << (at % 8));
			} else {
				spit(p, orig[i], len[i]);	/* deleted when acked */
			}
		}
		q = qt_open(&o);
		sgw_queue_get_stats(q, &st);
		if (!victim_is_tail && (st.corrupt || st.torn_bytes))
			ck_abort_msg("byte %zu: open read a middle segment", at);
		c = sgw_queue_cursor_get(q, "c", SGW_QUEUE_CURSOR_FROM_OLDEST);
		got = qt_drain(c, NULL, 0, 1);	/* checks every body */
		sgw_queue_get_stats(q, &st);
		if (got != total - 1)
			ck_abort_msg("byte %zu: %zu records", at, got);
		if (st.corrupt == 0 && st.torn_bytes == 0)
			ck_abort_msg("byte %zu: damage not counted", at);
		/* Appending continues after whatever recovery did. */
		qt_append_n(q, sgw_queue_next_seq(q), 1);
		if (qt_drain(c, NULL, 0, 1) != 1 || sgw_queue_close(q) != 0)
			ck_abort_msg("byte %zu: append after recovery", at);
		forget_state();
		/* Drop what the extra append added so the next round starts alike. */
		{
			uint64_t now[16];
			size_t k = qt_list_bases(now, 16);

			for (size_t i = 0; i < k; i++)
				if (now[i] > bases[nb - 1]) {
					qt_seg_path(p, sizeof(p), now[i]);
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
	qt_opts(&o, QT_SMALL_SEG, 0);
	q = qt_open(&o);
	qt_append_n(q, 1, 130);
	ck_assert_int_eq(sgw_queue_close(q), 0);
	ck_assert_uint_ge(qt_list_bases(bases, 16), 3);
	test_rm_tree(qt_dir);
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

	qt_opts(&o, QT_SMALL_SEG, 0);
	q = qt_open(&o);
	ck_assert_ptr_nonnull(sgw_queue_cursor_get(q, "a", 0));
	ck_assert_ptr_nonnull(sgw_queue_cursor_get(q, "b", 0));
	qt_append_n(q, 1, 130);
	ck_assert_int_eq(sgw_queue_close(q), 0);
	ck_assert_uint_ge(qt_list_bases(bases, 16), 3);
	qt_seg_path(p, sizeof(p), bases[1]);
	seg = slurp(p, &len);
	seg[100] ^= 0x10;
	spit(p, seg, len);
	free(seg);

	q = qt_open(&o);
	a = sgw_queue_cursor_get(q, "a", 0);
	b = sgw_queue_cursor_get(q, "b", 0);
	ck_assert_uint_eq(qt_drain(a, NULL, 0, 1), 129);
	sgw_queue_rewind(a);
	ck_assert_uint_eq(qt_drain(b, NULL, 0, 1), 129);
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

	qt_opts(&o, 0, 0);
	q = qt_open(&o);				/* generation 1, slot 1 */
	c = sgw_queue_cursor_get(q, "c", 0);	/* generation 2, slot 0 */
	qt_append_n(q, 1, 10);
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
	qt_path(p, sizeof(p), "ack.state");
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
			q = qt_open(&o);
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
			if (qt_drain(c, seqs, 32, 0) != 11 - want || seqs[0] != want)
				ck_abort_msg("victim %d byte %zu: wrong records", victim, at);
			ck_assert_int_eq(sgw_queue_close(q), 0);
		}
	}
	/* The last close was clean: numbering continues exactly. */
	q = qt_open(&o);
	ck_assert_uint_eq(sgw_queue_next_seq(q), 11 + 512);
	qt_append_n(q, 11 + 512, 1);
	ck_assert_int_eq(sgw_queue_close(q), 0);
	q = qt_open(&o);
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

	qt_opts(&o, 0, 0);
	o.sync_records = 50;
	q = qt_open(&o);
	c = sgw_queue_cursor_get(q, "c", 0);
	qt_append_n(q, 1, 60);		/* synced at 50 */
	ck_assert_uint_eq(qt_drain(c, NULL, 0, 0), 60);
	qt_seg_path(sp, sizeof(sp), 1);
	qt_path(stp, sizeof(stp), "ack.state");
	seg = slurp(sp, &seg_len);
	state = slurp(stp, &state_len);
	ck_assert_int_eq(sgw_queue_close(q), 0);
	/* Power cut: the 10 unsynced records never reached the disk. */
	{
		uint8_t b[128];
		size_t cut = seg_len;

		for (uint64_t s = 60; s > 50; s--)
			cut -= 12 + qt_body(s, b);
		spit(sp, seg, cut);
	}
	spit(stp, state, state_len);
	q = qt_open(&o);
	ck_assert_uint_eq(sgw_queue_next_seq(q), 51 + 50);
	c = sgw_queue_cursor_get(q, "c", 0);
	ck_assert_uint_eq(qt_drain(c, NULL, 0, 1), 50);
	qt_append_n(q, 101, 1);
	ck_assert_uint_eq(qt_drain(c, NULL, 0, 1), 1);
	ck_assert_int_eq(sgw_queue_close(q), 0);
	free(seg);
	free(state);
}
END_TEST

/*
 * An ack.state whose high-water mark is 2^32 or more past the tail
 * segment's first number (damaged, or from another copy of the queue):
 * record headers keep 32 bits of the number, so the next record goes to a
 * segment of its own, and every record reads back with its own number.
 */
START_TEST(test_seq_far_past_tail)
{
	const uint64_t far = 2 + (UINT64_C(1) << 32) + 5;
	struct sgw_queue_options o;
	struct sgw_queue_cursor *c;
	struct sgw_queue *q;
	uint64_t seqs[8];

	qt_opts(&o, 0, 0);
	q = qt_open(&o);
	qt_append_n(q, 1, 1);
	ck_assert_int_eq(sgw_queue_close(q), 0);
	qt_state_set_next(far, 1);

	q = qt_open(&o);
	ck_assert_uint_eq(sgw_queue_next_seq(q), far);
	c = sgw_queue_cursor_get(q, "c", SGW_QUEUE_CURSOR_FROM_OLDEST);
	qt_append_n(q, far, 2);
	ck_assert_uint_eq(qt_drain(c, seqs, 8, 1), 3);
	ck_assert_uint_eq(seqs[0], 1);
	ck_assert_uint_eq(seqs[1], far);
	ck_assert_uint_eq(seqs[2], far + 1);
	ck_assert_int_eq(sgw_queue_close(q), 0);
}
END_TEST

/*
 * Sequence numbers never wrap: a segment named near 2^64 or an ack.state
 * with such a number is damage.  The file is left alone and not taken
 * for a segment, the state is lost; numbering goes on from what is there.
 */
START_TEST(test_seq_near_wrap)
{
	struct sgw_queue_options o;
	struct sgw_queue_cursor *c;
	struct sgw_queue_stats st;
	struct sgw_queue *q;
	uint64_t seqs[8];
	struct stat sb;
	char p[224];
	int fd;

	qt_opts(&o, 0, 0);
	q = qt_open(&o);
	qt_append_n(q, 1, 2);
	ck_assert_int_eq(sgw_queue_close(q), 0);
	qt_seg_path(p, sizeof(p), UINT64_MAX);
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0640);
	ck_assert_int_ge(fd, 0);
	close(fd);
	q = qt_open(&o);
	ck_assert_uint_eq(sgw_queue_next_seq(q), 3);
	qt_append_n(q, 3, 1);
	ck_assert_int_eq(sgw_queue_close(q), 0);
	ck_assert_int_eq(stat(p, &sb), 0);	/* not ours: not deleted */

	/* A clean state one short of 2^64, in both slots. */
	qt_state_set_next(UINT64_MAX - 1, 2);
	q = qt_open(&o);
	sgw_queue_get_stats(q, &st);
	ck_assert(st.state_lost);
	/* Records 1..3 found; up to sync_records may have been lost after them. */
	ck_assert_uint_eq(sgw_queue_next_seq(q), 4 + 512);
	c = sgw_queue_cursor_get(q, "c", 0);
	qt_append_n(q, 4 + 512, 2);
	ck_assert_uint_eq(qt_drain(c, seqs, 8, 1), 5);
	ck_assert_uint_eq(seqs[0], 1);
	ck_assert_uint_eq(seqs[4], 4 + 512 + 1);
	ck_assert_int_eq(sgw_queue_close(q), 0);
}
END_TEST

/*
 * Numbering that reached the limit (only damage gets there) refuses
 * appends: a record numbered at the limit would read back as damage and be
 * lost.  The last number below it is still given, and reads back.
 */
START_TEST(test_seq_at_limit)
{
	struct sgw_queue_options o;
	struct sgw_queue_cursor *c;
	struct sgw_queue_stats st;
	struct sgw_queue *q;
	uint64_t seqs[8], seq = 0;

	qt_opts(&o, 0, 0);
	q = qt_open(&o);
	qt_append_n(q, 1, 1);
	ck_assert_int_eq(sgw_queue_close(q), 0);
	qt_state_set_next(SGW_QUEUE_SEQ_LIMIT - 1, 1);

	q = qt_open(&o);
	ck_assert_uint_eq(sgw_queue_next_seq(q), SGW_QUEUE_SEQ_LIMIT - 1);
	c = sgw_queue_cursor_get(q, "c", SGW_QUEUE_CURSOR_FROM_OLDEST);
	qt_append_n(q, SGW_QUEUE_SEQ_LIMIT - 1, 1);
	ck_assert_int_eq(sgw_queue_append(q, "over", 4, &seq), -EOVERFLOW);
	ck_assert_uint_eq(seq, 0);
	sgw_queue_get_stats(q, &st);
	ck_assert_uint_eq(st.refused, 1);
	ck_assert_uint_eq(qt_drain(c, seqs, 8, 1), 2);
	ck_assert_uint_eq(seqs[0], 1);
	ck_assert_uint_eq(seqs[1], SGW_QUEUE_SEQ_LIMIT - 1);
	ck_assert_int_eq(sgw_queue_close(q), 0);

	/* Reopened after a clean stop: the state, numbered up to the limit,
	 * holds; the record not deleted with the acknowledged first segment
	 * is there; appending is still refused. */
	q = qt_open(&o);
	sgw_queue_get_stats(q, &st);
	ck_assert(!st.state_lost);
	ck_assert_uint_eq(sgw_queue_next_seq(q), SGW_QUEUE_SEQ_LIMIT);
	c = sgw_queue_cursor_get(q, "d", SGW_QUEUE_CURSOR_FROM_OLDEST);
	ck_assert_uint_eq(qt_drain(c, seqs, 8, 0), 1);
	ck_assert_uint_eq(seqs[0], SGW_QUEUE_SEQ_LIMIT - 1);
	ck_assert_int_eq(sgw_queue_append(q, "over", 4, NULL), -EOVERFLOW);
	ck_assert_int_eq(sgw_queue_close(q), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("queue_recovery");
	TCase *tc = qt_tcase("core", 120);
	/* Every byte, under valgrind or qemu too. */
	TCase *slow = qt_tcase("exhaustive", 900);

	tcase_add_test(tc, test_corrupt_counted_once);
	tcase_add_test(tc, test_seq_at_limit);
	tcase_add_test(tc, test_ack_slot_damage);
	tcase_add_test(tc, test_seq_after_crash);
	tcase_add_test(tc, test_seq_far_past_tail);
	tcase_add_test(tc, test_seq_near_wrap);
	tcase_add_test(slow, test_torn_last_record);
	tcase_add_test(slow, test_flip_middle_segment);
	tcase_add_test(slow, test_flip_tail_segment);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, slow);
	return sgw_test_run(s);
}
