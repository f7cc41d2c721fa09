/* SPDX-License-Identifier: MIT */
/*
 * Batching in the outbox (batch = yes): batches formed at send time within
 * their count, byte and time limits, messages that are not readings alone
 * in their place, one acknowledgement for a whole batch, a loss that sends
 * every reading again in order, the disk backlog batched, unsynchronised
 * readings.
 */
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deliver/outbox.h"
#include "deliver/spool.h"
#include "deliver/tag.h"
#include "tests/fixtures/run.h"
#include "tests/fixtures/tmpdir.h"
#include "tests/mocks/mock_uplink.h"

#define TOPIC "casa/sala/temperatura"
#define BATCH_TOPIC "casa/pi/batch"
#define MAXPUB 512
#define T0 (1000 * SGW_NS_PER_S)

static const struct sgw_payload_form celsius = {
	.fmt = SGW_FORMAT_JSON, .scale = 2, .precision = 1, .unit = "C",
};

/* What the broker got, whole. */
static struct pub {
	char *topic;
	char *payload;
	size_t len;
	uint64_t tag;
} pubs[MAXPUB];
static size_t npubs;
static int64_t fake_ns;

static int64_t fake_now(void)
{
	return fake_ns;
}

static void record(const char *topic, const void *payload, size_t len, uint64_t tag)
{
	struct pub *p = &pubs[npubs++];

	ck_assert_uint_lt(npubs, MAXPUB);
	p->topic = strdup(topic);
	p->payload = strndup(payload, len);
	ck_assert_ptr_nonnull(p->topic);
	ck_assert_ptr_nonnull(p->payload);
	ck_assert_uint_eq(strlen(p->payload), len);
	p->len = len;
	p->tag = tag;
}

static void setup(void)
{
	memset(&mock, 0, sizeof(mock));
	mock.window = 100;
	mock.on_publish = record;
	npubs = 0;
	fake_ns = T0;
}

static void teardown(void)
{
	for (size_t i = 0; i < npubs; i++) {
		free(pubs[i].topic);
		free(pubs[i].payload);
	}
	npubs = 0;
}

static struct sgw_msg *reading(uint64_t seq, const char *topic, bool unsynced)
{
	struct sgw_stamp ts = { .wall_ms = 1763776800000 + (int64_t)seq, .unsynced = unsynced };
	struct sgw_msg *m;

	if (unsynced) {
		/* The clock as it was, the boot's time and a boot no clock note knows. */
		ts.wall_ms = 5000 + (int64_t)seq;
		ts.boot_ms = 5000 + (int64_t)seq;
		ts.boot = 0x5eed;
	}
	m = sgw_msg_new_reading(seq, &ts, topic, strlen(topic), &celsius, (int32_t)(seq * 10));
	ck_assert_ptr_nonnull(m);
	m->tag = sgw_tag_make(SGW_TAG_MEMORY, seq);
	return m;
}

static void push_msg(struct sgw_outbox *ob, struct sgw_msg *m)
{
	ck_assert_int_eq(sgw_outbox_push(ob, m), 0);
	sgw_msg_unref(m);
}

static void push(struct sgw_outbox *ob, uint64_t seq)
{
	push_msg(ob, reading(seq, TOPIC, false));
}

/* A message that is not a reading: a sensor's error report. */
static void push_error(struct sgw_outbox *ob, uint64_t seq)
{
	struct sgw_stamp ts = { .wall_ms = 1763776800000 };
	struct sgw_msg *m = sgw_msg_new(seq, &ts, TOPIC "/error", strlen(TOPIC "/error"),
					"timeout", 7);

	ck_assert_ptr_nonnull(m);
	m->tag = sgw_tag_make(SGW_TAG_MEMORY, seq);
	push_msg(ob, m);
}

static struct sgw_outbox *batched(size_t bytes, size_t readings, uint32_t wait_ms,
				  struct sgw_spool_cursor *sc)
{
	struct sgw_outbox *ob = sgw_outbox_new(&mock, 10000, sc);

