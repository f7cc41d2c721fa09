/* SPDX-License-Identifier: MIT */
/*
 * Power cuts, the way SQLite tests crashes: an offline run of the daemon's
 * disk queue as the router drives it (the spool: compact readings and raw
 * messages for two uplinks, several segments, acknowledgements saved in
 * between, segments deleted, the form table written, a restart, then sync
 * = always) is recorded through the queue's system-call seam
 * (tests/mocks/fs_record.h).  Then, for every sync in the run, the states a
 * power cut just before it could leave (tests/fixtures/powercut.h) are
 * built, opened as the daemon opens them, drained and checked:
 *
 *  - no reading the queue had acknowledged as durable is lost (its append
 *    returned under sync = always, or a sync that was due returned 0 after
 *    it), unless its uplink had acknowledged it before the cut;
 *  - every message delivered decodes to one that was appended, for an
 *    uplink it was meant for, under the record number it had;
 *  - each uplink gets its messages in the order they were appended;
 *  - record numbers are never reused: a record appended after the restart
 *    is numbered above every record written before the cut;
 *  - once ack.state was saved durably, it is never lost.
 *
 * Deterministic: the run has its own clock, and where a crash point has
 * more states than the budget, the states are drawn with a fixed seed
 * (SGW_POWERCUT_BUDGET and SGW_POWERCUT_SEED override both; a budget of 0
 * checks every state).  The number of states checked is printed, and with
 * SGW_POWERCUT_LOG set, the recorded log.  The first violation fails the
 * test; with SGW_POWERCUT_SHOW=N every state is checked and the first N
 * violations are printed instead.
 */
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "deliver/spool.h"
#include "deliver/tag.h"
#include "message/msg.h"
#include "tests/fixtures/powercut.h"
#include "tests/fixtures/run.h"
#include "tests/fixtures/tmpdir.h"
#include "tests/mocks/fs_record.h"
#include "tests/mocks/queue_faults.h"

#define NCUR 2
#define NA 420			/* messages of the first run (group commit) */
#define NB 40			/* of the second (sync = always) */
#define NMSG (NA + NB)
#define NNEW 2			/* appended after each cut */
#define SEQ0 1000		/* the gateway's number of message 0 */
#define STEP_NS (50 * INT64_C(1000000))
#define NEVER SIZE_MAX
#define DEFAULT_BUDGET 48	/* states per crash point */
#define DEFAULT_SEED 20240611u

static const char *const cur_name[NCUR] = { "house", "cloud" };

/* The last one is not configured: its first reading adds it to the table. */
static const struct sgw_formtab_entry forms[] = {
	{ "casa/sala/temperatura", 21, { SGW_FORMAT_JSON, 2, 2, "°C" } },
	{ "casa/sala/humedad", 17, { SGW_FORMAT_JSON, 2, 1, "%" } },
	{ "casa/puerta", 11, { SGW_FORMAT_PLAIN, 0, 0, NULL } },
	{ "casa/cocina/co2", 15, { SGW_FORMAT_JSON, 0, 0, "ppm" } },
};
#define NCONFIGURED 3

/* What the run did with each message, as event counts of the log. */
struct wmsg {
	struct sgw_msg *m;
	uint32_t mask;		/* the uplinks it is for */
	uint64_t qseq;		/* its record number (delivery tag) */
	size_t written;		/* the event that wrote its record */
	size_t durable;		/* the queue had said so when the log was this long */
	size_t read[NCUR];	/* first read by the uplink */
	size_t acked[NCUR];	/* acknowledged by the uplink */
};

static struct wmsg w[NMSG + NNEW];	/* and the records appended after a cut */
static size_t nw;
static uint64_t cut_top;		/* the highest record number written before the cut */
static uint64_t next_qseq;
static struct sgw_spool *sp;
static struct sgw_spool_cursor *sc[NCUR];

static char tmp[64], recdir[128], chkdir[128];

static void setup(void)
{
	test_mkdtemp(tmp, sizeof(tmp), "sgwpowercut");
	snprintf(recdir, sizeof(recdir), "%s/rec", tmp);
	snprintf(chkdir, sizeof(chkdir), "%s/chk", tmp);
	ck_assert_int_eq(mkdir(recdir, 0700), 0);
	ck_assert_int_eq(mkdir(chkdir, 0700), 0);
	memset(w, 0, sizeof(w));
	nw = 0;
}

