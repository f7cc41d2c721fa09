/* SPDX-License-Identifier: MIT */
/*
 * Paho MQTTAsync wrapper, the main thread's side; the contract is in
 * uplink.h.
 *
 * Two sides share an uplink:
 *  - Paho's threads run the callbacks of callbacks.c.  They hold Paho's
 *    global mutex, so they must not call into Paho; they only post an
 *    event to the uplink's mailbox (util/mailbox.h: one wake-up for a
 *    burst of acks).
 *  - The main thread does everything else, here: it connects, publishes,
 *    keeps the in-flight table (mqtt/inflight.h) and runs the caller's
 *    handler for each event.
 *
 * Stale completions.  With a clean session Paho restarts message ids (the
 * tokens) at every connect, and a completion of a dead connection's message
 * can still wait in the mailbox when the next connection's messages are
 * sent with the same tokens.  Two stamps keep such a completion from being
 * taken for a new message's:
 *  - u->gen, bumped by the callbacks on each connect success and each loss;
 *    an entry records the generation of the connection it was sent on.
 *  - u->stamp, bumped by the main thread before each send; an entry records
 *    its value, and every event the value when it was posted.  Paho holds a
 *    token until it has reported its completion (both under its mutex), so
 *    the completion of an older message with the same token was posted
 *    before the new send began: its stamp is lower than the entry's.
 * A completion matches an entry only with the same token and generation
 * and a stamp no lower than the entry's; after a loss has failed and
 * cleared a connection's entries, late completions match nothing.
 */
#include "uplink_int.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "azure.h"
#include "util/clock.h"

/* Events taken from the mailbox at a time. */
#define UPLINK_EVENT_BATCH 64

static void report_ack(struct sgw_uplink *u, const struct sgw_inflight_entry *e)
{
	if (e->own)
		return;
	u->st.acked++;
	if (u->h->on_ack)
		u->h->on_ack(u->harg, u, e->tag);
}

static void report_fail(struct sgw_uplink *u, const struct sgw_inflight_entry *e)
{
	if (e->own)
		return;
	u->st.failed++;
	if (u->h->on_fail)
		u->h->on_fail(u->harg, u, e->tag);
}

/* Every outstanding tag, oldest first, exactly once: the entry goes before
 * the handler runs, so a handler that publishes again sees a sane table. */
static void fail_all(struct sgw_uplink *u)
{
	while (u->inflight.used) {
		struct sgw_inflight_entry e = sgw_inflight_pop(&u->inflight);

		if (e.live)
			report_fail(u, &e);
	}
}

/*
 * Every change of U's state goes through here: Paho's trace, which costs
 * work on every packet, runs at the level that gathers the clues to a
 * failed connect only while a connect is under way (why.h).
 */
static void set_state(struct sgw_uplink *u, enum uplink_state s)
{
	if ((u->state == UPLINK_CONNECTING) != (s == UPLINK_CONNECTING))
		sgw_uplink_clues_connecting(s == UPLINK_CONNECTING);
	u->state = s;
}

static void schedule_reconnect(struct sgw_uplink *u)
{
	uint32_t ms = sgw_backoff_next(&u->backoff);

	set_state(u, UPLINK_WAITING);
	u->next_ns = sgw_mono_ns() + (int64_t)ms * SGW_NS_PER_MS;
}

static void report_connect_failed(struct sgw_uplink *u, const char *why)
{
	u->st.connect_failures++;
	if (u->h->on_connect_failed)
		u->h->on_connect_failed(u->harg, u, why);
}

static void connect_now(struct sgw_uplink *u)
{
	char why[96];
	int rc;

	/* Every connect signs in with a new SAS token, valid from now. */
	if (u->sas_key && (rc = sgw_uplink_make_password(u)) < 0) {
		snprintf(why, sizeof(why), "cannot make a SAS token: %s",
			 rc == -ELIBACC ? "OpenSSL's libcrypto.so.3 cannot be loaded" : strerror(-rc));
		schedule_reconnect(u);
		report_connect_failed(u, why);
		return;
	}
	/* Before the call: Paho's thread may begin at once, and trace it. */
	set_state(u, UPLINK_CONNECTING);
	rc = sgw_uplink_connect_paho(u);
	if (rc != MQTTASYNC_SUCCESS) {
		schedule_reconnect(u);
		report_connect_failed(u, MQTTAsync_strerror(rc));
		return;
	}
	u->next_ns = INT64_MAX;
}

