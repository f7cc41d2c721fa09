/* SPDX-License-Identifier: MIT */
/* JSON payloads (src/message/pack_json.h): exact text, RFC 8259 escaping, size contract. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "message/pack_json.h"

static const struct sgw_pack_item reading = {
	.topic = NULL, .unit = "\xc2\xb0" "C", .value = 2346, .scale = 2, .precision = 2,
	.ts_ms = 1700000000123, .seq = 42,
};

/*
 * Pack with every capacity from 0 to the full size + 1: the return is
 * always the full length, nothing is written at or past CAP, and the text
 * is complete and NUL-terminated exactly when it fits.
 */
static void check_sizes(size_t (*pack)(char *, size_t, const void *), const void *arg,
			const char *want)
{
	size_t len = strlen(want);
	char *buf = malloc(len + 16);

	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(pack(NULL, 0, arg), len);
	for (size_t cap = 0; cap <= len + 1; cap++) {
		memset(buf, '#', len + 16);
		ck_assert_uint_eq(pack(buf, cap, arg), len);
		for (size_t i = cap; i < len + 16; i++)
			ck_assert_msg(buf[i] == '#', "cap %zu: byte %zu written", cap, i);
		if (cap > len)
			ck_assert_str_eq(buf, want);
	}
	free(buf);
}

static size_t pack_reading(char *dst, size_t cap, const void *arg)
{
	return sgw_pack_json_reading(dst, cap, arg);
}

struct batch {
	const struct sgw_pack_item *items;
	size_t n;
};

static size_t pack_batch(char *dst, size_t cap, const void *arg)
{
	const struct batch *b = arg;

	return sgw_pack_json_batch(dst, cap, b->items, b->n);
}

static size_t pack_escape(char *dst, size_t cap, const void *arg)
{
	return sgw_pack_json_escape(dst, cap, arg);
}

START_TEST(test_reading_exact)
{
	struct sgw_pack_item it = reading;

	check_sizes(pack_reading, &it,
		    "{\"value\":23.46,\"unit\":\"\xc2\xb0" "C\",\"ts\":1700000000123,\"seq\":42}");
	it.topic = "casa/sala/temperatura";
	it.value = -5;
	it.precision = 1;	/* -0.05 -> -0.1 */
	check_sizes(pack_reading, &it,
		    "{\"topic\":\"casa/sala/temperatura\",\"value\":-0.1,\"unit\":\"\xc2\xb0"
		    "C\",\"ts\":1700000000123,\"seq\":42}");
	/* No unit: empty string; extremes of the integers. */
	it = reading;
	it.unit = NULL;
	it.value = INT32_MIN;
	it.scale = 0;
	it.precision = 0;
	it.ts_ms = INT64_MIN;
	it.seq = UINT64_MAX;
	check_sizes(pack_reading, &it,
		    "{\"value\":-2147483648,\"unit\":\"\",\"ts\":-9223372036854775808,"
		    "\"seq\":18446744073709551615}");
	it.unit = "";
	it.value = 0;
	it.ts_ms = 0;
	it.seq = 0;
	check_sizes(pack_reading, &it, "{\"value\":0,\"unit\":\"\",\"ts\":0,\"seq\":0}");
}
END_TEST

START_TEST(test_batch)
{
	struct sgw_pack_item items[3] = { reading, reading, reading };
	struct batch b = { items, 0 };

	check_sizes(pack_batch, &b, "[]");
	items[0].topic = "a/t";
	items[1].topic = "a/h";
	items[1].unit = "%";
	items[1].value = 5012;
	items[1].scale = 2;
	items[1].precision = 1;
	items[1].seq = 43;
	b.n = 1;
	check_sizes(pack_batch, &b,
		    "[{\"topic\":\"a/t\",\"value\":23.46,\"unit\":\"\xc2\xb0" "C\",\"ts\":1700000000123,"
		    "\"seq\":42}]");
	b.n = 3;
	check_sizes(pack_batch, &b,
		    "[{\"topic\":\"a/t\",\"value\":23.46,\"unit\":\"\xc2\xb0" "C\",\"ts\":1700000000123,"
		    "\"seq\":42},"
		    "{\"topic\":\"a/h\",\"value\":50.1,\"unit\":\"%\",\"ts\":1700000000123,\"seq\":43},"
		    "{\"value\":23.46,\"unit\":\"\xc2\xb0" "C\",\"ts\":1700000000123,\"seq\":42}]");
}
END_TEST

START_TEST(test_escaping)
{
	/* RFC 8259 section 7: quote, backslash and U+0000..U+001F must be escaped. */
	check_sizes(pack_escape, "plain/topic", "plain/topic");
	check_sizes(pack_escape, "", "");
	check_sizes(pack_escape, "a\"b\\c/d", "a\\\"b\\\\c/d");
	check_sizes(pack_escape, "\b\f\n\r\t", "\\b\\f\\n\\r\\t");
	check_sizes(pack_escape, "\x01\x1f\x7f x", "\\u0001\\u001f\x7f x");
	/* UTF-8 passes through byte for byte: "°C", "€", an emoji. */
	check_sizes(pack_escape, "\xc2\xb0" "C \xe2\x82\xac \xf0\x9f\x8c\xa1",
		    "\xc2\xb0" "C \xe2\x82\xac \xf0\x9f\x8c\xa1");
	/* Every control character, each on its own. */
	for (int c = 1; c < 0x20; c++) {
		char in[2] = { (char)c, 0 }, out[8];
		size_t n = sgw_pack_json_escape(out, sizeof(out), in);

		ck_assert_int_eq(out[0], '\\');
		if (strchr("\b\f\n\r\t", c))
			ck_assert_uint_eq(n, 2);
		else
			ck_assert_uint_eq(n, 6);
	}
	/* In context: the topic of a reading. */
	{
		struct sgw_pack_item it = reading;
		char buf[200];

		it.topic = "x\"y";
		it.unit = "\\";
		ck_assert_uint_lt(sgw_pack_json_reading(buf, sizeof(buf), &it), sizeof(buf));
		ck_assert_str_eq(buf, "{\"topic\":\"x\\\"y\",\"value\":23.46,\"unit\":\"\\\\\","
				 "\"ts\":1700000000123,\"seq\":42}");
	}
}
END_TEST

static Suite *pack_suite(void)
{
	Suite *s = suite_create("pack_json");
	TCase *tc = tcase_create("json");

	tcase_add_test(tc, test_reading_exact);
	tcase_add_test(tc, test_batch);
	tcase_add_test(tc, test_escaping);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(pack_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
