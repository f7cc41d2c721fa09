/* SPDX-License-Identifier: MIT */
/*
 * The daemon's disk queue layer: the form table and compact reading records
 * (src/deliver/formtab.c, src/deliver/spool.c), across reopen, damage and
 * restarts; readings stored before the clock was synchronised, read back
 * after it was, in the same boot and after a reboot.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "deliver/clocknote.h"
#include "deliver/formtab.h"
#include "deliver/spool.h"
#include "deliver/tag.h"
#include "message/msg.h"
#include "tests/fixtures/fakeclock.h"
#include "tests/fixtures/run.h"
#include "tests/fixtures/tmpdir.h"
#include "tests/mocks/queue_faults.h"

static char tmp[64];
static char qdir[160];
static char fpath[200];

static void setup(void)
{
	test_mkdtemp(tmp, sizeof(tmp), "sgwspool");
	snprintf(qdir, sizeof(qdir), "%s/q", tmp);
	snprintf(fpath, sizeof(fpath), "%s/forms", qdir);
}

static void teardown(void)
{
	test_rm_tree(tmp);
	fake_clock_remove();
}

static const struct sgw_formtab_entry entries[] = {
	{ "casa/sala/temperatura", 21, { SGW_FORMAT_JSON, 2, 2, "°C" } },
	{ "casa/sala/humedad", 17, { SGW_FORMAT_JSON, 2, 1, "%" } },
	{ "casa/sala/temperatura", 21, { SGW_FORMAT_PLAIN, 2, 2, "°C" } },
	{ "casa/puerta", 11, { SGW_FORMAT_PLAIN, 0, 0, NULL } },
};
#define NENTRIES (sizeof(entries) / sizeof(entries[0]))

/* T holds entries[0..N) under their indexes and starts at FIRST. */
static void assert_table(const struct sgw_formtab *t, size_t n, uint64_t first)
{
	ck_assert_uint_eq(sgw_formtab_first_seq(t), first);
	for (size_t i = 0; i < n; i++) {
		const struct sgw_formtab_entry *e = sgw_formtab_get(t, (uint32_t)i);

		ck_assert_int_eq(sgw_formtab_find(t, entries[i].topic, entries[i].topic_len,
						  &entries[i].form), (long)i);
		ck_assert_ptr_nonnull(e);
		ck_assert_uint_eq(e->topic_len, entries[i].topic_len);
		ck_assert(memcmp(e->topic, entries[i].topic, e->topic_len) == 0);
		ck_assert_int_eq(e->form.fmt, entries[i].form.fmt);
		ck_assert_uint_eq(e->form.scale, entries[i].form.scale);
		ck_assert_uint_eq(e->form.precision, entries[i].form.precision);
		ck_assert_str_eq(e->form.unit, entries[i].form.unit ? entries[i].form.unit : "");
	}
	ck_assert_ptr_null(sgw_formtab_get(t, (uint32_t)n));
}

START_TEST(test_formtab_persist)
{
	struct sgw_formtab *t;
	int st;

	ck_assert_int_eq(mkdir(qdir, 0700), 0);
	t = sgw_formtab_open(fpath, NULL, 7, &st);
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(st, 0);
	ck_assert_uint_eq(sgw_formtab_count(t), 0);
	ck_assert_uint_eq(sgw_formtab_first_seq(t), 7);
	/* Three entries, the first listed twice. */
	{
		struct sgw_formtab_entry e[4] = { entries[0], entries[1], entries[0], entries[2] };

		ck_assert_int_eq(sgw_formtab_update(t, e, 4, false, 9), 0);
	}
	assert_table(t, 3, 7);
	sgw_formtab_free(t);

	t = sgw_formtab_open(fpath, NULL, 50, &st);
	ck_assert_int_eq(st, 0);
	assert_table(t, 3, 7);
	/* A new entry keeps the old numbers, restart or not (nothing is unknown). */
	ck_assert_int_eq(sgw_formtab_update(t, entries, NENTRIES, true, 60), 0);
	assert_table(t, 4, 7);
	/* Fewer entries with restart allowed: started again at the next number. */
	ck_assert_int_eq(sgw_formtab_update(t, entries, 2, true, 70), 0);
	assert_table(t, 2, 70);
	sgw_formtab_free(t);

	t = sgw_formtab_open(fpath, NULL, 80, &st);
	ck_assert_int_eq(st, 0);
	assert_table(t, 2, 70);
	/* Without restart the table only grows. */
	ck_assert_int_eq(sgw_formtab_update(t, &entries[1], 1, false, 90), 0);
	assert_table(t, 2, 70);
	sgw_formtab_free(t);
}
END_TEST

