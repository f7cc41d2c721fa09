/* SPDX-License-Identifier: MIT */
/*
 * Sensor health with a fake clock: timeouts, quarantine with backoff, the
 * error reports (topics, payloads, numbering, once per change), late
 * answers, and --once's count.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/health.h"
#include "drivers/driver.h"
#include "tests/fixtures/fakeclock.h"
#include "tests/fixtures/run.h"

#define MS 1000000LL
#define MAXMSG 64

static const struct sgw_driver fake_driver = { .name = "fake" };

static struct sgw_sensor_config sensors[2];
static struct sgw_config cfg;
static struct sgw_msg *got[MAXMSG];
static size_t ngot;
static uint64_t next_seq;

static uint64_t take_seq(void *arg)
{
	(void)arg;
	return next_seq++;
}

static void collect(void *arg, struct sgw_msg *m)
{
	(void)arg;
	ck_assert_uint_lt(ngot, MAXMSG);
	got[ngot++] = m;
}

static const struct sgw_health_sink sink = { .take_seq = take_seq, .emit = collect };

/* Sensor 0: plain, two quantities; sensor 1: JSON, one.  Both every 1 s, timeout 200 ms. */
static void setup(void)
{
	static char *topics[3] = { "h/a/t", "h/a/h", "h/b/t" };

	memset(sensors, 0, sizeof(sensors));
	memset(&cfg, 0, sizeof(cfg));
	for (int i = 0; i < 2; i++) {
		sensors[i].name = i ? "b" : "a";
		sensors[i].driver = &fake_driver;
		sensors[i].interval_ms = 1000;
		sensors[i].timeout_ms = 200;
	}
	sensors[0].format = SGW_FORMAT_PLAIN;
	sensors[0].nchannels = 2;
	sensors[0].ch[0].topic = topics[0];
	sensors[0].ch[1].topic = topics[1];
	sensors[1].format = SGW_FORMAT_JSON;
	sensors[1].nchannels = 1;
	sensors[1].ch[0].topic = topics[2];
	cfg.nsensors = 2;
	cfg.sensors = sensors;
	ngot = 0;
	next_seq = 100;
}

static void teardown(void)
{
	for (size_t i = 0; i < ngot; i++)
		sgw_msg_unref(got[i]);
}

static struct sgw_sample sample(uint32_t sensor, int err, int64_t due)
{
	return (struct sgw_sample){ .sensor = sensor, .err = err, .due_ns = due, .valid = 1 };
}

START_TEST(test_failure_reported_once_then_recovery)
{
	struct sgw_health *h = sgw_health_new(&cfg, &sink, 0);
	struct sgw_sample s;

	ck_assert_ptr_nonnull(h);
	ck_assert(sgw_health_may_request(h, 0, 0));
	sgw_health_requested(h, 0, 0);
	s = sample(0, -EIO, 1);
	ck_assert(!sgw_health_result(h, &s, 10 * MS));
	/* One report per quantity, on <topic>/error, the error text. */
	ck_assert_uint_eq(ngot, 2);
	ck_assert_str_eq(sgw_msg_topic(got[0]), "h/a/t/error");
	ck_assert_str_eq(sgw_msg_topic(got[1]), "h/a/h/error");
	ck_assert_str_eq(sgw_msg_payload(got[0]), strerror(EIO));
	ck_assert_uint_eq(got[0]->seq, 100);
	ck_assert_uint_eq(got[1]->seq, 101);
	ck_assert_uint_eq(sgw_health_failing(h), 1);

	/* Quarantined: not asked again before the backoff (at least the interval). */
	ck_assert(!sgw_health_may_request(h, 0, 500 * MS));
	ck_assert(sgw_health_may_request(h, 0, 10 * MS + 1000 * MS));
	/* The same error again: no new report. */
	s = sample(0, -EIO, 2);
	ck_assert(!sgw_health_result(h, &s, 1200 * MS));
	ck_assert_uint_eq(ngot, 2);
	/* Another error: reported. */
	s = sample(0, -ENXIO, 3);
	ck_assert(!sgw_health_result(h, &s, 5000 * MS));
	ck_assert_uint_eq(ngot, 4);
	ck_assert_str_eq(sgw_msg_payload(got[2]), strerror(ENXIO));
	/* It answers again: "ok", and it is a reading to publish. */
	s = sample(0, 0, 4);
	ck_assert(sgw_health_result(h, &s, 20000 * MS));
	ck_assert_uint_eq(ngot, 6);
	ck_assert_str_eq(sgw_msg_payload(got[4]), "ok");
	ck_assert_uint_eq(sgw_health_failing(h), 0);
	/* Backoff reset: asked at once. */
	ck_assert(sgw_health_may_request(h, 0, 20000 * MS));
	sgw_health_free(h);
}
END_TEST

