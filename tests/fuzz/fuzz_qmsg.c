/* SPDX-License-Identifier: MIT */
/*
 * The queued message codec (deliver/qmsg.h).  Input byte 0 picks:
 *   even: decode the rest as a record body; what decodes must encode back
 *         to a message that decodes the same, byte for byte when the input
 *         was the shortest encoding (same length);
 *   odd:  a message built from the rest (fields, then the topic, then the
 *         payload) is encoded into a buffer of a size the input gives, and
 *         must fail exactly as qmsg.h says or decode to itself.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "deliver/qmsg.h"
#include "tests/fuzz/fuzz.h"

const char *const fuzz_corpus[] = { NULL };

static void emit_encoded(fuzz_emit_fn *emit, void *arg, const struct sgw_qmsg *m)
{
	uint8_t buf[512];
	long n = sgw_qmsg_encode(m, buf + 1, sizeof(buf) - 1);

	FUZZ_CHECK(n > 0, "seed does not encode: %ld", n);
	buf[0] = 0;
	emit(arg, buf, (size_t)n + 1);
}

static void emit_fields(fuzz_emit_fn *emit, void *arg, const struct sgw_qmsg *m, uint16_t cap)
{
	struct fuzz_out o = { 0 };

	fuzz_put_u8(&o, 1);
	fuzz_put_u64(&o, (uint64_t)m->ts.wall_ms);
	fuzz_put_u64(&o, (uint64_t)m->ts.boot_ms);
	fuzz_put_u64(&o, m->ts.boot);
	fuzz_put_u64(&o, m->seq);
	fuzz_put_u8(&o, (uint8_t)(m->qos | m->retain << 2 | m->reading << 3 | m->ts.unsynced << 5 |
				  m->own_qos << 6 | m->own_retain << 7));
	fuzz_put_u32(&o, m->form);
	fuzz_put_u32(&o, (uint32_t)m->value);
	fuzz_put_u16(&o, cap);
	fuzz_put_u16(&o, (uint16_t)m->topic_len);
	fuzz_put(&o, m->topic, m->topic_len);
	fuzz_put(&o, m->payload, m->payload_len);
	fuzz_out_emit(&o, emit, arg);
	fuzz_out_free(&o);
}

void fuzz_seeds(fuzz_emit_fn *emit, void *arg)
{
	static const char payload[] = "{\"value\":23.46,\"unit\":\"C\",\"ts\":1763776800123,\"seq\":42}";
	struct sgw_qmsg m = {
		.ts = { .wall_ms = INT64_C(1763776800123) }, .seq = 42,
		.topic = "casa/sala/temperatura", .topic_len = 21,
		.payload = payload, .payload_len = sizeof(payload) - 1, .qos = 1, .retain = true,
	};
	struct sgw_qmsg r = {
		.ts = { .wall_ms = -1, .boot_ms = 12345, .boot = UINT64_MAX, .unsynced = true },
		.seq = UINT64_MAX, .qos = 2, .own_qos = true, .own_retain = true, .reading = true,
		.form = 4095, .value = INT32_MIN,
	};

	emit_encoded(emit, arg, &m);
	emit_encoded(emit, arg, &r);
	m.payload_len = 0;
	m.ts.wall_ms = INT64_MIN;
	emit_encoded(emit, arg, &m);
	emit_fields(emit, arg, &m, 300);
	emit_fields(emit, arg, &r, 10);
}

static void check_same(const struct sgw_qmsg *a, const struct sgw_qmsg *b)
{
	FUZZ_CHECK(a->ts.wall_ms == b->ts.wall_ms && a->seq == b->seq && a->qos == b->qos &&
		   a->retain == b->retain && a->reading == b->reading && a->own_qos == b->own_qos &&
		   a->own_retain == b->own_retain, "header fields differ");
	FUZZ_CHECK(a->ts.unsynced == b->ts.unsynced &&
		   (!a->ts.unsynced || (a->ts.boot_ms == b->ts.boot_ms && a->ts.boot == b->ts.boot)),
		   "boot-time stamp differs");
	if (a->reading) {
		FUZZ_CHECK(a->form == b->form && a->value == b->value, "form/value differ");
		FUZZ_CHECK(!b->topic && !b->topic_len && !b->payload && !b->payload_len,
			   "a reading with a topic or payload");
		return;
	}
	FUZZ_CHECK(a->topic_len == b->topic_len && !memcmp(a->topic, b->topic, a->topic_len),
		   "topic differs");
	FUZZ_CHECK(a->payload_len == b->payload_len &&
		   (!a->payload_len || !memcmp(a->payload, b->payload, a->payload_len)),
		   "payload differs");
}

/* M (valid) encoded into exactly its size, decoded again: itself. */
static void round_trip(const struct sgw_qmsg *m, const uint8_t *orig, size_t orig_len)
{
	size_t size = sgw_qmsg_size(m);
	uint8_t *buf = malloc(size);
	struct sgw_qmsg d;
	long n;

	FUZZ_CHECK(buf, "out of memory");
	n = sgw_qmsg_encode(m, buf, size);
	FUZZ_CHECK(n >= 0 && (size_t)n == size, "encode: %ld, size %zu", n, size);
	FUZZ_CHECK(sgw_qmsg_decode(&d, buf, size) == 0, "own encoding does not decode");
	check_same(m, &d);
	FUZZ_CHECK(sgw_qmsg_peek_ts(buf, size) == m->ts.wall_ms, "peek_ts");
	if (orig && orig_len == size)
		FUZZ_CHECK(!memcmp(orig, buf, size), "same length, other bytes");
	free(buf);
}