static size_t write_table(void)
{
	struct sgw_formtab *t;
	struct stat sb;
	int st;

	mkdir(qdir, 0700);
	t = sgw_formtab_open(fpath, NULL, 1, &st);
	ck_assert_int_eq(sgw_formtab_update(t, entries, NENTRIES, false, 1), 0);
	sgw_formtab_free(t);
	ck_assert_int_eq(stat(fpath, &sb), 0);
	return (size_t)sb.st_size;
}

static void put_file(const void *buf, size_t len)
{
	FILE *f = fopen(fpath, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(buf, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

/* Every cut and every flipped byte of the file: refused, empty, no crash. */
START_TEST(test_formtab_damage)
{
	size_t len = write_table();
	uint8_t *good = malloc(len), *bad = malloc(len);
	FILE *f = fopen(fpath, "rb");

	ck_assert_uint_eq(fread(good, 1, len, f), len);
	fclose(f);
	for (size_t cut = 0; cut < len; cut++) {
		struct sgw_formtab *t;
		int st;

		put_file(good, cut);
		t = sgw_formtab_open(fpath, NULL, 33, &st);
		if (st != -EBADMSG || sgw_formtab_count(t) != 0 || sgw_formtab_first_seq(t) != 33)
			ck_abort_msg("cut at %zu of %zu: status %d", cut, len, st);
		sgw_formtab_free(t);
	}
	for (size_t i = 0; i < len; i++) {
		struct sgw_formtab *t;
		int st;

		memcpy(bad, good, len);
		bad[i] ^= 0x5a;
		put_file(bad, len);
		t = sgw_formtab_open(fpath, NULL, 33, &st);
		if (st != -EBADMSG || sgw_formtab_count(t) != 0)
			ck_abort_msg("byte %zu flipped: status %d", i, st);
		sgw_formtab_free(t);
	}
	free(good);
	free(bad);
}
END_TEST

/* ------------------------------------------------------------ spool */

static const struct sgw_queue_config qcfg = {
	.mode = SGW_QUEUE_MODE_AUTO,
	.sync_interval_ms = 1000,
	.max_size = 8u << 20,
	.segment_size = 1u << 20,
};

#define NREAD 200

/*
 * Message I of the test's sequence: readings of each entry, some raw ones;
 * every QoS and retain flag of their own, and the uplink's (-1).
 */
static struct sgw_msg *make(size_t i)
{
	const struct sgw_formtab_entry *e = &entries[i % NENTRIES];
	struct sgw_stamp ts = { .wall_ms = INT64_C(1763776800000) + (int64_t)i * 100 };
	int32_t v = (int32_t)(i * 7919 % 20000) - 10000;
	struct sgw_msg *m;

	if (i % 10 == 9)
		m = sgw_msg_new(1000 + i, &ts, "casa/sala/temperatura/error", 27, "ok", 2);
	else
		m = sgw_msg_new_reading(1000 + i, &ts, e->topic, e->topic_len, &e->form, v);
	if (m) {
		m->qos = (int8_t)(i % 4) - 1;
		m->retain = (int8_t)(i % 3) - 1;
	}
	return m;
}

static struct sgw_spool *open_spool(struct sgw_spool_cursor **c, size_t nforms)
{
	struct sgw_spool *sp = sgw_spool_open(qdir, &qcfg, NULL);

	ck_assert_ptr_nonnull(sp);
	*c = sgw_spool_cursor(sp, "house", 0);
	ck_assert_ptr_nonnull(*c);
	ck_assert_int_eq(sgw_spool_set_forms(sp, entries, nforms), 0);
	return sp;
}

static void append_all(struct sgw_spool *sp, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		struct sgw_msg *m = make(i);

		ck_assert_ptr_nonnull(m);
		ck_assert_int_eq(sgw_spool_append(sp, m, 1), 0);
		sgw_msg_unref(m);
	}
}

/* Read messages FROM..TO-1, skipping the readings when ONLY_RAW; ack them. */
static void read_all(struct sgw_spool_cursor *c, size_t from, size_t to, bool only_raw)
{
	struct sgw_msg *got;

	for (size_t i = from; i < to; i++) {
		struct sgw_msg *want = make(i);

		if (only_raw && want->reading) {
			sgw_msg_unref(want);
			continue;
		}
		ck_assert_int_eq(sgw_spool_peek(c, &got), 0);
		got = sgw_spool_take(c);
		if (got->topic_len != want->topic_len || got->payload_len != want->payload_len ||
		    memcmp(sgw_msg_topic(got), sgw_msg_topic(want), want->topic_len) != 0 ||
		    memcmp(sgw_msg_payload(got), sgw_msg_payload(want), want->payload_len) != 0 ||
		    got->ts.wall_ms != want->ts.wall_ms)
			ck_abort_msg("message %zu: got %s %s, want %s %s", i, sgw_msg_topic(got),
				     sgw_msg_payload(got), sgw_msg_topic(want), sgw_msg_payload(want));
		/* The gateway's number, as stored; the record's number as the tag. */
		ck_assert_uint_eq(got->seq, want->seq);
		ck_assert_int_eq(got->qos, want->qos);
		ck_assert_int_eq(got->retain, want->retain);
		ck_assert_uint_eq(sgw_tag_kind(got->tag), SGW_TAG_SPOOL);
		ck_assert_int_eq(sgw_spool_ack(c, got->tag), 0);
		sgw_msg_unref(got);
		sgw_msg_unref(want);
	}
	ck_assert_int_eq(sgw_spool_peek(c, &got), -ENODATA);
}

START_TEST(test_spool_compact)
{
	struct sgw_spool_cursor *c;
	struct sgw_spool *sp;
	struct sgw_queue_stats st;
	uint64_t whole = 0;

	ck_assert_int_eq(mkdir(qdir, 0700), 0);
	/* The last entry is not registered: its readings add it when appended. */
	sp = open_spool(&c, NENTRIES - 1);
	append_all(sp, 0, NREAD);
	sgw_spool_get_stats(sp, &st);
	ck_assert_uint_eq(st.depth, NREAD);
	/* What the records would take whole: 12-byte header, mask, qmsg. */
	for (size_t i = 0; i < NREAD; i++) {
		struct sgw_msg *m = make(i);

		whole += 12 + 1 + 1 + 6 + 2 + 1 + m->topic_len + m->payload_len;
		sgw_msg_unref(m);
	}
	/* Readings: 12 + 1 + 1 + 6 + 2 + 1 + <= 3 = at most 26 bytes. */
	ck_assert_uint_le(st.bytes, NREAD / 10 * (12 + 1 + 1 + 6 + 2 + 1 + 27 + 2) + NREAD * 26);
	ck_assert_uint_lt(st.bytes, whole / 2);
	ck_assert_int_eq(sgw_spool_close(sp), 0);

	sp = open_spool(&c, NENTRIES);
	ck_assert_int_eq(sgw_spool_forms_error(sp), 0);
	read_all(c, 0, NREAD, false);
	sgw_spool_get_stats(sp, &st);
	ck_assert_uint_eq(st.corrupt, 0);
	ck_assert_uint_eq(st.depth, 0);
	ck_assert_int_eq(sgw_spool_close(sp), 0);
}
END_TEST

/* A damaged form table: the readings are lost and counted, the rest arrives. */
START_TEST(test_spool_lost_forms)
{
	struct sgw_spool_cursor *c;
	struct sgw_spool *sp;
	struct sgw_queue_stats st;
	uint8_t b;
	int fd;

	ck_assert_int_eq(mkdir(qdir, 0700), 0);
	sp = open_spool(&c, NENTRIES);
	append_all(sp, 0, NREAD);
	ck_assert_int_eq(sgw_spool_close(sp), 0);
	fd = open(fpath, O_RDWR);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, &b, 1, 20), 1);
	b ^= 1;
	ck_assert_int_eq(pwrite(fd, &b, 1, 20), 1);
	close(fd);

	sp = open_spool(&c, NENTRIES);
	ck_assert_int_eq(sgw_spool_forms_error(sp), -EBADMSG);
	read_all(c, 0, NREAD, true);
	sgw_spool_get_stats(sp, &st);
	ck_assert_uint_eq(st.corrupt, NREAD - NREAD / 10);
	/* New readings use the new table. */
	append_all(sp, NREAD, NREAD + 20);
	ck_assert_int_eq(sgw_spool_close(sp), 0);

	sp = open_spool(&c, NENTRIES);
	ck_assert_int_eq(sgw_spool_forms_error(sp), 0);
	read_all(c, NREAD, NREAD + 20, false);
	ck_assert_int_eq(sgw_spool_close(sp), 0);
}
END_TEST