	ck_assert_ptr_nonnull(ob);
	sgw_outbox_set_rate(ob, 0, fake_now);
	ck_assert_int_eq(sgw_outbox_set_batch(ob, bytes, readings, wait_ms, BATCH_TOPIC), 0);
	return ob;
}

/*
 * The sequence numbers of publish P's readings, in order, into SEQ (at
 * most MAX); checks that P is a well-formed batch: one array of objects,
 * each with its topic, value, unit, ts and seq.  Returns how many.
 */
static size_t batch_seqs(const struct pub *p, uint64_t *seq, size_t max)
{
	const char *s = p->payload;
	size_t n = 0;

	ck_assert_str_eq(p->topic, BATCH_TOPIC);
	ck_assert_int_eq(s[0], '[');
	ck_assert_int_eq(s[p->len - 1], ']');
	s++;
	for (;;) {
		char *end;

		ck_assert_msg(strncmp(s, "{\"topic\":\"", 10) == 0, "object at %s", s);
		ck_assert_ptr_nonnull(strstr(s, "\"value\":"));
		ck_assert_ptr_nonnull(strstr(s, "\"unit\":\"C\""));
		ck_assert_ptr_nonnull(strstr(s, "\"ts\":"));
		s = strstr(s, "\"seq\":");
		ck_assert_ptr_nonnull(s);
		ck_assert_uint_lt(n, max);
		seq[n++] = strtoull(s + 6, &end, 10);
		s = strchr(end, '}');
		ck_assert_ptr_nonnull(s);
		if (s[1] == ']')
			break;
		ck_assert_int_eq(s[1], ',');
		s += 2;
	}
	ck_assert_ptr_eq(s + 2, p->payload + p->len);
	return n;
}

/* Publishes FROM.. hold readings FIRST, FIRST + 1, ... in order; returns the next expected. */
static uint64_t expect_run(size_t from, size_t to, uint64_t first)
{
	uint64_t seq[1000];

	for (size_t i = from; i < to; i++) {
		size_t n = batch_seqs(&pubs[i], seq, 1000);

		for (size_t k = 0; k < n; k++)
			ck_assert_uint_eq(seq[k], first++);
	}
	return first;
}

/* batch_readings: full batches go at once, the rest waits batch_wait. */
START_TEST(test_count_limit)
{
	struct sgw_outbox *ob = batched(5120, 3, 1000, NULL);
	uint64_t seq[8];

	mock.connected = true;
	for (uint64_t i = 1; i <= 7; i++)
		push(ob, i);
	ck_assert_uint_eq(npubs, 2);
	ck_assert_uint_eq(batch_seqs(&pubs[0], seq, 8), 3);
	ck_assert_uint_eq(batch_seqs(&pubs[1], seq, 8), 3);
	ck_assert_uint_eq(expect_run(0, 2, 1), 7);
	/* Published with its first reading's tag. */
	ck_assert_uint_eq(pubs[0].tag, sgw_tag_make(SGW_TAG_MEMORY, 1));
	ck_assert_uint_eq(pubs[1].tag, sgw_tag_make(SGW_TAG_MEMORY, 4));
	ck_assert_uint_eq(sgw_outbox_waiting(ob), 1);
	ck_assert(!sgw_outbox_idle(ob));
	sgw_outbox_free(ob);
}
END_TEST

