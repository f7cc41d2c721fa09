/* SPDX-License-Identifier: MIT */
/*
 * The daemon and the wall clock, with a fake clock and mock uplinks: what
 * the log says at start when the clock is not synchronised, the readings in
 * memory re-stamped and said so at the moment it is, [gateway] clock = rtc,
 * and a clock whose state cannot be read.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "daemon/daemon_int.h"
#include "tests/fixtures/fakeclock.h"
#include "tests/fixtures/logcap.h"
#include "tests/fixtures/run.h"
#include "tests/mocks/mock_uplink.h"
#include "util/log.h"

static struct fake_clock fc;
static struct sgw_config cfg;
static struct sgw_daemon d;
static char log_text[4096];

static const struct sgw_payload_form form = {
	.fmt = SGW_FORMAT_JSON, .scale = 1, .precision = 1, .unit = "%",
};

/* One uplink, offline, no disk queue: what is emitted waits in memory. */
static void setup(void)
{
	static char name[] = "up";

	memset(&cfg, 0, sizeof(cfg));
	cfg.path = "test.ini";
	cfg.gw.name = "gw";
	cfg.gw.status_topic = "t/gw/status";
	cfg.queue.mode = SGW_QUEUE_MODE_OFF;
	cfg.nuplinks = 1;
	cfg.uplinks[0].name = name;
	cfg.uplinks[0].max_inflight = 4;
	cfg.uplinks[0].qos = 1;
	mock_uplinks_reset();
	memset(&d, 0, sizeof(d));
	d.cfg = &cfg;
	d.router = sgw_router_new(&cfg, NULL);
	ck_assert_ptr_nonnull(d.router);
	log_set_level(SGW_LOG_INFO);
	log_set_prefix(1);
	/* Booted in 1970, 2 s ago. */
	fake_clock_install(&fc, 2000, 2000);
}

static void teardown(void)
{
	sgw_router_stop(d.router, 0);
	fake_clock_remove();
}

/* A reading taken now, emitted; a reference is kept in *M. */
static void emit(uint64_t seq, struct sgw_msg **m)
{
	struct sgw_stamp ts = sgw_clock_stamp();

	*m = sgw_msg_new_reading(seq, &ts, "a/h", 3, &form, 500);
	ck_assert_ptr_nonnull(*m);
	sgw_router_emit(d.router, sgw_msg_ref(*m));
}

START_TEST(test_sync_later)
{
	struct sgw_msg *m[3];
	int64_t next;

	test_log_capture_begin();
	sgw_timesync_start(&d, false);
	test_log_capture_end(log_text, sizeof(log_text));
	ck_assert_ptr_nonnull(strstr(log_text, "<6>clock not synchronised yet: readings keep their "
					       "boot time until it is"));
	ck_assert_int_lt(d.next_clock_ns, INT64_MAX);
	for (uint64_t i = 0; i < 3; i++) {
		emit(i + 1, &m[i]);
		fake_clock_advance(&fc, 1000);
	}
	ck_assert(strstr(sgw_msg_payload(m[0]), "\"ts\":2000,\"seq\":1,\"sync\":false}"));

	/* Set at 5000 ms of boot time; seen at the next look, a second after the last. */
	fake_clock_sync(&fc, INT64_C(1700000000000));
	test_log_capture_begin();
	next = sgw_timesync_due(&d, d.next_clock_ns - 1);
	ck_assert_int_eq(next, d.next_clock_ns);
	ck_assert(m[0]->ts.unsynced);
	next = sgw_timesync_due(&d, d.next_clock_ns);
	test_log_capture_end(log_text, sizeof(log_text));
	ck_assert_int_eq(next, INT64_MAX);
	ck_assert_str_eq(log_text, "<6>clock synchronised; 3 readings in memory re-stamped, "
				   "those on disk are as they are sent\n");
	for (uint64_t i = 0; i < 3; i++) {
		char want[96];

		snprintf(want, sizeof(want), "{\"value\":50.0,\"unit\":\"%%\",\"ts\":%lld,\"seq\":%llu}",
			 (long long)(INT64_C(1699999997000) + (int64_t)i * 1000),
			 (unsigned long long)i + 1);
		ck_assert_str_eq(sgw_msg_payload(m[i]), want);
		sgw_msg_unref(m[i]);
	}
	/* Taken from now on: right at once. */
	ck_assert(!sgw_clock_stamp().unsynced);
	ck_assert_int_eq(sgw_timesync_due(&d, INT64_MAX - 1), INT64_MAX);
}
END_TEST

START_TEST(test_synced_at_start)
{
	fake_clock_sync(&fc, INT64_C(1700000000000));
	test_log_capture_begin();
	sgw_timesync_start(&d, false);
	test_log_capture_end(log_text, sizeof(log_text));
	ck_assert_str_eq(log_text, "");
	ck_assert(sgw_clock_synced());
	ck_assert_int_eq(d.next_clock_ns, INT64_MAX);
}
END_TEST

START_TEST(test_rtc)
{
	struct sgw_msg *m;

	/* Started with clock = ntp, unsynchronised; reloaded with clock = rtc. */
	sgw_timesync_start(&d, false);
	emit(1, &m);
	cfg.gw.clock = SGW_CLOCK_RTC;
	test_log_capture_begin();
	sgw_timesync_start(&d, true);
	test_log_capture_end(log_text, sizeof(log_text));
	ck_assert_str_eq(log_text, "<6>clock taken as right ([gateway] clock = rtc); 1 reading in "
				   "memory re-stamped, those on disk are as they are sent\n");
	ck_assert_str_eq(sgw_msg_payload(m), "{\"value\":50.0,\"unit\":\"%\",\"ts\":2000,\"seq\":1}");
	ck_assert_int_eq(d.next_clock_ns, INT64_MAX);
	sgw_msg_unref(m);
}
END_TEST

START_TEST(test_rtc_at_start)
{
	cfg.gw.clock = SGW_CLOCK_RTC;
	test_log_capture_begin();
	sgw_timesync_start(&d, false);
	test_log_capture_end(log_text, sizeof(log_text));
	ck_assert_str_eq(log_text, "");
	ck_assert(!sgw_clock_stamp().unsynced);
	ck_assert_int_eq(sgw_clock_stamp().wall_ms, 2000);
}
END_TEST

START_TEST(test_cannot_tell)
{
	atomic_store(&fc.synced, -EPERM);
	test_log_capture_begin();
	sgw_timesync_start(&d, false);
	test_log_capture_end(log_text, sizeof(log_text));
	ck_assert_str_eq(log_text, "<4>cannot tell whether the clock is synchronised (adjtimex: "
				   "Operation not permitted); sample times are taken as the clock "
				   "gives them\n");
	ck_assert(sgw_clock_synced());
	ck_assert_int_eq(d.next_clock_ns, INT64_MAX);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("timesync");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_sync_later);
	tcase_add_test(tc, test_synced_at_start);
	tcase_add_test(tc, test_rtc);
	tcase_add_test(tc, test_rtc_at_start);
	tcase_add_test(tc, test_cannot_tell);
	suite_add_tcase(s, tc);
	return sgw_test_run(s);
}
