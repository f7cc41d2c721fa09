/* SPDX-License-Identifier: MIT */
/*
 * The uplink against a real mosquitto (tests/fixtures/broker.c).  What arrives is read
 * by an independent Paho subscriber in this process (struct sub).  Every wait
 * is a poll() on the uplink's eventfd or a condition variable with a
 * deadline; none of the sleeps is a synchronisation.
 */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <MQTTAsync.h>

#include "tests/fixtures/broker.h"
#include "mqtt/paho.h"
#include "mqtt/uplink.h"

/* Generous: a slow 2-core machine, valgrind, qemu. */
#define WAIT_MS 30000
#define MAX_TAGS 512

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ------------------------------------------------------------ subscriber */

#define SUB_MAX 512

struct sub_msg {
	char topic[128];
	char payload[128];
	int retained;
};

struct sub {
	MQTTAsync c;
	pthread_mutex_t m;
	pthread_cond_t cv;
	int state;		/* 0 waiting, 1 done, -1 failed */
	size_t n;
	struct sub_msg msg[SUB_MAX];
};

static void sub_signal(struct sub *s, int state)
{
	pthread_mutex_lock(&s->m);
	s->state = state;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->m);
}

static void sub_ok_cb(void *ctx, MQTTAsync_successData *r) { sub_signal(ctx, 1); }
static void sub_fail_cb(void *ctx, MQTTAsync_failureData *r) { sub_signal(ctx, -1); }

static int sub_arrived_cb(void *ctx, char *topic, int tlen, MQTTAsync_message *m)
{
	struct sub *s = ctx;

	pthread_mutex_lock(&s->m);
	if (s->n < SUB_MAX) {
		struct sub_msg *x = &s->msg[s->n];
		int pl = m->payloadlen < (int)sizeof(x->payload) - 1 ? m->payloadlen
			 : (int)sizeof(x->payload) - 1;

		snprintf(x->topic, sizeof(x->topic), "%.*s", tlen ? tlen : (int)strlen(topic), topic);
		memcpy(x->payload, m->payload, (size_t)pl);
		x->payload[pl] = '\0';
		x->retained = m->retained;
	}
	s->n++;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->m);
	MQTTAsync_freeMessage(&m);
	MQTTAsync_free(topic);
	return 1;
}

/* Wait until PRED(s, arg) under the lock; false at the deadline. */
static bool sub_wait(struct sub *s, bool (*pred)(struct sub *, size_t), size_t arg, int ms)
{
	struct timespec ts;
	bool ok;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&s->m);
	while (!(ok = pred(s, arg)))
		if (pthread_cond_timedwait(&s->cv, &s->m, &ts) == ETIMEDOUT) {
			ok = pred(s, arg);
			break;
		}
	pthread_mutex_unlock(&s->m);
	return ok;
}

static bool sub_state_set(struct sub *s, size_t unused) { return s->state != 0; }
static bool sub_has(struct sub *s, size_t n) { return s->n >= n; }

static struct sub *sub_open(const char *uri, const char *filter)
{
	static int seq;
	MQTTAsync_connectOptions co = MQTTAsync_connectOptions_initializer;
	MQTTAsync_responseOptions ro = MQTTAsync_responseOptions_initializer;
	pthread_condattr_t ca;
	struct sub *s = calloc(1, sizeof(*s));
	char id[64];

	ck_assert_ptr_nonnull(s);
	pthread_mutex_init(&s->m, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cv, &ca);
	pthread_condattr_destroy(&ca);
	snprintf(id, sizeof(id), "check-sub-%d-%d", (int)getpid(), ++seq);
	ck_assert_int_eq(MQTTAsync_create(&s->c, uri, id, MQTTCLIENT_PERSISTENCE_NONE, NULL),
			 MQTTASYNC_SUCCESS);
	ck_assert_int_eq(MQTTAsync_setCallbacks(s->c, s, NULL, sub_arrived_cb, NULL),
			 MQTTASYNC_SUCCESS);
	co.cleansession = 1;
	co.onSuccess = sub_ok_cb;
	co.onFailure = sub_fail_cb;
	co.context = s;
	ck_assert_int_eq(MQTTAsync_connect(s->c, &co), MQTTASYNC_SUCCESS);
	ck_assert(sub_wait(s, sub_state_set, 0, WAIT_MS));
	ck_assert_int_eq(s->state, 1);

	/* Subscribed once SUBACK came: later publishes cannot be missed. */
	s->state = 0;
	ro.onSuccess = sub_ok_cb;
	ro.onFailure = sub_fail_cb;
	ro.context = s;
	ck_assert_int_eq(MQTTAsync_subscribe(s->c, filter, 1, &ro), MQTTASYNC_SUCCESS);
	ck_assert(sub_wait(s, sub_state_set, 0, WAIT_MS));
	ck_assert_int_eq(s->state, 1);
	return s;
}