/* Once everything is acknowledged, a changed configuration starts a new table. */
START_TEST(test_spool_restart_table)
{
	struct sgw_spool_cursor *c;
	struct sgw_spool *sp;
	struct sgw_queue_stats st;
	struct sgw_formtab *t;
	int status;

	ck_assert_int_eq(mkdir(qdir, 0700), 0);
	sp = open_spool(&c, NENTRIES);
	append_all(sp, 0, 40);
	read_all(c, 0, 40, false);
	ck_assert_int_eq(sgw_spool_close(sp), 0);

	/* Two forms left in the configuration: forgotten, numbering starts again. */
	sp = open_spool(&c, 2);
	sgw_spool_get_stats(sp, &st);
	t = sgw_formtab_open(fpath, NULL, 0, &status);
	ck_assert_int_eq(status, 0);
	ck_assert_uint_eq(sgw_formtab_count(t), 2);
	ck_assert_uint_eq(sgw_formtab_first_seq(t), st.next_seq);
	sgw_formtab_free(t);
	append_all(sp, 40, 80);
	read_all(c, 40, 80, false);
	sgw_spool_get_stats(sp, &st);
	ck_assert_uint_eq(st.corrupt, 0);
	ck_assert_int_eq(sgw_spool_close(sp), 0);

	/* With a backlog the table is kept whole, whatever the configuration. */
	sp = open_spool(&c, NENTRIES);
	append_all(sp, 80, 100);
	ck_assert_int_eq(sgw_spool_close(sp), 0);
	sp = open_spool(&c, 1);
	read_all(c, 80, 100, false);
	ck_assert_int_eq(sgw_spool_close(sp), 0);
}
END_TEST

