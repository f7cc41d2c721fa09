/* SPDX-License-Identifier: MIT */
/* What the uplink tests share; see uplink_fixture.h. */
#include "uplink_fixture.h"

#include <check.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/clock.h"

/* ------------------------------------------------------------ subscriber */

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
bool sub_wait(struct sub *s, bool (*pred)(struct sub *, size_t), size_t arg, int ms)
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
bool sub_has(struct sub *s, size_t n) { return s->n >= n; }

struct sub *sub_open(const char *uri, const char *filter)
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

struct sub_msg sub_get(struct sub *s, size_t i)
{
	struct sub_msg m;

	pthread_mutex_lock(&s->m);
	ck_assert_uint_lt(i, s->n);
	m = s->msg[i];
	pthread_mutex_unlock(&s->m);
	return m;
}

void sub_close(struct sub *s)
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
struct sub_msg retained_of(const char *uri, const char *topic)
{
	struct sub *s = sub_open(uri, topic);
	struct sub_msg m;

	ck_assert_msg(sub_wait(s, sub_has, 1, WAIT_MS), "no retained message on %s", topic);
	m = sub_get(s, 0);
	sub_close(s);
	return m;
}

/* --------------------------------------------------------------- uplink */

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

const struct sgw_uplink_handler rec_handler = {
	.on_connected = rec_connected,
	.on_connect_failed = rec_connect_failed,
	.on_disconnected = rec_disconnected,
	.on_ack = rec_ack,
	.on_fail = rec_fail,
};

/* The main loop in miniature: poll the eventfd up to the reconnect
 * deadline, dispatch, tick; until COND or MS elapsed. */
bool run_until(struct sgw_uplink *u, struct rec *r, cond_fn cond, size_t arg, int ms)
{
	int64_t deadline = sgw_mono_ns() + (int64_t)ms * 1000000;

	for (;;) {
		struct pollfd p = { .fd = sgw_uplink_fd(u), .events = POLLIN };
		int64_t now = sgw_mono_ns(), until = sgw_uplink_next_deadline(u);

		if (cond(u, r, arg))
			return true;
		if (now >= deadline)
			return false;
		if (until > deadline)
			until = deadline;
		poll(&p, 1, until > now ? (int)((until - now + 999999) / 1000000) : 0);
		sgw_uplink_dispatch(u);
		sgw_uplink_tick(u, sgw_mono_ns());
	}
}

bool is_connected(struct sgw_uplink *u, struct rec *r, size_t n)
{
	return sgw_uplink_connected(u) && (size_t)r->connected >= n;
}

bool reported(struct sgw_uplink *u, struct rec *r, size_t n)
{
	return r->nack + r->nfail >= n;
}

bool is_down(struct sgw_uplink *u, struct rec *r, size_t n)
{
	return (size_t)r->disconnected >= n && !sgw_uplink_connected(u);
}

bool below_window(struct sgw_uplink *u, struct rec *r, size_t n)
{
	return sgw_uplink_inflight(u) < sgw_uplink_window(u);
}

void tcfg_init(struct tcfg *t, const char *uri, int version, int window)
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

struct sgw_uplink *up_connect(struct tcfg *t, const char *status, struct rec *r)
{
	struct sgw_uplink *u = sgw_uplink_new(&t->c, status, &rec_handler, r);

	ck_assert_ptr_nonnull(u);
	ck_assert_int_eq(sgw_uplink_start(u), 0);
	ck_assert_msg(run_until(u, r, is_connected, 1, WAIT_MS), "uplink did not connect");
	return u;
}

int version_of(int i)
{
	return i ? 5 : 4;
}

struct attempts *attempts_seen;

bool count_attempts(struct sgw_uplink *u, struct rec *r, size_t n)
{
	int64_t d = sgw_uplink_next_deadline(u);
	struct attempts *a = attempts_seen;

	if (d != INT64_MAX && d != a->last) {
		int64_t gap = d - sgw_mono_ns();

		if (gap > a->max_gap_ns)
			a->max_gap_ns = gap;
		a->last = d;
		a->n++;
	}
	return a->n >= (int)n;
}

/* ------------------------------------------------------------------ TLS */

void pki_make(struct pki *p)
{
	const char *top = getenv("top_srcdir");
	char cmd[512];

	snprintf(p->dir, sizeof(p->dir), "/tmp/sgw-pki-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(p->dir));
	ck_assert_int_lt(snprintf(cmd, sizeof(cmd), "sh '%s/tests/fixtures/pki.sh' '%s'",
				  top ? top : ".", p->dir), sizeof(cmd));
	ck_assert_msg(system(cmd) == 0, "%s failed (see %s/pki.err)", cmd, p->dir);
	snprintf(p->ca, sizeof(p->ca), "%s/ca.crt", p->dir);
	snprintf(p->other_ca, sizeof(p->other_ca), "%s/other.crt", p->dir);
	snprintf(p->client_cert, sizeof(p->client_cert), "%s/client.crt", p->dir);
	snprintf(p->client_key, sizeof(p->client_key), "%s/client.key", p->dir);
	pki_conf(p, "srv", p->conf, sizeof(p->conf));
}

void pki_conf(const struct pki *p, const char *cert, char *buf, size_t cap)
{
	snprintf(buf, cap, "cafile %s/ca.crt\ncertfile %s/%s.crt\nkeyfile %s/srv.key\n",
		 p->dir, p->dir, cert, p->dir);
}

void pki_free(struct pki *p)
{
	char cmd[128];

	/* Nothing but openssl's files is in the directory. */
	snprintf(cmd, sizeof(cmd), "rm -f -- '%s'/*", p->dir);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(rmdir(p->dir), 0);
}
