/* SPDX-License-Identifier: MIT */
/*
 * Messages and the clock: a reading taken before the clock was
 * synchronised says so in its payload until it is, then gets its wall time,
 * in place (sgw_msg_restamp()) or when it is made; other messages, and
 * readings of another boot, stay as they were made.
 */
#include <check.h>
#include <string.h>

#include "message/msg.h"
#include "tests/fixtures/fakeclock.h"
#include "tests/fixtures/run.h"

static struct fake_clock fc;

static const struct sgw_payload_form celsius = {
	.fmt = SGW_FORMAT_JSON, .scale = 2, .precision = 2, .unit = "\xc2\xb0" "C",
};

static void setup(void)
{
	/* Booted with the time fake-hwclock saved a year and more before. */
	fake_clock_install(&fc, INT64_C(1660000000000), 4000);
}

static void teardown(void)
{
	fake_clock_remove();
}

/* The payload M should have: rendered afresh from its value and sample time. */
static void expect_payload(const struct sgw_msg *m, const char *want)
{
	struct sgw_payload_form f;

	ck_assert_str_eq(sgw_msg_payload(m), want);
	ck_assert_uint_eq(m->payload_len, strlen(want));
	ck_assert(sgw_msg_form(m, &f));
	ck_assert_str_eq(f.unit, celsius.unit);
	ck_assert_uint_eq(f.scale, 2);
	ck_assert_str_eq(sgw_msg_topic(m), "casa/sala/temperatura");
}

START_TEST(test_restamp)
{
	struct sgw_stamp ts = sgw_clock_stamp();
	struct sgw_msg *m = sgw_msg_new_reading(42, &ts, "casa/sala/temperatura", 21, &celsius, 2346);

	ck_assert_ptr_nonnull(m);
	expect_payload(m, "{\"value\":23.46,\"unit\":\"\xc2\xb0" "C\",\"ts\":1660000000000,\"seq\":42,"
		       "\"sync\":false}");
	ck_assert(m->ts.unsynced);
	/* Not synchronised yet: nothing to do. */
	ck_assert(!sgw_msg_restamp(m));
	ck_assert(m->ts.unsynced);

	/* 30 s later the clock is set; at 4000 ms of boot time it was 1700000000000 - 30000. */
	fake_clock_advance(&fc, 30000);
	fake_clock_sync(&fc, INT64_C(1700000000000));
	ck_assert_int_eq(sgw_clock_check(), 1);
	ck_assert(sgw_msg_restamp(m));
	ck_assert(!m->ts.unsynced);
	ck_assert_int_eq(m->ts.wall_ms, INT64_C(1699999970000));
	expect_payload(m, "{\"value\":23.46,\"unit\":\"\xc2\xb0" "C\",\"ts\":1699999970000,\"seq\":42}");
	ck_assert(!sgw_msg_restamp(m));
	sgw_msg_unref(m);
}
END_TEST

START_TEST(test_made_after_sync)
{
	/* Taken before, made into a message after the moment: right at once. */
	struct sgw_stamp ts = sgw_clock_stamp();
	struct sgw_msg *m;

	fake_clock_advance(&fc, 1000);
	fake_clock_sync(&fc, INT64_C(1700000000000));
	ck_assert_int_eq(sgw_clock_check(), 1);
	m = sgw_msg_new_reading(7, &ts, "casa/sala/temperatura", 21, &celsius, -5);
	ck_assert_ptr_nonnull(m);
	ck_assert(!m->ts.unsynced);
	expect_payload(m, "{\"value\":-0.05,\"unit\":\"\xc2\xb0" "C\",\"ts\":1699999999000,\"seq\":7}");
	sgw_msg_unref(m);
}
END_TEST

START_TEST(test_stays)
{
	/* A message made whole (a health report) says what it said. */
	struct sgw_stamp ts = sgw_clock_stamp();
	static const char report[] = "{\"error\":null,\"ts\":1660000000000,\"seq\":3,\"sync\":false}";
	struct sgw_msg *raw = sgw_msg_new(3, &ts, "casa/sala/temperatura/error", 27, report,
					  strlen(report));
	struct sgw_msg *old;

	/* A reading of the boot before, read back from disk after a power cut. */
	fake_clock_reboot(&fc, INT64_C(1660000005000), 3000);
	old = sgw_msg_new_reading(2, &ts, "casa/sala/temperatura", 21, &celsius, 100);
	ck_assert_ptr_nonnull(raw);
	ck_assert_ptr_nonnull(old);
	fake_clock_sync(&fc, INT64_C(1700000000000));
	ck_assert_int_eq(sgw_clock_check(), 1);
	ck_assert(!sgw_msg_restamp(raw));
	ck_assert_str_eq(sgw_msg_payload(raw), report);
	/* Made, a message leaves QoS and retain to the uplink. */
	ck_assert_int_eq(raw->qos, -1);
	ck_assert_int_eq(raw->retain, -1);
	ck_assert_int_eq(old->qos, -1);
	ck_assert_int_eq(old->retain, -1);
	ck_assert(!sgw_msg_restamp(old));
	expect_payload(old, "{\"value\":1.00,\"unit\":\"\xc2\xb0" "C\",\"ts\":1660000000000,\"seq\":2,"
		       "\"sync\":false}");
	sgw_msg_unref(raw);
	sgw_msg_unref(old);
}
END_TEST

START_TEST(test_room)
{
	/* A payload as long as there can be, unsynchronised in 1970, then right. */
	static char unit[SGW_PAYLOAD_MAX];
	struct sgw_payload_form f = celsius;
	struct sgw_stamp ts;
	struct sgw_msg *m;
	char want[SGW_PAYLOAD_MAX];
	int n;

	fake_clock_install(&fc, 0, 0);
	ts = sgw_clock_stamp();
	f.unit = "";
	n = sgw_payload_render(want, sizeof(want), &f, INT32_MIN, &ts, UINT64_MAX);
	ck_assert_int_gt(n, 0);
	memset(unit, 'u', SGW_PAYLOAD_MAX - 1 - (size_t)n);
	f.unit = unit;
	m = sgw_msg_new_reading(UINT64_MAX, &ts, "t", 1, &f, INT32_MIN);
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->payload_len, SGW_PAYLOAD_MAX - 1);
	fake_clock_sync(&fc, INT64_C(9999999999999));
	ck_assert_int_eq(sgw_clock_check(), 1);
	ck_assert(sgw_msg_restamp(m));
	ts.unsynced = false;
	ts.wall_ms = INT64_C(9999999999999);
	n = sgw_payload_render(want, sizeof(want), &f, INT32_MIN, &ts, UINT64_MAX);
	ck_assert_int_gt(n, 0);
	ck_assert_uint_eq(m->payload_len, (size_t)n);
	ck_assert_int_eq(memcmp(sgw_msg_payload(m), want, (size_t)n), 0);
	ck_assert_int_eq(sgw_msg_payload(m)[n], '\0');
	sgw_msg_unref(m);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("msg");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_restamp);
	tcase_add_test(tc, test_made_after_sync);
	tcase_add_test(tc, test_stays);
	tcase_add_test(tc, test_room);
	suite_add_tcase(s, tc);
	return sgw_test_run(s);
}