/* batch_wait: the first reading waits that long for others, not longer. */
START_TEST(test_wait)
{
	struct sgw_outbox *ob = batched(5120, 100, 1000, NULL);
	struct sgw_outbox_stats st;

	mock.connected = true;
	ck_assert_int_eq(sgw_outbox_next_deadline(ob), INT64_MAX);
	push(ob, 1);
	ck_assert_uint_eq(npubs, 0);
	ck_assert_int_eq(sgw_outbox_next_deadline(ob), T0 + 1000 * SGW_NS_PER_MS);
	fake_ns = T0 + 400 * SGW_NS_PER_MS;
	push(ob, 2);
	/* The deadline is the first reading's. */
	ck_assert_int_eq(sgw_outbox_next_deadline(ob), T0 + 1000 * SGW_NS_PER_MS);
	fake_ns = T0 + 999 * SGW_NS_PER_MS;
	sgw_outbox_pump(ob);
	ck_assert_uint_eq(npubs, 0);
	/* Offline: nothing to wake up for. */
	mock.connected = false;
	ck_assert_int_eq(sgw_outbox_next_deadline(ob), INT64_MAX);
	mock.connected = true;
	fake_ns = T0 + 1000 * SGW_NS_PER_MS;
	sgw_outbox_pump(ob);
	ck_assert_uint_eq(npubs, 1);
	ck_assert_uint_eq(expect_run(0, 1, 1), 3);
	ck_assert_int_eq(sgw_outbox_next_deadline(ob), INT64_MAX);
	sgw_outbox_get_stats(ob, &st);
	ck_assert_uint_eq(st.batches, 1);
	ck_assert_uint_eq(st.batched_readings, 2);
	ck_assert_uint_eq(st.inflight, 2);
	ck_assert_uint_eq(st.pending, 0);
	sgw_outbox_free(ob);
}
END_TEST

/* batch_wait = 0: what is there goes at once; a full window makes a batch grow. */
START_TEST(test_no_wait)
{
	struct sgw_outbox *ob = batched(5120, 100, 0, NULL);

	mock.connected = true;
	mock.window = 1;
	push(ob, 1);
	ck_assert_uint_eq(npubs, 1);
	for (uint64_t i = 2; i <= 5; i++)
		push(ob, i);
	ck_assert_uint_eq(npubs, 1);
	/* Stuck behind the window: no deadline to spin on; the ack sends it. */
	ck_assert_int_eq(sgw_outbox_next_deadline(ob), INT64_MAX);
	mock.inflight--;
	sgw_outbox_ack(ob, pubs[0].tag);
	sgw_outbox_pump(ob);
	ck_assert_uint_eq(npubs, 2);
	ck_assert_uint_eq(expect_run(0, 2, 1), 6);
	sgw_outbox_free(ob);
}
END_TEST

/* batch_bytes: never over, a reading never split, one too large for it alone. */
START_TEST(test_byte_limit)
{
	struct sgw_outbox *ob = batched(256, 100, 0, NULL);
	char big[400];
	uint64_t next;
	size_t n;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "casa/", 5);
	mock.window = 100;
	for (uint64_t i = 1; i <= 20; i++)
		push(ob, i);
	push_msg(ob, reading(21, big, false));
	for (uint64_t i = 22; i <= 30; i++)
		push(ob, i);
	mock.connected = true;
	sgw_outbox_pump(ob);
	ck_assert_uint_gt(npubs, 4);
	next = 1;
	for (size_t i = 0; i < npubs; i++) {
		uint64_t seq[100];

		n = batch_seqs(&pubs[i], seq, 100);
		if (seq[0] == 21) {
			ck_assert_uint_eq(n, 1);
			ck_assert_uint_gt(pubs[i].len, 400);
		} else {
			ck_assert_uint_le(pubs[i].len, 256);
			ck_assert_uint_gt(n, 1);
		}
		/* Full: the next reading would not have fitted. */
		if (i + 1 < npubs && seq[0] != 21 && seq[n - 1] != 20 && seq[n - 1] != 30)
			ck_assert_uint_gt(pubs[i].len + (pubs[i].len - 1) / n, 256);
		for (size_t k = 0; k < n; k++)
			ck_assert_uint_eq(seq[k], next++);
	}
	ck_assert_uint_eq(next, 31);
	sgw_outbox_free(ob);
}
END_TEST