/* OWN: the uplink's status message, tracked but never reported. */
static int publish(struct sgw_uplink *u, const char *topic, const void *payload,
		   size_t len, int qos, bool retain, uint64_t tag, bool own)
{
	MQTTAsync_responseOptions ro = MQTTAsync_responseOptions_initializer;
	MQTTAsync_message msg = MQTTAsync_message_initializer;
	struct sgw_inflight_entry e = {
		.tag = tag, .counted = qos > 0 && !own, .broker_ack = qos > 0, .own = own,
	};
	char *mapped = NULL;
	int rc;

	if (u->state != UPLINK_CONNECTED || (!own && (!u->ready || u->renewing)))
		return -ENOTCONN;
	if (!topic || qos < 0 || qos > 2 || (!payload && len))
		return -EINVAL;
	if (len > INT_MAX)
		return -EMSGSIZE;
	if (e.counted && u->inflight.counted >= u->window)
		return -EAGAIN;
	/* Room first: once Paho took the message it must be tracked. */
	rc = sgw_inflight_reserve(&u->inflight);
	if (rc < 0)
		return rc;
	/* Azure IoT Hub: the device's events topic; the status topic is mapped already. */
	if (u->events_topic) {
		retain = false;
		if (!own && !(topic = mapped = sgw_azure_topic(u->events_topic, topic)))
			return -ENOMEM;
	}

	msg.payload = (void *)payload;	/* Paho copies it */
	msg.payloadlen = (int)len;
	msg.qos = qos;
	msg.retained = retain;
	ro.context = u;
	sgw_uplink_set_publish_cbs(&ro, u->mqtt_version);
	pthread_mutex_lock(&u->lock);
	e.stamp = ++u->stamp;
	pthread_mutex_unlock(&u->lock);
	rc = MQTTAsync_sendMessage(u->client, topic, &msg, &ro);
	free(mapped);	/* Paho copies the topic too */
	if (rc != MQTTASYNC_SUCCESS)
		return sgw_uplink_errno(rc);
	e.gen = u->conn_gen;
	e.token = ro.token;
	sgw_inflight_push(&u->inflight, &e);
	if (!own)
		u->st.published++;
	return 0;
}

/* The connection is open to the caller's messages: tell it. */
static void announce(struct sgw_uplink *u)
{
	u->ready = true;
	u->st.connects++;
	/* Renewed on every connect: a clean session forgot them. */
	sgw_uplink_subscribe_all(u);
	if (u->h->on_connected)
		u->h->on_connected(u->harg, u);
}

static void handle_connect_ok(struct sgw_uplink *u, const struct uplink_event *ev)
{
	int err;

	if (u->state != UPLINK_CONNECTING) {
		/* Stopped while the connect was under way: leave again, cleanly. */
		MQTTAsync_disconnectOptions d = MQTTAsync_disconnectOptions_initializer;
		MQTTAsync_disconnectOptions d5 = MQTTAsync_disconnectOptions_initializer5;

		MQTTAsync_disconnect(u->client, u->mqtt_version == 5 ? &d5 : &d);
		return;
	}
	set_state(u, UPLINK_CONNECTED);
	u->conn_gen = ev->gen;
	u->next_ns = INT64_MAX;
	if (u->stopping)
		return;		/* sgw_uplink_stop() waited for this: it leaves at once */
	/*
	 * The backoff starts over once the broker acknowledged a publish on
	 * this connection (the "online" status is one), not with the CONNACK:
	 * a broker that accepts and then drops or garbles every connection
	 * is retried with growing delays, not at reconnect_min for ever.
	 */
	u->proven = false;
	u->ready = false;
	/*
	 * The caller hears of the connection when the broker acknowledged the
	 * retained "online" status.  Until then nothing else is handed to
	 * Paho: a broker that drops the connection right after its CONNACK
	 * would leave Paho holding publishes it had not written yet, which
	 * Paho (1.3, MQTTAsync, also with a clean session) sends first on the
	 * next connection, after the caller was told they failed: a second
	 * time, and ahead of older messages.  Not sent because Paho already
	 * saw the connection go: its loss follows.  Not sent otherwise (no
	 * memory): the Last Will still tells, and the caller is told now.
	 */
	err = publish(u, u->status_topic, UPLINK_STATUS_ONLINE, strlen(UPLINK_STATUS_ONLINE), 1,
		      true, 0, true);
	if (err < 0 && err != -ENOTCONN)
		announce(u);
}