static void teardown(void)
{
	for (size_t i = 0; i < NMSG + NNEW; i++)
		sgw_msg_unref(w[i].m);
	fsrec_free();
	test_rm_tree(tmp);
}

static struct sgw_queue_config qconf(bool always)
{
	return (struct sgw_queue_config){
		.mode = SGW_QUEUE_MODE_AUTO, .sync_always = always, .sync_interval_ms = 1000,
		.max_size = 1u << 20, .segment_size = 4096,
	};
}

/* Message I: readings of the forms, every tenth a raw message. */
static struct sgw_msg *make(size_t i)
{
	const struct sgw_formtab_entry *e = &forms[i % NCONFIGURED];
	struct sgw_stamp ts = { .wall_ms = INT64_C(1763776800000) + (int64_t)i * 50 };
	int32_t v = (int32_t)(i * 7919 % 20000) - 10000;
	struct sgw_msg *m;

	if (i % 10 == 9) {
		char p[64];
		int n = snprintf(p, sizeof(p), "{\"error\":\"timeout\",\"seq\":%zu}", SEQ0 + i);

		m = sgw_msg_new(SEQ0 + i, &ts, "casa/sala/error", 15, p, (size_t)n);
	} else {
		if (i >= 150 && i % 4 == 1)
			e = &forms[NCONFIGURED];
		m = sgw_msg_new_reading(SEQ0 + i, &ts, e->topic, e->topic_len, &e->form, v);
	}
	ck_assert_ptr_nonnull(m);
	return m;
}

/*
 * Is M (read by uplink C) message I of the run, intact, for C, under its
 * record number?  NULL, or what is wrong.
 */
static const char *mismatch(const struct sgw_msg *m, size_t i, unsigned c, bool number_known)
{
	const struct sgw_msg *want = w[i].m;

	if (m->topic_len != want->topic_len || m->payload_len != want->payload_len ||
	    memcmp(sgw_msg_topic(m), sgw_msg_topic(want), want->topic_len) != 0 ||
	    memcmp(sgw_msg_payload(m), sgw_msg_payload(want), want->payload_len) != 0 ||
	    m->ts.wall_ms != want->ts.wall_ms || m->ts.unsynced != want->ts.unsynced)
		return "a message that differs from the one appended";
	if (!(w[i].mask & (1u << c)))
		return "a message for the other uplink";
	if (sgw_tag_kind(m->tag) != SGW_TAG_SPOOL ||
	    (number_known && sgw_tag_number(m->tag) != w[i].qseq))
		return "a message under another record number";
	return NULL;
}

/* ------------------------------------------------------------ the run */

static void run_open(bool always)
{
	struct sgw_queue_config qc = qconf(always);
	struct sgw_queue_stats st;

	sp = sgw_spool_open(recdir, &qc, &fsrec_ops);
	ck_assert_ptr_nonnull(sp);
	for (unsigned c = 0; c < NCUR; c++) {
		sc[c] = sgw_spool_cursor(sp, cur_name[c], c);
		ck_assert_ptr_nonnull(sc[c]);
	}
	ck_assert_int_eq(sgw_spool_set_forms(sp, forms, NCONFIGURED), 0);
	sgw_spool_get_stats(sp, &st);
	next_qseq = st.next_seq;
}

static void run_append(uint32_t mask, bool always)
{
	struct wmsg *x = &w[nw];
	size_t before = fsrec.n;

	x->m = make(nw);
	x->mask = mask;
	ck_assert_int_eq(sgw_spool_append(sp, x->m, mask), 0);
	x->qseq = next_qseq++;
	/* The record's write is the call's last (the form table's come first). */
	x->written = NEVER;
	for (size_t e = before; e < fsrec.n; e++)
		if (fsrec.ev[e].kind == FSREC_WRITE)
			x->written = e;
	ck_assert_uint_ne(x->written, NEVER);
	x->durable = always ? fsrec.n : NEVER;
	for (unsigned c = 0; c < NCUR; c++)
		x->read[c] = x->acked[c] = NEVER;
	nw++;
}

