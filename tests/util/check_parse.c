/* SPDX-License-Identifier: MIT */
/* Strict value parsers: what they accept, and everything they must refuse. */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fixtures/run.h"
#include "util/parse.h"

START_TEST(test_long)
{
	long v = 7;

	ck_assert_int_eq(sgw_parse_long("42", 0, 100, &v), 0);
	ck_assert_int_eq(v, 42);
	ck_assert_int_eq(sgw_parse_long("-5", -10, 10, &v), 0);
	ck_assert_int_eq(v, -5);
	ck_assert_int_eq(sgw_parse_long("0", 0, 0, &v), 0);
	ck_assert_int_eq(v, 0);
	v = 7;
	/* strtol() would take all of these; we do not. */
	ck_assert_int_eq(sgw_parse_long(" 5", 0, 10, &v), -EINVAL);
	ck_assert_int_eq(sgw_parse_long("5 ", 0, 10, &v), -EINVAL);
	ck_assert_int_eq(sgw_parse_long("+5", 0, 10, &v), -EINVAL);
	ck_assert_int_eq(sgw_parse_long("0x10", 0, 100, &v), -EINVAL);
	ck_assert_int_eq(sgw_parse_long("10x", 0, 100, &v), -EINVAL);
	ck_assert_int_eq(sgw_parse_long("", 0, 10, &v), -EINVAL);
	ck_assert_int_eq(sgw_parse_long("-", 0, 10, &v), -EINVAL);
	ck_assert_int_eq(sgw_parse_long("1.0", 0, 10, &v), -EINVAL);
	ck_assert_int_eq(sgw_parse_long(NULL, 0, 10, &v), -EINVAL);
	ck_assert_int_eq(sgw_parse_long("11", 0, 10, &v), -ERANGE);
	ck_assert_int_eq(sgw_parse_long("-1", 0, 10, &v), -ERANGE);
	ck_assert_int_eq(sgw_parse_long("99999999999999999999", 0, LONG_MAX, &v), -ERANGE);
	ck_assert_int_eq(v, 7);	/* untouched on failure */
	ck_assert_int_eq(sgw_parse_long("4294967295", 0, 4294967295L, &v), 0);
	ck_assert_int_eq(v, 4294967295L);
}
END_TEST

START_TEST(test_fixed)
{
	int64_t v = 7;

	ck_assert_int_eq(sgw_parse_fixed("23.5", 2, -100000, 100000, &v), 0);
	ck_assert_int_eq(v, 2350);
	ck_assert_int_eq(sgw_parse_fixed("23.46", 2, -100000, 100000, &v), 0);
	ck_assert_int_eq(v, 2346);
	ck_assert_int_eq(sgw_parse_fixed("0.05", 3, 0, 1000, &v), 0);
	ck_assert_int_eq(v, 50);
	ck_assert_int_eq(sgw_parse_fixed("-0.05", 3, -1000, 1000, &v), 0);
	ck_assert_int_eq(v, -50);
	ck_assert_int_eq(sgw_parse_fixed("12", 0, 0, 100, &v), 0);
	ck_assert_int_eq(v, 12);
	ck_assert_int_eq(sgw_parse_fixed("-0", 2, -1, 1, &v), 0);
	ck_assert_int_eq(v, 0);
	ck_assert_int_eq(sgw_parse_fixed("9223372036854775807", 0, INT64_MIN, INT64_MAX, &v), 0);
	ck_assert(v == INT64_MAX);
	ck_assert_int_eq(sgw_parse_fixed("-9223372036854775808", 0, INT64_MIN, INT64_MAX, &v), 0);
	ck_assert(v == INT64_MIN);
	ck_assert_int_eq(sgw_parse_fixed("-922337203685477580.8", 1, INT64_MIN, INT64_MAX, &v), 0);
	ck_assert(v == INT64_MIN);
	v = 7;
	ck_assert_int_eq(sgw_parse_fixed("9223372036854775808", 0, INT64_MIN, INT64_MAX, &v), -ERANGE);
	ck_assert_int_eq(sgw_parse_fixed("-9223372036854775809", 0, INT64_MIN, INT64_MAX, &v), -ERANGE);
	ck_assert_int_eq(sgw_parse_fixed("922337203685477581", 1, INT64_MIN, INT64_MAX, &v), -ERANGE);
	ck_assert_int_eq(sgw_parse_fixed("0.005", 2, -100, 100, &v), -EINVAL);
	ck_assert_int_eq(sgw_parse_fixed("1.", 2, -100, 100, &v), -EINVAL);
	ck_assert_int_eq(sgw_parse_fixed(".5", 2, -100, 100, &v), -EINVAL);
	ck_assert_int_eq(sgw_parse_fixed("1,5", 2, -100, 100, &v), -EINVAL);
	ck_assert_int_eq(sgw_parse_fixed(" 1", 2, -100, 100, &v), -EINVAL);
	ck_assert_int_eq(sgw_parse_fixed("1e3", 2, -100, 100000, &v), -EINVAL);
	ck_assert_int_eq(sgw_parse_fixed("", 2, -100, 100, &v), -EINVAL);
	ck_assert_int_eq(sgw_parse_fixed("1", -1, -100, 100, &v), -EINVAL);
	ck_assert_int_eq(sgw_parse_fixed("1.01", 2, 0, 100, &v), -ERANGE);
	ck_assert_int_eq(sgw_parse_fixed("-0.01", 2, 0, 100, &v), -ERANGE);
	ck_assert_int_eq(v, 7);
}
END_TEST