static struct sub_msg sub_get(struct sub *s, size_t i)
{
	struct sub_msg m;

	pthread_mutex_lock(&s->m);
	ck_assert_uint_lt(i, s->n);
	m = s->msg[i];
	pthread_mutex_unlock(&s->m);
	return m;
}

static void sub_close(struct sub *s)
{
	MQTTAsync_disconnectOptions d = MQTTAsync_disconnectOptions_initializer;

	d.timeout = 1000;
	MQTTAsync_disconnect(s->c, &d);
	MQTTAsync_destroy(&s->c);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->m);
	free(s);
}

/* The first message on a fresh subscription to TOPIC: the retained one. */
static struct sub_msg retained_of(const char *uri, const char *topic)
{
	struct sub *s = sub_open(uri, topic);
	struct sub_msg m;

	ck_assert_msg(sub_wait(s, sub_has, 1, WAIT_MS), "no retained message on %s", topic);
	m = sub_get(s, 0);
	sub_close(s);
	return m;
}

/* --------------------------------------------------------------- uplink */

struct rec {
	uint64_t ack[MAX_TAGS], fail[MAX_TAGS];
	size_t nack, nfail;
	int connected, disconnected, connect_failed;
	char why[128], failed_why[256];
};

static void rec_connected(void *arg, struct sgw_uplink *u)
{
	((struct rec *)arg)->connected++;
}

static void rec_disconnected(void *arg, struct sgw_uplink *u, const char *why)
{
	struct rec *r = arg;

	r->disconnected++;
	snprintf(r->why, sizeof(r->why), "%s", why);
}

static void rec_connect_failed(void *arg, struct sgw_uplink *u, const char *why)
{
	struct rec *r = arg;

	r->connect_failed++;
	snprintf(r->failed_why, sizeof(r->failed_why), "%s", why);
	/* Reported after the retry was scheduled. */
	ck_assert_int_ne(sgw_uplink_next_deadline(u), INT64_MAX);
}

static void rec_ack(void *arg, struct sgw_uplink *u, uint64_t tag)
{
	struct rec *r = arg;

	ck_assert_uint_lt(r->nack, MAX_TAGS);
	r->ack[r->nack++] = tag;
}

static void rec_fail(void *arg, struct sgw_uplink *u, uint64_t tag)
{
	struct rec *r = arg;

	ck_assert_uint_lt(r->nfail, MAX_TAGS);
	r->fail[r->nfail++] = tag;
}

static const struct sgw_uplink_handler rec_handler = {
	.on_connected = rec_connected,
	.on_connect_failed = rec_connect_failed,
	.on_disconnected = rec_disconnected,
	.on_ack = rec_ack,
	.on_fail = rec_fail,
};

typedef bool (*cond_fn)(struct sgw_uplink *u, struct rec *r, size_t arg);

/* The main loop in miniature: poll the eventfd up to the reconnect
 * deadline, dispatch, tick; until COND or MS elapsed. */
static bool run_until(struct sgw_uplink *u, struct rec *r, cond_fn cond, size_t arg, int ms)
{
	int64_t deadline = mono_ns() + (int64_t)ms * 1000000;

	for (;;) {
		struct pollfd p = { .fd = sgw_uplink_fd(u), .events = POLLIN };
		int64_t now = mono_ns(), until = sgw_uplink_next_deadline(u);

		if (cond(u, r, arg))
			return true;
		if (now >= deadline)
			return false;
		if (until > deadline)
			until = deadline;
		poll(&p, 1, until > now ? (int)((until - now + 999999) / 1000000) : 0);
		sgw_uplink_dispatch(u);
		sgw_uplink_tick(u, mono_ns());
	}
}

static bool is_connected(struct sgw_uplink *u, struct rec *r, size_t n)
{
	return sgw_uplink_connected(u) && (size_t)r->connected >= n;
}

static bool reported(struct sgw_uplink *u, struct rec *r, size_t n)
{
	return r->nack + r->nfail >= n;
}

static bool is_down(struct sgw_uplink *u, struct rec *r, size_t n)
{
	return (size_t)r->disconnected >= n && !sgw_uplink_connected(u);
}

static bool below_window(struct sgw_uplink *u, struct rec *r, size_t n)
{
	return sgw_uplink_inflight(u) < sgw_uplink_window(u);
}

struct tcfg {
	struct sgw_uplink_config c;
	char uri[64], id[64], name[16];
};