/* The main loop's group commit: a sync that was due covers every append. */
static void run_sync(void)
{
	bool due = fsrec.now_ns >= sgw_spool_next_deadline(sp);

	ck_assert_int_eq(sgw_spool_sync_if_due(sp, fsrec.now_ns), 0);
	for (size_t i = 0; due && i < nw; i++)
		if (w[i].durable == NEVER)
			w[i].durable = fsrec.n;
}

static void run_close(void)
{
	ck_assert_int_eq(sgw_spool_close(sp), 0);
	for (size_t i = 0; i < nw; i++)
		if (w[i].durable == NEVER)
			w[i].durable = fsrec.n;
	sp = NULL;
}

/* Uplink C sends up to N messages; the broker acknowledges them if ACK. */
static void run_read(unsigned c, size_t n, bool ack)
{
	struct sgw_msg *m;

	while (n-- > 0 && sgw_spool_peek(sc[c], &m) == 0) {
		size_t i = (size_t)(m->seq - SEQ0);
		const char *bad;

		m = sgw_spool_take(sc[c]);
		ck_assert_uint_lt(i, nw);
		bad = mismatch(m, i, c, true);
		if (bad)
			ck_abort_msg("the run itself: message %zu to %s: %s", i, cur_name[c], bad);
		if (w[i].read[c] == NEVER)
			w[i].read[c] = fsrec.n;
		if (ack) {
			ck_assert_int_eq(sgw_spool_ack(sc[c], m->tag), 0);
			w[i].acked[c] = fsrec.n;
		}
		sgw_msg_unref(m);
	}
}

/*
 * Offline with group commit: "house" comes online at message 120 (its
 * connection drops once, at 200), "cloud" at 260; everything acknowledged,
 * the segments passed are deleted; a clean stop.  Then a restart (the
 * table starts again: nothing is queued) with sync = always, "house"
 * online after 10 messages, "cloud" offline, and a clean stop.
 */
static void record_run(const char *unlogged_sync_suffix)
{
	fsrec_start(recdir);
	fsrec.unlogged_sync_suffix = unlogged_sync_suffix;
	run_open(false);
	for (size_t i = 0; i < NA; i++) {
		fsrec.now_ns += STEP_NS;
		run_append(i % 7 == 3 ? 2 : i % 5 == 0 ? 1 : 3, false);
		if (i == 200) {
			run_read(0, 3, false);
			sgw_spool_rewind(sc[0]);
		}
		if (i >= 120)
			run_read(0, 2, true);
		if (i >= 260)
			run_read(1, 3, true);
		if (i % 4 == 3)
			run_sync();
	}
	run_read(0, NMSG, true);
	run_read(1, NMSG, true);
	fsrec.now_ns += 2 * 1000 * INT64_C(1000000);
	run_sync();
	run_close();

	run_open(true);
	for (size_t j = 0; j < NB; j++) {
		fsrec.now_ns += STEP_NS;
		run_append(3, true);
		if (j >= 10)
			run_read(0, 1, true);
		if (j % 8 == 7)
			run_sync();
	}
	run_close();
}

/* ------------------------------------------------------------ after a cut */

/* Was a save of ack.state durable (its name and a slot) before event K? */
static bool state_saved_before(size_t k)
{
	bool named = false, written = false;
	unsigned file = UINT32_MAX;

	for (size_t e = 0; e < k; e++) {
		const struct fsrec_event *ev = &fsrec.ev[e];

		if (ev->kind == FSREC_CREATE && strcmp(ev->name, "ack.state") == 0)
			file = ev->file;
		else if (ev->kind == FSREC_SYNC_DIR && file != UINT32_MAX)
			named = true;
		else if (ev->kind == FSREC_WRITE && ev->file == file)
			written = true;
		else if (ev->kind == FSREC_SYNC_FILE && ev->file == file && written && named)
			return true;
	}
	return false;
}