/* Messages that are not readings go alone, in their place. */
START_TEST(test_not_readings_alone)
{
	struct sgw_outbox *ob = batched(5120, 100, 1000, NULL);
	struct sgw_outbox_stats st;

	push(ob, 1);
	push(ob, 2);
	push_error(ob, 3);
	push_error(ob, 4);
	push(ob, 5);
	mock.connected = true;
	sgw_outbox_pump(ob);
	ck_assert_uint_eq(npubs, 3);
	ck_assert_uint_eq(expect_run(0, 1, 1), 3);
	ck_assert_str_eq(pubs[1].topic, TOPIC "/error");
	ck_assert_str_eq(pubs[1].payload, "timeout");
	ck_assert_uint_eq(pubs[1].tag, sgw_tag_make(SGW_TAG_MEMORY, 3));
	ck_assert_uint_eq(pubs[2].tag, sgw_tag_make(SGW_TAG_MEMORY, 4));
	fake_ns += 1000 * SGW_NS_PER_MS;
	sgw_outbox_pump(ob);
	ck_assert_uint_eq(npubs, 4);
	ck_assert_uint_eq(expect_run(3, 4, 5), 6);
	sgw_outbox_get_stats(ob, &st);
	ck_assert_uint_eq(st.batches, 2);
	ck_assert_uint_eq(st.batched_readings, 3);
	sgw_outbox_free(ob);
}
END_TEST

/* One acknowledgement delivers every reading of its batch. */
START_TEST(test_ack_acks_all)
{
	struct sgw_outbox *ob = batched(5120, 4, 0, NULL);
	struct sgw_outbox_stats st;

	for (uint64_t i = 1; i <= 8; i++)
		push(ob, i);
	mock.connected = true;
	sgw_outbox_pump(ob);
	ck_assert_uint_eq(npubs, 2);
	sgw_outbox_get_stats(ob, &st);
	ck_assert_uint_eq(st.inflight, 8);
	ck_assert_uint_eq(sgw_outbox_oldest(ob)->seq, 1);
	/* A reading's own tag, not a batch's, is no acknowledgement of it. */
	sgw_outbox_ack(ob, sgw_tag_make(SGW_TAG_MEMORY, 6));
	sgw_outbox_ack(ob, pubs[1].tag);
	sgw_outbox_get_stats(ob, &st);
	ck_assert_uint_eq(st.delivered, 4);
	ck_assert_uint_eq(st.inflight, 4);
	sgw_outbox_ack(ob, pubs[1].tag);	/* repeated: nothing */
	sgw_outbox_ack(ob, pubs[0].tag);
	sgw_outbox_get_stats(ob, &st);
	ck_assert_uint_eq(st.delivered, 8);
	ck_assert_uint_eq(st.inflight, 0);
	ck_assert_ptr_null(sgw_outbox_oldest(ob));
	ck_assert(sgw_outbox_idle(ob));
	sgw_outbox_free(ob);
}
END_TEST

/* A lost connection: every reading of the batches in flight goes again, in order. */
START_TEST(test_loss_resends_all)
{
	struct sgw_outbox *ob = batched(5120, 3, 1000, NULL);
	struct sgw_outbox_stats st;

	mock.connected = true;
	for (uint64_t i = 1; i <= 8; i++)
		push(ob, i);
	ck_assert_uint_eq(npubs, 2);
	sgw_outbox_ack(ob, pubs[0].tag);
	/* Lost with 4..6 in flight and 7, 8 in the batch in the making. */
	mock.connected = false;
	sgw_outbox_fail(ob, pubs[1].tag);
	sgw_outbox_lost(ob);
	ck_assert_uint_eq(sgw_outbox_waiting(ob), 5);
	ck_assert_uint_eq(sgw_outbox_oldest(ob)->seq, 4);
	push(ob, 9);
	mock.connected = true;
	mock.inflight = 0;
	sgw_outbox_pump(ob);
	ck_assert_uint_eq(npubs, 4);
	ck_assert_uint_eq(expect_run(2, 4, 4), 10);
	sgw_outbox_get_stats(ob, &st);
	ck_assert_uint_eq(st.resent, 5);
	ck_assert_uint_eq(st.delivered, 3);
	sgw_outbox_ack(ob, pubs[2].tag);
	sgw_outbox_ack(ob, pubs[3].tag);
	sgw_outbox_get_stats(ob, &st);
	ck_assert_uint_eq(st.delivered, 9);
	ck_assert(sgw_outbox_idle(ob));
	sgw_outbox_free(ob);
}
END_TEST