static void tcfg_init(struct tcfg *t, const char *uri, int version, int window)
{
	static int seq;

	memset(t, 0, sizeof(*t));
	snprintf(t->uri, sizeof(t->uri), "%s", uri);
	snprintf(t->id, sizeof(t->id), "check-uplink-%d-%d", (int)getpid(), ++seq);
	snprintf(t->name, sizeof(t->name), "test");
	t->c.name = t->name;
	t->c.uri = t->uri;
	t->c.server_uri = t->uri;
	t->c.client_id = t->id;
	t->c.keepalive_s = 10;
	t->c.qos = 1;
	t->c.mqtt_version = version;
	t->c.max_inflight = window;
	t->c.reconnect_min_ms = 50;
	t->c.reconnect_max_ms = 500;
}

static struct sgw_uplink *up_connect(struct tcfg *t, const char *status, struct rec *r)
{
	struct sgw_uplink *u = sgw_uplink_new(&t->c, status, &rec_handler, r);

	ck_assert_ptr_nonnull(u);
	ck_assert_int_eq(sgw_uplink_start(u), 0);
	ck_assert_msg(run_until(u, r, is_connected, 1, WAIT_MS), "uplink did not connect");
	return u;
}

static int version_of(int i)
{
	return i ? 5 : 4;
}

/* ----------------------------------------------------------------- tests */

/*
 * Runs first: it forks, and a fork is only safe before this process has
 * any Paho thread (with CK_FORK=no all tests share one process).
 */
START_TEST(test_last_will)
{
	struct test_broker *b = test_broker_start(NULL);
	const char *status = "gw/will/status";
	struct sub *s;
	struct sub_msg m;
	int pfd[2], st;
	pid_t parent = getpid(), child;
	char c = 0;

	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(pipe(pfd), 0);
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		struct tcfg t;
		struct rec r = { 0 };
		struct sgw_uplink *u;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(2);
		close(pfd[0]);
		tcfg_init(&t, test_broker_uri(b), version_of(_i), 4);
		u = sgw_uplink_new(&t.c, status, &rec_handler, &r);
		if (!u || sgw_uplink_start(u) < 0 || !run_until(u, &r, is_connected, 1, WAIT_MS))
			_exit(3);
		c = 'c';
		if (write(pfd[1], &c, 1) != 1)
			_exit(4);
		/* Keep the connection up (keepalive) until the parent kills us. */
		for (;;)
			run_until(u, &r, is_down, 1, WAIT_MS);
	}
	close(pfd[1]);
	{
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };

		ck_assert_int_eq(poll(&p, 1, 2 * WAIT_MS), 1);
		ck_assert_int_eq(read(pfd[0], &c, 1), 1);
		ck_assert_int_eq(c, 'c');
	}
	s = sub_open(test_broker_uri(b), status);
	ck_assert(sub_wait(s, sub_has, 1, WAIT_MS));
	m = sub_get(s, 0);
	ck_assert_str_eq(m.payload, "online");

	/* Die without a DISCONNECT: the broker must publish the will. */
	kill(child, SIGKILL);
	ck_assert_int_eq(waitpid(child, &st, 0), child);
	ck_assert(WIFSIGNALED(st));
	ck_assert_msg(sub_wait(s, sub_has, 2, WAIT_MS), "no Last Will");
	m = sub_get(s, 1);
	ck_assert_str_eq(m.topic, status);
	ck_assert_str_eq(m.payload, "offline");
	sub_close(s);

	m = retained_of(test_broker_uri(b), status);
	ck_assert_str_eq(m.payload, "offline");
	ck_assert_int_eq(m.retained, 1);
	close(pfd[0]);
	test_broker_free(b);
}
END_TEST

