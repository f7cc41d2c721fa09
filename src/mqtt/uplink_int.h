/* SPDX-License-Identifier: MIT */
/*
 * The uplink's private parts, shared by its files, each of which calls
 * only those below it:
 *   uplink.c     the main thread: connection state, publishing, events
 *   client.c     the Paho client made from the configuration: create,
 *                connect options (Last Will, TLS, ALPN, a SAS token), free
 *   subscribe.c  the main thread: subscriptions, inbound messages
 *   callbacks.c  Paho's threads: callbacks that post events
 *   why.c        why a connect failed, in words (why.h)
 *   clues.c      Paho's threads: the clues to it (why.h)
 */
#ifndef SGW_UPLINK_INT_H
#define SGW_UPLINK_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <MQTTAsync.h>

#include "inflight.h"
#include "uplink.h"
#include "util/backoff.h"
#include "util/mailbox.h"
#include "why.h"

/* Paho in-flight slots beyond the caller's window: "online" / "offline". */
#define UPLINK_STATUS_SLOTS 2
#define UPLINK_CONNECT_TIMEOUT_S 30
/* How long a renewal of the SAS token lets in-flight publishes finish. */
#define UPLINK_RENEW_DRAIN_MS 2000
/* How long sgw_uplink_stop() waits for the DISCONNECT beyond its budget. */
#define UPLINK_DISCONNECT_GRACE_MS 1000

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
	EV_SUB_OK,
	EV_SUB_FAIL,
	EV_MESSAGE,
};

/* An inbound message, one allocation: the payload, a NUL, the topic. */
struct uplink_inbound {
	size_t len;		/* of the payload */
	bool retained;
	const char *topic;	/* inside data[] */
	char data[];
};

struct uplink_event {
	enum uplink_event_type type;
	uint32_t gen;
	uint64_t stamp;		/* u->stamp when posted */
	int token;
	int code;		/* Paho error code, or MQTT 5 reason code */
	char why[96];
	struct uplink_inbound *in;	/* EV_MESSAGE: the receiver frees it */
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
	/*
	 * Azure IoT Hub (mqtt/azure.h): every topic goes to EVENTS_TOPIC as a
	 * property, the status topic too (mapped once, here); with SAS_KEY
	 * the password is a token made for each connect.  NULL: another broker.
	 */
	char *events_topic;
	unsigned char *sas_key;
	size_t sas_key_len;
	char *sas_resource;
	uint32_t sas_ttl_s;

	MQTTAsync client;
	struct sgw_mailbox *events;	/* from Paho's threads */

	/* Shared with Paho's threads, under lock. */
	pthread_mutex_t lock;
	uint32_t gen;		/* connection generation */
	uint64_t stamp;		/* sends begun */
	struct uplink_clues clues;	/* of the last failed connect */
	/* The inbound messages in the mailbox, and those dropped. */
	size_t inbox_msgs, inbox_bytes;
	uint64_t inbox_dropped;

	/* Main thread only. */
	enum uplink_state state;
	bool stopping, disconnected;
	/* Stopped with no connect or connection of ours left in Paho's hands. */
	bool settled;
	uint32_t conn_gen;	/* generation of the current connection */
	bool proven;		/* a publish was acknowledged on this connection */
	bool ready;		/* ... the "online" status: the caller was told */
	/* The token expires: at RENEW_NS the connection ends and is made again. */
	int64_t renew_ns;
	bool renewing;		/* its DISCONNECT is under way */
	struct sgw_backoff backoff;
	int64_t next_ns;
	struct sgw_inflight inflight;
	const struct sgw_uplink_handler *h;
	void *harg;
	struct sgw_uplink_stats st;
	char **subs;		/* topic filters, subscribed on every connect */
	size_t nsubs;
};


#define UPLINK_STATUS_ONLINE "online"
#define UPLINK_STATUS_OFFLINE "offline"

/* client.c */

/*
 * Issue MQTTAsync_connect() with the uplink's options (clean session, its
 * window, Last Will "offline", TLS).  Returns Paho's code.
 */
int sgw_uplink_connect_paho(struct sgw_uplink *u);
/*
 * With a SAS key: a new token as the password, valid from now, and
 * u->renew_ns set.  0 or -errno (-ELIBACC: no libcrypto).
 */
int sgw_uplink_make_password(struct sgw_uplink *u);
/* A Paho return code as -errno. */
int sgw_uplink_errno(int rc);
/*
 * Replace the Paho client by a new one for the same broker: what the old
 * one still held (publishes it never wrote) goes with it.  While no
 * connection is up.  0, or -errno with the old client kept.
 */
int sgw_uplink_renew_paho(struct sgw_uplink *u);

/* subscribe.c */

/* Subscribe to every filter: the connection is open to the caller. */
void sgw_uplink_subscribe_all(struct sgw_uplink *u);
/* An EV_SUB_OK, EV_SUB_FAIL or EV_MESSAGE event; frees the message. */
void sgw_uplink_handle_inbound(struct sgw_uplink *u, const struct uplink_event *ev);
/* Free the messages still in the mailbox; after Paho's client is gone. */
void sgw_uplink_drain_inbound(struct sgw_uplink *u);
void sgw_uplink_free_subs(struct sgw_uplink *u);

/* callbacks.c: the callbacks of Paho's threads, set into Paho's options. */

void sgw_uplink_set_subscribe_cbs(MQTTAsync_responseOptions *o, int mqtt_version);
/* For MQTTAsync_setCallbacks(), with the uplink as context. */
int sgw_uplink_arrived_cb(void *ctx, char *topic, int topic_len, MQTTAsync_message *m);
void sgw_uplink_set_connect_cbs(MQTTAsync_connectOptions *o, int mqtt_version);
void sgw_uplink_set_publish_cbs(MQTTAsync_responseOptions *o, int mqtt_version);
void sgw_uplink_set_disconnect_cbs(MQTTAsync_disconnectOptions *o, int mqtt_version);
/* For MQTTAsync_setConnectionLostCallback(), with the uplink as context. */
void sgw_uplink_lost_cb(void *ctx, char *cause);

#endif
