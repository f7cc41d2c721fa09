/* SPDX-License-Identifier: MIT */
/* Pipeline: samples -> per-channel filters -> messages, on a hand-made configuration. */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "message/msg.h"
#include "sense/pipeline.h"
#include "tests/fixtures/run.h"

enum { BME, DOOR, ATTIC, NSENSORS };
enum { TEMP, HUM, PRES };	/* BME's channels */
enum { STATE, LIGHT };		/* DOOR's */

static struct sgw_config cfg;
static struct sgw_sensor_config sc[NSENSORS];

static void set_channel(struct sgw_sensor_config *s, size_t c, char *name, char *unit,
			int scale, int precision, char *topic, char *filter)
{
	struct sgw_channel_config *ch = &s->ch[c];

	ch->name = name;
	ch->unit = unit;
	ch->scale = scale;
	ch->precision = precision;
	ch->topic = topic;
	ch->filter = filter;
	if (s->nchannels <= c)
		s->nchannels = c + 1;
}

/*
 * bme280 (plain): precision below, equal to and above the scale; a filter
 * on two channels.  door (JSON): scale 0 and a unitless channel.  attic: the
 * same filter as bme280's humidity, with a state of its own.
 */
static void setup(void)
{
	memset(sc, 0, sizeof(sc));
	memset(&cfg, 0, sizeof(cfg));
	cfg.nsensors = NSENSORS;
	cfg.sensors = sc;

	sc[BME].name = "bme280";
	sc[BME].format = SGW_FORMAT_PLAIN;
	set_channel(&sc[BME], TEMP, "temperature", "°C", 2, 1, "home/bme280/temperature", NULL);
	set_channel(&sc[BME], HUM, "humidity", "%", 3, 3, "home/bme280/humidity", "ema 0.5");
	set_channel(&sc[BME], PRES, "pressure", "hPa", 1, 2, "home/bme280/pressure", "delta 0.5");

	sc[DOOR].name = "door";
	sc[DOOR].format = SGW_FORMAT_JSON;
	set_channel(&sc[DOOR], STATE, "state", "", 0, 0, "home/door/state", NULL);
	set_channel(&sc[DOOR], LIGHT, "light", "lx", 1, 0, "home/door/light", "");

	sc[ATTIC].name = "attic";
	sc[ATTIC].format = SGW_FORMAT_PLAIN;
	set_channel(&sc[ATTIC], 0, "humidity", "%", 3, 1, "home/attic/humidity", "ema 0.5");
}

struct sink {
	size_t n;
	struct sgw_msg *m[32];
};

static struct sink sink;

static void emit(void *arg, struct sgw_msg *m)
{
	struct sink *k = arg;

	ck_assert_uint_lt(k->n, sizeof(k->m) / sizeof(k->m[0]));
	k->m[k->n++] = m;
}

static void sink_clear(void)
{
	for (size_t i = 0; i < sink.n; i++)
		sgw_msg_unref(sink.m[i]);
	sink.n = 0;
}

static void teardown(void)
{
	sink_clear();
}

static struct sgw_pipeline *pipeline_new(void)
{
	char err[200] = "";
	struct sgw_pipeline *p = sgw_pipeline_new(&cfg, err, sizeof(err));

	ck_assert_msg(p != NULL, "sgw_pipeline_new: %s", err);
	return p;
}

static struct sgw_sample sample(uint32_t sensor, int64_t ts_ms, uint32_t valid, int32_t v0,
				int32_t v1, int32_t v2)
{
	struct sgw_sample s = {
		.sensor = sensor, .ts.wall_ms = ts_ms, .valid = valid,
		.values = { v0, v1, v2 },
	};

	return s;
}

static void expect_msg(size_t i, uint64_t seq, int64_t ts_ms, const char *topic,
		       const char *payload)
{
	const struct sgw_msg *m;

	ck_assert_uint_lt(i, sink.n);
	m = sink.m[i];
	ck_assert_uint_eq(m->seq, seq);
	ck_assert_int_eq(m->ts.wall_ms, ts_ms);
	ck_assert(!m->ts.unsynced);
	ck_assert_str_eq(sgw_msg_topic(m), topic);
	ck_assert_uint_eq(m->topic_len, strlen(topic));
	ck_assert_str_eq(sgw_msg_payload(m), payload);
	ck_assert_uint_eq(m->payload_len, strlen(payload));
	ck_assert(m->reading);
}

