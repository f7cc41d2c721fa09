/* SPDX-License-Identifier: MIT */
/*
 * The router against mock uplinks (tests/mocks/mock_uplink.c) and a real
 * disk queue in a private directory: where each message waits (memory or
 * disk), spilling at a lost connection, order across a disk that refuses
 * and recovers, two uplinks, mode = always, exit and reload, and what the
 * log and the statistics say about failed connects.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deliver/router.h"
#include "deliver/tag.h"
#include "tests/fixtures/fakeclock.h"
#include "tests/fixtures/logcap.h"
#include "tests/fixtures/run.h"
#include "tests/fixtures/tmpdir.h"
#include "tests/mocks/mock_uplink.h"
#include "tests/mocks/queue_faults.h"
#include "util/clock.h"
#include "util/log.h"

struct fixture {
	char dir[64];
	char names[SGW_MAX_UPLINKS][16];
	struct sgw_config cfg;
};

static struct fixture fx;

/* NUPLINKS uplinks with window WINDOW, the disk queue in MODE. */
static void fx_init(size_t nuplinks, int window, enum sgw_queue_mode mode)
{
	struct sgw_config *c = &fx.cfg;

	memset(c, 0, sizeof(*c));
	c->path = "test.ini";
	c->gw.name = "gw";
	c->gw.status_topic = "t/gw/status";
	c->gw.state_dir = fx.dir;
	c->queue.mode = mode;
	c->queue.sync_interval_ms = 1000;
	c->queue.max_size = 1u << 20;
	c->queue.segment_size = 64u << 10;
	c->nuplinks = nuplinks;
	for (size_t i = 0; i < nuplinks; i++) {
		snprintf(fx.names[i], sizeof(fx.names[i]), "up%zu", i);
		c->uplinks[i].name = fx.names[i];
		c->uplinks[i].max_inflight = window;
		c->uplinks[i].qos = 1;
	}
}

static void setup(void)
{
	test_mkdtemp(fx.dir, sizeof(fx.dir), "sgwrt");
	mock_uplinks_reset();
	qfault_reset();
	fx_init(1, 4, SGW_QUEUE_MODE_AUTO);
}

static void teardown(void)
{
	test_rm_tree(fx.dir);
}

static struct sgw_router *start(void)
{
	struct sgw_router_opts o = { .queue_ops = &qfault_ops };
	struct sgw_router *r = sgw_router_new(&fx.cfg, &o);

	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(mock_nuplinks, fx.cfg.nuplinks);
	return r;
}

/* The reading numbered SEQ, whose payload is its number. */
static void emit(struct sgw_router *r, uint64_t seq)
{
	char payload[16];
	int n = snprintf(payload, sizeof(payload), "%llu", (unsigned long long)seq);
	struct sgw_stamp ts = { .wall_ms = (int64_t)seq * 10 };
	struct sgw_msg *m = sgw_msg_new(seq, &ts, "a/b", 3, payload, (size_t)n);

	ck_assert_ptr_nonnull(m);
	sgw_router_emit(r, m);
}

static uint64_t depth(struct sgw_router *r)
{
	struct sgw_queue_stats q;

	ck_assert(sgw_router_queue_stats(r, &q));
	return q.depth;
}

/* U published the payloads FROM..TO in order, from its I-th publish on. */
static void assert_published(const struct sgw_uplink *u, size_t i, uint64_t from, uint64_t to)
{
	ck_assert_uint_ge(u->n, i + (to - from + 1));
	for (uint64_t s = from; s <= to; s++, i++) {
		char want[16];

		snprintf(want, sizeof(want), "%llu", (unsigned long long)s);
		ck_assert_msg(strcmp(u->payloads[i], want) == 0, "publish %zu: got %s, want %s", i,
			      u->payloads[i], want);
	}
}

START_TEST(test_online_stays_in_memory)
{
	struct sgw_router *r = start();
	struct sgw_uplink *u = mock_uplinks[0];

	mock_uplink_connect(u);
	for (uint64_t s = 1; s <= 10; s++)
		emit(r, s);
	/* Four in flight, six waiting in memory; nothing on disk. */
	ck_assert_uint_eq(u->n, 4);
	ck_assert_uint_eq(depth(r), 0);
	ck_assert_uint_eq(sgw_tag_kind(u->tags[0]), SGW_TAG_MEMORY);
	ck_assert_uint_eq(sgw_tag_number(u->tags[0]), 1);
	ck_assert(!sgw_router_idle(r));
	mock_uplink_ack_all(u);
	assert_published(u, 0, 1, 10);
	ck_assert(sgw_router_idle(r));
	ck_assert_uint_eq(depth(r), 0);
	sgw_router_stop(r, 0);
}
END_TEST

