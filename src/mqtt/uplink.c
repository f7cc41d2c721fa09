/* SPDX-License-Identifier: MIT */
/*
 * Paho MQTTAsync wrapper; the contract is in uplink.h.
 *
 * Two sides share an uplink:
 *  - Paho's threads run the callbacks below (on_*_cb).  They hold Paho's
 *    global mutex, so they must not call into Paho; they only append an
 *    event to the queue under u->lock, and write u->efd when the queue was
 *    empty.  The main thread takes the whole queue at once (one wake-up
 *    for a burst of acks), after draining u->efd, so no event is left
 *    unsignalled.
 *  - The main thread does everything else: it connects, publishes, keeps
 *    the in-flight table and runs the caller's handler from dispatch.
 *
 * Stale completions.  With a clean session Paho restarts message ids (the
 * tokens) at every connect, and it may still complete messages of a dead
 * connection after the next connect succeeded: with MQTT 3.1.1 it sends
 * them again and reports their PUBACKs with the old tokens, which by then
 * can equal tokens of new messages.  Two stamps keep such a completion from
 * being taken for a new message's:
 *  - u->gen, bumped by the callbacks on each connect success and each loss;
 *    an entry records the generation of the connection it was sent on.
 *  - u->seq, bumped by the main thread before each send; an entry records
 *    its value.  Paho holds a token until it has reported its completion
 *    (both under its mutex), so the completion of an older message with
 *    the same token was posted before the new send began: its stamp is
 *    lower than the entry's.
 * A completion matches an entry only with the same token and generation
 * and a stamp no lower than the entry's; after a loss has failed and
 * cleared a connection's entries, late completions match nothing.
 */
#include "uplink.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <MQTTAsync.h>

#include "util/backoff.h"
#include "util/log.h"

/* Tag of the uplink's own status messages: never reported to the handler. */
#define UPLINK_STATUS_TAG UINT64_MAX
/* Paho in-flight slots beyond the caller's window: "online" / "offline". */
#define UPLINK_STATUS_SLOTS 2
#define UPLINK_CONNECT_TIMEOUT_S 30
/* How long sgw_uplink_stop() waits for the DISCONNECT beyond its budget. */
#define UPLINK_DISCONNECT_GRACE_MS 1000

static const char status_online[] = "online";
static const char status_offline[] = "offline";

enum uplink_state {
	UPLINK_IDLE,		/* created, not started */
	UPLINK_CONNECTING,	/* MQTTAsync_connect() issued, no answer yet */
	UPLINK_CONNECTED,
	UPLINK_WAITING,		/* down; reconnect at next_ns */
	UPLINK_STOPPED,
};

enum uplink_event_type {
	EV_CONNECT_OK,
	EV_CONNECT_FAIL,
	EV_LOST,
	EV_PUB_OK,
	EV_PUB_FAIL,
	EV_DISCONNECTED,
};

struct uplink_event {
	enum uplink_event_type type;
	uint32_t gen;
	uint64_t seq;		/* u->seq when posted */
	int token;
	int code;		/* Paho error code, or MQTT 5 reason code */
	char why[96];
};

struct uplink_inflight {
	uint64_t tag;
	uint64_t seq;
	uint32_t gen;
	int token;
	bool live;		/* false: a hole left by an out-of-order completion */
	bool counted;		/* occupies the caller's window (QoS > 0) */
};

struct sgw_uplink {
	char *name, *server_uri, *client_id, *username, *password;
	char *ca_file, *cert_file, *key_file, *status_topic;
	/* ALPN in wire format, NUL-terminated because Paho strdup()s it. */
	unsigned char *protos;
	unsigned int protos_len;
	int keepalive_s, qos, mqtt_version;
	bool retain, tls;
	size_t window;

	MQTTAsync client;
	int efd;

	/* Shared with Paho's threads. */
	pthread_mutex_t lock;
	/* Posted events, oldest first; the main thread swaps the array with
	 * its (empty) spare to take them all. */
	struct uplink_event *ev, *ev_spare;
	size_t nev, capev, capspare;
	uint32_t gen;		/* connection generation */
	uint64_t seq;		/* sends begun */
	uint64_t ev_dropped;	/* events lost to a failed malloc */