START_TEST(test_publish_acks_in_order)
{
	struct test_broker *b = test_broker_start(NULL);
	struct rec r = { 0 };
	struct sgw_uplink_stats st;
	struct sgw_uplink *u;
	struct sub *s;
	struct tcfg t;
	const size_t n = 100;

	ck_assert_ptr_nonnull(b);
	s = sub_open(test_broker_uri(b), "sensors/#");
	tcfg_init(&t, test_broker_uri(b), version_of(_i), 16);
	u = up_connect(&t, "gw/a/status", &r);
	ck_assert_uint_eq(sgw_uplink_window(u), 16);
	ck_assert_str_eq(sgw_uplink_name(u), "test");

	for (size_t i = 0; i < n; i++) {
		char payload[32];
		int len = snprintf(payload, sizeof(payload), "reading %zu", i);
		int rc;

		while ((rc = sgw_uplink_publish(u, "sensors/x", payload, (size_t)len, 1000 + i)) == -EAGAIN)
			ck_assert(run_until(u, &r, below_window, 0, WAIT_MS));
		ck_assert_int_eq(rc, 0);
		/* The uplink copied it: scribbling over the buffer is harmless. */
		memset(payload, 'X', sizeof(payload));
		ck_assert_uint_le(sgw_uplink_inflight(u), 16);
	}
	ck_assert(run_until(u, &r, reported, n, WAIT_MS));
	ck_assert_uint_eq(r.nfail, 0);
	ck_assert_uint_eq(r.nack, n);
	/* The broker acknowledges QoS 1 in order; the status tag never shows. */
	for (size_t i = 0; i < n; i++)
		ck_assert_uint_eq(r.ack[i], 1000 + i);
	ck_assert_uint_eq(sgw_uplink_inflight(u), 0);

	ck_assert(sub_wait(s, sub_has, n, WAIT_MS));
	for (size_t i = 0; i < n; i++) {
		struct sub_msg m = sub_get(s, i);
		char want[32];

		snprintf(want, sizeof(want), "reading %zu", i);
		ck_assert_str_eq(m.topic, "sensors/x");
		ck_assert_str_eq(m.payload, want);
	}

	sgw_uplink_get_stats(u, &st);
	ck_assert_uint_eq(st.published, n);
	ck_assert_uint_eq(st.acked, n);
	ck_assert_uint_eq(st.failed, 0);
	ck_assert_uint_eq(st.connects, 1);
	ck_assert_uint_eq(st.disconnects, 0);

	sgw_uplink_stop(u, 5000);
	sgw_uplink_free(u);
	sub_close(s);
	test_broker_free(b);
}
END_TEST

START_TEST(test_qos0_and_retain)
{
	struct test_broker *b = test_broker_start(NULL);
	struct rec r = { 0 };
	struct sgw_uplink *u;
	struct sub_msg m;
	struct tcfg t;

	ck_assert_ptr_nonnull(b);
	tcfg_init(&t, test_broker_uri(b), version_of(_i), 2);
	t.c.qos = 0;
	u = up_connect(&t, "gw/q/status", &r);
	/* QoS 0 takes no window slot; on_ack once Paho wrote it. */
	for (uint64_t tag = 1; tag <= 5; tag++)
		ck_assert_int_eq(sgw_uplink_publish(u, "q/zero", "0", 1, tag), 0);
	ck_assert_uint_eq(sgw_uplink_inflight(u), 0);
	ck_assert(run_until(u, &r, reported, 5, WAIT_MS));
	ck_assert_uint_eq(r.nack, 5);
	for (size_t i = 0; i < 5; i++)
		ck_assert_uint_eq(r.ack[i], i + 1);

	ck_assert_int_eq(sgw_uplink_publish_ex(u, "q/kept", "21.5", 4, 1, true, 6), 0);
	ck_assert(run_until(u, &r, reported, 6, WAIT_MS));
	ck_assert_uint_eq(r.ack[5], 6);
	m = retained_of(test_broker_uri(b), "q/kept");
	ck_assert_str_eq(m.payload, "21.5");
	ck_assert_int_eq(m.retained, 1);

	/* Every tag is the caller's: the status messages need none. */
	ck_assert_int_eq(sgw_uplink_publish_ex(u, "q/x", "1", 1, 1, false, UINT64_MAX), 0);
	ck_assert(run_until(u, &r, reported, 7, WAIT_MS));
	ck_assert_uint_eq(r.ack[6], UINT64_MAX);
	/* Bad arguments are refused. */
	ck_assert_int_eq(sgw_uplink_publish_ex(u, "q/x", "1", 1, 3, false, 7), -EINVAL);
	ck_assert_int_eq(sgw_uplink_publish_ex(u, NULL, "1", 1, 1, false, 7), -EINVAL);

	sgw_uplink_stop(u, 5000);
	sgw_uplink_free(u);
	test_broker_free(b);
}
END_TEST