static void decode_bytes(const uint8_t *p, size_t len)
{
	/* A copy of its own size, so that ASan sees any read past it. */
	uint8_t *buf = malloc(len ? len : 1);
	struct sgw_qmsg m;

	FUZZ_CHECK(buf, "out of memory");
	if (len)
		memcpy(buf, p, len);
	if (sgw_qmsg_decode(&m, buf, len) == 0) {
		FUZZ_CHECK(m.qos <= 2, "qos %u", m.qos);
		if (!m.reading) {
			const uint8_t *t = (const uint8_t *)m.topic, *pl = m.payload;

			FUZZ_CHECK(m.topic_len >= 1 && m.topic_len <= SGW_QMSG_TOPIC_MAX, "topic_len");
			FUZZ_CHECK(t > buf && t + m.topic_len <= pl && pl + m.payload_len == buf + len,
				   "topic and payload not in the buffer");
		}
		FUZZ_CHECK(sgw_qmsg_peek_ts(buf, len) == m.ts.wall_ms, "peek_ts differs from decode");
		round_trip(&m, buf, len);
	}
	free(buf);
}

static void encode_fields(struct fuzz_in *in)
{
	struct sgw_qmsg m = { 0 }, d;
	uint8_t flags, *buf;
	size_t cap, tlen, got;
	long n;

	m.ts.wall_ms = (int64_t)fuzz_u64(in);
	m.ts.boot_ms = (int64_t)fuzz_u64(in);
	m.ts.boot = fuzz_u64(in);
	m.seq = fuzz_u64(in);
	flags = fuzz_u8(in);
	m.ts.unsynced = flags & 0x20;
	m.qos = flags & 3;
	m.retain = flags & 4;
	m.reading = flags & 8;
	m.own_qos = flags & 0x40;
	m.own_retain = flags & 0x80;
	m.form = fuzz_u32(in);
	m.value = (int32_t)fuzz_u32(in);
	cap = fuzz_u16(in);
	tlen = fuzz_u16(in);
	if (flags & 0x10)
		tlen += 0x10000;	/* past the limit, with whatever follows */
	m.topic = (const char *)fuzz_bytes(in, tlen, &got);
	m.topic_len = flags & 0x10 ? tlen : got;
	m.payload = fuzz_bytes(in, in->n, &m.payload_len);
	if (m.topic_len > got) {
		/* Only the length is looked at before -EINVAL. */
		FUZZ_CHECK(m.reading || sgw_qmsg_encode(&m, NULL, 0) == -EINVAL,
			   "topic of %zu bytes encoded", m.topic_len);
		return;
	}
	buf = malloc(cap ? cap : 1);
	FUZZ_CHECK(buf, "out of memory");
	n = sgw_qmsg_encode(&m, buf, cap);
	if (m.qos > 2 || (!m.reading && (m.topic_len == 0 || m.topic_len > SGW_QMSG_TOPIC_MAX)) ||
	    (m.ts.unsynced && m.ts.boot_ms < 0)) {
		FUZZ_CHECK(n == -EINVAL, "invalid message encoded: %ld", n);
	} else if (cap < sgw_qmsg_size(&m)) {
		FUZZ_CHECK(n == -EMSGSIZE, "%zu bytes into %zu: %ld", sgw_qmsg_size(&m), cap, n);
	} else {
		FUZZ_CHECK(n == (long)sgw_qmsg_size(&m), "encode: %ld, size %zu", n, sgw_qmsg_size(&m));
		FUZZ_CHECK(sgw_qmsg_decode(&d, buf, (size_t)n) == 0, "encoded message does not decode");
		if (m.reading) {
			m.topic = NULL;
			m.topic_len = 0;
			m.payload = NULL;
			m.payload_len = 0;
		}
		check_same(&m, &d);
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };

	if (fuzz_u8(&in) & 1)
		encode_fields(&in);
	else
		decode_bytes(in.p, in.n);
	return 0;
}