	/* Main thread only. */
	enum uplink_state state;
	bool stopping, disconnected;
	uint32_t conn_gen;	/* generation of the current connection */
	struct sgw_backoff backoff;
	int64_t next_ns;
	/* In-flight table: a ring in publish order, so that acks (which come
	 * in order) are found at its head and losses are reported in order. */
	struct uplink_inflight *ring;
	size_t cap, first, used, live, counted;
	/* Handler of the last dispatch, for the completions stop() pumps. */
	const struct sgw_uplink_handler *h;
	void *harg;
	struct sgw_uplink_stats st;
};

static int64_t uplink_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ------------------------------------------------------- Paho's threads */

/* Under u->lock: room for one more event, or NULL. */
static struct uplink_event *ev_slot(struct sgw_uplink *u)
{
	if (u->nev == u->capev) {
		size_t cap = u->capev ? u->capev * 2 : 64;
		struct uplink_event *n = realloc(u->ev, cap * sizeof(*n));

		if (!n)
			return NULL;
		u->ev = n;
		u->capev = cap;
	}
	return &u->ev[u->nev++];
}

static void post(struct sgw_uplink *u, enum uplink_event_type type, bool bump,
		 int token, int code, const char *why)
{
	struct uplink_event *ev;
	uint64_t one = 1;
	bool first;
	ssize_t n;

	pthread_mutex_lock(&u->lock);
	if (bump)
		u->gen++;
	first = u->nev == 0;
	ev = ev_slot(u);
	if (ev) {
		ev->type = type;
		ev->gen = u->gen;
		ev->seq = u->seq;
		ev->token = token;
		ev->code = code;
		ev->why[0] = '\0';
		if (why)
			snprintf(ev->why, sizeof(ev->why), "%s", why);
	} else {
		u->ev_dropped++;
		first = true;
	}
	pthread_mutex_unlock(&u->lock);
	/* EAGAIN only when the counter is saturated: readable anyway. */
	if (first) {
		n = write(u->efd, &one, sizeof(one));
		(void)n;
	}
}

static void on_connect_ok_cb(void *ctx, MQTTAsync_successData *r)
{
	post(ctx, EV_CONNECT_OK, true, 0, 0, NULL);
}

static void on_connect_ok5_cb(void *ctx, MQTTAsync_successData5 *r)
{
	post(ctx, EV_CONNECT_OK, true, 0, 0, NULL);
}

static void on_connect_fail_cb(void *ctx, MQTTAsync_failureData *r)
{
	post(ctx, EV_CONNECT_FAIL, false, 0, r ? r->code : MQTTASYNC_FAILURE,
	     r ? r->message : NULL);
}

static void on_connect_fail5_cb(void *ctx, MQTTAsync_failureData5 *r)
{
	/* A CONNACK refusal comes as a reason code, a network error as code. */
	int code = MQTTASYNC_FAILURE;

	if (r)
		code = r->reasonCode >= MQTTREASONCODE_UNSPECIFIED_ERROR ? (int)r->reasonCode : r->code;
	post(ctx, EV_CONNECT_FAIL, false, 0, code, r ? r->message : NULL);
}

static void on_lost_cb(void *ctx, char *cause)
{
	post(ctx, EV_LOST, true, 0, 0, cause ? cause : "connection lost");
}

static void on_pub_ok_cb(void *ctx, MQTTAsync_successData *r)
{
	if (r)
		post(ctx, EV_PUB_OK, false, r->token, 0, NULL);
}

static void on_pub_ok5_cb(void *ctx, MQTTAsync_successData5 *r)
{
	if (r)
		post(ctx, EV_PUB_OK, false, r->token, 0, NULL);
}

static void on_pub_fail_cb(void *ctx, MQTTAsync_failureData *r)
{
	if (r)
		post(ctx, EV_PUB_FAIL, false, r->token, r->code, r->message);
}

static void on_pub_fail5_cb(void *ctx, MQTTAsync_failureData5 *r)
{
	if (r)
		post(ctx, EV_PUB_FAIL, false, r->token, (int)r->reasonCode, r->message);
}

static void on_disconnect_cb(void *ctx, MQTTAsync_successData *r)
{
	post(ctx, EV_DISCONNECTED, false, 0, 0, NULL);
}

static void on_disconnect5_cb(void *ctx, MQTTAsync_successData5 *r)
{
	post(ctx, EV_DISCONNECTED, false, 0, 0, NULL);
}

