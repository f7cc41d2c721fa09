/* SPDX-License-Identifier: MIT */
/*
 * The main thread's side of subscriptions: the list of topic filters, the
 * SUBSCRIBEs after each connect, and the inbound messages that
 * callbacks.c copied into the mailbox, handed to the caller's handler.
 */
#include "uplink_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The longest string MQTT can carry: a two-byte length. */
#define SUB_FILTER_MAX 65535

static void subscribe_one(struct sgw_uplink *u, const char *filter)
{
	MQTTAsync_responseOptions ro = MQTTAsync_responseOptions_initializer;

	ro.context = u;
	sgw_uplink_set_subscribe_cbs(&ro, u->mqtt_version);
	/* Not sent (Paho saw the connection go, no memory): the next connect renews it. */
	if (MQTTAsync_subscribe(u->client, filter, 1, &ro) != MQTTASYNC_SUCCESS)
		u->st.sub_failed++;
}

void sgw_uplink_subscribe_all(struct sgw_uplink *u)
{
	for (size_t i = 0; i < u->nsubs; i++)
		subscribe_one(u, u->subs[i]);
}

int sgw_uplink_subscribe(struct sgw_uplink *u, const char *filter)
{
	char **subs, *f;
	size_t len = filter ? strlen(filter) : 0;

	if (len == 0 || len > SUB_FILTER_MAX)
		return -EINVAL;
	for (size_t i = 0; i < u->nsubs; i++)
		if (strcmp(u->subs[i], filter) == 0)
			return 0;
	subs = realloc(u->subs, (u->nsubs + 1) * sizeof(*subs));
	if (!subs)
		return -ENOMEM;
	u->subs = subs;
	f = strdup(filter);
	if (!f)
		return -ENOMEM;
	u->subs[u->nsubs++] = f;
	/* Connected but not yet told: sgw_uplink_subscribe_all() comes with the telling. */
	if (sgw_uplink_connected(u))
		subscribe_one(u, f);
	return 0;
}

void sgw_uplink_free_subs(struct sgw_uplink *u)
{
	for (size_t i = 0; i < u->nsubs; i++)
		free(u->subs[i]);
	free(u->subs);
	u->subs = NULL;
	u->nsubs = 0;
}

static void inbox_release(struct sgw_uplink *u, const struct uplink_inbound *in)
{
	pthread_mutex_lock(&u->lock);
	u->inbox_msgs--;
	u->inbox_bytes -= in->len;
	pthread_mutex_unlock(&u->lock);
}

void sgw_uplink_handle_inbound(struct sgw_uplink *u, const struct uplink_event *ev)
{
	switch (ev->type) {
	case EV_SUB_OK:
		u->st.subscribed++;
		break;
	case EV_SUB_FAIL:
		u->st.sub_failed++;
		break;
	case EV_MESSAGE:
		inbox_release(u, ev->in);
		u->st.received++;
		if (u->h->on_message)
			u->h->on_message(u->harg, u, ev->in->topic, ev->in->data, ev->in->len,
					 ev->in->retained);
		free(ev->in);
		break;
	default:
		break;
	}
}

void sgw_uplink_drain_inbound(struct sgw_uplink *u)
{
	struct uplink_event ev;

	while (sgw_mailbox_take(u->events, &ev, 1, NULL) == 1)
		if (ev.type == EV_MESSAGE)
			free(ev.in);
}