/*
 * sgw_spool_append() returns 0 exactly when the record is stored: a failed
 * write keeps nothing (the caller keeps the reading), a failed sync after a
 * write of sync = always keeps it (the caller must not keep a second copy).
 */
START_TEST(test_spool_append_result)
{
	struct sgw_queue_config qc = qcfg;
	struct sgw_spool_cursor *c;
	struct sgw_queue_stats st;
	struct sgw_spool *sp;

	qc.sync_always = true;
	qfault_reset();
	ck_assert_int_eq(mkdir(qdir, 0700), 0);
	sp = sgw_spool_open(qdir, &qc, &qfault_ops);
	ck_assert_ptr_nonnull(sp);
	c = sgw_spool_cursor(sp, "house", 0);
	ck_assert_int_eq(sgw_spool_set_forms(sp, entries, NENTRIES), 0);
	append_all(sp, 0, 2);
	{
		struct sgw_msg *m = make(2);

		qfault.pwrite_errno = EIO;
		qfault.pwrite_fails = 1;
		ck_assert_int_eq(sgw_spool_append(sp, m, 1), -EIO);
		qfault.fdatasync_errno = EIO;
		qfault.fdatasync_fails = 1;
		ck_assert_int_eq(sgw_spool_append(sp, m, 1), 0);
		sgw_msg_unref(m);
	}
	append_all(sp, 3, 5);
	sgw_spool_get_stats(sp, &st);
	ck_assert_uint_eq(st.io_errors, 2);
	read_all(c, 0, 5, false);
	ck_assert_int_eq(sgw_spool_close(sp), 0);
}
END_TEST

/* ------------------------------------------------------------ the clock */

static struct fake_clock fc;

/* Reading SEQ of entries[0] (JSON, °C) taken now, stored. */
static void store_reading(struct sgw_spool *sp, uint64_t seq, int32_t v)
{
	struct sgw_stamp ts = sgw_clock_stamp();
	struct sgw_msg *m = sgw_msg_new_reading(seq, &ts, entries[0].topic, entries[0].topic_len,
						&entries[0].form, v);

	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(sgw_spool_append(sp, m, 1), 0);
	sgw_msg_unref(m);
}