static void on_disconnect_fail_cb(void *ctx, MQTTAsync_failureData *r)
{
	post(ctx, EV_DISCONNECTED, false, 0, r ? r->code : MQTTASYNC_FAILURE, NULL);
}

static void on_disconnect_fail5_cb(void *ctx, MQTTAsync_failureData5 *r)
{
	post(ctx, EV_DISCONNECTED, false, 0, r ? r->code : MQTTASYNC_FAILURE, NULL);
}

/* ------------------------------------------------------ in-flight table */

static int ring_reserve(struct sgw_uplink *u)
{
	struct uplink_inflight *n;
	size_t cap;

	if (u->used < u->cap)
		return 0;
	/* Only QoS 0 bursts and out-of-order holes grow it past the window. */
	cap = u->cap * 2;
	n = malloc(cap * sizeof(*n));
	if (!n)
		return -ENOMEM;
	for (size_t i = 0; i < u->used; i++)
		n[i] = u->ring[(u->first + i) % u->cap];
	free(u->ring);
	u->ring = n;
	u->cap = cap;
	u->first = 0;
	return 0;
}

static void ring_push(struct sgw_uplink *u, uint64_t tag, uint64_t seq, int token, bool counted)
{
	struct uplink_inflight *e = &u->ring[(u->first + u->used) % u->cap];

	e->tag = tag;
	e->seq = seq;
	e->gen = u->conn_gen;
	e->token = token;
	e->live = true;
	e->counted = counted;
	u->used++;
	u->live++;
	if (counted)
		u->counted++;
}

/* Remove the entry at ring index I (0 = oldest); returns its tag. */
static uint64_t ring_take(struct sgw_uplink *u, size_t i)
{
	struct uplink_inflight *e = &u->ring[(u->first + i) % u->cap];

	e->live = false;
	u->live--;
	if (e->counted)
		u->counted--;
	while (u->used && !u->ring[u->first].live) {
		u->first = (u->first + 1) % u->cap;
		u->used--;
	}
	return e->tag;
}

static bool ring_find(const struct sgw_uplink *u, const struct uplink_event *ev, size_t *idx)
{
	for (size_t i = 0; i < u->used; i++) {
		const struct uplink_inflight *e = &u->ring[(u->first + i) % u->cap];

		if (e->live && e->token == ev->token && e->gen == ev->gen && e->seq <= ev->seq) {
			*idx = i;
			return true;
		}
	}
	return false;
}

/* ----------------------------------------------------------- main thread */

static void report_ack(struct sgw_uplink *u, uint64_t tag)
{
	if (tag == UPLINK_STATUS_TAG)
		return;
	u->st.acked++;
	if (u->h && u->h->on_ack)
		u->h->on_ack(u->harg, u, tag);
}

static void report_fail(struct sgw_uplink *u, uint64_t tag)
{
	if (tag == UPLINK_STATUS_TAG)
		return;
	u->st.failed++;
	if (u->h && u->h->on_fail)
		u->h->on_fail(u->harg, u, tag);
}

/* Every outstanding tag, oldest first, exactly once: the entry goes before
 * the handler runs, so a handler that publishes again sees a sane table. */
static void fail_all(struct sgw_uplink *u)
{
	while (u->used) {
		bool live = u->ring[u->first].live;
		uint64_t tag = ring_take(u, 0);

		if (live)
			report_fail(u, tag);
	}
}

static void schedule_reconnect(struct sgw_uplink *u)
{
	uint32_t ms = sgw_backoff_next(&u->backoff);

	u->state = UPLINK_WAITING;
	u->next_ns = uplink_now_ns() + (int64_t)ms * 1000000;
	log_debug("mqtt %s: reconnect in %u ms", u->name, ms);
}