/* One message per valid channel, numbered in batch order; topics and payloads exact. */
START_TEST(test_batch_order_topics_payloads)
{
	struct sgw_pipeline *p = pipeline_new();
	struct sgw_sample s[3] = {
		sample(BME, 1000, 0x7, 2346, 45000, 10132),
		sample(DOOR, 2000, 0x3, 1, 1234, 0),
		sample(BME, 3000, 0x7, -5, 47000, 10140),
	};
	uint64_t seq = 100;

	ck_assert_uint_eq(sgw_pipeline_run(p, s, 3, &seq, emit, &sink), 8);
	ck_assert_uint_eq(seq, 108);
	ck_assert_uint_eq(sink.n, 8);
	/* 23.46 to one decimal, 45.000 as is, 1013.2 padded to two. */
	expect_msg(0, 100, 1000, "home/bme280/temperature", "23.5");
	expect_msg(1, 101, 1000, "home/bme280/humidity", "45.000");
	expect_msg(2, 102, 1000, "home/bme280/pressure", "1013.20");
	expect_msg(3, 103, 2000, "home/door/state",
		   "{\"value\":1,\"unit\":\"\",\"ts\":2000,\"seq\":103}");
	expect_msg(4, 104, 2000, "home/door/light",
		   "{\"value\":123,\"unit\":\"lx\",\"ts\":2000,\"seq\":104}");
	/* -0.05 rounds away from zero; the ema halves the step 45 -> 47. */
	expect_msg(5, 105, 3000, "home/bme280/temperature", "-0.1");
	expect_msg(6, 106, 3000, "home/bme280/humidity", "46.000");
	expect_msg(7, 107, 3000, "home/bme280/pressure", "1014.00");
	/* The message remembers the filtered value it was rendered from. */
	ck_assert_int_eq(sink.m[6]->value, 46000);
	ck_assert_uint_eq(sink.m[6]->scale, 3);
	ck_assert_uint_eq(sink.m[4]->fmt, SGW_FORMAT_JSON);

	/* Nothing in, nothing out. */
	ck_assert_uint_eq(sgw_pipeline_run(p, s, 0, &seq, emit, &sink), 0);
	ck_assert_uint_eq(seq, 108);
	sgw_pipeline_free(p);
}
END_TEST

/*
 * A sensor's qos and retain go with each of its messages; a sensor
 * without them leaves both to the uplinks (-1).
 */
START_TEST(test_qos_retain)
{
	struct sgw_pipeline *p;
	struct sgw_sample s[3] = {
		sample(BME, 1000, 0x1, 2346, 0, 0),
		sample(DOOR, 2000, 0x3, 1, 1234, 0),
		sample(ATTIC, 3000, 0x1, 50000, 0, 0),
	};
	uint64_t seq = 1;

	sc[BME].has_qos = true;
	sc[BME].qos = 0;
	sc[BME].has_retain = true;
	sc[BME].retain = true;
	sc[DOOR].has_qos = true;
	sc[DOOR].qos = 2;
	sc[DOOR].has_retain = true;
	sc[DOOR].retain = false;
	p = pipeline_new();
	ck_assert_uint_eq(sgw_pipeline_run(p, s, 3, &seq, emit, &sink), 4);
	ck_assert_int_eq(sink.m[0]->qos, 0);
	ck_assert_int_eq(sink.m[0]->retain, 1);
	ck_assert_int_eq(sgw_msg_qos(sink.m[0], 1), 0);
	ck_assert(sgw_msg_retain(sink.m[0], false));
	for (size_t i = 1; i < 3; i++) {
		ck_assert_str_eq(sgw_msg_topic(sink.m[i]), i == 1 ? "home/door/state" : "home/door/light");
		ck_assert_int_eq(sink.m[i]->qos, 2);
		ck_assert_int_eq(sink.m[i]->retain, 0);
		ck_assert(!sgw_msg_retain(sink.m[i], true));
	}
	ck_assert_int_eq(sink.m[3]->qos, -1);
	ck_assert_int_eq(sink.m[3]->retain, -1);
	ck_assert_int_eq(sgw_msg_qos(sink.m[3], 1), 1);
	ck_assert(sgw_msg_retain(sink.m[3], true));
	ck_assert(!sgw_msg_retain(sink.m[3], false));
	sgw_pipeline_free(p);
}
END_TEST