START_TEST(test_bool)
{
	static const char *const yes[] = { "true", "yes", "on", "1", "TRUE", "Yes" };
	static const char *const no[] = { "false", "no", "off", "0", "False", "OFF" };
	bool b;

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		b = false;
		ck_assert_int_eq(sgw_parse_bool(yes[i], &b), 0);
		ck_assert(b);
		ck_assert_int_eq(sgw_parse_bool(no[i], &b), 0);
		ck_assert(!b);
	}
	ck_assert_int_eq(sgw_parse_bool("maybe", &b), -EINVAL);
	ck_assert_int_eq(sgw_parse_bool("", &b), -EINVAL);
	ck_assert_int_eq(sgw_parse_bool("2", &b), -EINVAL);
	ck_assert_int_eq(sgw_parse_bool("true ", &b), -EINVAL);
	ck_assert_int_eq(sgw_parse_bool(NULL, &b), -EINVAL);
}
END_TEST

START_TEST(test_duration)
{
	uint32_t v = 7;

	ck_assert_int_eq(sgw_parse_duration_ms("250ms", 1, 86400000, &v), 0);
	ck_assert_uint_eq(v, 250);
	ck_assert_int_eq(sgw_parse_duration_ms("10s", 1, 86400000, &v), 0);
	ck_assert_uint_eq(v, 10000);
	ck_assert_int_eq(sgw_parse_duration_ms("10", 1, 86400000, &v), 0);
	ck_assert_uint_eq(v, 10000);
	ck_assert_int_eq(sgw_parse_duration_ms("5m", 1, 86400000, &v), 0);
	ck_assert_uint_eq(v, 300000);
	ck_assert_int_eq(sgw_parse_duration_ms("1h", 1, 86400000, &v), 0);
	ck_assert_uint_eq(v, 3600000);
	ck_assert_int_eq(sgw_parse_duration_ms("24h", 1, 86400000, &v), 0);
	ck_assert_uint_eq(v, 86400000);
	ck_assert_int_eq(sgw_parse_duration_ms("0ms", 0, 10, &v), 0);
	ck_assert_uint_eq(v, 0);
	v = 7;
	ck_assert_int_eq(sgw_parse_duration_ms("86400001ms", 1, 86400000, &v), -ERANGE);
	ck_assert_int_eq(sgw_parse_duration_ms("0", 1, 86400000, &v), -ERANGE);
	ck_assert_int_eq(sgw_parse_duration_ms("99999999999999999999999h", 1, UINT32_MAX, &v), -ERANGE);
	ck_assert_int_eq(sgw_parse_duration_ms("4294968s", 0, UINT32_MAX, &v), -ERANGE);
	ck_assert_int_eq(sgw_parse_duration_ms("10x", 1, 86400000, &v), -EINVAL);
	ck_assert_int_eq(sgw_parse_duration_ms("10 s", 1, 86400000, &v), -EINVAL);
	ck_assert_int_eq(sgw_parse_duration_ms(" 10s", 1, 86400000, &v), -EINVAL);
	ck_assert_int_eq(sgw_parse_duration_ms("1.5s", 1, 86400000, &v), -EINVAL);
	ck_assert_int_eq(sgw_parse_duration_ms("-1s", 1, 86400000, &v), -EINVAL);
	ck_assert_int_eq(sgw_parse_duration_ms("s", 1, 86400000, &v), -EINVAL);
	ck_assert_int_eq(sgw_parse_duration_ms("", 1, 86400000, &v), -EINVAL);
	ck_assert_int_eq(sgw_parse_duration_ms("10S", 1, 86400000, &v), -EINVAL);
	ck_assert_int_eq(sgw_parse_duration_ms(NULL, 1, 86400000, &v), -EINVAL);
	ck_assert_uint_eq(v, 7);
}
END_TEST