static void connect_now(struct sgw_uplink *u)
{
	MQTTAsync_connectOptions co = MQTTAsync_connectOptions_initializer;
	MQTTAsync_connectOptions co5 = MQTTAsync_connectOptions_initializer5;
	MQTTAsync_willOptions will = MQTTAsync_willOptions_initializer;
	MQTTAsync_SSLOptions ssl = MQTTAsync_SSLOptions_initializer;
	MQTTAsync_connectOptions *o;
	int rc;

	if (u->mqtt_version == 5) {
		o = &co5;
		/* The 5-style callbacks; Paho rejects a mix of both styles. */
		o->onSuccess5 = on_connect_ok5_cb;
		o->onFailure5 = on_connect_fail5_cb;
		o->cleanstart = 1;
		o->MQTTVersion = MQTTVERSION_5;
	} else {
		o = &co;
		o->onSuccess = on_connect_ok_cb;
		o->onFailure = on_connect_fail_cb;
		o->cleansession = 1;
		o->MQTTVersion = MQTTVERSION_3_1_1;
	}
	o->context = u;
	o->keepAliveInterval = u->keepalive_s;
	o->maxInflight = (int)u->window + UPLINK_STATUS_SLOTS;
	o->connectTimeout = UPLINK_CONNECT_TIMEOUT_S;
	o->retryInterval = 0;
	/* Our own backoff, driven by the main loop, decides when to retry. */
	o->automaticReconnect = 0;
	o->username = u->username;
	o->password = u->password;

	will.topicName = u->status_topic;
	will.message = status_offline;
	will.retained = 1;
	will.qos = 1;
	o->will = &will;

	if (u->tls) {
		struct stat sb;

		/* A directory of hashed certificates or one PEM bundle; neither
		 * given: OpenSSL's default paths (/etc/ssl/certs). */
		if (u->ca_file && stat(u->ca_file, &sb) == 0 && S_ISDIR(sb.st_mode))
			ssl.CApath = u->ca_file;
		else
			ssl.trustStore = u->ca_file;
		ssl.keyStore = u->cert_file;
		ssl.privateKey = u->key_file;
		ssl.enableServerCertAuth = 1;
		ssl.verify = 1;			/* host name check; Paho's default is off */
		ssl.protos = u->protos;
		ssl.protos_len = u->protos_len;
		o->ssl = &ssl;
	}

	rc = MQTTAsync_connect(u->client, o);
	if (rc != MQTTASYNC_SUCCESS) {
		log_warnx("mqtt %s: cannot connect to %s: %s", u->name, u->server_uri,
			  MQTTAsync_strerror(rc));
		schedule_reconnect(u);
		return;
	}
	u->state = UPLINK_CONNECTING;
	u->next_ns = INT64_MAX;
}

static int map_paho_error(int rc)
{
	switch (rc) {
	case MQTTASYNC_DISCONNECTED:
		return -ENOTCONN;
	case MQTTASYNC_MAX_MESSAGES_INFLIGHT:
	case MQTTASYNC_MAX_BUFFERED_MESSAGES:
	case MQTTASYNC_MAX_BUFFERED:
	case MQTTASYNC_NO_MORE_MSGIDS:
		return -EAGAIN;
	case MQTTASYNC_BAD_UTF8_STRING:
	case MQTTASYNC_NULL_PARAMETER:
	case MQTTASYNC_BAD_QOS:
	case MQTTASYNC_BAD_STRUCTURE:
	case MQTTASYNC_BAD_MQTT_OPTION:
	case MQTTASYNC_BAD_PROTOCOL:
		return -EINVAL;
	case MQTTASYNC_SSL_NOT_SUPPORTED:
		return -EPROTONOSUPPORT;
	default:
		return -EIO;
	}
}

static int publish(struct sgw_uplink *u, const char *topic, const void *payload,
		   size_t len, int qos, bool retain, uint64_t tag)
{
	MQTTAsync_responseOptions ro = MQTTAsync_responseOptions_initializer;
	MQTTAsync_message msg = MQTTAsync_message_initializer;
	bool counted = qos > 0 && tag != UPLINK_STATUS_TAG;
	uint64_t seq;
	int rc;

	if (u->state != UPLINK_CONNECTED)
		return -ENOTCONN;
	if (!topic || qos < 0 || qos > 2 || (!payload && len))
		return -EINVAL;
	if (len > INT_MAX)
		return -EMSGSIZE;
	if (counted && u->counted >= u->window)
		return -EAGAIN;
	/* Room first: once Paho took the message it must be tracked. */
	rc = ring_reserve(u);
	if (rc < 0)
		return rc;

	msg.payload = (void *)payload;	/* Paho copies it */
	msg.payloadlen = (int)len;
	msg.qos = qos;
	msg.retained = retain;
	ro.context = u;
	if (u->mqtt_version == 5) {
		ro.onSuccess5 = on_pub_ok5_cb;
		ro.onFailure5 = on_pub_fail5_cb;
	} else {
		ro.onSuccess = on_pub_ok_cb;
		ro.onFailure = on_pub_fail_cb;
	}
	pthread_mutex_lock(&u->lock);
	seq = ++u->seq;
	pthread_mutex_unlock(&u->lock);
	rc = MQTTAsync_sendMessage(u->client, topic, &msg, &ro);
	if (rc != MQTTASYNC_SUCCESS)
		return map_paho_error(rc);
	ring_push(u, tag, seq, ro.token, counted);
	if (tag != UPLINK_STATUS_TAG)
		u->st.published++;
	return 0;
}

