/* SPDX-License-Identifier: MIT */
#include "msg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static struct sgw_msg *msg_alloc(uint64_t seq, int64_t ts_ms, const char *topic, size_t topic_len,
				 const void *payload, size_t payload_len, const char *unit)
{
	size_t unit_len = unit ? strlen(unit) : 0;
	struct sgw_msg *m;
	char *p;

	if (topic_len > UINT16_MAX || payload_len > 256 * 1024 || unit_len > UINT16_MAX) {
		errno = EMSGSIZE;
		return NULL;
	}
	m = calloc(1, sizeof(*m) + topic_len + payload_len + unit_len + 3);
	if (!m)
		return NULL;
	m->seq = seq;
	m->ts_ms = ts_ms;
	m->refs = 1;
	m->topic_len = (uint32_t)topic_len;
	m->payload_len = (uint32_t)payload_len;
	p = m->data;
	memcpy(p, topic, topic_len);
	p += topic_len + 1;
	if (payload_len)
		memcpy(p, payload, payload_len);
	p += payload_len + 1;
	if (unit_len)
		memcpy(p, unit, unit_len);
	return m;
}

struct sgw_msg *sgw_msg_new(uint64_t seq, int64_t ts_ms, const char *topic, size_t topic_len,
			    const void *payload, size_t payload_len)
{
	return msg_alloc(seq, ts_ms, topic, topic_len, payload, payload_len, NULL);
}

struct sgw_msg *sgw_msg_new_reading(uint64_t seq, int64_t ts_ms, const char *topic,
				    size_t topic_len, const struct sgw_payload_form *f,
				    int32_t value)
{
	char payload[SGW_PAYLOAD_MAX];
	int len = sgw_payload_render(payload, sizeof(payload), f, value, ts_ms, seq);
	struct sgw_msg *m;

	if (len < 0) {
		errno = EMSGSIZE;
		return NULL;
	}
	m = msg_alloc(seq, ts_ms, topic, topic_len, payload, (size_t)len, f->unit);
	if (!m)
		return NULL;
	m->reading = true;
	m->value = value;
	m->fmt = (uint8_t)f->fmt;
	m->scale = f->scale;
	m->precision = f->precision;
	return m;
}

bool sgw_msg_form(const struct sgw_msg *m, struct sgw_payload_form *f)
{
	if (!m->reading)
		return false;
	f->fmt = (enum sgw_format)m->fmt;
	f->scale = m->scale;
	f->precision = m->precision;
	f->unit = m->data + m->topic_len + 1 + m->payload_len + 1;
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
