/* SPDX-License-Identifier: MIT */
/*
 * Paho's threads: the callbacks run under Paho's global mutex, so they must
 * not call into Paho.  They only post an event to the uplink's mailbox
 * (one wake-up of the main loop for a burst of acks); the main thread
 * handles it in uplink.c.
 */
#include "uplink_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void post(struct sgw_uplink *u, enum uplink_event_type type, bool bump,
		 int token, int code, const char *why)
{
	struct uplink_event ev = { .type = type, .token = token, .code = code };

	if (why)
		snprintf(ev.why, sizeof(ev.why), "%s", why);
	pthread_mutex_lock(&u->lock);
	if (bump)
		u->gen++;
	ev.gen = u->gen;
	ev.stamp = u->stamp;
	pthread_mutex_unlock(&u->lock);
	/* Out of memory: counted, and looked after in process(). */
	sgw_mailbox_post(u->events, &ev);
}

/* This thread saw the failure's causes (why.h): they go with the event. */
static void post_connect_fail(struct sgw_uplink *u, int code, const char *why)
{
	struct uplink_clues c;

	sgw_uplink_clues_take(&c);
	pthread_mutex_lock(&u->lock);
	u->clues = c;
	pthread_mutex_unlock(&u->lock);
	post(u, EV_CONNECT_FAIL, false, 0, code, why);
}

static void on_connect_ok_cb(void *ctx, MQTTAsync_successData *r)
{
	sgw_uplink_clues_forget();
	post(ctx, EV_CONNECT_OK, true, 0, 0, NULL);
}

static void on_connect_ok5_cb(void *ctx, MQTTAsync_successData5 *r)
{
	sgw_uplink_clues_forget();
	post(ctx, EV_CONNECT_OK, true, 0, 0, NULL);
}

static void on_connect_fail_cb(void *ctx, MQTTAsync_failureData *r)
{
	post_connect_fail(ctx, r ? r->code : MQTTASYNC_FAILURE, r ? r->message : NULL);
}

static void on_connect_fail5_cb(void *ctx, MQTTAsync_failureData5 *r)
{
	/* A CONNACK refusal comes as a reason code, a network error as code. */
	int code = MQTTASYNC_FAILURE;

	if (r)
		code = r->reasonCode >= MQTTREASONCODE_UNSPECIFIED_ERROR ? (int)r->reasonCode : r->code;
	post_connect_fail(ctx, code, r ? r->message : NULL);
}

