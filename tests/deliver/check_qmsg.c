/* SPDX-License-Identifier: MIT */
/* Queued message encoding: round trips, limits, malformed input. */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "deliver/qmsg.h"
#include "tests/fixtures/run.h"

static struct sgw_qmsg sample(void)
{
	static const char payload[] = "{\"value\":23.46,\"unit\":\"C\",\"ts\":1763776800123,\"seq\":42}";
	struct sgw_qmsg m = {
		.ts.wall_ms = INT64_C(1763776800123),
		.seq = 42,
		.topic = "casa/sala/temperatura",
		.topic_len = strlen("casa/sala/temperatura"),
		.payload = payload,
		.payload_len = sizeof(payload) - 1,
		.qos = 1,
		.retain = true,
	};
	return m;
}

START_TEST(test_roundtrip)
{
	struct sgw_qmsg m = sample(), d;
	uint8_t buf[256];
	long n = sgw_qmsg_encode(&m, buf, sizeof(buf));

	ck_assert_int_eq(n, (long)sgw_qmsg_size(&m));
	/* Version byte, 6-byte time, 1-byte seq, 1-byte length: 9 bytes of framing. */
	ck_assert_int_eq(n, (long)(9 + m.topic_len + m.payload_len));
	ck_assert_int_eq(sgw_qmsg_decode(&d, buf, (size_t)n), 0);
	ck_assert(d.ts.wall_ms == m.ts.wall_ms);
	ck_assert(d.seq == m.seq);
	ck_assert_uint_eq(d.qos, 1);
	ck_assert(d.retain);
	ck_assert_uint_eq(d.topic_len, m.topic_len);
	ck_assert(memcmp(d.topic, m.topic, m.topic_len) == 0);
	ck_assert_uint_eq(d.payload_len, m.payload_len);
	ck_assert(memcmp(d.payload, m.payload, m.payload_len) == 0);
	ck_assert(sgw_qmsg_peek_ts(buf, (size_t)n) == m.ts.wall_ms);
}
END_TEST

START_TEST(test_extremes)
{
	static const int64_t ts[] = { 0, -1, 1, INT64_MIN, INT64_MAX, -1763776800123 };
	static const uint64_t seq[] = { 0, 127, 128, UINT64_MAX };
	uint8_t buf[128];

	for (size_t i = 0; i < sizeof(ts) / sizeof(ts[0]); i++) {
		for (size_t j = 0; j < sizeof(seq) / sizeof(seq[0]); j++) {
			struct sgw_qmsg m = { .ts.wall_ms = ts[i], .seq = seq[j], .topic = "t",
					      .topic_len = 1, .qos = (uint8_t)(j % 3) }, d;
			long n = sgw_qmsg_encode(&m, buf, sizeof(buf));

			ck_assert_int_gt(n, 0);
			ck_assert_int_eq(sgw_qmsg_decode(&d, buf, (size_t)n), 0);
			ck_assert(d.ts.wall_ms == ts[i]);
			ck_assert(d.seq == seq[j]);
			ck_assert_uint_eq(d.qos, j % 3);
			ck_assert(!d.retain);
			ck_assert_uint_eq(d.payload_len, 0);
		}
	}
}
END_TEST

START_TEST(test_encode_errors)
{
	struct sgw_qmsg m = sample();
	uint8_t buf[256];

	ck_assert_int_eq(sgw_qmsg_encode(&m, buf, sgw_qmsg_size(&m) - 1), -EMSGSIZE);
	m.qos = 3;
	ck_assert_int_eq(sgw_qmsg_encode(&m, buf, sizeof(buf)), -EINVAL);
	m = sample();
	m.topic_len = 0;
	ck_assert_int_eq(sgw_qmsg_encode(&m, buf, sizeof(buf)), -EINVAL);
	m.topic_len = SGW_QMSG_TOPIC_MAX + 1;
	ck_assert_int_eq(sgw_qmsg_encode(&m, buf, sizeof(buf)), -EINVAL);
}
END_TEST

/* Every truncation and every single-byte damage: decoded or refused, in bounds. */
START_TEST(test_malformed)
{
	struct sgw_qmsg m = sample(), d;
	uint8_t buf[256];
	long n = sgw_qmsg_encode(&m, buf, sizeof(buf));
	size_t head = 9 + m.topic_len;	/* the payload starts here */

	for (size_t len = 0; len < head; len++) {
		/* A heap copy of exactly LEN bytes lets ASan see any overread. */
		uint8_t *cut = malloc(len ? len : 1);

		memcpy(cut, buf, len);
		ck_assert_int_eq(sgw_qmsg_decode(&d, cut, len), -EBADMSG);
		free(cut);
	}
	for (long i = 0; i < n; i++) {
		uint8_t *bad = malloc((size_t)n);

		memcpy(bad, buf, (size_t)n);
		bad[i] ^= 0xff;
		if (sgw_qmsg_decode(&d, bad, (size_t)n) == 0) {
			ck_assert_uint_le(d.topic_len + d.payload_len, (size_t)n);
			ck_assert(d.qos <= 2);
		}
		free(bad);
	}
	/* Overlong varint (11 bytes) and a wrong version are refused. */
	memset(buf, 0xff, 16);
	buf[0] = 0x11;
	ck_assert_int_eq(sgw_qmsg_decode(&d, buf, 16), -EBADMSG);
	ck_assert(sgw_qmsg_peek_ts(buf, 16) == INT64_MIN);
	buf[0] = 0x31;
	buf[1] = 0;
	ck_assert_int_eq(sgw_qmsg_decode(&d, buf, 16), -EBADMSG);
}
END_TEST