static void handle_connect_ok(struct sgw_uplink *u, const struct uplink_event *ev)
{
	int r;

	if (u->state != UPLINK_CONNECTING) {
		/* Stopped while the connect was under way: leave again, cleanly. */
		MQTTAsync_disconnectOptions d = MQTTAsync_disconnectOptions_initializer;
		MQTTAsync_disconnectOptions d5 = MQTTAsync_disconnectOptions_initializer5;

		MQTTAsync_disconnect(u->client, u->mqtt_version == 5 ? &d5 : &d);
		return;
	}
	u->state = UPLINK_CONNECTED;
	u->conn_gen = ev->gen;
	u->next_ns = INT64_MAX;
	sgw_backoff_reset(&u->backoff);
	u->st.connects++;
	log_info("mqtt %s: connected to %s", u->name, u->server_uri);

	r = publish(u, u->status_topic, status_online, strlen(status_online), 1, true,
		    UPLINK_STATUS_TAG);
	if (r < 0)
		log_debug("mqtt %s: status \"online\" not sent: %s", u->name, strerror(-r));
	if (u->h && u->h->on_connected)
		u->h->on_connected(u->harg, u);
}

static void handle_connect_fail(struct sgw_uplink *u, const struct uplink_event *ev)
{
	if (u->state != UPLINK_CONNECTING)
		return;
	if (ev->code > 0 && u->mqtt_version == 5)
		log_debug("mqtt %s: connect to %s refused: %s", u->name, u->server_uri,
			  MQTTReasonCode_toString((enum MQTTReasonCodes)ev->code));
	else
		log_debug("mqtt %s: connect to %s failed: %s%s%s", u->name, u->server_uri,
			  MQTTAsync_strerror(ev->code), ev->why[0] ? ": " : "", ev->why);
	if (u->stopping) {
		u->state = UPLINK_STOPPED;
		return;
	}
	schedule_reconnect(u);
}

static void handle_lost(struct sgw_uplink *u, const struct uplink_event *ev)
{
	if (u->state != UPLINK_CONNECTED)
		return;
	u->state = u->stopping ? UPLINK_STOPPED : UPLINK_WAITING;
	u->st.disconnects++;
	log_info("mqtt %s: disconnected from %s: %s", u->name, u->server_uri, ev->why);
	fail_all(u);
	if (u->h && u->h->on_disconnected)
		u->h->on_disconnected(u->harg, u, ev->why);
	if (u->state == UPLINK_WAITING)
		schedule_reconnect(u);
}

static void handle_completion(struct sgw_uplink *u, const struct uplink_event *ev)
{
	size_t i;
	uint64_t tag;

	if (!ring_find(u, ev, &i)) {
		/* A connection that was already failed and cleared. */
		log_debug("mqtt %s: stale completion of token %d", u->name, ev->token);
		return;
	}
	tag = ring_take(u, i);
	if (ev->type == EV_PUB_OK) {
		report_ack(u, tag);
	} else {
		log_debug("mqtt %s: publish failed: %d %s", u->name, ev->code, ev->why);
		report_fail(u, tag);
	}
}

static void handle(struct sgw_uplink *u, const struct uplink_event *ev)
{
	switch (ev->type) {
	case EV_CONNECT_OK:
		handle_connect_ok(u, ev);
		break;
	case EV_CONNECT_FAIL:
		handle_connect_fail(u, ev);
		break;
	case EV_LOST:
		handle_lost(u, ev);
		break;
	case EV_PUB_OK:
	case EV_PUB_FAIL:
		handle_completion(u, ev);
		break;
	case EV_DISCONNECTED:
		u->disconnected = true;
		break;
	}
}