static void handle_connect_fail(struct sgw_uplink *u, const struct uplink_event *ev)
{
	struct uplink_failure f = {
		.code = ev->code, .paho = ev->why, .mqtt_version = u->mqtt_version,
		.tls = u->tls, .client_cert = u->cert_file != NULL, .server = u->server_uri,
		.timeout_s = UPLINK_CONNECT_TIMEOUT_S,
	};
	struct uplink_clues c;
	char why[256];

	if (u->state != UPLINK_CONNECTING)
		return;
	pthread_mutex_lock(&u->lock);
	c = u->clues;
	pthread_mutex_unlock(&u->lock);
	sgw_uplink_explain(why, sizeof(why), &f, &c);
	if (u->stopping) {
		set_state(u, UPLINK_STOPPED);
		return;
	}
	schedule_reconnect(u);
	report_connect_failed(u, why);
}

/*
 * True when Paho still holds one of the caller's publishes of the lost
 * connection: queued, not written when the connection died.  Paho (1.3,
 * also with a clean session) keeps those and writes them first on the
 * next connection: after the caller was told they failed (it sends them
 * again: twice), and ahead of the older messages lost on the wire (sent
 * again after them: out of order).  Before fail_all().
 */
static bool caller_publish_unsent(struct sgw_uplink *u)
{
	MQTTAsync_token *tokens = NULL;
	bool found = false;
	size_t i;

	if (MQTTAsync_getPendingTokens(u->client, &tokens) != MQTTASYNC_SUCCESS)
		return true;	/* cannot tell: a new client is safe */
	for (size_t k = 0; tokens && tokens[k] != -1 && !found; k++)
		found = sgw_inflight_find(&u->inflight, tokens[k], u->conn_gen, UINT64_MAX, &i) &&
			!sgw_inflight_get(&u->inflight, i)->own;
	MQTTAsync_free(tokens);
	return found;
}

static void handle_lost(struct sgw_uplink *u, const struct uplink_event *ev)
{
	bool ready = u->ready, unsent;

	if (u->state != UPLINK_CONNECTED)
		return;
	set_state(u, u->stopping ? UPLINK_STOPPED : UPLINK_WAITING);
	u->ready = false;
	u->renewing = false;
	unsent = caller_publish_unsent(u);
	fail_all(u);
	/* Not renewed (no memory): they may reach the next broker first. */
	if (unsent && !u->stopping && sgw_uplink_renew_paho(u) == 0)
		u->st.renewed++;
	if (ready) {
		u->st.disconnects++;
		if (u->h->on_disconnected)
			u->h->on_disconnected(u->harg, u, ev->why);
	}
	if (u->state != UPLINK_WAITING)
		return;
	schedule_reconnect(u);
	/* The caller never had this connection: to it, connecting failed. */
	if (!ready) {
		char why[sizeof(ev->why) + 48];

		snprintf(why, sizeof(why), "%s before the broker acknowledged anything", ev->why);
		report_connect_failed(u, why);
	}
}

/* The DISCONNECT of a renewal is over: down as after a loss, and up again now. */
static void renew_done(struct sgw_uplink *u, const struct uplink_event *ev)
{
	struct uplink_event lost = *ev;

	snprintf(lost.why, sizeof(lost.why), "the SAS token is renewed");
	handle_lost(u, &lost);
	if (u->state == UPLINK_WAITING) {
		sgw_backoff_reset(&u->backoff);
		u->next_ns = sgw_mono_ns();
	}
}

/*
 * The SAS token runs out: end the connection, letting what is in flight
 * finish for a while, and make it again with a new token once Paho has
 * closed it (renew_done()).  Nothing new is sent meanwhile.
 */
static void renew_start(struct sgw_uplink *u)
{
	MQTTAsync_disconnectOptions d = MQTTAsync_disconnectOptions_initializer;
	MQTTAsync_disconnectOptions d5 = MQTTAsync_disconnectOptions_initializer5;
	struct uplink_event ev = { .type = EV_DISCONNECTED };

	if (u->mqtt_version == 5)
		d = d5;
	sgw_uplink_set_disconnect_cbs(&d, u->mqtt_version);
	d.context = u;
	d.timeout = UPLINK_RENEW_DRAIN_MS;
	u->renewing = true;
	if (MQTTAsync_disconnect(u->client, &d) != MQTTASYNC_SUCCESS)
		renew_done(u, &ev);
}

