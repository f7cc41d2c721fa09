/* SPDX-License-Identifier: MIT */
/* Test-only stand-in for src/mqtt/uplink.c; see mock_uplink.h. */
#include "mock_uplink.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deliver/tag.h"
#include "util/clock.h"

struct sgw_uplink mock;
struct sgw_uplink *mock_uplinks[MOCK_UPLINKS];
size_t mock_nuplinks;

static const struct sgw_uplink_handler no_handler;

struct sgw_uplink *sgw_uplink_new(const struct sgw_uplink_config *cfg, const char *status_topic,
				  const struct sgw_uplink_handler *h, void *arg)
{
	struct sgw_uplink *u;

	(void)status_topic;
	if (mock_nuplinks == MOCK_UPLINKS) {
		errno = ENOMEM;
		return NULL;
	}
	u = calloc(1, sizeof(*u));
	if (!u)
		return NULL;
	u->h = h ? h : &no_handler;
	u->arg = arg;
	strncpy(u->name, cfg->name ? cfg->name : "default", sizeof(u->name) - 1);
	u->window = (size_t)cfg->max_inflight;
	u->qos = cfg->qos;
	u->retain = cfg->retain;
	mock_uplinks[mock_nuplinks++] = u;
	return u;
}

void sgw_uplink_free(struct sgw_uplink *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < mock_nuplinks; i++)
		if (mock_uplinks[i] == u)
			mock_uplinks[i] = NULL;
	free(u);
}

/* No Paho client to leave to the exit: freed like the others. */
void sgw_uplink_exit(struct sgw_uplink *u)
{
	sgw_uplink_free(u);
}

void mock_uplinks_reset(void)
{
	memset(mock_uplinks, 0, sizeof(mock_uplinks));
	mock_nuplinks = 0;
}

int sgw_uplink_start(struct sgw_uplink *u)
{
	u->started = true;
	return 0;
}

int sgw_uplink_fd(const struct sgw_uplink *u)
{
	(void)u;
	return -1;	/* poll() skips it: events come from the test */
}

void sgw_uplink_dispatch(struct sgw_uplink *u)
{
	(void)u;
}

int64_t sgw_uplink_next_deadline(const struct sgw_uplink *u)
{
	return u->next_ns ? u->next_ns : INT64_MAX;
}

void sgw_uplink_tick(struct sgw_uplink *u, int64_t now_ns)
{
	(void)u;
	(void)now_ns;
}

int sgw_uplink_publish_ex(struct sgw_uplink *u, const char *topic, const void *payload,
			  size_t len, int qos, bool retain, uint64_t tag)
{
	if (!u->connected)
		return -ENOTCONN;
	if (sgw_tag_kind(tag) == SGW_TAG_UNTRACKED) {
		u->nstatus++;
		return 0;
	}
	/* QoS 0 too: the real uplink's on_ack comes once it is written. */
	if (u->inflight >= u->window)
		return -EAGAIN;
	if (u->refuse_tag && tag == u->refuse_tag)
		return -EMSGSIZE;
	u->inflight++;
	u->st.published++;
	if (u->on_publish)
		u->on_publish(topic, payload, len, tag);
	if (u->npending < MOCK_MAX)
		u->pending[u->npending++] = tag;
	if (u->n < MOCK_MAX) {
		size_t k = len < 15 ? len : 15;

		memcpy(u->payloads[u->n], payload, k);
		u->payloads[u->n][k] = '\0';
		snprintf(u->topics[u->n], sizeof(u->topics[0]), "%s", topic);
		u->lens[u->n] = len;
		u->retained[u->n] = retain;
		u->qoses[u->n] = qos;
		u->tags[u->n++] = tag;
	}
	return 0;
}

int sgw_uplink_publish(struct sgw_uplink *u, const char *topic, const void *payload,
		       size_t len, uint64_t tag)
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
	return u->connected;
}

size_t sgw_uplink_inflight(const struct sgw_uplink *u)
{
	return u->inflight;
}

size_t sgw_uplink_window(const struct sgw_uplink *u)
{
	return u->window;
}

const char *sgw_uplink_name(const struct sgw_uplink *u)
{
	return u->name[0] ? u->name : "mock";
}

const char *sgw_uplink_server(const struct sgw_uplink *u)
{
	(void)u;
	return "tcp://mock:1883";
}

void sgw_uplink_get_stats(const struct sgw_uplink *u, struct sgw_uplink_stats *st)
{
	*st = u->st;
}

int sgw_uplink_subscribe(struct sgw_uplink *u, const char *filter)
{
	if (!filter || !*filter || strlen(filter) >= sizeof(u->subs[0]))
		return -EINVAL;
	for (size_t i = 0; i < u->nsubs; i++)
		if (strcmp(u->subs[i], filter) == 0)
			return 0;
	if (u->nsubs == MOCK_SUBS)
		return -ENOMEM;
	strcpy(u->subs[u->nsubs++], filter);
	return 0;
}

void mock_uplink_deliver(struct sgw_uplink *u, const char *topic, const char *payload,
			 bool retained)
{
	u->st.received++;
	if (u->h->on_message)
		u->h->on_message(u->arg, u, topic, payload, strlen(payload), retained);
}

void mock_uplink_connect(struct sgw_uplink *u)
{
	u->connected = true;
	u->next_ns = 0;
	u->st.connects++;
	if (u->h->on_connected)
		u->h->on_connected(u->arg, u);
}

void mock_uplink_fail_connect(struct sgw_uplink *u, const char *why)
{
	u->st.connect_failures++;
	u->next_ns = sgw_mono_ns() + SGW_NS_PER_S;
	if (u->h->on_connect_failed)
		u->h->on_connect_failed(u->arg, u, why);
}

static uint64_t pending_pop(struct sgw_uplink *u)
{
	uint64_t tag = u->pending[0];

	memmove(u->pending, u->pending + 1, (u->npending - 1) * sizeof(*u->pending));
	u->npending--;
	u->inflight--;
	return tag;
}

bool mock_uplink_ack_next(struct sgw_uplink *u)
{
	uint64_t tag;

	if (!u->npending)
		return false;
	tag = pending_pop(u);
	u->st.acked++;
	if (u->h->on_ack)
		u->h->on_ack(u->arg, u, tag);
	return true;
}

void mock_uplink_ack_all(struct sgw_uplink *u)
{
	while (mock_uplink_ack_next(u))
		;
}

void mock_uplink_lose(struct sgw_uplink *u)
{
	u->connected = false;
	u->st.disconnects++;
	while (u->npending) {
		uint64_t tag = pending_pop(u);

		u->st.failed++;
		if (u->h->on_fail)
			u->h->on_fail(u->arg, u, tag);
	}
	if (u->h->on_disconnected)
		u->h->on_disconnected(u->arg, u, "lost");
}

void sgw_uplink_stop(struct sgw_uplink *u, int timeout_ms)
{
	(void)timeout_ms;
	if (u->connected)
		mock_uplink_lose(u);
}