START_TEST(test_window_full)
{
	struct test_broker *b = test_broker_start(NULL);
	struct rec r = { 0 };
	struct sgw_uplink *u;
	struct tcfg t;

	ck_assert_ptr_nonnull(b);
	tcfg_init(&t, test_broker_uri(b), version_of(_i), 4);
	u = up_connect(&t, "gw/w/status", &r);
	/* Completions only count once dispatched: the window fills for sure. */
	for (uint64_t tag = 1; tag <= 4; tag++)
		ck_assert_int_eq(sgw_uplink_publish(u, "w/t", "v", 1, tag), 0);
	ck_assert_uint_eq(sgw_uplink_inflight(u), 4);
	ck_assert_int_eq(sgw_uplink_publish(u, "w/t", "v", 1, 5), -EAGAIN);
	ck_assert_int_eq(sgw_uplink_publish_ex(u, "w/t", "v", 1, 2, false, 5), -EAGAIN);
	/* QoS 0 is not held back by the window. */
	ck_assert_int_eq(sgw_uplink_publish_ex(u, "w/t", "v", 1, 0, false, 50), 0);

	ck_assert(run_until(u, &r, reported, 5, WAIT_MS));
	ck_assert_uint_eq(sgw_uplink_inflight(u), 0);
	ck_assert_int_eq(sgw_uplink_publish(u, "w/t", "v", 1, 5), 0);
	ck_assert(run_until(u, &r, reported, 6, WAIT_MS));
	ck_assert_uint_eq(r.nfail, 0);
	ck_assert_uint_eq(r.ack[r.nack - 1], 5);

	sgw_uplink_stop(u, 5000);
	sgw_uplink_free(u);
	test_broker_free(b);
}
END_TEST

START_TEST(test_not_connected)
{
	struct rec r = { 0 };
	struct sgw_uplink *u;
	struct tcfg t;
	char uri[64];
	int port = test_free_port();

	/* Nobody listens on a port that was just free. */
	ck_assert_int_gt(port, 0);
	snprintf(uri, sizeof(uri), "tcp://127.0.0.1:%d", port);
	tcfg_init(&t, uri, version_of(_i), 4);
	u = sgw_uplink_new(&t.c, "gw/n/status", &rec_handler, &r);
	ck_assert_ptr_nonnull(u);
	ck_assert(!sgw_uplink_connected(u));
	ck_assert_int_eq(sgw_uplink_next_deadline(u), INT64_MAX);
	ck_assert_int_eq(sgw_uplink_publish(u, "n/t", "v", 1, 1), -ENOTCONN);
	ck_assert_int_eq(sgw_uplink_start(u), 0);
	ck_assert_int_eq(sgw_uplink_publish(u, "n/t", "v", 1, 1), -ENOTCONN);
	/* Refused: a retry gets scheduled, within reconnect_max. */
	run_until(u, &r, is_connected, 1, 300);
	ck_assert(!sgw_uplink_connected(u));
	ck_assert_int_eq(sgw_uplink_publish(u, "n/t", "v", 1, 1), -ENOTCONN);
	ck_assert_uint_eq(r.nack + r.nfail, 0);
	ck_assert_int_eq(r.connected, 0);
	/* Each refused attempt reaches the handler with Paho's reason. */
	ck_assert_int_ge(r.connect_failed, 1);
	ck_assert_msg(r.failed_why[0] != '\0', "no reason given");
	sgw_uplink_stop(u, 1000);
	ck_assert_int_eq(sgw_uplink_next_deadline(u), INT64_MAX);
	sgw_uplink_free(u);
}
END_TEST

/* Counts reconnect attempts: each failure schedules a new deadline. */
struct attempts {
	int64_t last;
	int n;
	int64_t max_gap_ns;
};

static struct attempts *attempts_seen;

static bool count_attempts(struct sgw_uplink *u, struct rec *r, size_t n)
{
	int64_t d = sgw_uplink_next_deadline(u);
	struct attempts *a = attempts_seen;

	if (d != INT64_MAX && d != a->last) {
		int64_t gap = d - mono_ns();

		if (gap > a->max_gap_ns)
			a->max_gap_ns = gap;
		a->last = d;
		a->n++;
	}
	return a->n >= (int)n;
}

START_TEST(test_broker_starts_later)
{
	struct test_broker *b = test_broker_start(NULL);
	struct attempts a = { .last = INT64_MAX };
	struct rec r = { 0 };
	struct sgw_uplink *u;
	struct tcfg t;

	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(test_broker_stop(b), 0);
	tcfg_init(&t, test_broker_uri(b), version_of(_i), 4);
	t.c.reconnect_min_ms = 20;
	t.c.reconnect_max_ms = 200;
	u = sgw_uplink_new(&t.c, "gw/l/status", &rec_handler, &r);
	ck_assert_ptr_nonnull(u);
	ck_assert_int_eq(sgw_uplink_start(u), 0);
	attempts_seen = &a;
	ck_assert(run_until(u, &r, count_attempts, 6, WAIT_MS));
	ck_assert_int_eq(r.connected, 0);
	/* Capped: no wait beyond reconnect_max (plus scheduling slack). */
	ck_assert_int_le(a.max_gap_ns, 200 * 1000000LL);

	ck_assert_int_eq(test_broker_restart(b), 0);
	ck_assert_msg(run_until(u, &r, is_connected, 1, WAIT_MS), "no connect after broker start");
	ck_assert_int_eq(sgw_uplink_next_deadline(u), INT64_MAX);
	ck_assert_int_eq(sgw_uplink_publish(u, "l/t", "v", 1, 9), 0);
	ck_assert(run_until(u, &r, reported, 1, WAIT_MS));
	ck_assert_uint_eq(r.nack, 1);
	ck_assert_uint_eq(r.ack[0], 9);

	sgw_uplink_stop(u, 5000);
	sgw_uplink_free(u);
	test_broker_free(b);
}
END_TEST