static void handle_completion(struct sgw_uplink *u, const struct uplink_event *ev)
{
	struct sgw_inflight_entry e;
	size_t i;

	if (!sgw_inflight_find(&u->inflight, ev->token, ev->gen, ev->stamp, &i)) {
		/* A connection that was already failed and cleared. */
		u->st.stale++;
		return;
	}
	e = sgw_inflight_take(&u->inflight, i);
	/* A QoS 0 message completes once written: that proves nothing. */
	if (ev->type == EV_PUB_OK && e.broker_ack && !u->proven) {
		u->proven = true;
		sgw_backoff_reset(&u->backoff);
	}
	/*
	 * The broker answered the "online" status, if only to refuse it (an
	 * MQTT 5 PUBACK with a reason code of 0x80 or more: an ACL that
	 * forbids the status topic): everything handed to Paho before it was
	 * written, so the connection is open to the caller.  A failure of
	 * Paho's own (a lost connection) is no answer: EV_LOST follows.
	 */
	if (e.own && !u->ready && u->state == UPLINK_CONNECTED && !u->stopping &&
	    (ev->type == EV_PUB_OK || ev->code >= MQTTREASONCODE_UNSPECIFIED_ERROR))
		announce(u);
	if (ev->type == EV_PUB_OK)
		report_ack(u, &e);
	else
		report_fail(u, &e);
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
		if (u->renewing)
			renew_done(u, ev);
		break;
	case EV_SUB_OK:
	case EV_SUB_FAIL:
	case EV_MESSAGE:
		sgw_uplink_handle_inbound(u, ev);
		break;
	}
}

/* Not reentrant: no handler runs sgw_uplink_dispatch() or _stop(). */
static void process(struct sgw_uplink *u)
{
	struct uplink_event batch[UPLINK_EVENT_BATCH];
	uint64_t lost, dropped = 0;
	size_t n;

	do {
		n = sgw_mailbox_take(u->events, batch, UPLINK_EVENT_BATCH, &lost);
		dropped += lost;
		for (size_t i = 0; i < n; i++)
			handle(u, &batch[i]);
	} while (n == UPLINK_EVENT_BATCH);
	/* Out of memory in a callback: a lost "connection lost" would leave us
	 * waiting forever, so ask Paho.  Lost acks come back as failures with
	 * the next loss (a duplicate at worst). */
	if (dropped && u->state == UPLINK_CONNECTED && !MQTTAsync_isConnected(u->client)) {
		struct uplink_event ev = { .type = EV_LOST };

		snprintf(ev.why, sizeof(ev.why), "connection lost");
		handle_lost(u, &ev);
	}
}

void sgw_uplink_dispatch(struct sgw_uplink *u)
{
	process(u);
}

int sgw_uplink_fd(const struct sgw_uplink *u)
{
	return sgw_mailbox_fd(u->events);
}

/* A connection whose SAS token is to be renewed at u->renew_ns. */
static bool renewal_pending(const struct sgw_uplink *u)
{
	return u->sas_key && u->state == UPLINK_CONNECTED && !u->renewing && !u->stopping;
}

int64_t sgw_uplink_next_deadline(const struct sgw_uplink *u)
{
	if (u->state == UPLINK_WAITING)
		return u->next_ns;
	return renewal_pending(u) ? u->renew_ns : INT64_MAX;
}

void sgw_uplink_tick(struct sgw_uplink *u, int64_t now_ns)
{
	if (u->state == UPLINK_WAITING && now_ns >= u->next_ns)
		connect_now(u);
	else if (renewal_pending(u) && now_ns >= u->renew_ns)
		renew_start(u);
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
	if (u->stopping)
		return -ENOTCONN;
	return publish(u, topic, payload, len, qos, retain, tag, false);
}

int sgw_uplink_publish(struct sgw_uplink *u, const char *topic,
		       const void *payload, size_t len, uint64_t tag)
{
	return sgw_uplink_publish_ex(u, topic, payload, len, u->qos, u->retain, tag);
}

int sgw_uplink_qos(const struct sgw_uplink *u)
{
	return u->qos;
}

bool sgw_uplink_retain(const struct sgw_uplink *u)
{
	return u->retain;
}

bool sgw_uplink_connected(const struct sgw_uplink *u)
{
	return u->state == UPLINK_CONNECTED && u->ready && !u->stopping && !u->renewing;
}

size_t sgw_uplink_inflight(const struct sgw_uplink *u)
{
	return u->inflight.counted;
}

size_t sgw_uplink_window(const struct sgw_uplink *u)
{
	return u->window;
}

const char *sgw_uplink_name(const struct sgw_uplink *u)
{
	return u->name;
}