START_TEST(test_size)
{
	uint64_t v;

	ck_assert_int_eq(sgw_parse_size("65536", 1, UINT64_MAX, &v), 0);
	ck_assert_uint_eq(v, 65536);
	ck_assert_int_eq(sgw_parse_size("64M", 1, UINT64_MAX, &v), 0);
	ck_assert_uint_eq(v, 64ull << 20);
	ck_assert_int_eq(sgw_parse_size("4MiB", 1, UINT64_MAX, &v), 0);
	ck_assert_uint_eq(v, 4ull << 20);
	ck_assert_int_eq(sgw_parse_size("2G", 1, UINT64_MAX, &v), 0);
	ck_assert_uint_eq(v, 2ull << 30);
	ck_assert_int_eq(sgw_parse_size("8K", 1, UINT64_MAX, &v), 0);
	ck_assert_uint_eq(v, 8192);
	ck_assert_int_eq(sgw_parse_size("4M", 1, 1024, &v), -ERANGE);
	ck_assert_int_eq(sgw_parse_size("99999999999999999999G", 1, UINT64_MAX, &v), -ERANGE);
	ck_assert_int_eq(sgw_parse_size("4 M", 1, UINT64_MAX, &v), -EINVAL);
	ck_assert_int_eq(sgw_parse_size("4m", 1, UINT64_MAX, &v), -EINVAL);
	ck_assert_int_eq(sgw_parse_size("-4M", 1, UINT64_MAX, &v), -EINVAL);
	ck_assert_int_eq(sgw_parse_size("", 1, UINT64_MAX, &v), -EINVAL);
	ck_assert_int_eq(sgw_parse_size("M", 1, UINT64_MAX, &v), -EINVAL);
}
END_TEST

START_TEST(test_name)
{
	char name[SGW_NAME_MAX + 2];

	ck_assert(sgw_name_valid("sala"));
	ck_assert(sgw_name_valid("Sala-1.a_b"));
	ck_assert(!sgw_name_valid(""));
	ck_assert(!sgw_name_valid("sala pi"));
	ck_assert(!sgw_name_valid("a/b"));
	ck_assert(!sgw_name_valid("a+b"));
	ck_assert(!sgw_name_valid("s\xc3\xa1la"));	/* letters are ASCII */
	memset(name, 'n', SGW_NAME_MAX);
	name[SGW_NAME_MAX] = '\0';
	ck_assert(sgw_name_valid(name));
	name[SGW_NAME_MAX] = 'n';
	name[SGW_NAME_MAX + 1] = '\0';
	ck_assert(!sgw_name_valid(name));
}
END_TEST

/* Each duration in the largest unit that divides it, and read back the same. */
START_TEST(test_duration_format)
{
	static const struct {
		uint32_t ms;
		const char *text;
	} cases[] = {
		{ 0, "0ms" }, { 1, "1ms" }, { 1500, "1500ms" }, { 1000, "1s" }, { 90000, "90s" },
		{ 120000, "2m" }, { 3600000, "1h" }, { 86400000, "24h" }, { 5400000, "90m" },
		{ UINT32_MAX, "4294967295ms" },
	};
	char buf[32];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t back = 1;

		sgw_duration_format(cases[i].ms, buf, sizeof(buf));
		ck_assert_str_eq(buf, cases[i].text);
		ck_assert_int_eq(sgw_parse_duration_ms(buf, 0, UINT32_MAX, &back), 0);
		ck_assert_uint_eq(back, cases[i].ms);
	}
	sgw_duration_format(1500, buf, 4);	/* cut, still terminated */
	ck_assert_str_eq(buf, "150");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("parse");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_long);
	tcase_add_test(tc, test_fixed);
	tcase_add_test(tc, test_bool);
	tcase_add_test(tc, test_duration);
	tcase_add_test(tc, test_size);
	tcase_add_test(tc, test_name);
	tcase_add_test(tc, test_duration_format);
	suite_add_tcase(s, tc);
	return sgw_test_run(s);
}