START_TEST(test_loss_fails_inflight)
{
	struct test_broker *b = test_broker_start(NULL);
	struct rec r = { 0 };
	struct sgw_uplink_stats st;
	struct sgw_uplink *u;
	struct sub *s;
	struct tcfg t;
	int counts[64] = { 0 };

	ck_assert_ptr_nonnull(b);
	tcfg_init(&t, test_broker_uri(b), version_of(_i), 16);
	u = up_connect(&t, "gw/f/status", &r);
	/* Wait for the "online" ack, so that all that stays in flight is ours. */
	ck_assert_int_eq(sgw_uplink_publish(u, "f/t", "first", 5, 1), 0);
	ck_assert(run_until(u, &r, reported, 1, WAIT_MS));
	ck_assert_uint_eq(r.ack[0], 1);

	/* A frozen broker answers nothing: these stay in flight. */
	ck_assert_int_eq(test_broker_pause(b), 0);
	for (uint64_t tag = 10; tag < 20; tag++)
		ck_assert_int_eq(sgw_uplink_publish(u, "f/t", "lost?", 5, tag), 0);
	ck_assert_uint_eq(sgw_uplink_inflight(u), 10);
	ck_assert_int_eq(test_broker_kill(b), 0);

	ck_assert_msg(run_until(u, &r, is_down, 1, WAIT_MS), "loss not noticed");
	ck_assert_int_eq(r.disconnected, 1);
	ck_assert_uint_eq(r.nack, 1);
	ck_assert_uint_eq(r.nfail, 10);
	for (size_t i = 0; i < 10; i++)
		ck_assert_uint_eq(r.fail[i], 10 + i);	/* oldest first */
	ck_assert_uint_eq(sgw_uplink_inflight(u), 0);
	ck_assert_int_eq(sgw_uplink_publish(u, "f/t", "v", 1, 30), -ENOTCONN);
	ck_assert_int_lt(sgw_uplink_next_deadline(u), INT64_MAX);

	/* Back: message ids restart with the clean session; completions of the
	 * new connection must land on the new tags only. */
	ck_assert_int_eq(test_broker_restart(b), 0);
	ck_assert_msg(run_until(u, &r, is_connected, 2, WAIT_MS), "no reconnect");
	s = sub_open(test_broker_uri(b), "f/#");
	for (uint64_t tag = 40; tag < 50; tag++)
		ck_assert_int_eq(sgw_uplink_publish(u, "f/t", "again", 5, tag), 0);
	ck_assert(run_until(u, &r, reported, 21, WAIT_MS));
	ck_assert(sub_wait(s, sub_has, 10, WAIT_MS));
	ck_assert_uint_eq(r.nfail, 10);
	ck_assert_uint_eq(r.nack, 11);
	for (size_t i = 0; i < 10; i++)
		ck_assert_uint_eq(r.ack[1 + i], 40 + i);

	/* Each tag reported exactly once. */
	for (size_t i = 0; i < r.nack; i++)
		counts[r.ack[i]]++;
	for (size_t i = 0; i < r.nfail; i++)
		counts[r.fail[i]]++;
	for (size_t i = 0; i < 64; i++)
		ck_assert_int_le(counts[i], 1);

	sgw_uplink_get_stats(u, &st);
	ck_assert_uint_eq(st.connects, 2);
	ck_assert_uint_eq(st.disconnects, 1);
	ck_assert_uint_eq(st.failed, 10);
	ck_assert_uint_eq(st.acked, 11);
	ck_assert_uint_eq(st.published, 21);

	sgw_uplink_stop(u, 5000);
	sgw_uplink_free(u);
	sub_close(s);
	test_broker_free(b);
}
END_TEST

