/* SPDX-License-Identifier: MIT */
/* Queued message encoding; the format is in qmsg.h. */
#include "qmsg.h"

#include <errno.h>
#include <string.h>

#include "util/le.h"

#define QMSG_VERSION 0x10u
#define QMSG_READING 0x20u
#define QMSG_KIND 0x30u
#define QMSG_UNSYNCED 0x08u
#define QMSG_OWN_QOS 0x40u
#define QMSG_OWN_RETAIN 0x80u
#define VARINT_MAX 10u

static size_t varint_size(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static size_t varint_put(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

/* Returns bytes used, 0 when truncated or overlong. */
static size_t varint_get(const uint8_t *p, size_t len, uint64_t *v)
{
	uint64_t r = 0;

	for (size_t i = 0; i < len && i < VARINT_MAX; i++) {
		uint64_t b = p[i] & 0x7f;

		/* The 10th byte may only hold the top bit. */
		if (i == VARINT_MAX - 1 && b > 1)
			return 0;
		r |= b << (7 * i);
		if (!(p[i] & 0x80)) {
			*v = r;
			return i + 1;
		}
	}
	return 0;
}

static uint64_t zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t unzigzag(uint64_t u)
{
	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

size_t sgw_qmsg_size(const struct sgw_qmsg *m)
{
	size_t n = 1 + varint_size(zigzag(m->ts.wall_ms)) + varint_size(m->seq);

	if (m->ts.unsynced)
		n += varint_size((uint64_t)m->ts.boot_ms) + 8;

	if (m->reading)
		return n + varint_size(m->form) + varint_size(zigzag(m->value));
	return n + varint_size(m->topic_len) + m->topic_len + m->payload_len;
}

long sgw_qmsg_encode(const struct sgw_qmsg *m, void *buf, size_t cap)
{
	uint8_t *p = buf;
	size_t n = 0, need;

	if (m->qos > 2 || (!m->reading && (m->topic_len == 0 || m->topic_len > SGW_QMSG_TOPIC_MAX)) ||
	    (m->ts.unsynced && m->ts.boot_ms < 0))
		return -EINVAL;
	need = sgw_qmsg_size(m);
	if (need > cap || need > (size_t)INT32_MAX)
		return -EMSGSIZE;
	p[n++] = (uint8_t)((m->reading ? QMSG_READING : QMSG_VERSION) |
			   (m->own_qos ? QMSG_OWN_QOS : 0u) | (m->own_retain ? QMSG_OWN_RETAIN : 0u) |
			   (m->ts.unsynced ? QMSG_UNSYNCED : 0u) | (m->retain ? 4u : 0u) | m->qos);
	n += varint_put(p + n, zigzag(m->ts.wall_ms));
	n += varint_put(p + n, m->seq);
	if (m->ts.unsynced) {
		n += varint_put(p + n, (uint64_t)m->ts.boot_ms);
		sgw_put_le64(p + n, m->ts.boot);
		n += 8;
	}
	if (m->reading) {
		n += varint_put(p + n, m->form);
		n += varint_put(p + n, zigzag(m->value));
		return (long)n;
	}
	n += varint_put(p + n, m->topic_len);
	memcpy(p + n, m->topic, m->topic_len);
	n += m->topic_len;
	if (m->payload_len)
		memcpy(p + n, m->payload, m->payload_len);
	return (long)(n + m->payload_len);
}

/* The fixed fields; returns bytes used or 0. */
static size_t decode_head(const uint8_t *p, size_t len, uint8_t *flags, int64_t *ts)
{
	uint64_t u;
	size_t k;

	if (len < 1 || ((p[0] & QMSG_KIND) != QMSG_VERSION && (p[0] & QMSG_KIND) != QMSG_READING) ||
	    (p[0] & 3) > 2)
		return 0;
	*flags = p[0];
	k = varint_get(p + 1, len - 1, &u);
	if (!k)
		return 0;
	*ts = unzigzag(u);
	return 1 + k;
}

/* [time] into TS; returns bytes used or 0. */
static size_t decode_time(struct sgw_stamp *ts, const uint8_t *p, size_t len)
{
	uint64_t boot_ms;
	size_t k = varint_get(p, len, &boot_ms);

	if (!k || boot_ms > INT64_MAX || len - k < 8)
		return 0;
	ts->boot_ms = (int64_t)boot_ms;
	ts->boot = sgw_get_le64(p + k);
	ts->unsynced = true;
	return k + 8;
}

/* The rest of a version 2 message: form and value, nothing after them. */
static int decode_reading(struct sgw_qmsg *m, const uint8_t *p, size_t len)
{
	uint64_t form, value;
	size_t n, k;

	n = varint_get(p, len, &form);
	if (!n || form > UINT32_MAX)
		return -EBADMSG;
	k = varint_get(p + n, len - n, &value);
	if (!k || n + k != len || value > UINT32_MAX)
		return -EBADMSG;
	m->form = (uint32_t)form;
	m->value = (int32_t)unzigzag(value);
	m->topic = NULL;
	m->topic_len = 0;
	m->payload = NULL;
	m->payload_len = 0;
	return 0;
}

int sgw_qmsg_decode(struct sgw_qmsg *m, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t seq, tlen;
	uint8_t flags;
	int64_t ts;
	size_t n, k;

	n = decode_head(p, len, &flags, &ts);
	if (!n)
		return -EBADMSG;
	k = varint_get(p + n, len - n, &seq);
	if (!k)
		return -EBADMSG;
	n += k;
	m->ts = (struct sgw_stamp){ .wall_ms = ts };
	m->seq = seq;
	if (flags & QMSG_UNSYNCED) {
		k = decode_time(&m->ts, p + n, len - n);
		if (!k)
			return -EBADMSG;
		n += k;
	}
	m->qos = flags & 3;
	m->retain = (flags & 4) != 0;
	m->own_qos = (flags & QMSG_OWN_QOS) != 0;
	m->own_retain = (flags & QMSG_OWN_RETAIN) != 0;
	m->reading = (flags & QMSG_KIND) == QMSG_READING;
	if (m->reading)
		return decode_reading(m, p + n, len - n);
	k = varint_get(p + n, len - n, &tlen);
	if (!k)
		return -EBADMSG;
	n += k;
	if (tlen == 0 || tlen > SGW_QMSG_TOPIC_MAX || tlen > len - n)
		return -EBADMSG;
	m->topic = (const char *)p + n;
	m->topic_len = (size_t)tlen;
	n += (size_t)tlen;
	m->payload = p + n;
	m->payload_len = len - n;
	return 0;
}

int64_t sgw_qmsg_peek_ts(const void *buf, size_t len)
{
	uint8_t flags;
	int64_t ts;

	return decode_head(buf, len, &flags, &ts) ? ts : INT64_MIN;
}