void sgw_uplink_lost_cb(void *ctx, char *cause)
{
	sgw_uplink_clues_forget();
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

/* A SUBACK that refuses (0x80 in 3.1.1, a reason code of 0x80 or more in 5) is a failure. */
static void on_sub_ok_cb(void *ctx, MQTTAsync_successData *r)
{
	bool refused = r && r->alt.qos >= 0x80;

	post(ctx, refused ? EV_SUB_FAIL : EV_SUB_OK, false, r ? r->token : 0, refused ? r->alt.qos : 0,
	     NULL);
}

static void on_sub_ok5_cb(void *ctx, MQTTAsync_successData5 *r)
{
	bool refused = r && r->reasonCode >= MQTTREASONCODE_UNSPECIFIED_ERROR;

	post(ctx, refused ? EV_SUB_FAIL : EV_SUB_OK, false, r ? r->token : 0,
	     refused ? (int)r->reasonCode : 0, NULL);
}

static void on_sub_fail_cb(void *ctx, MQTTAsync_failureData *r)
{
	post(ctx, EV_SUB_FAIL, false, r ? r->token : 0, r ? r->code : MQTTASYNC_FAILURE,
	     r ? r->message : NULL);
}

static void on_sub_fail5_cb(void *ctx, MQTTAsync_failureData5 *r)
{
	post(ctx, EV_SUB_FAIL, false, r ? r->token : 0, r ? (int)r->reasonCode : MQTTASYNC_FAILURE,
	     r ? r->message : NULL);
}

/*
 * Copy the message for the main thread and free Paho's at once, as Paho
 * requires of a callback that returns 1 (0 would have Paho deliver it
 * again later: a full mailbox must drop, not stall Paho's thread).
 */
int sgw_uplink_arrived_cb(void *ctx, char *topic, int topic_len, MQTTAsync_message *m)
{
	struct sgw_uplink *u = ctx;
	struct uplink_event ev = { .type = EV_MESSAGE };
	size_t tlen = topic_len > 0 ? (size_t)topic_len : strlen(topic);
	size_t len = m->payloadlen > 0 ? (size_t)m->payloadlen : 0;
	size_t size = sizeof(*ev.in) + len + 1 + tlen + 1;
	bool room;

	pthread_mutex_lock(&u->lock);
	/* A topic with a NUL inside is no MQTT topic: nobody can match it. */
	room = u->inbox_msgs < SGW_UPLINK_INBOX_MSGS && len <= SGW_UPLINK_INBOX_BYTES &&
	       u->inbox_bytes <= SGW_UPLINK_INBOX_BYTES - len && !memchr(topic, '\0', tlen);
	if (room) {
		u->inbox_msgs++;
		u->inbox_bytes += len;
	}
	pthread_mutex_unlock(&u->lock);
	if (room)
		ev.in = malloc(size);
	if (ev.in) {
		char *t = ev.in->data + len + 1;

		if (len)
			memcpy(ev.in->data, m->payload, len);
		ev.in->data[len] = '\0';
		memcpy(t, topic, tlen);
		t[tlen] = '\0';
		ev.in->topic = t;
		ev.in->len = len;
		ev.in->retained = m->retained != 0;
	}
	MQTTAsync_freeMessage(&m);
	MQTTAsync_free(topic);
	if (ev.in && sgw_mailbox_post(u->events, &ev) == 0)
		return 1;
	free(ev.in);
	pthread_mutex_lock(&u->lock);
	if (room) {
		u->inbox_msgs--;
		u->inbox_bytes -= len;
	}
	u->inbox_dropped++;
	pthread_mutex_unlock(&u->lock);
	return 1;
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

void sgw_uplink_set_connect_cbs(MQTTAsync_connectOptions *o, int mqtt_version)
{
	/* The 5-style callbacks with MQTT 5; Paho rejects a mix of both styles. */
	if (mqtt_version == 5) {
		o->onSuccess5 = on_connect_ok5_cb;
		o->onFailure5 = on_connect_fail5_cb;
	} else {
		o->onSuccess = on_connect_ok_cb;
		o->onFailure = on_connect_fail_cb;
	}
}

void sgw_uplink_set_publish_cbs(MQTTAsync_responseOptions *o, int mqtt_version)
{
	if (mqtt_version == 5) {
		o->onSuccess5 = on_pub_ok5_cb;
		o->onFailure5 = on_pub_fail5_cb;
	} else {
		o->onSuccess = on_pub_ok_cb;
		o->onFailure = on_pub_fail_cb;
	}
}

void sgw_uplink_set_subscribe_cbs(MQTTAsync_responseOptions *o, int mqtt_version)
{
	if (mqtt_version == 5) {
		o->onSuccess5 = on_sub_ok5_cb;
		o->onFailure5 = on_sub_fail5_cb;
	} else {
		o->onSuccess = on_sub_ok_cb;
		o->onFailure = on_sub_fail_cb;
	}
}

void sgw_uplink_set_disconnect_cbs(MQTTAsync_disconnectOptions *o, int mqtt_version)
{
	if (mqtt_version == 5) {
		o->onSuccess5 = on_disconnect5_cb;
		o->onFailure5 = on_disconnect_fail5_cb;
	} else {
		o->onSuccess = on_disconnect_cb;
		o->onFailure = on_disconnect_fail_cb;
	}
}