/*
 * A channel without its valid bit and a sample with an error make no
 * message, take no number and leave the filters alone.
 */
START_TEST(test_invalid_and_failed_skipped)
{
	struct sgw_pipeline *p = pipeline_new();
	struct sgw_sample s[4] = {
		sample(BME, 10, 0x7, 2000, 40000, 10000),
		sample(BME, 20, 0x5, 2100, 0, 10100),	/* humidity not read */
		sample(DOOR, 30, 0x3, 0, 55, 0),
		sample(BME, 40, 0x2, 0, 40000, 0),	/* humidity only */
	};
	uint64_t seq = 7;

	s[2].err = -EIO;
	ck_assert_uint_eq(sgw_pipeline_run(p, s, 4, &seq, emit, &sink), 6);
	ck_assert_uint_eq(seq, 13);
	expect_msg(0, 7, 10, "home/bme280/temperature", "20.0");
	expect_msg(1, 8, 10, "home/bme280/humidity", "40.000");
	expect_msg(2, 9, 10, "home/bme280/pressure", "1000.00");
	expect_msg(3, 10, 20, "home/bme280/temperature", "21.0");
	expect_msg(4, 11, 20, "home/bme280/pressure", "1010.00");
	/* The ema never saw the 0 of the invalid channel. */
	expect_msg(5, 12, 40, "home/bme280/humidity", "40.000");
	sgw_pipeline_free(p);
}
END_TEST

/* delta: a value held back is no message and no number; states are per channel. */
START_TEST(test_filters_per_channel)
{
	static const int32_t pres[] = { 10000, 10003, 10006, 10010, 10012 };
	static const size_t made[] = { 1, 0, 1, 0, 1 };
	static const char *const want[] = { "1000.00", NULL, "1000.60", NULL, "1001.20" };
	struct sgw_sample two[3] = {
		sample(BME, 1, 0x2, 0, 0, 0),
		sample(ATTIC, 2, 0x1, 10000, 0, 0),
		sample(BME, 3, 0x2, 0, 10000, 0),
	};
	struct sgw_pipeline *p = pipeline_new();
	uint64_t seq = 0, before;
	size_t k = 0;

	for (size_t i = 0; i < sizeof(pres) / sizeof(pres[0]); i++) {
		struct sgw_sample s = sample(BME, (int64_t)i, 0x4, 0, 0, pres[i]);

		before = seq;
		ck_assert_uint_eq(sgw_pipeline_run(p, &s, 1, &seq, emit, &sink), made[i]);
		ck_assert_uint_eq(seq, before + made[i]);
		if (want[i]) {
			expect_msg(k, before, (int64_t)i, "home/bme280/pressure", want[i]);
			k++;
		}
		ck_assert_uint_eq(sink.n, k);
	}
	ck_assert_uint_eq(seq, 3);
	sink_clear();

	/*
	 * bme280's humidity and attic's humidity have the same chain but not
	 * the same state: attic's first value primes its own ema.
	 */
	ck_assert_uint_eq(sgw_pipeline_run(p, two, 3, &seq, emit, &sink), 3);
	expect_msg(0, 3, 1, "home/bme280/humidity", "0.000");
	expect_msg(1, 4, 2, "home/attic/humidity", "10.0");
	expect_msg(2, 5, 3, "home/bme280/humidity", "5.000");
	sgw_pipeline_free(p);
}
END_TEST

/*
 * heartbeat: a value the delta holds back goes out all the same once the
 * channel has been silent for the heartbeat, counted in due time from its
 * last message; a change the delta lets through restarts the count.
 */