/* Not reentrant: no handler runs sgw_uplink_dispatch() or _stop(). */
static void process(struct sgw_uplink *u)
{
	struct uplink_event *batch;
	uint64_t cnt, dropped;
	size_t nbatch, cap;
	ssize_t n;

	/* Drain the counter before taking events, so none is left unsignalled:
	 * a callback that posts after the take finds the queue empty and
	 * writes again. */
	n = read(u->efd, &cnt, sizeof(cnt));
	(void)n;
	pthread_mutex_lock(&u->lock);
	batch = u->ev;
	nbatch = u->nev;
	cap = u->capev;
	u->ev = u->ev_spare;
	u->capev = u->capspare;
	u->nev = 0;
	dropped = u->ev_dropped;
	u->ev_dropped = 0;
	pthread_mutex_unlock(&u->lock);
	for (size_t i = 0; i < nbatch; i++)
		handle(u, &batch[i]);
	/* The taken array is the spare for the next take. */
	u->ev_spare = batch;
	u->capspare = cap;
	/* Out of memory in a callback: a lost "connection lost" would leave us
	 * waiting forever, so ask Paho.  Lost acks come back as failures with
	 * the next loss (a duplicate at worst). */
	if (dropped && u->state == UPLINK_CONNECTED && !MQTTAsync_isConnected(u->client)) {
		struct uplink_event lost = { .type = EV_LOST };

		snprintf(lost.why, sizeof(lost.why), "connection lost");
		handle_lost(u, &lost);
	}
}

void sgw_uplink_dispatch(struct sgw_uplink *u, const struct sgw_uplink_handler *h, void *arg)
{
	u->h = h;
	u->harg = arg;
	process(u);
}

int sgw_uplink_fd(const struct sgw_uplink *u)
{
	return u->efd;
}

int64_t sgw_uplink_next_deadline(const struct sgw_uplink *u)
{
	return u->state == UPLINK_WAITING ? u->next_ns : INT64_MAX;
}

void sgw_uplink_tick(struct sgw_uplink *u, int64_t now_ns)
{
	if (u->state == UPLINK_WAITING && now_ns >= u->next_ns)
		connect_now(u);
}

int sgw_uplink_start(struct sgw_uplink *u)
{
	if (u->state != UPLINK_IDLE && u->state != UPLINK_STOPPED)
		return 0;
	u->stopping = false;
	sgw_backoff_reset(&u->backoff);
	connect_now(u);
	return 0;
}

int sgw_uplink_publish_ex(struct sgw_uplink *u, const char *topic,
			  const void *payload, size_t len, int qos, bool retain,
			  uint64_t tag)
{
	/* The reserved tag would never be reported: refuse it. */
	if (tag == UPLINK_STATUS_TAG)
		return -EINVAL;
	if (u->stopping)
		return -ENOTCONN;
	return publish(u, topic, payload, len, qos, retain, tag);
}

int sgw_uplink_publish(struct sgw_uplink *u, const char *topic,
		       const void *payload, size_t len, uint64_t tag)
{
	return sgw_uplink_publish_ex(u, topic, payload, len, u->qos, u->retain, tag);
}

bool sgw_uplink_connected(const struct sgw_uplink *u)
{
	return u->state == UPLINK_CONNECTED && !u->stopping;
}

size_t sgw_uplink_inflight(const struct sgw_uplink *u)
{
	return u->counted;
}

size_t sgw_uplink_window(const struct sgw_uplink *u)
{
	return u->window;
}

const char *sgw_uplink_name(const struct sgw_uplink *u)
{
	return u->name;
}

void sgw_uplink_get_stats(const struct sgw_uplink *u, struct sgw_uplink_stats *st)
{
	*st = u->st;
}

/* Process events until DONE(u) or the deadline; returns DONE(u). */
static bool pump(struct sgw_uplink *u, int64_t deadline, bool (*done)(const struct sgw_uplink *))
{
	for (;;) {
		struct pollfd p = { .fd = u->efd, .events = POLLIN };
		int64_t left;

		process(u);
		if (done(u))
			return true;
		left = deadline - uplink_now_ns();
		if (left <= 0)
			return false;
		poll(&p, 1, (int)((left + 999999) / 1000000));
	}
}

static bool drained(const struct sgw_uplink *u)
{
	return u->live == 0 || u->state != UPLINK_CONNECTED;
}

