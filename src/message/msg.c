/* SPDX-License-Identifier: MIT */
#include "msg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The payload gets ROOM >= PAYLOAD_LEN bytes (and its NUL). */
static struct sgw_msg *msg_alloc(uint64_t seq, const struct sgw_stamp *ts, const char *topic,
				 size_t topic_len, const void *payload, size_t payload_len,
				 const char *unit, size_t room)
{
	size_t unit_len = unit ? strlen(unit) : 0;
	struct sgw_msg *m;
	char *p;

	if (topic_len > UINT16_MAX || payload_len > 256 * 1024 || unit_len > UINT16_MAX) {
		errno = EMSGSIZE;
		return NULL;
	}
	m = calloc(1, sizeof(*m) + topic_len + unit_len + room + 3);
	if (!m)
		return NULL;
	m->seq = seq;
	m->ts = *ts;
	m->refs = 1;
	m->qos = m->retain = -1;
	m->topic_len = (uint32_t)topic_len;
	m->unit_len = (uint32_t)unit_len;
	m->payload_len = (uint32_t)payload_len;
	m->payload_room = (uint32_t)room;
	p = m->data;
	memcpy(p, topic, topic_len);
	p += topic_len + 1;
	if (unit_len)
		memcpy(p, unit, unit_len);
	p += unit_len + 1;
	if (payload_len)
		memcpy(p, payload, payload_len);
	return m;
}

struct sgw_msg *sgw_msg_new(uint64_t seq, const struct sgw_stamp *ts, const char *topic,
			    size_t topic_len, const void *payload, size_t payload_len)
{
	return msg_alloc(seq, ts, topic, topic_len, payload, payload_len, NULL, payload_len);
}

struct sgw_msg *sgw_msg_new_reading(uint64_t seq, const struct sgw_stamp *ts, const char *topic,
				    size_t topic_len, const struct sgw_payload_form *f,
				    int32_t value)
{
	char payload[SGW_PAYLOAD_MAX];
	struct sgw_stamp t = *ts;
	struct sgw_msg *m;
	int len;

	sgw_clock_fix(&t);
	len = sgw_payload_render(payload, sizeof(payload), f, value, &t, seq);
	if (len < 0) {
		errno = EMSGSIZE;
		return NULL;
	}
	/* Unsynchronised: room for the payload that sgw_msg_restamp() renders. */
	m = msg_alloc(seq, &t, topic, topic_len, payload, (size_t)len, f->unit,
		      t.unsynced ? SGW_PAYLOAD_MAX : (size_t)len);
	if (!m)
		return NULL;
	m->reading = true;
	m->value = value;
	m->fmt = (uint8_t)f->fmt;
	m->scale = f->scale;
	m->precision = f->precision;
	return m;
}

bool sgw_msg_restamp(struct sgw_msg *m)
{
	char payload[SGW_PAYLOAD_MAX];
	struct sgw_payload_form f;
	struct sgw_stamp t = m->ts;
	char *p;
	int len;

	if (!sgw_msg_form(m, &f) || !sgw_clock_fix(&t))
		return false;
	len = sgw_payload_render(payload, sizeof(payload), &f, m->value, &t, m->seq);
	if (len < 0 || (size_t)len > m->payload_room)
		return false;	/* cannot happen: it stays as it is, unsynchronised */
	p = m->data + m->topic_len + 1 + m->unit_len + 1;
	memcpy(p, payload, (size_t)len);
	p[len] = '\0';
	m->payload_len = (uint32_t)len;
	m->ts = t;
	return true;
}

bool sgw_msg_form(const struct sgw_msg *m, struct sgw_payload_form *f)
{
	if (!m->reading)
		return false;
	f->fmt = (enum sgw_format)m->fmt;
	f->scale = m->scale;
	f->precision = m->precision;
	f->unit = m->data + m->topic_len + 1;
	return true;
}

void sgw_msg_unref(struct sgw_msg *m)
{
	if (m && --m->refs == 0)
		free(m);
}

int sgw_msg_cmp_seq(const void *a, const void *b)
{
	const struct sgw_msg *x = *(struct sgw_msg *const *)a, *y = *(struct sgw_msg *const *)b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}