/* Drain uplink C; GOT marks what came.  Returns NULL or what is wrong. */
static const char *drain(unsigned c, bool *got, size_t nmax, char *why, size_t cap)
{
	long last = -1;
	struct sgw_msg *m;
	int err;

	for (size_t n = 0;; n++) {
		size_t i;
		const char *bad;

		err = sgw_spool_peek(sc[c], &m);
		if (err == -ENODATA)
			return NULL;
		if (err < 0 || n > 2 * NMSG) {
			snprintf(why, cap, "%s: reading: %s", cur_name[c], strerror(-err));
			return why;
		}
		m = sgw_spool_take(sc[c]);
		i = (size_t)(m->seq - SEQ0);
		bad = m->seq < SEQ0 || i >= nmax ? "a message never appended"
						 : mismatch(m, i, c, i < NMSG);
		if (!bad && (long)i <= last)
			bad = "a message out of order";
		if (bad) {
			snprintf(why, cap, "%s got %s (seq %" PRIu64 ", record %" PRIu64 ")",
				 cur_name[c], bad, m->seq, sgw_tag_number(m->tag));
			sgw_msg_unref(m);
			return why;
		}
		last = (long)i;
		got[i] = true;
		if (i >= NMSG && sgw_tag_number(m->tag) <= cut_top) {
			snprintf(why, cap, "%s: a record appended after the cut numbered %" PRIu64
				 ", not above %" PRIu64, cur_name[c], sgw_tag_number(m->tag), cut_top);
			sgw_msg_unref(m);
			return why;
		}
		if (sgw_spool_ack(sc[c], m->tag) != 0)
			ck_abort_msg("%s: ack of %" PRIu64 " refused", cur_name[c], m->tag);
		sgw_msg_unref(m);
	}
}

/*
 * Open what a cut before event K left in chkdir, drain it, append, drain
 * again.  Returns NULL, or what is wrong (in WHY).
 */
static const char *check_state(size_t k, char *why, size_t cap)
{
	struct sgw_queue_config qc = qconf(false);
	struct sgw_queue_stats st;
	bool got[NCUR][NMSG + NNEW];
	const char *bad = NULL;

	for (size_t j = NMSG; j < NMSG + NNEW; j++)
		if (!w[j].m) {
			w[j].m = make(j);
			w[j].mask = 3;
		}
	qfault_reset();
	memset(got, 0, sizeof(got));
	sp = sgw_spool_open(chkdir, &qc, &qfault_ops);
	if (!sp) {
		snprintf(why, cap, "open: %s", strerror(errno));
		return why;
	}
	/* As the daemon starts; plain ifs: each ck_assert costs Check a write. */
	for (unsigned c = 0; c < NCUR; c++)
		if (!(sc[c] = sgw_spool_cursor(sp, cur_name[c], c)))
			ck_abort_msg("cursor %s: %s", cur_name[c], strerror(errno));
	if (sgw_spool_set_forms(sp, forms, NCONFIGURED) != 0)
		ck_abort_msg("set_forms failed");
	sgw_spool_get_stats(sp, &st);
	if (st.state_lost && state_saved_before(k)) {
		snprintf(why, cap, "ack.state lost, although a save had been synced");
		bad = why;
	}
	for (unsigned c = 0; c < NCUR && !bad; c++)
		bad = drain(c, got[c], NMSG, why, cap);
	for (unsigned c = 0; c < NCUR && !bad; c++)
		for (size_t i = 0; i < NMSG && !bad; i++)
			if ((w[i].mask & (1u << c)) && w[i].durable <= k && w[i].acked[c] > k &&
			    !got[c][i]) {
				snprintf(why, cap, "%s lost message %zu (record %" PRIu64 "), durable "
					 "since event %zu", cur_name[c], i, w[i].qseq, w[i].durable);
				bad = why;
			}
	/* The records after the cut: above every record written before it. */
	cut_top = 0;
	for (size_t i = 0; i < NMSG; i++)
		if (w[i].written < k && w[i].qseq > cut_top)
			cut_top = w[i].qseq;
	for (size_t j = 0; j < NNEW && !bad; j++) {
		int err = sgw_spool_append(sp, w[NMSG + j].m, 3);

		if (err < 0) {
			snprintf(why, cap, "append after the cut: %s", strerror(-err));
			bad = why;
		}
	}
	for (unsigned c = 0; c < NCUR && !bad; c++) {
		bad = drain(c, got[c], NMSG + NNEW, why, cap);
		for (size_t j = 0; j < NNEW && !bad; j++)
			if (!got[c][NMSG + j]) {
				snprintf(why, cap, "%s: a record appended after the cut is missing",
					 cur_name[c]);
				bad = why;
			}
	}
	if (sgw_spool_close(sp) != 0)
		ck_abort_msg("close failed");
	sp = NULL;
	return bad;
}