START_TEST(test_offline_goes_to_disk_and_drains_in_order)
{
	struct sgw_router *r = start();
	struct sgw_uplink *u = mock_uplinks[0];
	struct sgw_router_link_stats ls;

	for (uint64_t s = 1; s <= 20; s++)
		emit(r, s);
	ck_assert_uint_eq(u->n, 0);
	ck_assert_uint_eq(depth(r), 20);
	sgw_router_link_stats(r, 0, &ls);
	ck_assert_uint_eq(ls.outbox.pending, 0);
	ck_assert_int_eq(ls.oldest_memory_ts_ms, INT64_MIN);
	mock_uplink_connect(u);
	/* Read back from disk: spool tags, the gateway's numbers in the payloads. */
	ck_assert_uint_eq(sgw_tag_kind(u->tags[0]), SGW_TAG_SPOOL);
	/* Live readings queue behind the backlog, also on disk. */
	emit(r, 21);
	ck_assert_uint_eq(depth(r), 21);
	mock_uplink_ack_all(u);
	assert_published(u, 0, 1, 21);
	ck_assert_uint_eq(depth(r), 0);
	ck_assert(sgw_router_idle(r));
	/* Caught up: the next reading stays in memory. */
	emit(r, 22);
	ck_assert_uint_eq(sgw_tag_kind(u->tags[u->n - 1]), SGW_TAG_MEMORY);
	mock_uplink_ack_all(u);
	sgw_router_stop(r, 0);
}
END_TEST

START_TEST(test_lost_connection_spills_memory_to_disk)
{
	struct sgw_router *r = start();
	struct sgw_uplink *u = mock_uplinks[0];
	size_t before;

	mock_uplink_connect(u);
	for (uint64_t s = 1; s <= 10; s++)
		emit(r, s);
	mock_uplink_ack_next(u);	/* 1 delivered; 2..5 in flight, 6..10 waiting */
	mock_uplink_lose(u);
	/* Everything not acknowledged moved to disk, in order. */
	ck_assert_uint_eq(depth(r), 9);
	emit(r, 11);
	ck_assert_uint_eq(depth(r), 10);
	before = u->n;
	mock_uplink_connect(u);
	mock_uplink_ack_all(u);
	assert_published(u, before, 2, 11);
	ck_assert_uint_eq(depth(r), 0);
	sgw_router_stop(r, 0);
}
END_TEST

/*
 * Offline, the disk refuses reading 6 twice (its append, and the move of
 * memory to disk before the next one) and then works again: 6 waits in
 * memory, and what comes after it must not overtake it.  Everything
 * arrives in order, nothing twice.
 */
START_TEST(test_disk_refuses_then_recovers)
{
	struct sgw_router *r = start();
	struct sgw_uplink *u = mock_uplinks[0];

	fx.cfg.uplinks[0].max_inflight = 100;
	u->window = 100;
	for (uint64_t s = 1; s <= 5; s++)
		emit(r, s);
	qfault.pwrite_errno = EIO;
	qfault.pwrite_fails = 2;
	for (uint64_t s = 6; s <= 12; s++)
		emit(r, s);
	ck_assert_int_eq(qfault.pwrite_fails, 0);
	mock_uplink_connect(u);
	ck_assert_uint_eq(u->n, 12);
	assert_published(u, 0, 1, 12);
	mock_uplink_ack_all(u);
	ck_assert(sgw_router_idle(r));
	sgw_router_stop(r, 0);
}
END_TEST

/* One record on disk serves every uplink that needs it; a connected one takes memory. */
START_TEST(test_two_uplinks)
{
	struct sgw_router *r;
	struct sgw_uplink *a, *b;
	struct sgw_queue_stats q;

	fx_init(2, 4, SGW_QUEUE_MODE_AUTO);
	r = start();
	a = mock_uplinks[0];
	b = mock_uplinks[1];
	for (uint64_t s = 1; s <= 3; s++)
		emit(r, s);	/* both offline: three records */
	mock_uplink_connect(a);
	mock_uplink_ack_all(a);
	for (uint64_t s = 4; s <= 6; s++)
		emit(r, s);	/* a: memory; b: disk */
	mock_uplink_ack_all(a);
	assert_published(a, 0, 1, 6);
	ck_assert_uint_eq(sgw_tag_kind(a->tags[5]), SGW_TAG_MEMORY);
	ck_assert(sgw_router_queue_stats(r, &q));
	ck_assert_uint_eq(q.next_seq - 1, 6);	/* six records in all, none twice */
	ck_assert_uint_eq(q.depth, 6);		/* b has read none */
	mock_uplink_connect(b);
	mock_uplink_ack_all(b);
	assert_published(b, 0, 1, 6);
	ck_assert_uint_eq(depth(r), 0);
	sgw_router_stop(r, 0);
}
END_TEST