START_TEST(test_heartbeat)
{
	/* Every second: steady 1000.00 hPa, one step at 7 s. */
	static const int32_t pres[] = { 10000, 10000, 10001, 10000, 10000, 10000, 10000,
					10020, 10020, 10020, 10021, 10020, 10020, 10020 };
	/* At 0 s, 5 s (heartbeat), 7 s (the step), 12 s (heartbeat). */
	static const char *const want[] = { "1000.00", NULL, NULL, NULL, NULL, "1000.00", NULL,
					    "1002.00", NULL, NULL, NULL, NULL, "1002.00", NULL };
	struct sgw_pipeline *p;
	uint64_t seq = 0;
	size_t k = 0;

	sc[BME].heartbeat_ms = 5000;
	p = pipeline_new();
	for (size_t i = 0; i < sizeof(pres) / sizeof(pres[0]); i++) {
		struct sgw_sample s = sample(BME, (int64_t)i * 1000, 0x4, 0, 0, pres[i]);

		s.due_ns = 7000000000 + (int64_t)i * 1000000000;
		ck_assert_uint_eq(sgw_pipeline_run(p, &s, 1, &seq, emit, &sink), want[i] ? 1 : 0);
		if (want[i]) {
			expect_msg(k, k, (int64_t)i * 1000, "home/bme280/pressure", want[i]);
			k++;
		}
		ck_assert_uint_eq(sink.n, k);
	}
	ck_assert_uint_eq(seq, 4);
	sgw_pipeline_free(p);
	sink_clear();

	/* Off (0): the same input makes two messages, the first and the step. */
	sc[BME].heartbeat_ms = 0;
	p = pipeline_new();
	seq = 0;
	for (size_t i = 0; i < sizeof(pres) / sizeof(pres[0]); i++) {
		struct sgw_sample s = sample(BME, (int64_t)i * 1000, 0x4, 0, 0, pres[i]);

		s.due_ns = (int64_t)i * 1000000000;
		sgw_pipeline_run(p, &s, 1, &seq, emit, &sink);
	}
	ck_assert_uint_eq(sink.n, 2);
	expect_msg(0, 0, 0, "home/bme280/pressure", "1000.00");
	expect_msg(1, 1, 7000, "home/bme280/pressure", "1002.00");
	sgw_pipeline_free(p);
}
END_TEST

static void expect_refused(size_t sensor, size_t ch, char *filter, const char *want_prefix,
			   const char *want_why)
{
	char *saved = sc[sensor].ch[ch].filter;
	struct sgw_pipeline *p;
	char err[200];

	sc[sensor].ch[ch].filter = filter;
	memset(err, 'x', sizeof(err));
	errno = 0;
	p = sgw_pipeline_new(&cfg, err, sizeof(err));
	ck_assert_ptr_null(p);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_msg(strncmp(err, want_prefix, strlen(want_prefix)) == 0,
		      "\"%s\" does not start with \"%s\"", err, want_prefix);
	ck_assert_msg(strstr(err, want_why) != NULL, "\"%s\" does not say \"%s\"", err, want_why);
	sc[sensor].ch[ch].filter = saved;
}

/* A bad spec is refused with the sensor, the quantity and the spec named. */
START_TEST(test_bad_filter_refused)
{
	char err[16];

	expect_refused(BME, HUM, "ema 2", "[sensor bme280] humidity filter \"ema 2\": ", "(0, 1]");
	/* 0.05 is finer than the one decimal pressure carries. */
	expect_refused(BME, PRES, "delta 0.05", "[sensor bme280] pressure filter \"delta 0.05\": ",
		       "more than 1 decimal");
	/* After channels whose chains were already made (ASan sees them freed). */
	expect_refused(ATTIC, 0, "median 2", "[sensor attic] humidity filter \"median 2\": ", "");
	/* A short buffer still gets a terminated message. */
	sc[DOOR].ch[STATE].filter = "frobnicate 3";
	ck_assert_ptr_null(sgw_pipeline_new(&cfg, err, sizeof(err)));
	ck_assert_uint_eq(strlen(err), sizeof(err) - 1);
	ck_assert_str_eq(err, "[sensor door] s");
}
END_TEST

static Suite *pipeline_suite(void)
{
	Suite *s = suite_create("pipeline");
	TCase *tc = tcase_create("run");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_batch_order_topics_payloads);
	tcase_add_test(tc, test_qos_retain);
	tcase_add_test(tc, test_invalid_and_failed_skipped);
	tcase_add_test(tc, test_filters_per_channel);
	tcase_add_test(tc, test_heartbeat);
	tcase_add_test(tc, test_bad_filter_refused);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return sgw_test_run(pipeline_suite());
}