/* Version 2: a reading as form number and value. */
START_TEST(test_reading)
{
	static const int32_t values[] = { 0, -1, 1, 2346, -2346, INT32_MIN, INT32_MAX };
	static const uint32_t forms[] = { 0, 127, 128, UINT32_MAX };
	uint8_t buf[64];

	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		for (size_t j = 0; j < sizeof(forms) / sizeof(forms[0]); j++) {
			struct sgw_qmsg m = {
				.ts.wall_ms = INT64_C(1763776800123), .seq = 1000000 + i,
				.qos = 1, .reading = true, .form = forms[j], .value = values[i],
			}, d;
			long n = sgw_qmsg_encode(&m, buf, sizeof(buf));

			ck_assert_int_eq(n, (long)sgw_qmsg_size(&m));
			ck_assert_int_eq(sgw_qmsg_decode(&d, buf, (size_t)n), 0);
			ck_assert(d.reading);
			ck_assert_uint_eq(d.form, forms[j]);
			ck_assert_int_eq(d.value, values[i]);
			ck_assert(d.ts.wall_ms == m.ts.wall_ms && d.seq == m.seq && d.qos == 1 && !d.retain);
			ck_assert_ptr_null(d.topic);
			ck_assert_uint_eq(d.payload_len, 0);
			ck_assert(sgw_qmsg_peek_ts(buf, (size_t)n) == m.ts.wall_ms);
			/* Every shorter cut and a byte too many are refused. */
			for (long len = 0; len < n; len++)
				if (sgw_qmsg_decode(&d, buf, (size_t)len) != -EBADMSG)
					ck_abort_msg("cut at %ld of %ld decoded", len, n);
			buf[n] = 0;
			ck_assert_int_eq(sgw_qmsg_decode(&d, buf, (size_t)n + 1), -EBADMSG);
		}
	}
	{
		/* Flags, 6-byte time, 3-byte seq, 1-byte form, 2-byte value: 13 bytes. */
		struct sgw_qmsg m = { .ts.wall_ms = INT64_C(1763776800123), .seq = 1000000, .qos = 1,
				      .reading = true, .form = 5, .value = 2146 };

		ck_assert_uint_eq(sgw_qmsg_size(&m), 13);
	}
}
END_TEST

/* The unsynced bit and the boot time after the sequence number, in both versions. */
START_TEST(test_unsynced)
{
	const struct sgw_stamp ts = { .wall_ms = INT64_C(1660000004000), .boot_ms = 4000,
				      .boot = UINT64_C(0x8899aabbccddeeff), .unsynced = true };
	struct sgw_qmsg whole = sample(), reading = {
		.ts = ts, .seq = 9, .qos = 1, .reading = true, .form = 3, .value = -2146,
	}, d;
	struct sgw_qmsg *ms[] = { &whole, &reading };
	uint8_t buf[256];

	whole.ts = ts;
	for (size_t k = 0; k < 2; k++) {
		struct sgw_qmsg synced = *ms[k];
		long n = sgw_qmsg_encode(ms[k], buf, sizeof(buf)), n0;

		/* A 2-byte boot time and the 8-byte boot: 10 bytes more. */
		synced.ts.unsynced = false;
		n0 = (long)sgw_qmsg_size(&synced);
		ck_assert_int_eq(n, n0 + 10);
		ck_assert_int_eq(n, (long)sgw_qmsg_size(ms[k]));
		ck_assert_uint_eq(buf[0] & 0x08, 0x08);
		ck_assert_int_eq(sgw_qmsg_decode(&d, buf, (size_t)n), 0);
		ck_assert(d.ts.unsynced && d.ts.wall_ms == ts.wall_ms && d.ts.boot_ms == ts.boot_ms &&
			  d.ts.boot == ts.boot);
		ck_assert(d.seq == ms[k]->seq && d.reading == ms[k]->reading && d.qos == 1);
		ck_assert_uint_eq(d.topic_len, ms[k]->topic_len);
		ck_assert_uint_eq(d.payload_len, ms[k]->payload_len);
		ck_assert(!d.reading || (d.value == ms[k]->value && d.form == ms[k]->form));
		ck_assert(sgw_qmsg_peek_ts(buf, (size_t)n) == ts.wall_ms);
		/* Cut anywhere before the payload (the time included): refused. */
		for (long len = 0; len < n - (long)ms[k]->payload_len; len++) {
			uint8_t *cut = malloc(len ? (size_t)len : 1);

			memcpy(cut, buf, (size_t)len);
			ck_assert_int_eq(sgw_qmsg_decode(&d, cut, (size_t)len), -EBADMSG);
			free(cut);
		}
		/* Without the bit, the same record decodes as synchronised. */
		n = sgw_qmsg_encode(&synced, buf, sizeof(buf));
		ck_assert_int_eq(sgw_qmsg_decode(&d, buf, (size_t)n), 0);
		ck_assert(!d.ts.unsynced && d.ts.wall_ms == ts.wall_ms);
	}
	/* A boot time below zero cannot be stored (the boot clock never is). */
	whole.ts.boot_ms = -1;
	ck_assert_int_eq(sgw_qmsg_encode(&whole, buf, sizeof(buf)), -EINVAL);
}
END_TEST