/* The payloads U published, from its I-th publish on, are the numbers in WANT (0 ends). */
static void assert_payloads(const struct sgw_uplink *u, size_t i, const uint64_t *want)
{
	size_t n = 0;

	while (want[n])
		n++;
	ck_assert_uint_eq(u->n, i + n);
	for (size_t k = 0; k < n; k++) {
		char w[16];

		snprintf(w, sizeof(w), "%llu", (unsigned long long)want[k]);
		ck_assert_msg(strcmp(u->payloads[i + k], w) == 0, "publish %zu: got %s, want %s",
			      i + k, u->payloads[i + k], w);
	}
}

/* The message numbered SEQ, its payload its number, to TOPIC. */
static void emit_to(struct sgw_router *r, uint64_t seq, const char *topic)
{
	char payload[16];
	int n = snprintf(payload, sizeof(payload), "%llu", (unsigned long long)seq);
	struct sgw_stamp ts = { .wall_ms = (int64_t)seq * 10 };
	struct sgw_msg *m = sgw_msg_new(seq, &ts, topic, strlen(topic), payload, (size_t)n);

	ck_assert_ptr_nonnull(m);
	sgw_router_emit(r, m);
}

/*
 * [mqtt NAME] sensors: uplink 0 carries sensors a and b, uplink 1 only a.
 * Each gets exactly its readings and its sensors' error reports, in order,
 * from memory and from disk; a message of no sensor goes to both; and the
 * subset uplink being offline never delays the other.
 */
START_TEST(test_routing_by_sensor)
{
	static struct sgw_sensor_config sensors[2];
	static const uint64_t all[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0 };
	static const uint64_t only_a[] = { 1, 3, 4, 5, 7, 9, 10, 0 };
	struct sgw_router *r;
	struct sgw_uplink *u0, *u1;

	fx_init(2, 64, SGW_QUEUE_MODE_AUTO);
	memset(sensors, 0, sizeof(sensors));
	sensors[0] = (struct sgw_sensor_config){ .name = "a", .uplinks = 3, .nchannels = 1 };
	sensors[0].ch[0] = (struct sgw_channel_config){ .name = "x", .unit = "", .topic = "t/a/x" };
	sensors[1] = (struct sgw_sensor_config){ .name = "b", .uplinks = 1, .nchannels = 1 };
	sensors[1].ch[0] = (struct sgw_channel_config){ .name = "x", .unit = "", .topic = "t/b/x" };
	fx.cfg.sensors = sensors;
	fx.cfg.nsensors = 2;
	r = start();
	u0 = mock_uplinks[0];
	u1 = mock_uplinks[1];

	/* Both offline: on disk, each record for the uplinks that carry it. */
	emit_to(r, 1, "t/a/x");
	emit_to(r, 2, "t/b/x");
	emit_to(r, 3, "t/a/x/error");
	/* Uplink 0 back: it sends its backlog and the new ones from memory, at once. */
	mock_uplink_connect(u0);
	emit_to(r, 4, "t/gw/other");	/* no sensor's: both */
	emit_to(r, 5, "t/a/x");
	emit_to(r, 6, "t/b/x/error");
	emit_to(r, 7, "t/a/x");
	assert_payloads(u0, 0, (const uint64_t[]){ 1, 2, 3, 4, 5, 6, 7, 0 });
	ck_assert_uint_eq(u1->n, 0);
	mock_uplink_ack_all(u0);
	/* Uplink 1 back: only sensor a's, and the message of no sensor, in order. */
	mock_uplink_connect(u1);
	emit_to(r, 8, "t/b/x");
	emit_to(r, 9, "t/a/x");
	emit_to(r, 10, "t/a/x");
	mock_uplink_ack_all(u0);
	mock_uplink_ack_all(u1);
	assert_payloads(u0, 0, all);
	assert_payloads(u1, 0, only_a);
	ck_assert_uint_eq(depth(r), 0);
	ck_assert(sgw_router_idle(r));
	sgw_router_stop(r, 0);
}
END_TEST