/* The next message is PAYLOAD: taken and acknowledged. */
static void expect_next(struct sgw_spool_cursor *c, const char *payload)
{
	struct sgw_msg *m;

	ck_assert_int_eq(sgw_spool_peek(c, &m), 0);
	ck_assert_str_eq(sgw_msg_payload(m), payload);
	m = sgw_spool_take(c);
	ck_assert_int_eq(sgw_spool_ack(c, m->tag), 0);
	sgw_msg_unref(m);
}

static const char report[] = "{\"error\":null,\"failures\":1,\"ts\":1660000003000,\"seq\":103,"
			     "\"sync\":false}";

START_TEST(test_spool_unsynced)
{
	struct sgw_spool_cursor *c;
	struct sgw_spool *sp;
	struct sgw_stamp ts;
	struct sgw_msg *m;

	/* Booted with fake-hwclock's time, 5 s ago; the broker is away. */
	fake_clock_install(&fc, INT64_C(1660000000000), 5000);
	ck_assert_int_eq(mkdir(qdir, 0700), 0);
	sp = open_spool(&c, NENTRIES);
	for (uint64_t i = 0; i < 3; i++) {
		store_reading(sp, 100 + i, 2300 + (int32_t)i);
		fake_clock_advance(&fc, 1000);
	}
	/* A health report is stored whole, as it was made. */
	ts = sgw_clock_stamp();
	m = sgw_msg_new(103, &ts, "casa/sala/temperatura/error", 27, report, sizeof(report) - 1);
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(sgw_spool_append(sp, m, 1), 0);
	sgw_msg_unref(m);

	/* The broker is back first: the oldest is read, says what its time is. */
	ck_assert_int_eq(sgw_spool_peek(c, &m), 0);
	ck_assert_str_eq(sgw_msg_payload(m), "{\"value\":23.00,\"unit\":\"°C\","
			 "\"ts\":1660000000000,\"seq\":100,\"sync\":false}");
	/* Before it goes, the clock is set: 10 s later it is 1700000000000. */
	fake_clock_advance(&fc, 10000);
	fake_clock_sync(&fc, INT64_C(1700000000000));
	ck_assert_int_eq(sgw_clock_check(), 1);
	ck_assert_uint_eq(sgw_spool_restamp(sp), 1);
	ck_assert_uint_eq(sgw_spool_restamp(sp), 0);
	expect_next(c, "{\"value\":23.00,\"unit\":\"°C\",\"ts\":1699999987000,\"seq\":100}");
	expect_next(c, "{\"value\":23.01,\"unit\":\"°C\",\"ts\":1699999988000,\"seq\":101}");
	ck_assert_int_eq(sgw_spool_close(sp), 0);

	/* The gateway restarts in the same boot: the rest still gets its wall time. */
	fake_clock_advance(&fc, 20000);
	fake_clock_restart(&fc);
	ck_assert_int_eq(sgw_clock_check(), 1);
	sp = open_spool(&c, NENTRIES);
	expect_next(c, "{\"value\":23.02,\"unit\":\"°C\",\"ts\":1699999989000,\"seq\":102}");
	/* The report goes as it was made. */
	expect_next(c, report);
	store_reading(sp, 104, 2304);
	expect_next(c, "{\"value\":23.04,\"unit\":\"°C\",\"ts\":1700000020000,\"seq\":104}");
	ck_assert_int_eq(sgw_spool_peek(c, &m), -ENODATA);
	ck_assert_int_eq(sgw_spool_close(sp), 0);
}
END_TEST