START_TEST(test_json_report)
{
	struct sgw_health *h = sgw_health_new(&cfg, &sink, 0);
	struct sgw_sample s = sample(1, -ETIMEDOUT, 1);
	struct fake_clock fc;
	char want[128];

	/* Stamped with the clock as it is; "sync":false while it is not synchronised. */
	fake_clock_install(&fc, INT64_C(1660000000000), 3000);
	ck_assert(!sgw_health_result(h, &s, 0));
	ck_assert_uint_eq(ngot, 1);
	snprintf(want, sizeof(want), "{\"error\":\"%s\",\"failures\":1,\"ts\":1660000000000,"
		 "\"seq\":100,\"sync\":false}", strerror(ETIMEDOUT));
	ck_assert_str_eq(sgw_msg_payload(got[0]), want);
	ck_assert(got[0]->ts.unsynced);
	fake_clock_sync(&fc, INT64_C(1700000000000));
	ck_assert_int_eq(sgw_clock_check(), 1);
	s = sample(1, 0, 2);
	ck_assert(sgw_health_result(h, &s, 0));
	ck_assert_str_eq(sgw_msg_payload(got[1]),
			 "{\"error\":null,\"failures\":1,\"ts\":1700000000000,\"seq\":101}");
	ck_assert(!got[1]->ts.unsynced);
	sgw_health_free(h);
	fake_clock_remove();
}
END_TEST

START_TEST(test_timeout_then_late_answer)
{
	struct sgw_health *h = sgw_health_new(&cfg, &sink, 0);
	struct sgw_sample s;

	sgw_health_requested(h, 1, 0);
	ck_assert_int_eq(sgw_health_check(h, 100 * MS), 200 * MS);
	ck_assert_uint_eq(ngot, 0);
	/* Past the timeout: a failure, reported. */
	ck_assert_int_eq(sgw_health_check(h, 200 * MS), INT64_MAX);
	ck_assert_uint_eq(ngot, 1);
	ck_assert_uint_eq(sgw_health_failing(h), 1);
	/* The answer comes after all: dropped, not counted twice, not a recovery. */
	s = sample(1, 0, 1);
	ck_assert(!sgw_health_result(h, &s, 300 * MS));
	ck_assert_uint_eq(ngot, 1);
	ck_assert_uint_eq(sgw_health_failing(h), 1);
	/* An event (no request, due 0) is a reading. */
	s = sample(1, 0, 0);
	ck_assert(sgw_health_result(h, &s, 400 * MS));
	sgw_health_free(h);
}
END_TEST

START_TEST(test_once_counts_each_sensor_once)
{
	struct sgw_health *h = sgw_health_new(&cfg, &sink, 0);
	struct sgw_sample s;

	sgw_health_start_once(h);
	ck_assert_uint_eq(sgw_health_once_waiting(h), 2);
	/* Events of sensor 1 count once, however many. */
	s = sample(1, 0, 0);
	sgw_health_result(h, &s, 0);
	sgw_health_result(h, &s, 0);
	ck_assert_uint_eq(sgw_health_once_waiting(h), 1);
	ck_assert_uint_eq(sgw_health_once_failed(h), 0);
	sgw_health_requested(h, 0, 0);
	sgw_health_check(h, 1000 * MS);
	ck_assert_uint_eq(sgw_health_once_waiting(h), 0);
	ck_assert_uint_eq(sgw_health_once_failed(h), 1);
	sgw_health_free(h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("health");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_failure_reported_once_then_recovery);
	tcase_add_test(tc, test_json_report);
	tcase_add_test(tc, test_timeout_then_late_answer);
	tcase_add_test(tc, test_once_counts_each_sensor_once);
	suite_add_tcase(s, tc);
	return sgw_test_run(s);
}