START_TEST(test_mode_always_uses_disk_online)
{
	struct sgw_router *r;
	struct sgw_uplink *u;

	fx_init(1, 4, SGW_QUEUE_MODE_ALWAYS);
	r = start();
	u = mock_uplinks[0];
	mock_uplink_connect(u);
	for (uint64_t s = 1; s <= 3; s++)
		emit(r, s);
	for (size_t i = 0; i < u->n; i++)
		ck_assert_uint_eq(sgw_tag_kind(u->tags[i]), SGW_TAG_SPOOL);
	mock_uplink_ack_all(u);
	assert_published(u, 0, 1, 3);
	sgw_router_stop(r, 0);
}
END_TEST

START_TEST(test_memory_only_without_queue)
{
	struct sgw_router *r;
	struct sgw_uplink *u;
	struct sgw_queue_stats q;

	fx_init(1, 4, SGW_QUEUE_MODE_OFF);
	r = start();
	u = mock_uplinks[0];
	ck_assert(!sgw_router_queue_stats(r, &q));
	for (uint64_t s = 1; s <= 5; s++)
		emit(r, s);
	mock_uplink_connect(u);
	mock_uplink_ack_all(u);
	assert_published(u, 0, 1, 5);
	sgw_router_stop(r, 0);
}
END_TEST

/* At exit what memory holds goes to disk; the next run sends it. */
START_TEST(test_stop_keeps_memory_on_disk)
{
	struct sgw_router *r = start();
	struct sgw_uplink *u = mock_uplinks[0];

	mock_uplink_connect(u);
	for (uint64_t s = 1; s <= 8; s++)
		emit(r, s);
	mock_uplink_ack_next(u);
	sgw_router_stop(r, 0);
	mock_uplinks_reset();

	r = start();
	u = mock_uplinks[0];
	ck_assert_uint_eq(depth(r), 7);
	mock_uplink_connect(u);
	mock_uplink_ack_all(u);
	assert_published(u, 0, 2, 8);
	sgw_router_stop(r, 0);
}
END_TEST

/* The reading numbered SEQ with QoS and retain flag QOS and RETAIN (-1: the uplink's). */
static void emit_as(struct sgw_router *r, uint64_t seq, int qos, int retain)
{
	char payload[16];
	int n = snprintf(payload, sizeof(payload), "%llu", (unsigned long long)seq);
	struct sgw_stamp ts = { .wall_ms = (int64_t)seq * 10 };
	struct sgw_msg *m = sgw_msg_new(seq, &ts, "a/b", 3, payload, (size_t)n);

	ck_assert_ptr_nonnull(m);
	m->qos = (int8_t)qos;
	m->retain = (int8_t)retain;
	sgw_router_emit(r, m);
}

/* U's publishes from the I-th on went out with QoS Q[k] and retain flag R[k]. */
static void assert_qos_retain(const struct sgw_uplink *u, size_t i, const int *q, const bool *rt,
			      size_t n)
{
	ck_assert_uint_ge(u->n, i + n);
	for (size_t k = 0; k < n; k++) {
		ck_assert_msg(u->qoses[i + k] == q[k] && u->retained[i + k] == rt[k],
			      "publish %zu (%s): QoS %d retain %d, want %d %d", i + k,
			      u->payloads[i + k], u->qoses[i + k], u->retained[i + k], q[k], rt[k]);
	}
}

/*
 * A message's own QoS and retain flag, else the uplink's (QoS 1, retained
 * here): sent from memory, and from disk after a restart.
 */
