/* SPDX-License-Identifier: MIT */
/*
 * One MQTT uplink: a Paho MQTTAsync client with its own state, so that a
 * gateway can feed several brokers (a local Mosquitto and AWS IoT Core).
 *
 * Threading: Paho's callbacks only post an event to the uplink's mailbox;
 * everything else happens in the main thread, in sgw_uplink_dispatch(),
 * which runs the handler given at creation.  The uplink reconnects forever
 * with capped exponential backoff and jitter, which starts over once a
 * connection has had a publish acknowledged (a CONNACK alone does not
 * count); the main loop drives its timer through sgw_uplink_next_deadline()
 * / sgw_uplink_tick().
 *
 * Delivery: each publish carries the caller's delivery tag, opaque here.
 * With QoS 1/2 the tag comes back through on_ack when the broker
 * acknowledged it (PUBACK/PUBCOMP), or through on_fail when the message is
 * lost with the connection; the caller then keeps the message and sends it
 * again.  With QoS 0 on_ack fires once Paho has written the message.  The
 * uplink's own status messages ("online", "offline") are never reported.
 *
 * Subscriptions: the uplink subscribes (QoS 1) to the topic filters given
 * to sgw_uplink_subscribe() on every connect, when the caller hears of it,
 * and so renews them after each reconnect (the session is clean).
 * Messages that arrive on them are copied by Paho's thread into the
 * uplink's mailbox and reach the handler's on_message in the main thread,
 * from sgw_uplink_dispatch().  The mailbox holds at most
 * SGW_UPLINK_INBOX_MSGS messages and SGW_UPLINK_INBOX_BYTES bytes: beyond
 * that a message is dropped and counted (stats.dropped_in), never waited
 * for, so that a flood of commands cannot stall Paho or exhaust memory.
 *
 * Azure IoT Hub (profile = azure-iot-hub, mqtt/azure.h): the uplink
 * publishes every topic, the status topic and its Last Will included, to
 * the device's events topic with the topic as a property, never retained.
 * With a SAS key every connect signs in with a new token, and before the
 * token expires the uplink ends the connection (on_disconnected, in-flight
 * messages failed as after a loss) and connects again at once with a new
 * one; sgw_uplink_next_deadline() includes that moment.
 *
 * The uplink prints nothing: what happens to the connection reaches the
 * handler, which decides what to log.
 */
#ifndef SGW_UPLINK_H
#define SGW_UPLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/types.h"

struct sgw_uplink;

struct sgw_uplink_handler {
	/*
	 * Connected: the broker acknowledged the retained "online" status (a
	 * CONNACK alone is not enough); publishing is possible from now on.
	 */
	void (*on_connected)(void *arg, struct sgw_uplink *u);
	/*
	 * A connection attempt failed; WHY says why in a few words ("connection
	 * refused", "TLS: certificate verify failed: ...", "refused by the
	 * broker: not authorized (return code 5)"; see mqtt/why.h); also a
	 * connection lost before "online" was acknowledged.  The next
	 * attempt is at sgw_uplink_next_deadline().
	 */
	void (*on_connect_failed)(void *arg, struct sgw_uplink *u, const char *why);
	/* A connection was lost or closed; in-flight messages were failed first. */
	void (*on_disconnected)(void *arg, struct sgw_uplink *u, const char *why);
	void (*on_ack)(void *arg, struct sgw_uplink *u, uint64_t tag);
	void (*on_fail)(void *arg, struct sgw_uplink *u, uint64_t tag);
	/*
	 * A message arrived on a subscription.  TOPIC and PAYLOAD (LEN bytes,
	 * followed by a NUL byte that LEN does not count) are valid during the
	 * call only.  RETAINED: the broker kept it from before the
	 * subscription was made.
	 */
	void (*on_message)(void *arg, struct sgw_uplink *u, const char *topic,
			   const void *payload, size_t len, bool retained);
};

/* The bounds of the inbound mailbox (messages waiting for dispatch). */
#define SGW_UPLINK_INBOX_MSGS 256
#define SGW_UPLINK_INBOX_BYTES (1024 * 1024)

