/* SPDX-License-Identifier: MIT */
/* Payload formats: plain and JSON; readings in JSON with their topic, and batches. */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "message/payload.h"
#include "tests/fixtures/bounded.h"
#include "tests/fixtures/run.h"

static int fmt(char *buf, size_t cap, enum sgw_format f, const char *unit, int scale,
	       int precision, int32_t v, int64_t ts, uint64_t seq)
{
	struct sgw_channel_config ch = { .name = "q", .unit = (char *)unit,
					 .scale = scale, .precision = precision };
	struct sgw_payload_form form;
	struct sgw_stamp t = { .wall_ms = ts };
	int n;

	sgw_payload_form_of(&form, f, &ch);
	n = sgw_payload_render(buf, cap, &form, v, &t, seq);

	if (n >= 0)
		buf[n] = '\0';
	return n;
}

START_TEST(test_plain)
{
	char b[64];

	ck_assert_int_eq(fmt(b, sizeof(b), SGW_FORMAT_PLAIN, "°C", 2, 2, 2346, 0, 0), 5);
	ck_assert_str_eq(b, "23.46");
	fmt(b, sizeof(b), SGW_FORMAT_PLAIN, "°C", 2, 1, 2346, 0, 0);
	ck_assert_str_eq(b, "23.5");
	fmt(b, sizeof(b), SGW_FORMAT_PLAIN, "°C", 2, 1, -2345, 0, 0);
	ck_assert_str_eq(b, "-23.5");	/* half away from zero */
	fmt(b, sizeof(b), SGW_FORMAT_PLAIN, "°C", 2, 1, -4, 0, 0);
	ck_assert_str_eq(b, "0.0");	/* no "-0.0" */
	fmt(b, sizeof(b), SGW_FORMAT_PLAIN, "", 0, 0, 1, 0, 0);
	ck_assert_str_eq(b, "1");
	fmt(b, sizeof(b), SGW_FORMAT_PLAIN, "", 3, 0, 48312, 0, 0);
	ck_assert_str_eq(b, "48");
	fmt(b, sizeof(b), SGW_FORMAT_PLAIN, "", 0, 2, 7, 0, 0);
	ck_assert_str_eq(b, "7.00");
	fmt(b, sizeof(b), SGW_FORMAT_PLAIN, "", 3, 3, 5, 0, 0);
	ck_assert_str_eq(b, "0.005");
	fmt(b, sizeof(b), SGW_FORMAT_PLAIN, "", 2, 2, INT32_MIN, 0, 0);
	ck_assert_str_eq(b, "-21474836.48");
	fmt(b, sizeof(b), SGW_FORMAT_PLAIN, "", 0, 9, INT32_MAX, 0, 0);
	ck_assert_str_eq(b, "2147483647.000000000");
}
END_TEST

START_TEST(test_json)
{
	char b[256];
	int n = fmt(b, sizeof(b), SGW_FORMAT_JSON, "°C", 2, 2, 2346, 1700000000123LL, 42);

	ck_assert_str_eq(b, "{\"value\":23.46,\"unit\":\"°C\",\"ts\":1700000000123,\"seq\":42}");
	ck_assert_int_eq(n, (int)strlen(b));
	fmt(b, sizeof(b), SGW_FORMAT_JSON, "a\"b\\c\n\x01", 0, 0, -7, 1, 18446744073709551615ull);
	ck_assert_str_eq(b, "{\"value\":-7,\"unit\":\"a\\\"b\\\\c\\n\\u0001\",\"ts\":1,\"seq\":18446744073709551615}");
}
END_TEST

START_TEST(test_too_small)
{
	char b[64];

	ck_assert_int_eq(fmt(b, 3, SGW_FORMAT_PLAIN, "", 2, 2, 2346, 0, 0), -ENOSPC);
	ck_assert_int_eq(fmt(b, 20, SGW_FORMAT_JSON, "", 2, 2, 2346, 0, 0), -ENOSPC);
}
END_TEST

static const struct sgw_payload_form celsius = {
	.fmt = SGW_FORMAT_JSON, .scale = 2, .precision = 2, .unit = "\xc2\xb0" "C",
};

static const struct sgw_payload_reading reading = {
	.topic = NULL, .form = &celsius, .value = 2346, .ts_ms = 1700000000123, .seq = 42,
};

/* One reading's object as a document of its own. */
static ssize_t write_reading(char *dst, size_t cap, const void *arg)
{
	struct sgw_json w;

	sgw_json_init(&w, dst, cap);
	sgw_payload_json(&w, arg);
	return sgw_json_finish(&w);
}

struct batch {
	const struct sgw_payload_reading *r;
	size_t n;
};

