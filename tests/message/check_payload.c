/* SPDX-License-Identifier: MIT */
/* Payload formats: plain and JSON. */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "message/payload.h"

static int fmt(char *buf, size_t cap, enum sgw_format f, const char *unit, int scale,
	       int precision, int32_t v, int64_t ts, uint64_t seq)
{
	struct sgw_channel_config ch = { .name = "q", .unit = (char *)unit,
					 .scale = scale, .precision = precision };
	struct sgw_payload_form form;
	int n;

	sgw_payload_form_of(&form, f, &ch);
	n = sgw_payload_render(buf, cap, &form, v, ts, seq);

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

int main(void)
{
	Suite *s = suite_create("payload");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_plain);
	tcase_add_test(tc, test_json);
	tcase_add_test(tc, test_too_small);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