START_TEST(test_status_online_offline)
{
	struct test_broker *b = test_broker_start(NULL);
	const char *status = "gw/s/status";
	struct rec r = { 0 };
	struct sgw_uplink *u;
	struct sub_msg m;
	struct sub *s;
	struct tcfg t;

	ck_assert_ptr_nonnull(b);
	tcfg_init(&t, test_broker_uri(b), version_of(_i), 4);
	u = up_connect(&t, status, &r);
	s = sub_open(test_broker_uri(b), status);
	ck_assert(sub_wait(s, sub_has, 1, WAIT_MS));
	m = sub_get(s, 0);
	ck_assert_str_eq(m.payload, "online");

	/* In flight when stop begins: acked while stop waits for it. */
	ck_assert_int_eq(sgw_uplink_publish(u, "s/t", "last", 4, 77), 0);
	sgw_uplink_stop(u, 10000);
	ck_assert_uint_eq(r.nack, 1);
	ck_assert_uint_eq(r.ack[0], 77);
	ck_assert_uint_eq(r.nfail, 0);
	ck_assert_int_eq(r.disconnected, 1);
	ck_assert_str_eq(r.why, "stopped");
	ck_assert(!sgw_uplink_connected(u));
	ck_assert_int_eq(sgw_uplink_next_deadline(u), INT64_MAX);
	ck_assert_int_eq(sgw_uplink_publish(u, "s/t", "v", 1, 78), -ENOTCONN);

	ck_assert(sub_wait(s, sub_has, 2, WAIT_MS));
	m = sub_get(s, 1);
	ck_assert_str_eq(m.payload, "offline");
	sub_close(s);
	m = retained_of(test_broker_uri(b), status);
	ck_assert_str_eq(m.payload, "offline");
	ck_assert_int_eq(m.retained, 1);

	/* Stopping twice, or a stopped uplink, is harmless. */
	sgw_uplink_stop(u, 1000);
	ck_assert_int_eq(r.disconnected, 1);

	/* And it can start again: "online" once more. */
	ck_assert_int_eq(sgw_uplink_start(u), 0);
	ck_assert(run_until(u, &r, is_connected, 2, WAIT_MS));
	s = sub_open(test_broker_uri(b), status);
	ck_assert(sub_wait(s, sub_has, 1, WAIT_MS));
	m = sub_get(s, 0);
	ck_assert_str_eq(m.payload, "online");
	sub_close(s);

	sgw_uplink_stop(u, 5000);
	sgw_uplink_free(u);
	test_broker_free(b);
}
END_TEST

START_TEST(test_stop_broker_down)
{
	struct test_broker *b = test_broker_start(NULL);
	struct rec r = { 0 };
	struct sgw_uplink *u;
	struct tcfg t;
	int64_t t0;

	ck_assert_ptr_nonnull(b);
	tcfg_init(&t, test_broker_uri(b), version_of(_i), 4);
	u = up_connect(&t, "gw/d/status", &r);
	ck_assert_int_eq(test_broker_pause(b), 0);
	ck_assert_int_eq(sgw_uplink_publish(u, "d/t", "v", 1, 5), 0);
	/* Nothing is acked by a frozen broker: stop gives up at its deadline
	 * and reports the tag as failed. */
	t0 = mono_ns();
	sgw_uplink_stop(u, 500);
	ck_assert_int_lt(mono_ns() - t0, 10000 * 1000000LL);
	ck_assert_uint_eq(r.nfail, 1);
	ck_assert_uint_eq(r.fail[0], 5);
	ck_assert_uint_eq(sgw_uplink_inflight(u), 0);
	sgw_uplink_free(u);
	test_broker_free(b);
}
END_TEST

/* ------------------------------------------------------------------ TLS */

struct pki {
	char dir[64];
	char ca[128], other_ca[128], conf[512];
};

/* Run SCRIPT with /bin/sh in DIR. */
static int run_in(const char *dir, const char *script)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "cd '%s' && %s", dir, script);
	return system(cmd);
}