/* ------------------------------------------------------------ the states */

static size_t env_size(const char *name, size_t dflt)
{
	const char *s = getenv(name);
	char *end;
	unsigned long v;

	if (!s || !*s)
		return dflt;
	v = strtoul(s, &end, 10);
	ck_assert_msg(*end == '\0', "%s: not a number", name);
	return (size_t)v;
}

static uint64_t rng;

static uint64_t rnd(void)	/* xorshift64 */
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

struct tally {
	size_t points, states, possible, violations;
	size_t show;		/* violations printed when not stopping */
};

/*
 * Check up to BUDGET states (0: all) of every crash point: the first, the
 * last and a seeded draw of the rest.  With STOP, the first violation
 * fails the test; else they are counted.
 */
static void check_points(size_t budget, bool stop, struct tally *t)
{
	char why[512], desc[2048], ev[160];
	size_t *pick = NULL;

	for (size_t k = 0; k <= fsrec.n; k++) {
		struct pc_point *p;
		size_t count, n;

		if (k < fsrec.n && fsrec.ev[k].kind != FSREC_SYNC_FILE &&
		    fsrec.ev[k].kind != FSREC_SYNC_DIR)
			continue;
		p = pc_point_new(k);
		count = pc_point_count(p);
		n = budget && count > budget ? budget : count;
		pick = realloc(pick, n * sizeof(*pick));
		ck_assert_ptr_nonnull(pick);
		for (size_t i = 0; i < n; i++)
			pick[i] = n == count ? i : i == 0 ? 0 : i == 1 ? count - 1
					  : 1 + (size_t)(rnd() % (count - 2));
		t->points++;
		t->possible += count;
		for (size_t i = 0; i < n; i++) {
			const char *bad;

			pc_point_build(p, pick[i], chkdir, desc, sizeof(desc));
			bad = check_state(k, why, sizeof(why));
			t->states++;
			if (!bad)
				continue;
			t->violations++;
			fsrec_describe(k, ev, sizeof(ev));
			if (stop)
				ck_abort_msg("power cut before event %s, %s: %s", ev, desc, bad);
			if (t->violations <= t->show)
				printf("power cut before event %s, %s: %s\n", ev, desc, bad);
		}
		pc_point_free(p);
	}
	free(pick);
}

START_TEST(test_powercut)
{
	size_t budget = env_size("SGW_POWERCUT_BUDGET", DEFAULT_BUDGET);
	unsigned seed = (unsigned)env_size("SGW_POWERCUT_SEED", DEFAULT_SEED);
	struct tally t = { .show = env_size("SGW_POWERCUT_SHOW", 0) };
	struct timespec a, b;

	record_run(NULL);
	if (getenv("SGW_POWERCUT_LOG"))
		for (size_t e = 0; e < fsrec.n; e++) {
			char ev[160];

			fsrec_describe(e, ev, sizeof(ev));
			printf("%s\n", ev);
		}
	rng = seed | UINT64_C(1) << 32;
	clock_gettime(CLOCK_MONOTONIC, &a);
	check_points(budget, t.show == 0, &t);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("powercut: %zu events, %zu crash points, %zu states checked of %zu "
	       "(budget %zu per point, seed %u), %.1f s\n", fsrec.n, t.points, t.states,
	       t.possible, budget, seed, (double)(b.tv_sec - a.tv_sec) +
	       (double)(b.tv_nsec - a.tv_nsec) / 1e9);
	fflush(stdout);
	ck_assert_msg(t.violations == 0, "%zu violations", t.violations);
}
END_TEST

/*
 * The checker itself: a queue whose data syncs do not reach the disk (they
 * are left out of the log) must be caught losing readings.
 */
START_TEST(test_checker_catches_skipped_syncs)
{
	struct tally t = { 0 };

	record_run(".seg");
	rng = DEFAULT_SEED | UINT64_C(1) << 32;
	check_points(2, false, &t);
	ck_assert_uint_gt(t.violations, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("powercut");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 1800);
	tcase_add_test(tc, test_powercut);
	tcase_add_test(tc, test_checker_catches_skipped_syncs);
	suite_add_tcase(s, tc);
	return sgw_test_run(s);
}