/*
 * QoS and retain of the message's own (bits 6 and 7 of the flags) round
 * trip in both versions; records as earlier versions wrote them (qos 1,
 * retain 0, bits 6 and 7 clear) read as the uplink's.
 */
START_TEST(test_own_qos_retain)
{
	/* Version 1: "t", payload "x"; version 2: form 3, value -2 (zigzag 3). */
	static const uint8_t old_whole[] = { 0x11, 0x02, 0x05, 0x01, 't', 'x' };
	static const uint8_t old_reading[] = { 0x21, 0x02, 0x05, 0x03, 0x03 };
	struct sgw_qmsg whole = sample(), reading = {
		.ts.wall_ms = 1, .seq = 5, .reading = true, .form = 3, .value = -2,
	}, d;
	struct sgw_qmsg *ms[] = { &whole, &reading };
	uint8_t buf[256];
	long n;

	for (size_t k = 0; k < 2; k++) {
		for (unsigned v = 0; v < 4 * 3 * 2; v++) {
			struct sgw_qmsg m = *ms[k];

			m.qos = (uint8_t)(v % 3);
			m.retain = (v / 3) % 2;
			m.own_qos = (v / 6) % 2;
			m.own_retain = v / 12;
			n = sgw_qmsg_encode(&m, buf, sizeof(buf));
			/* No byte more for them. */
			ck_assert_int_eq(n, (long)sgw_qmsg_size(ms[k]));
			ck_assert_uint_eq(buf[0] & 0xc0, (m.own_qos ? 0x40u : 0) | (m.own_retain ? 0x80u : 0));
			ck_assert_int_eq(sgw_qmsg_decode(&d, buf, (size_t)n), 0);
			ck_assert_uint_eq(d.qos, m.qos);
			ck_assert(d.retain == m.retain && d.own_qos == m.own_qos &&
				  d.own_retain == m.own_retain && d.reading == m.reading);
			ck_assert(sgw_qmsg_peek_ts(buf, (size_t)n) == m.ts.wall_ms);
		}
	}
	ck_assert_int_eq(sgw_qmsg_decode(&d, old_whole, sizeof(old_whole)), 0);
	ck_assert(!d.own_qos && !d.own_retain && !d.reading && d.seq == 5 && d.ts.wall_ms == 1);
	ck_assert(d.topic_len == 1 && d.payload_len == 1);
	ck_assert_int_eq(sgw_qmsg_decode(&d, old_reading, sizeof(old_reading)), 0);
	ck_assert(!d.own_qos && !d.own_retain && d.reading && d.form == 3 && d.value == -2);
	/* The same message with the uplink's QoS is written as earlier versions wrote it. */
	whole.topic = "t";
	whole.topic_len = 1;
	whole.payload = "x";
	whole.payload_len = 1;
	whole.ts.wall_ms = 1;
	whole.seq = 5;
	whole.retain = false;
	n = sgw_qmsg_encode(&whole, buf, sizeof(buf));
	ck_assert_int_eq(n, (long)sizeof(old_whole));
	ck_assert(memcmp(buf, old_whole, sizeof(old_whole)) == 0);
	reading.qos = 1;
	n = sgw_qmsg_encode(&reading, buf, sizeof(buf));
	ck_assert_int_eq(n, (long)sizeof(old_reading));
	ck_assert(memcmp(buf, old_reading, sizeof(old_reading)) == 0);
	/* Both kinds at once (bits 4 and 5) is no version. */
	buf[0] = 0x71;
	ck_assert_int_eq(sgw_qmsg_decode(&d, buf, (size_t)n), -EBADMSG);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("qmsg");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_extremes);
	tcase_add_test(tc, test_encode_errors);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_reading);
	tcase_add_test(tc, test_unsynced);
	tcase_add_test(tc, test_own_qos_retain);
	suite_add_tcase(s, tc);
	return sgw_test_run(s);
}