struct sgw_uplink_stats {
	uint64_t published, acked, failed, connects, disconnects;
	uint64_t connect_failures;
	uint64_t stale;		/* completions of a connection already given up */
	uint64_t renewed;	/* Paho clients replaced: a loss left publishes unsent */
	uint64_t subscribed;	/* subscriptions the broker granted */
	uint64_t sub_failed;	/* ... refused, or not sent */
	uint64_t received;	/* messages handed to on_message */
	uint64_t dropped_in;	/* messages dropped: the inbound mailbox was full */
};

/*
 * Create an uplink from CFG (copied; CFG need not outlive the call).
 * STATUS_TOPIC gets the retained Last Will "offline" and, after each
 * connect, a retained "online".  H (every member may be NULL) runs with ARG
 * from sgw_uplink_dispatch(), _tick(), _start() and _stop().  NULL+errno.
 */
struct sgw_uplink *sgw_uplink_new(const struct sgw_uplink_config *cfg, const char *status_topic,
				  const struct sgw_uplink_handler *h, void *arg);
void sgw_uplink_free(struct sgw_uplink *u);

/* Begin connecting (asynchronous; never fails because the broker is down). */
int sgw_uplink_start(struct sgw_uplink *u);

/* Readable when events wait for sgw_uplink_dispatch(). */
int sgw_uplink_fd(const struct sgw_uplink *u);
/* Main thread: run the handler for every pending event. */
void sgw_uplink_dispatch(struct sgw_uplink *u);

/*
 * CLOCK_MONOTONIC ns of the next reconnect attempt or SAS token renewal, or
 * INT64_MAX.
 */
int64_t sgw_uplink_next_deadline(const struct sgw_uplink *u);
/* Main thread: start a reconnect attempt or a renewal that is due at NOW_NS. */
void sgw_uplink_tick(struct sgw_uplink *u, int64_t now_ns);

/*
 * Publish with the uplink's QoS and retain flag.  Returns 0 when handed to
 * Paho, -ENOTCONN when offline, -EAGAIN when the in-flight window is full,
 * -EINVAL or -EMSGSIZE when the message itself is refused, other -errno on
 * failure.  The payload is copied.
 */
int sgw_uplink_publish(struct sgw_uplink *u, const char *topic,
		       const void *payload, size_t len, uint64_t tag);
/* Publish with explicit QoS/retain (status messages, a sensor's own). */
int sgw_uplink_publish_ex(struct sgw_uplink *u, const char *topic,
			  const void *payload, size_t len, int qos, bool retain,
			  uint64_t tag);

/*
 * Main thread: subscribe at QoS 1 to FILTER (an MQTT topic filter, '+' and
 * '#' allowed) after every connect from now on, and at once if connected.
 * A filter given twice is kept once.  0, -EINVAL (empty, longer than
 * 65535 bytes), -ENOMEM.
 */
int sgw_uplink_subscribe(struct sgw_uplink *u, const char *filter);

bool sgw_uplink_connected(const struct sgw_uplink *u);
/* Its QoS and retain flag ([mqtt] qos, retain): what sgw_uplink_publish() uses. */
int sgw_uplink_qos(const struct sgw_uplink *u);
bool sgw_uplink_retain(const struct sgw_uplink *u);
size_t sgw_uplink_inflight(const struct sgw_uplink *u);
size_t sgw_uplink_window(const struct sgw_uplink *u);
/* The name of its [mqtt NAME] section ("default" for [mqtt]). */
const char *sgw_uplink_name(const struct sgw_uplink *u);
/* The broker as Paho names it: tcp://host:port or ssl://host:port. */
const char *sgw_uplink_server(const struct sgw_uplink *u);
void sgw_uplink_get_stats(const struct sgw_uplink *u, struct sgw_uplink_stats *st);

/*
 * Publish "offline" (retained) on the status topic, wait up to timeout_ms for
 * in-flight messages and disconnect, waiting for Paho to confirm it.  A
 * connect under way cannot be called off: stop waits, within the same
 * time, for its outcome and leaves cleanly if it succeeded (the handler
 * hears of neither).  Main thread only.
 */
void sgw_uplink_stop(struct sgw_uplink *u, int timeout_ms);

/*
 * For a process about to exit, after sgw_uplink_stop(): like
 * sgw_uplink_free(), but a client that the stop left with nothing under
 * way in Paho is not destroyed; the exit frees it.  U is gone either way.
 */
void sgw_uplink_exit(struct sgw_uplink *u);

#endif