static ssize_t write_batch(char *dst, size_t cap, const void *arg)
{
	const struct batch *b = arg;

	return sgw_payload_json_batch(dst, cap, b->r, b->n);
}

START_TEST(test_reading_exact)
{
	struct sgw_payload_reading r = reading;
	struct sgw_payload_form f = celsius;

	test_check_bounded(write_reading, &r,
			   "{\"value\":23.46,\"unit\":\"\xc2\xb0" "C\",\"ts\":1700000000123,\"seq\":42}");
	r.topic = "casa/sala/temperatura";
	r.topic_len = strlen(r.topic);
	r.value = -5;
	r.form = &f;
	f.precision = 1;	/* -0.05 -> -0.1 */
	test_check_bounded(write_reading, &r,
			   "{\"topic\":\"casa/sala/temperatura\",\"value\":-0.1,\"unit\":\"\xc2\xb0"
			   "C\",\"ts\":1700000000123,\"seq\":42}");
	/* The topic is LEN bytes: what follows them is not part of it. */
	r.topic_len = 9;
	test_check_bounded(write_reading, &r,
			   "{\"topic\":\"casa/sala\",\"value\":-0.1,\"unit\":\"\xc2\xb0"
			   "C\",\"ts\":1700000000123,\"seq\":42}");
	/* No unit: empty string; extremes of the integers. */
	r = reading;
	r.form = &f;
	f = celsius;
	f.unit = NULL;
	f.scale = 0;
	f.precision = 0;
	r.value = INT32_MIN;
	r.ts_ms = INT64_MIN;
	r.seq = UINT64_MAX;
	test_check_bounded(write_reading, &r,
			   "{\"value\":-2147483648,\"unit\":\"\",\"ts\":-9223372036854775808,"
			   "\"seq\":18446744073709551615}");
	f.unit = "";
	r.value = 0;
	r.ts_ms = 0;
	r.seq = 0;
	test_check_bounded(write_reading, &r, "{\"value\":0,\"unit\":\"\",\"ts\":0,\"seq\":0}");
	/* Read before the clock was synchronised: said after the sequence number. */
	r.unsynced = true;
	r.ts_ms = 61000;
	test_check_bounded(write_reading, &r,
			   "{\"value\":0,\"unit\":\"\",\"ts\":61000,\"seq\":0,\"sync\":false}");
}
END_TEST

START_TEST(test_reading_escaped)
{
	struct sgw_payload_reading r = reading;
	struct sgw_payload_form f = celsius;

	r.topic = "x\"y";
	r.topic_len = 3;
	r.form = &f;
	f.unit = "\\";
	test_check_bounded(write_reading, &r,
			   "{\"topic\":\"x\\\"y\",\"value\":23.46,\"unit\":\"\\\\\","
			   "\"ts\":1700000000123,\"seq\":42}");
}
END_TEST

START_TEST(test_batch)
{
	struct sgw_payload_reading r[3] = { reading, reading, reading };
	struct sgw_payload_form humidity = { .fmt = SGW_FORMAT_JSON, .scale = 2, .precision = 1,
					     .unit = "%" };
	struct batch b = { r, 0 };

	test_check_bounded(write_batch, &b, "[]");
	r[0].topic = "a/t";
	r[0].topic_len = 3;
	r[1].topic = "a/h";
	r[1].topic_len = 3;
	r[1].form = &humidity;
	r[1].value = 5012;
	r[1].seq = 43;
	b.n = 1;
	test_check_bounded(write_batch, &b,
			   "[{\"topic\":\"a/t\",\"value\":23.46,\"unit\":\"\xc2\xb0" "C\",\"ts\":1700000000123,"
			   "\"seq\":42}]");
	b.n = 3;
	test_check_bounded(write_batch, &b,
			   "[{\"topic\":\"a/t\",\"value\":23.46,\"unit\":\"\xc2\xb0" "C\",\"ts\":1700000000123,"
			   "\"seq\":42},"
			   "{\"topic\":\"a/h\",\"value\":50.1,\"unit\":\"%\",\"ts\":1700000000123,\"seq\":43},"
			   "{\"value\":23.46,\"unit\":\"\xc2\xb0" "C\",\"ts\":1700000000123,\"seq\":42}]");
}
END_TEST

/* The array as the JSON writer makes it from each reading's object. */
static char *writer_batch(const struct sgw_payload_reading *r, size_t n)
{
	size_t cap = 4096 + n * 256;
	char *buf = malloc(cap);
	struct sgw_json w;

	ck_assert_ptr_nonnull(buf);
	sgw_json_init(&w, buf, cap);
	sgw_json_array_begin(&w);
	for (size_t i = 0; i < n; i++)
		sgw_payload_json(&w, &r[i]);
	sgw_json_array_end(&w);
	ck_assert_int_lt(sgw_json_finish(&w), (ssize_t)cap);
	return buf;
}