static bool disconnected(const struct sgw_uplink *u)
{
	return u->disconnected || u->state != UPLINK_CONNECTED;
}

void sgw_uplink_stop(struct sgw_uplink *u, int timeout_ms)
{
	int64_t deadline = uplink_now_ns() + (int64_t)(timeout_ms > 0 ? timeout_ms : 0) * 1000000;
	bool was_connected = u->state == UPLINK_CONNECTED;

	u->stopping = true;
	if (u->state == UPLINK_CONNECTED) {
		int r = publish(u, u->status_topic, status_offline, strlen(status_offline), 1, true,
				UPLINK_STATUS_TAG);

		if (r < 0)
			log_debug("mqtt %s: status \"offline\" not sent: %s", u->name, strerror(-r));
		pump(u, deadline, drained);
	}
	if (u->state == UPLINK_CONNECTED) {
		MQTTAsync_disconnectOptions d = MQTTAsync_disconnectOptions_initializer;
		MQTTAsync_disconnectOptions d5 = MQTTAsync_disconnectOptions_initializer5;
		int64_t left = (deadline - uplink_now_ns()) / 1000000;

		if (u->mqtt_version == 5) {
			d = d5;
			d.onSuccess5 = on_disconnect5_cb;
			d.onFailure5 = on_disconnect_fail5_cb;
		} else {
			d.onSuccess = on_disconnect_cb;
			d.onFailure = on_disconnect_fail_cb;
		}
		d.context = u;
		d.timeout = left > 0 ? (int)left : 0;
		u->disconnected = false;
		if (MQTTAsync_disconnect(u->client, &d) == MQTTASYNC_SUCCESS)
			pump(u, uplink_now_ns() + (int64_t)(d.timeout + UPLINK_DISCONNECT_GRACE_MS) * 1000000,
			     disconnected);
	}
	if (u->state == UPLINK_CONNECTED)
		u->st.disconnects++;
	u->state = UPLINK_STOPPED;
	u->next_ns = INT64_MAX;
	fail_all(u);
	if (was_connected) {
		log_info("mqtt %s: disconnected from %s", u->name, u->server_uri);
		if (u->h && u->h->on_disconnected)
			u->h->on_disconnected(u->harg, u, "stopped");
	}
}

/* --------------------------------------------------------- life cycle */

static int dup_opt(char **dst, const char *src)
{
	if (!src)
		return 0;
	*dst = strdup(src);
	return *dst ? 0 : -ENOMEM;
}

static int alpn_wire(struct sgw_uplink *u, const char *alpn)
{
	size_t n;

	if (!alpn)
		return 0;
	n = strlen(alpn);
	if (n == 0 || n > 255)
		return -EINVAL;
	/* One allocation per uplink: every connect passes the same bytes. */
	u->protos = malloc(n + 2);
	if (!u->protos)
		return -ENOMEM;
	u->protos[0] = (unsigned char)n;
	memcpy(u->protos + 1, alpn, n);
	u->protos[n + 1] = '\0';
	u->protos_len = (unsigned int)n + 1;
	return 0;
}

/* Everything sgw_uplink_new() allocates before the Paho client, and U. */
static void free_fields(struct sgw_uplink *u)
{
	free(u->ring);
	if (u->password)
		explicit_bzero(u->password, strlen(u->password));
	free(u->password);
	free(u->protos);
	free(u->name);
	free(u->server_uri);
	free(u->client_id);
	free(u->username);
	free(u->ca_file);
	free(u->cert_file);
	free(u->key_file);
	free(u->status_topic);
	free(u);
}

static uint64_t backoff_seed(const struct sgw_uplink *u)
{
	struct timespec ts;

	/* Differs between uplinks and gateways, so that they do not retry in
	 * lockstep after a broker restart. */
	clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec ^ (uint64_t)(uintptr_t)u ^
	       ((uint64_t)getpid() << 16);
}