START_TEST(test_own_qos_retain)
{
	static const int want_q[] = { 0, 2, 1, 1 };
	static const bool want_r[] = { false, true, false, true };
	static const int own[][2] = { { 0, 0 }, { 2, -1 }, { -1, 0 }, { -1, -1 } };
	struct sgw_router *r;
	struct sgw_uplink *u;

	fx.cfg.uplinks[0].retain = true;
	r = start();
	u = mock_uplinks[0];
	mock_uplink_connect(u);
	for (uint64_t s = 1; s <= 4; s++)
		emit_as(r, s, own[s - 1][0], own[s - 1][1]);
	ck_assert_uint_eq(depth(r), 0);
	mock_uplink_ack_all(u);
	assert_published(u, 0, 1, 4);
	assert_qos_retain(u, 0, want_q, want_r, 4);

	/* Offline: on disk, then stopped and started again. */
	mock_uplink_lose(u);
	for (uint64_t s = 5; s <= 8; s++)
		emit_as(r, s, own[s - 5][0], own[s - 5][1]);
	ck_assert_uint_eq(depth(r), 4);
	sgw_router_stop(r, 0);
	mock_uplinks_reset();
	r = start();
	u = mock_uplinks[0];
	ck_assert_uint_eq(depth(r), 4);
	mock_uplink_connect(u);
	mock_uplink_ack_all(u);
	assert_published(u, 0, 5, 8);
	ck_assert_uint_eq(sgw_tag_kind(u->tags[0]), SGW_TAG_SPOOL);
	assert_qos_retain(u, 0, want_q, want_r, 4);
	sgw_router_stop(r, 0);
}
END_TEST

/* Reload: every reading held in memory comes back once, oldest first. */
START_TEST(test_release_hands_back_memory_once)
{
	struct sgw_router *r;
	struct sgw_msg **v;
	size_t n;

	fx_init(2, 2, SGW_QUEUE_MODE_OFF);
	r = start();
	mock_uplink_connect(mock_uplinks[0]);
	mock_uplink_connect(mock_uplinks[1]);
	for (uint64_t s = 1; s <= 6; s++)
		emit(r, s);
	mock_uplink_ack_next(mock_uplinks[0]);	/* 1 delivered on one uplink only */
	v = sgw_router_release(r, &n);
	ck_assert_uint_eq(n, 6);
	for (size_t i = 0; i < n; i++) {
		ck_assert_uint_eq(v[i]->seq, i + 1);
		sgw_msg_unref(v[i]);
	}
	free(v);
}
END_TEST

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static size_t lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/*
 * Readings taken before the clock was synchronised and held in memory, in
 * flight and waiting, in two outboxes at once: each made right once when
 * the clock is.
 */
START_TEST(test_restamp_memory)
{
	static const struct sgw_payload_form form = { .fmt = SGW_FORMAT_JSON, .scale = 1,
						      .precision = 1, .unit = "%" };
	struct fake_clock fc;
	struct sgw_msg *m[5];
	struct sgw_router *r;

	fake_clock_install(&fc, 0, 1000);	/* 1970: no saved time at all */
	fx_init(2, 2, SGW_QUEUE_MODE_OFF);
	r = start();
	mock_uplink_connect(mock_uplinks[0]);
	mock_uplink_connect(mock_uplinks[1]);
	for (uint64_t s = 1; s <= 5; s++) {
		struct sgw_stamp ts = sgw_clock_stamp();

		m[s - 1] = sgw_msg_new_reading(s, &ts, "a/h", 3, &form, 500 + (int32_t)s);
		ck_assert_ptr_nonnull(m[s - 1]);
		sgw_router_emit(r, sgw_msg_ref(m[s - 1]));
		fake_clock_advance(&fc, 100);
	}
	ck_assert_uint_eq(mock_uplinks[0]->n, 2);
	ck_assert_uint_eq(sgw_router_restamp(r), 0);	/* not synchronised yet */
	ck_assert_str_eq(sgw_msg_payload(m[0]), "{\"value\":50.1,\"unit\":\"%\",\"ts\":0,\"seq\":1,"
			 "\"sync\":false}");
	/* At 1500 ms of boot time the clock is set to 1700000000000. */
	fake_clock_sync(&fc, INT64_C(1700000000000));
	ck_assert_int_eq(sgw_clock_check(), 1);
	ck_assert_uint_eq(sgw_router_restamp(r), 5);
	ck_assert_uint_eq(sgw_router_restamp(r), 0);
	for (uint64_t s = 1; s <= 5; s++) {
		/* Taken at 1000 + (s - 1) * 100 ms of boot time. */
		int64_t ts = INT64_C(1700000000000) - 500 + ((int64_t)s - 1) * 100;
		char want[128];

		snprintf(want, sizeof(want), "{\"value\":50.%llu,\"unit\":\"%%\",\"ts\":%lld,"
			 "\"seq\":%llu}", (unsigned long long)s, (long long)ts, (unsigned long long)s);
		ck_assert_str_eq(sgw_msg_payload(m[s - 1]), want);
		sgw_msg_unref(m[s - 1]);
	}
	mock_uplink_ack_all(mock_uplinks[0]);
	mock_uplink_ack_all(mock_uplinks[1]);
	ck_assert(sgw_router_idle(r));
	sgw_router_stop(r, 0);
	fake_clock_remove();
}
END_TEST