START_TEST(test_spool_unsynced_reboot)
{
	struct sgw_spool_cursor *c;
	struct sgw_spool *sp;

	/* Boot 1: a reading, then a power cut before the clock was ever set. */
	fake_clock_install(&fc, INT64_C(1660000000000), 5000);
	ck_assert_int_eq(mkdir(qdir, 0700), 0);
	sp = open_spool(&c, NENTRIES);
	store_reading(sp, 100, 2300);
	ck_assert_int_eq(sgw_spool_close(sp), 0);

	/* Boot 2: a reading; 2 s later the clock is set; the broker is away; a power cut. */
	fake_clock_reboot(&fc, INT64_C(1660000001000), 4000);
	sp = open_spool(&c, NENTRIES);
	store_reading(sp, 101, 2301);
	fake_clock_advance(&fc, 2000);
	fake_clock_sync(&fc, INT64_C(1700000000000));
	ck_assert_int_eq(sgw_clock_check(), 1);
	ck_assert_uint_eq(sgw_spool_restamp(sp), 0);
	ck_assert_int_eq(sgw_spool_close(sp), 0);

	/*
	 * Boot 3, synchronised at once.  Boot 1's reading counted its time in
	 * a boot whose clock nobody knows: as it was.  Boot 2's clock is
	 * noted: its reading gets its wall time.
	 */
	fake_clock_reboot(&fc, INT64_C(1660000002000), 3000);
	fake_clock_sync(&fc, INT64_C(1700000100000));
	ck_assert_int_eq(sgw_clock_check(), 1);
	sp = open_spool(&c, NENTRIES);
	expect_next(c, "{\"value\":23.00,\"unit\":\"°C\",\"ts\":1660000000000,\"seq\":100,"
		    "\"sync\":false}");
	expect_next(c, "{\"value\":23.01,\"unit\":\"°C\",\"ts\":1699999998000,\"seq\":101}");
	ck_assert_int_eq(sgw_spool_close(sp), 0);
}
END_TEST

/* The note of earlier boots' clocks: kept, bounded, refused whole when damaged. */
START_TEST(test_clocknote)
{
	struct sgw_clocknote cn;
	struct sgw_stamp ts;
	char path[200];
	FILE *f;

	ck_assert_int_eq(mkdir(qdir, 0700), 0);
	fake_clock_install(&fc, 0, 1000);
	ck_assert_int_eq(sgw_clocknote_open(&cn, qdir), 0);	/* none yet */
	ck_assert_int_eq(sgw_clocknote_update(&cn), 0);		/* nothing to note */
	ck_assert_uint_eq(cn.n, 0);
	/* Ten boots, each synchronised 1 s after the boot, at 1700000000000 + boot * 1000000. */
	for (int b = 1; b <= 10; b++) {
		fake_clock_reboot(&fc, 0, 1000);
		fake_clock_sync(&fc, INT64_C(1700000000000) + b * 1000000);
		ck_assert_int_eq(sgw_clock_check(), 1);
		ck_assert_int_eq(sgw_clocknote_update(&cn), 0);
		ck_assert_int_eq(sgw_clocknote_update(&cn), 0);	/* once a boot */
	}
	sgw_clocknote_close(&cn);
	ck_assert_int_eq(sgw_clocknote_open(&cn, qdir), 0);
	ck_assert_uint_eq(cn.n, SGW_CLOCKNOTE_MAX);
	/* The newest eight: boots 11..4 (the fixture's boot ids count from 1). */
	for (uint64_t boot = 1; boot <= 11; boot++) {
		ts = (struct sgw_stamp){ .wall_ms = 5, .boot_ms = 500, .boot = boot, .unsynced = true };
		ck_assert(sgw_clocknote_fix(&cn, &ts) == (boot >= 4));
		if (boot >= 4)
			ck_assert_int_eq(ts.wall_ms, INT64_C(1700000000000) +
					 (int64_t)(boot - 1) * 1000000 - 500);
		else
			ck_assert_int_eq(ts.wall_ms, 5);
	}
	ck_assert(!sgw_clocknote_fix(&cn, &ts));		/* synchronised already */
	sgw_clocknote_close(&cn);
	/* A damaged line: nothing of it is trusted. */
	snprintf(path, sizeof(path), "%s/clock", qdir);
	f = fopen(path, "a");
	ck_assert_ptr_nonnull(f);
	fputs("000000000000000x 12\n", f);
	fclose(f);
	ck_assert_int_eq(sgw_clocknote_open(&cn, qdir), -EBADMSG);
	ck_assert_uint_eq(cn.n, 0);
	sgw_clocknote_close(&cn);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("spool");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_formtab_persist);
	tcase_add_test(tc, test_formtab_damage);
	tcase_add_test(tc, test_spool_compact);
	tcase_add_test(tc, test_spool_lost_forms);
	tcase_add_test(tc, test_spool_restart_table);
	tcase_add_test(tc, test_spool_append_result);
	tcase_add_test(tc, test_spool_unsynced);
	tcase_add_test(tc, test_spool_unsynced_reboot);
	tcase_add_test(tc, test_clocknote);
	suite_add_tcase(s, tc);
	return sgw_test_run(s);
}