struct sgw_uplink *sgw_uplink_new(const struct sgw_uplink_config *cfg,
				  const char *status_topic)
{
	MQTTAsync_createOptions co = MQTTAsync_createOptions_initializer;
	MQTTAsync_createOptions co5 = MQTTAsync_createOptions_initializer5;
	MQTTAsync_createOptions *o;
	struct sgw_uplink *u;
	int r, rc;

	if (!cfg || !cfg->server_uri || !cfg->client_id || !status_topic || !*status_topic ||
	    cfg->max_inflight < 1 || cfg->max_inflight > 65535 - UPLINK_STATUS_SLOTS ||
	    cfg->qos < 0 || cfg->qos > 2 || (cfg->mqtt_version != 4 && cfg->mqtt_version != 5) ||
	    cfg->keepalive_s < 0) {
		errno = EINVAL;
		return NULL;
	}
	/*
	 * No MQTTAsync_global_init(): Paho initialises itself from a library
	 * constructor and, by default, OpenSSL too (which OpenSSL 3 does on its
	 * own anyway).  Called while another Paho client exists, global_init
	 * re-creates Paho's mutexes and its send thread's condition variable:
	 * every command then waits for that thread's 1 s timeout.
	 */

	u = calloc(1, sizeof(*u));
	if (!u)
		return NULL;
	u->efd = -1;
	r = dup_opt(&u->name, cfg->name ? cfg->name : "default");
	if (!r) r = dup_opt(&u->server_uri, cfg->server_uri);
	if (!r) r = dup_opt(&u->client_id, cfg->client_id);
	if (!r) r = dup_opt(&u->username, cfg->username);
	if (!r) r = dup_opt(&u->password, cfg->password);
	if (!r) r = dup_opt(&u->ca_file, cfg->ca_file);
	if (!r) r = dup_opt(&u->cert_file, cfg->cert_file);
	if (!r) r = dup_opt(&u->key_file, cfg->key_file);
	if (!r) r = dup_opt(&u->status_topic, status_topic);
	if (!r && cfg->tls) r = alpn_wire(u, cfg->alpn);
	if (r)
		goto err_free_fields;
	u->keepalive_s = cfg->keepalive_s;
	u->qos = cfg->qos;
	u->retain = cfg->retain;
	u->mqtt_version = cfg->mqtt_version;
	u->tls = cfg->tls;
	u->window = (size_t)cfg->max_inflight;
	u->state = UPLINK_IDLE;
	u->next_ns = INT64_MAX;
	sgw_backoff_init(&u->backoff, cfg->reconnect_min_ms, cfg->reconnect_max_ms, backoff_seed(u));

	u->cap = u->window + UPLINK_STATUS_SLOTS + 2;
	u->ring = calloc(u->cap, sizeof(*u->ring));
	if (!u->ring) {
		r = -ENOMEM;
		goto err_free_fields;
	}
	u->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (u->efd < 0) {
		r = -errno;
		goto err_free_fields;
	}
	r = -pthread_mutex_init(&u->lock, NULL);
	if (r)
		goto err_close_efd;

	o = cfg->mqtt_version == 5 ? &co5 : &co;
	o->sendWhileDisconnected = 0;
	/* Paho counts queued publish commands against this also when online;
	 * the window (plus status messages and QoS 0) must fit. */
	o->maxBufferedMessages = (int)u->window + UPLINK_STATUS_SLOTS + 100;
	o->MQTTVersion = cfg->mqtt_version == 5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1;
	/* No persistence: the daemon's own queue keeps what must survive. */
	rc = MQTTAsync_createWithOptions(&u->client, u->server_uri, u->client_id,
					 MQTTCLIENT_PERSISTENCE_NONE, NULL, o);
	if (rc != MQTTASYNC_SUCCESS) {
		u->client = NULL;
		r = map_paho_error(rc);
		goto err_destroy_lock;
	}
	rc = MQTTAsync_setConnectionLostCallback(u->client, u, on_lost_cb);
	if (rc != MQTTASYNC_SUCCESS) {
		r = map_paho_error(rc);
		goto err_destroy_client;
	}
	return u;

err_destroy_client:
	MQTTAsync_destroy(&u->client);
err_destroy_lock:
	pthread_mutex_destroy(&u->lock);
err_close_efd:
	close(u->efd);
err_free_fields:
	free_fields(u);
	errno = -r;
	return NULL;
}

void sgw_uplink_free(struct sgw_uplink *u)
{
	if (!u)
		return;
	/* After destroy no callback runs for this client: the queue is ours. */
	MQTTAsync_destroy(&u->client);
	free(u->ev);
	free(u->ev_spare);
	pthread_mutex_destroy(&u->lock);
	close(u->efd);
	free_fields(u);
}
