/* SPDX-License-Identifier: MIT */
/*
 * Paho's threads: the callbacks run under Paho's global mutex, so they must
 * not call into Paho.  They only post an event to the uplink's mailbox
 * (one wake-up of the main loop for a burst of acks); the main thread
 * handles it in uplink.c.
 */
#include "uplink_int.h"

#include <stdio.h>

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