START_TEST(test_connect_trouble_logged_once)
{
	static const char refused[] = "connection refused";
	static const char denied[] = "refused by the broker: not authorized (return code 5)";
	struct sgw_router *r = start();
	struct sgw_uplink *u = mock_uplinks[0];
	struct sgw_router_link_stats ls;
	int64_t t0 = sgw_real_ms();
	char log[4096];

	log_set_level(SGW_LOG_INFO);
	log_set_prefix(1);
	sgw_router_link_stats(r, 0, &ls);
	ck_assert_ptr_null(ls.last_error);

	/* At the default level: the first failure as a warning with the next
	 * attempt's delay, no repeat of the same reason, a new one at once. */
	test_log_capture_begin();
	mock_uplink_fail_connect(u, refused);
	mock_uplink_fail_connect(u, refused);
	mock_uplink_fail_connect(u, refused);
	mock_uplink_fail_connect(u, denied);
	mock_uplink_fail_connect(u, denied);
	test_log_capture_end(log, sizeof(log));
	ck_assert_msg(lines(log) == 2, "%s", log);
	ck_assert_msg(starts(log, "<4>[mqtt up0] cannot connect to tcp://mock:1883: connection refused; "
			      "next attempt in "), "%s", log);
	ck_assert_msg(strstr(log, "\n<4>[mqtt up0] cannot connect to tcp://mock:1883: refused by the "
			      "broker: not authorized (return code 5); next attempt in "), "%s", log);
	sgw_router_link_stats(r, 0, &ls);
	ck_assert_str_eq(ls.last_error, denied);
	ck_assert_int_ge(ls.last_error_ts_ms, t0);
	ck_assert_int_le(ls.last_error_ts_ms, sgw_real_ms());

	/* The recovery: how long, how many attempts; the error stays. */
	test_log_capture_begin();
	mock_uplink_connect(u);
	test_log_capture_end(log, sizeof(log));
	ck_assert_msg(lines(log) == 1, "%s", log);
	ck_assert_msg(starts(log, "<6>[mqtt up0] connected to tcp://mock:1883 after ") &&
		      strstr(log, " down (6 attempts)\n"), "%s", log);
	sgw_router_link_stats(r, 0, &ls);
	ck_assert_str_eq(ls.last_error, denied);

	/* A loss is the next error, and the first failed reconnect is said again. */
	test_log_capture_begin();
	mock_uplink_lose(u);
	mock_uplink_fail_connect(u, refused);
	mock_uplink_fail_connect(u, refused);
	test_log_capture_end(log, sizeof(log));
	ck_assert_msg(lines(log) == 2, "%s", log);
	ck_assert_msg(starts(log, "<6>[mqtt up0] disconnected from tcp://mock:1883: lost\n"), "%s", log);
	ck_assert_msg(strstr(log, "\n<4>[mqtt up0] cannot connect to tcp://mock:1883: connection refused; "),
		      "%s", log);
	sgw_router_link_stats(r, 0, &ls);
	ck_assert_str_eq(ls.last_error, refused);
	mock_uplink_connect(u);
	mock_uplink_lose(u);
	sgw_router_link_stats(r, 0, &ls);
	ck_assert_str_eq(ls.last_error, "lost");

	/* Stopping is no error. */
	mock_uplink_connect(u);
	sgw_router_stop(r, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("router");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_online_stays_in_memory);
	tcase_add_test(tc, test_offline_goes_to_disk_and_drains_in_order);
	tcase_add_test(tc, test_lost_connection_spills_memory_to_disk);
	tcase_add_test(tc, test_disk_refuses_then_recovers);
	tcase_add_test(tc, test_two_uplinks);
	tcase_add_test(tc, test_routing_by_sensor);
	tcase_add_test(tc, test_mode_always_uses_disk_online);
	tcase_add_test(tc, test_memory_only_without_queue);
	tcase_add_test(tc, test_stop_keeps_memory_on_disk);
	tcase_add_test(tc, test_own_qos_retain);
	tcase_add_test(tc, test_release_hands_back_memory_once);
	tcase_add_test(tc, test_connect_trouble_logged_once);
	tcase_add_test(tc, test_restamp_memory);
	suite_add_tcase(s, tc);
	return sgw_test_run(s);
}