const char *sgw_uplink_server(const struct sgw_uplink *u)
{
	return u->server_uri;
}

void sgw_uplink_get_stats(const struct sgw_uplink *u, struct sgw_uplink_stats *st)
{
	*st = u->st;
	pthread_mutex_lock((pthread_mutex_t *)&u->lock);
	st->dropped_in = u->inbox_dropped;
	pthread_mutex_unlock((pthread_mutex_t *)&u->lock);
}

/* Process events until DONE(u) or the deadline; returns DONE(u). */
static bool pump(struct sgw_uplink *u, int64_t deadline, bool (*done)(const struct sgw_uplink *))
{
	for (;;) {
		struct pollfd p = { .fd = sgw_uplink_fd(u), .events = POLLIN };
		int64_t left;

		process(u);
		if (done(u))
			return true;
		left = deadline - sgw_mono_ns();
		if (left <= 0)
			return false;
		poll(&p, 1, (int)((left + SGW_NS_PER_MS - 1) / SGW_NS_PER_MS));
	}
}

static bool drained(const struct sgw_uplink *u)
{
	return u->inflight.live == 0 || u->state != UPLINK_CONNECTED;
}

static bool disconnected(const struct sgw_uplink *u)
{
	return u->disconnected || u->state != UPLINK_CONNECTED;
}

static bool connect_over(const struct sgw_uplink *u)
{
	return u->state != UPLINK_CONNECTING;
}

/*
 * Publish "offline", let what is in flight arrive until DEADLINE and
 * disconnect.  Returns whether Paho is done with the connection: the
 * DISCONNECT completed, or the connection was lost on the way.
 */
static bool leave(struct sgw_uplink *u, int64_t deadline)
{
	MQTTAsync_disconnectOptions d = MQTTAsync_disconnectOptions_initializer;
	MQTTAsync_disconnectOptions d5 = MQTTAsync_disconnectOptions_initializer5;
	int64_t left;
	int rc;

	/* Not sent: the broker publishes the Last Will, "offline" too. */
	publish(u, u->status_topic, UPLINK_STATUS_OFFLINE, strlen(UPLINK_STATUS_OFFLINE), 1, true, 0, true);
	pump(u, deadline, drained);
	if (u->state != UPLINK_CONNECTED)
		return true;
	left = (deadline - sgw_mono_ns()) / SGW_NS_PER_MS;
	if (u->mqtt_version == 5)
		d = d5;
	sgw_uplink_set_disconnect_cbs(&d, u->mqtt_version);
	d.context = u;
	d.timeout = left > 0 ? (int)left : 0;
	u->disconnected = false;
	rc = MQTTAsync_disconnect(u->client, &d);
	if (rc != MQTTASYNC_SUCCESS)
		return rc == MQTTASYNC_DISCONNECTED;	/* Paho has closed it already */
	return pump(u, sgw_mono_ns() + (int64_t)(d.timeout + UPLINK_DISCONNECT_GRACE_MS) * SGW_NS_PER_MS,
		    disconnected);
}

void sgw_uplink_stop(struct sgw_uplink *u, int timeout_ms)
{
	int64_t deadline = sgw_mono_ns() + (int64_t)(timeout_ms > 0 ? timeout_ms : 0) * SGW_NS_PER_MS;
	bool was_connected = u->state == UPLINK_CONNECTED && u->ready, ended;

	u->stopping = true;
	if (u->state == UPLINK_STOPPED)
		return;
	u->settled = true;
	/*
	 * Paho cannot call off a connect under way (MQTTAsync_disconnect()
	 * refuses a client that is not connected yet), and its maintainers ask
	 * for a client to be fully disconnected before MQTTAsync_destroy()
	 * (eclipse-paho/paho.mqtt.c#220, #700): wait for the attempt's outcome
	 * and leave cleanly if it succeeded.
	 */
	if (u->state == UPLINK_CONNECTING)
		pump(u, deadline, connect_over);
	if (u->state == UPLINK_CONNECTING)
		u->settled = false;
	else if (u->state == UPLINK_CONNECTED)
		u->settled = leave(u, deadline);
	/* Still up: ended here.  A loss met on the way was reported by handle_lost(). */
	ended = u->state == UPLINK_CONNECTED && was_connected;
	if (ended)
		u->st.disconnects++;
	set_state(u, UPLINK_STOPPED);
	u->ready = false;
	u->next_ns = INT64_MAX;
	fail_all(u);
	if (ended && u->h->on_disconnected)
		u->h->on_disconnected(u->harg, u, "stopped");
}
