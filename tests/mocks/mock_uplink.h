/* SPDX-License-Identifier: MIT */
/*
 * A stand-in for src/mqtt/uplink.c with the whole of its API, linked ahead
 * of libsgw.a so that the real uplink (and Paho) is not pulled in.  It
 * records what is published and lets the test play the broker: connect,
 * acknowledge, lose the connection, each reaching the handler as the real
 * uplink would report it.
 *
 * The outbox tests use the one uplink `mock` directly; uplinks made by
 * sgw_uplink_new() (the router's) are listed in mock_uplinks[], in order.
 */
#ifndef SGW_MOCK_UPLINK_H
#define SGW_MOCK_UPLINK_H

#include <stdbool.h>

#include "mqtt/uplink.h"

#define MOCK_MAX 4096
#define MOCK_UPLINKS 8
#define MOCK_SUBS 8

struct sgw_uplink {
	const struct sgw_uplink_handler *h;
	void *arg;
	char name[32];
	bool started, connected;
	int qos;			/* its own ([mqtt] qos); zeroed: 0 */
	bool retain;			/* its own ([mqtt] retain) */
	size_t window, inflight;	/* counted publishes (QoS > 0) */
	uint64_t refuse_tag;		/* publish of this tag fails with -EMSGSIZE */
	size_t n;
	uint64_t tags[MOCK_MAX];	/* tags published, in order */
	char payloads[MOCK_MAX][16];	/* their payloads, cut to 15 bytes */
	char topics[MOCK_MAX][80];	/* their topics, cut to 79 bytes */
	size_t lens[MOCK_MAX];		/* their payloads' lengths */
	bool retained[MOCK_MAX];
	int qoses[MOCK_MAX];		/* their QoS */
	uint64_t pending[MOCK_MAX];	/* tags in flight, in order */
	size_t npending;
	size_t nstatus;			/* untracked publishes (status) */
	int64_t next_ns;		/* reconnect deadline after a failure; 0: none */
	struct sgw_uplink_stats st;
	char subs[MOCK_SUBS][64];	/* topic filters subscribed to */
	size_t nsubs;
	/* Called with each counted publish, whole (the records above cut it); NULL: none. */
	void (*on_publish)(const char *topic, const void *payload, size_t len, uint64_t tag);
};

extern struct sgw_uplink mock;
extern struct sgw_uplink *mock_uplinks[MOCK_UPLINKS];
extern size_t mock_nuplinks;

/* Forget every uplink made by sgw_uplink_new() (they must be freed). */
void mock_uplinks_reset(void);
/* The broker accepts the connection: on_connected. */
void mock_uplink_connect(struct sgw_uplink *u);
/* A connect attempt fails for WHY: on_connect_failed, the next attempt in a second. */
void mock_uplink_fail_connect(struct sgw_uplink *u, const char *why);
/* The broker acknowledges the oldest message in flight: on_ack.  False if none. */
bool mock_uplink_ack_next(struct sgw_uplink *u);
/* Acknowledge everything in flight, again and again, until nothing is. */
void mock_uplink_ack_all(struct sgw_uplink *u);
/* A message arrives on a subscription: on_message. */
void mock_uplink_deliver(struct sgw_uplink *u, const char *topic, const char *payload,
			 bool retained);
/* The connection is lost: on_fail for each message in flight, then on_disconnected. */
void mock_uplink_lose(struct sgw_uplink *u);

#endif