/* Drained at a stop: the batch in the making too, in order. */
static uint64_t drained[16];
static size_t ndrained;

static void drain_fn(void *arg, struct sgw_msg *m)
{
	(void)arg;
	drained[ndrained++] = m->seq;
}

START_TEST(test_drain)
{
	struct sgw_outbox *ob = batched(5120, 3, 1000, NULL);

	mock.connected = true;
	for (uint64_t i = 1; i <= 5; i++)
		push(ob, i);
	ndrained = 0;
	sgw_outbox_drain(ob, drain_fn, NULL);
	ck_assert_uint_eq(ndrained, 5);
	for (size_t i = 0; i < ndrained; i++)
		ck_assert_uint_eq(drained[i], i + 1);
	ck_assert(sgw_outbox_idle(ob));
	sgw_outbox_free(ob);
}
END_TEST

/* A reading whose clock was not synchronised says so in its object. */
START_TEST(test_unsynced)
{
	struct sgw_outbox *ob = batched(5120, 3, 0, NULL);
	uint64_t seq[3];

	mock.connected = true;
	push(ob, 1);
	mock.window = 1;	/* the next ones wait together */
	push_msg(ob, reading(2, TOPIC, true));
	push(ob, 3);
	push_msg(ob, reading(4, TOPIC, true));
	mock.window = 2;
	sgw_outbox_pump(ob);
	ck_assert_uint_eq(npubs, 2);
	ck_assert_uint_eq(batch_seqs(&pubs[1], seq, 3), 3);
	ck_assert_ptr_nonnull(strstr(pubs[1].payload, "\"seq\":2,\"sync\":false}"));
	ck_assert_ptr_nonnull(strstr(pubs[1].payload, "\"seq\":3}"));
	ck_assert_ptr_nonnull(strstr(pubs[1].payload, "\"seq\":4,\"sync\":false}]"));
	ck_assert_ptr_nonnull(strstr(pubs[1].payload, "\"ts\":5002,"));
	sgw_outbox_free(ob);
}
END_TEST

/* max_rate: a batch is one publish. */
START_TEST(test_rate_counts_batches)
{
	struct sgw_outbox *ob = batched(5120, 5, 0, NULL);

	sgw_outbox_set_rate(ob, 1, fake_now);
	for (uint64_t i = 1; i <= 10; i++)
		push(ob, i);
	mock.connected = true;
	sgw_outbox_pump(ob);
	ck_assert_uint_eq(npubs, 1);
	ck_assert_int_eq(sgw_outbox_next_deadline(ob), T0 + SGW_NS_PER_S);
	fake_ns = T0 + SGW_NS_PER_S;
	sgw_outbox_pump(ob);
	ck_assert_uint_eq(npubs, 2);
	ck_assert_uint_eq(expect_run(0, 2, 1), 11);
	sgw_outbox_free(ob);
}
END_TEST

/* ------------------------------------------------------------ the disk backlog */

static char qdir[256];

static const struct sgw_queue_config qcfg = {
	.mode = SGW_QUEUE_MODE_AUTO,
	.sync_interval_ms = 1000,
	.max_size = 8u << 20,
	.segment_size = 1u << 20,
};

static const struct sgw_formtab_entry forms[] = {
	{ .topic = TOPIC, .topic_len = sizeof(TOPIC) - 1, .form = {
		.fmt = SGW_FORMAT_JSON, .scale = 2, .precision = 1, .unit = "C" } },
};

static void disk_setup(void)
{
	setup();
	test_mkdtemp(qdir, sizeof(qdir), "outbox_batch");
}

static void disk_teardown(void)
{
	teardown();
	test_rm_tree(qdir);
}