START_TEST(test_batch_many)
{
	/*
	 * More readings than the packer takes at once, of several forms, some
	 * without topic, one with a topic longer than the scratch space used
	 * when the array is cut short: the writer's text at every capacity.
	 */
	enum { N = 20 };
	static const char *const topics[] = { "casa/sala/temperatura", "a/\"q\"", "", "x/\x01/y" };
	static char long_topic[400];
	struct sgw_payload_form forms[3] = {
		celsius,
		{ .fmt = SGW_FORMAT_JSON, .scale = 2, .precision = 1, .unit = "%" },
		{ .fmt = SGW_FORMAT_JSON, .scale = 0, .precision = 3, .unit = NULL },
	};
	struct sgw_payload_reading r[N];
	struct batch b = { r, N };
	char *want;

	for (size_t i = 0; i < N; i++) {
		r[i] = (struct sgw_payload_reading){
			.topic = i % 5 == 4 ? NULL : topics[i % 4],
			.form = &forms[i % 3], .value = (int32_t)(i * 7919) - 100000,
			.ts_ms = 1700000000123 + (int64_t)i * 250, .seq = 42 + i,
		};
		r[i].topic_len = r[i].topic ? strlen(r[i].topic) : 0;
	}
	want = writer_batch(r, N);
	test_check_bounded(write_batch, &b, want);
	free(want);
	memset(long_topic, 'L', sizeof(long_topic));
	long_topic[100] = '"';
	long_topic[399] = '\\';
	r[17].topic = long_topic;
	r[17].topic_len = sizeof(long_topic);
	want = writer_batch(r, N);
	test_check_bounded(write_batch, &b, want);
	free(want);
	/* Unsynced readings among them, first and last too: the writer writes those. */
	for (size_t i = 0; i < N; i += 3)
		r[i].unsynced = true;
	r[17].unsynced = true;
	r[N - 1].unsynced = true;
	want = writer_batch(r, N);
	ck_assert_ptr_nonnull(strstr(want, "\"seq\":42,\"sync\":false}"));
	test_check_bounded(write_batch, &b, want);
	free(want);
}
END_TEST

START_TEST(test_render_is_the_reading)
{
	/* sgw_payload_render() in JSON is the reading's object, without topic. */
	char a[SGW_PAYLOAD_MAX], b[SGW_PAYLOAD_MAX];
	const struct sgw_stamp ts = { .wall_ms = 1700000000123 };
	int n = sgw_payload_render(a, sizeof(a), &celsius, 2346, &ts, 42);

	ck_assert_int_eq(write_reading(b, sizeof(b), &reading), n);
	ck_assert_int_eq(memcmp(a, b, (size_t)n), 0);
	/* It fails when the NUL does not fit either. */
	ck_assert_int_eq(sgw_payload_render(a, (size_t)n, &celsius, 2346, &ts, 42), -ENOSPC);
	ck_assert_int_eq(sgw_payload_render(a, (size_t)n + 1, &celsius, 2346, &ts, 42), n);
}
END_TEST

START_TEST(test_render_unsynced)
{
	/* The stamp's wall time as read, and "sync":false; its boot time is not shown. */
	const struct sgw_stamp ts = { .wall_ms = 1510000004321, .boot_ms = 4321, .boot = 7,
				      .unsynced = true };
	struct sgw_payload_form plain = celsius;
	char a[SGW_PAYLOAD_MAX];
	int n = sgw_payload_render(a, sizeof(a), &celsius, 2346, &ts, 42);

	ck_assert_int_gt(n, 0);
	a[n] = '\0';
	ck_assert_str_eq(a, "{\"value\":23.46,\"unit\":\"\xc2\xb0" "C\",\"ts\":1510000004321,"
			 "\"seq\":42,\"sync\":false}");
	/* A plain payload has no time to mark. */
	plain.fmt = SGW_FORMAT_PLAIN;
	n = sgw_payload_render(a, sizeof(a), &plain, 2346, &ts, 42);
	ck_assert_int_eq(n, 5);
	ck_assert_int_eq(memcmp(a, "23.46", 5), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("payload");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_plain);
	tcase_add_test(tc, test_json);
	tcase_add_test(tc, test_too_small);
	tcase_add_test(tc, test_reading_exact);
	tcase_add_test(tc, test_reading_escaped);
	tcase_add_test(tc, test_batch);
	tcase_add_test(tc, test_batch_many);
	tcase_add_test(tc, test_render_is_the_reading);
	tcase_add_test(tc, test_render_unsynced);
	suite_add_tcase(s, tc);
	return sgw_test_run(s);
}