/* A throw-away CA and a server certificate for 127.0.0.1, made by openssl. */
static void pki_make(struct pki *p)
{
	snprintf(p->dir, sizeof(p->dir), "/tmp/sgw-pki-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(p->dir));
	ck_assert_int_eq(run_in(p->dir,
			    "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
			    "-keyout ca.key -out ca.crt -days 2 -subj /CN=sgw-test-ca 2>/dev/null && "
			    "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
			    "-keyout other.key -out other.crt -days 2 -subj /CN=sgw-other-ca 2>/dev/null && "
			    "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
			    "-keyout srv.key -out srv.csr -subj /CN=127.0.0.1 2>/dev/null && "
			    "printf 'subjectAltName=IP:127.0.0.1,DNS:127.0.0.1\\n' > ext && "
			    "openssl x509 -req -in srv.csr -CA ca.crt -CAkey ca.key -CAcreateserial "
			    "-out srv.crt -days 2 -extfile ext 2>/dev/null"), 0);
	snprintf(p->ca, sizeof(p->ca), "%s/ca.crt", p->dir);
	snprintf(p->other_ca, sizeof(p->other_ca), "%s/other.crt", p->dir);
	snprintf(p->conf, sizeof(p->conf), "cafile %s/ca.crt\ncertfile %s/srv.crt\nkeyfile %s/srv.key\n",
		 p->dir, p->dir, p->dir);
}

static void pki_free(struct pki *p)
{
	ck_assert_int_eq(run_in(p->dir, "rm -f ca.* other.* srv.* ext"), 0);
	ck_assert_int_eq(rmdir(p->dir), 0);
}

START_TEST(test_tls)
{
	struct test_broker *b;
	struct rec r = { 0 }, r2 = { 0 };
	struct sgw_uplink *u, *bad;
	struct tcfg t, t2;
	struct pki p;
	char uri[64], alpn[] = "x-sgw-test";

	pki_make(&p);
	b = test_broker_start(p.conf);
	ck_assert_ptr_nonnull(b);
	snprintf(uri, sizeof(uri), "ssl://127.0.0.1:%d", test_broker_port(b));

	tcfg_init(&t, uri, version_of(_i), 4);
	t.c.tls = true;
	t.c.ca_file = p.ca;
	t.c.alpn = alpn;
	u = up_connect(&t, "gw/tls/status", &r);
	ck_assert_int_eq(sgw_uplink_publish(u, "tls/t", "v", 1, 3), 0);
	ck_assert(run_until(u, &r, reported, 1, WAIT_MS));
	ck_assert_uint_eq(r.nack, 1);
	ck_assert_uint_eq(r.ack[0], 3);

	/* Signed by a CA we do not trust: never connected, still retrying. */
	tcfg_init(&t2, uri, version_of(_i), 4);
	t2.c.tls = true;
	t2.c.ca_file = p.other_ca;
	bad = sgw_uplink_new(&t2.c, "gw/tls2/status", &rec_handler, &r2);
	ck_assert_ptr_nonnull(bad);
	ck_assert_int_eq(sgw_uplink_start(bad), 0);
	{
		struct attempts a = { .last = INT64_MAX };

		attempts_seen = &a;
		ck_assert(run_until(bad, &r2, count_attempts, 3, WAIT_MS));
	}
	ck_assert_int_eq(r2.connected, 0);
	ck_assert_int_ge(r2.connect_failed, 3);
	ck_assert(!sgw_uplink_connected(bad));
	sgw_uplink_stop(bad, 1000);
	sgw_uplink_free(bad);

	sgw_uplink_stop(u, 5000);
	sgw_uplink_free(u);
	test_broker_free(b);
	pki_free(&p);
}
END_TEST

START_TEST(test_bad_config)
{
	struct tcfg t;

	tcfg_init(&t, "tcp://127.0.0.1:1", 4, 4);
	t.c.max_inflight = 0;
	errno = 0;
	ck_assert_ptr_null(sgw_uplink_new(&t.c, "s", NULL, NULL));
	ck_assert_int_eq(errno, EINVAL);
	tcfg_init(&t, "tcp://127.0.0.1:1", 3, 4);
	ck_assert_ptr_null(sgw_uplink_new(&t.c, "s", NULL, NULL));
	tcfg_init(&t, "tcp://127.0.0.1:1", 4, 4);
	ck_assert_ptr_null(sgw_uplink_new(&t.c, NULL, NULL, NULL));
	sgw_uplink_free(NULL);
}
END_TEST

static Suite *uplink_suite(void)
{
	Suite *s = suite_create("uplink");
	TCase *tc = tcase_create("broker");

	/* Versions: loop index 0 = MQTT 3.1.1, 1 = MQTT 5. */
	tcase_add_loop_test(tc, test_last_will, 0, 2);
	tcase_add_loop_test(tc, test_publish_acks_in_order, 0, 2);
	tcase_add_loop_test(tc, test_qos0_and_retain, 0, 2);
	tcase_add_loop_test(tc, test_window_full, 0, 2);
	tcase_add_loop_test(tc, test_not_connected, 0, 2);
	tcase_add_loop_test(tc, test_broker_starts_later, 0, 2);
	tcase_add_loop_test(tc, test_loss_fails_inflight, 0, 2);
	tcase_add_loop_test(tc, test_status_online_offline, 0, 2);
	tcase_add_loop_test(tc, test_stop_broker_down, 0, 2);
	tcase_add_loop_test(tc, test_tls, 0, 2);
	tcase_add_test(tc, test_bad_config);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	char err[512];
	SRunner *sr;
	int failed;

	/* Before any fork: the TLS tests need Paho's TLS build. */
	if (sgw_paho_load(true, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return EXIT_FAILURE;
	}
	sr = srunner_create(uplink_suite());
	/* A broker that died under a test must not kill us with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