/*
 * A backlog on disk goes in batches, readings and the error reports
 * between them in order; a loss reads the unacknowledged ones again, and
 * the acknowledgements of batches acknowledge their records.
 */
START_TEST(test_disk_backlog)
{
	struct sgw_spool *sp = sgw_spool_open(qdir, &qcfg, NULL);
	struct sgw_spool_cursor *sc;
	struct sgw_outbox *ob;
	struct sgw_outbox_stats st;
	uint64_t next;
	size_t first;

	ck_assert_ptr_nonnull(sp);
	sc = sgw_spool_cursor(sp, "cloud", 0);
	ck_assert_ptr_nonnull(sc);
	ck_assert_int_eq(sgw_spool_set_forms(sp, forms, 1), 0);
	for (uint64_t i = 1; i <= 250; i++) {
		struct sgw_msg *m = reading(i, TOPIC, false);

		ck_assert_int_eq(sgw_spool_append(sp, m, 1), 0);
		sgw_msg_unref(m);
	}
	ob = batched(16384, 100, 1000, sc);
	mock.window = 2;
	mock.connected = true;
	sgw_outbox_pump(ob);
	/* A window of two batches, 100 readings each (their bytes allow it). */
	ck_assert_uint_eq(npubs, 2);
	ck_assert_uint_eq(expect_run(0, 2, 1), 201);
	ck_assert_uint_eq(pubs[0].tag & SGW_TAG_KIND_MASK, SGW_TAG_SPOOL);
	sgw_outbox_ack(ob, pubs[0].tag);
	mock.inflight--;
	/* Lost with 101..200 in flight: read again from the disk. */
	mock.connected = false;
	mock.inflight = 0;
	sgw_outbox_fail(ob, pubs[1].tag);
	sgw_outbox_lost(ob);
	mock.connected = true;
	first = npubs;
	sgw_outbox_pump(ob);
	ck_assert_uint_eq(npubs, first + 1);
	/* The last 50 readings wait batch_wait for others, then go. */
	ck_assert_int_eq(sgw_outbox_next_deadline(ob), fake_ns + 1000 * SGW_NS_PER_MS);
	fake_ns += 1000 * SGW_NS_PER_MS;
	sgw_outbox_pump(ob);
	ck_assert_uint_eq(npubs, first + 2);
	next = expect_run(first, npubs, 101);
	ck_assert_uint_eq(next, 251);
	sgw_outbox_ack(ob, pubs[first].tag);
	sgw_outbox_ack(ob, pubs[first + 1].tag);
	sgw_outbox_get_stats(ob, &st);
	ck_assert_uint_eq(st.delivered, 250);
	ck_assert(sgw_outbox_idle(ob));
	sgw_outbox_free(ob);
	ck_assert_int_eq(sgw_spool_close(sp), 0);

	/* Reopened: every record was acknowledged. */
	sp = sgw_spool_open(qdir, &qcfg, NULL);
	ck_assert_ptr_nonnull(sp);
	sc = sgw_spool_cursor(sp, "cloud", 0);
	ck_assert_ptr_nonnull(sc);
	{
		struct sgw_msg *m;

		ck_assert_int_eq(sgw_spool_peek(sc, &m), -ENODATA);
	}
	ck_assert_int_eq(sgw_spool_close(sp), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("outbox-batch");
	TCase *tc = tcase_create("memory");
	TCase *disk = tcase_create("disk");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_count_limit);
	tcase_add_test(tc, test_wait);
	tcase_add_test(tc, test_no_wait);
	tcase_add_test(tc, test_byte_limit);
	tcase_add_test(tc, test_not_readings_alone);
	tcase_add_test(tc, test_ack_acks_all);
	tcase_add_test(tc, test_loss_resends_all);
	tcase_add_test(tc, test_drain);
	tcase_add_test(tc, test_unsynced);
	tcase_add_test(tc, test_rate_counts_batches);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(disk, disk_setup, disk_teardown);
	tcase_add_test(disk, test_disk_backlog);
	suite_add_tcase(s, disk);
	return sgw_test_run(s);
}
