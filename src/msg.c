/* SPDX-License-Identifier: MIT */
#include "msg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct sgw_msg *sgw_msg_new(uint64_t seq, int64_t ts_ms, const char *topic, size_t topic_len,
			    const void *payload, size_t payload_len)
{
	struct sgw_msg *m;

	if (topic_len > UINT16_MAX || payload_len > 256 * 1024) {
		errno = EMSGSIZE;
		return NULL;
	}
	m = malloc(sizeof(*m) + topic_len + payload_len + 2);
	if (!m)
		return NULL;
	m->seq = seq;
	m->ts_ms = ts_ms;
	m->refs = 1;
	m->topic_len = (uint32_t)topic_len;
	m->payload_len = (uint32_t)payload_len;
	memcpy(m->data, topic, topic_len);
	m->data[topic_len] = '\0';
	memcpy(m->data + topic_len + 1, payload, payload_len);
	m->data[topic_len + 1 + payload_len] = '\0';
	return m;
}

void sgw_msg_unref(struct sgw_msg *m)
{
	if (m && --m->refs == 0)
		free(m);
}
