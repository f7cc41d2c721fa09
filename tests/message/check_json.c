/* SPDX-License-Identifier: MIT */
/*
 * The JSON writer (src/message/json.h): RFC 8259 escaping, numbers, nesting
 * and commas, misuse, and snprintf's size contract for every document.
 */
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm/sgw_kernels.h"
#include "message/json.h"
#include "tests/fixtures/bounded.h"
#include "tests/fixtures/run.h"

typedef void build_fn(struct sgw_json *w, const void *arg);

struct doc {
	build_fn *build;
	const void *arg;
};

static ssize_t write_doc(char *dst, size_t cap, const void *arg)
{
	const struct doc *d = arg;
	struct sgw_json w;

	sgw_json_init(&w, dst, cap);
	d->build(&w, d->arg);
	return sgw_json_finish(&w);
}

/* BUILD with ARG writes WANT, under the size contract. */
static void check_doc(build_fn *build, const void *arg, const char *want)
{
	struct doc d = { build, arg };

	test_check_bounded(write_doc, &d, want);
}

/* What sgw_json_finish() says of BUILD with ARG in a roomy buffer. */
static ssize_t finish_of(build_fn *build, const void *arg)
{
	struct doc d = { build, arg };
	char buf[256];

	return write_doc(buf, sizeof(buf), &d);
}

/*
 * A document as a script, one character a call: { } [ ] begin and end,
 * A..Z the key "a".."z", 0..9 that unsigned number, '-' the number -1,
 * n t f null true false, s the string "s".
 */
static void build_script(struct sgw_json *w, const void *arg)
{
	for (const char *p = arg; *p; p++) {
		char key[2] = { (char)(*p - 'A' + 'a'), 0 };

		switch (*p) {
		case '{': sgw_json_object_begin(w); break;
		case '}': sgw_json_object_end(w); break;
		case '[': sgw_json_array_begin(w); break;
		case ']': sgw_json_array_end(w); break;
		case '-': sgw_json_int(w, -1); break;
		case 'n': sgw_json_null(w); break;
		case 't': sgw_json_bool(w, true); break;
		case 'f': sgw_json_bool(w, false); break;
		case 's': sgw_json_string(w, "s"); break;
		default:
			if (*p >= 'A' && *p <= 'Z')
				sgw_json_key(w, key);
			else if (*p >= '0' && *p <= '9')
				sgw_json_uint(w, (uint64_t)(*p - '0'));
			else
				ck_abort_msg("bad script character '%c'", *p);
		}
	}
}

static void build_cstring(struct sgw_json *w, const void *arg)
{
	sgw_json_string(w, arg);
}

struct bytes {
	const char *s;
	size_t n;
};

static void build_bytes(struct sgw_json *w, const void *arg)
{
	const struct bytes *b = arg;

	sgw_json_string_len(w, b->s, b->n);
}

static void build_u64(struct sgw_json *w, const void *arg)
{
	sgw_json_uint(w, *(const uint64_t *)arg);
}

static void build_i64(struct sgw_json *w, const void *arg)
{
	sgw_json_int(w, *(const int64_t *)arg);
}

struct fixed {
	int32_t v;
	unsigned scale, precision;
};

static void build_fixed(struct sgw_json *w, const void *arg)
{
	const struct fixed *f = arg;

	sgw_json_fixed(w, f->v, f->scale, f->precision);
}

/* A JSON string of S: the quotes around it. */
static const char *quoted(const char *s)
{
	static char buf[512];

	ck_assert_int_lt(snprintf(buf, sizeof(buf), "\"%s\"", s), (int)sizeof(buf));
	return buf;
}

START_TEST(test_escape_controls)
{
	/* RFC 8259 section 7: U+0000..U+001F, the short forms where they exist. */
	static const char *const shortform[0x20] = {
		['\b'] = "\\b", ['\f'] = "\\f", ['\n'] = "\\n", ['\r'] = "\\r", ['\t'] = "\\t",
	};

	for (int c = 0; c < 0x20; c++) {
		char in[3] = { 'x', (char)c, 'y' }, want[16];
		struct bytes b = { in, sizeof(in) };

		if (shortform[c])
			snprintf(want, sizeof(want), "\"x%sy\"", shortform[c]);
		else
			snprintf(want, sizeof(want), "\"x\\u%04xy\"", (unsigned)c);
		check_doc(build_bytes, &b, want);
		if (c) {
			/* the same through the NUL-terminated form */
			char s[4] = { 'x', (char)c, 'y', 0 };

			check_doc(build_cstring, s, want);
		}
	}
	/* All of them in a row, in one string. */
	{
		char in[0x20];
		struct bytes b = { in, sizeof(in) };

		for (int c = 0; c < 0x20; c++)
			in[c] = (char)c;
		check_doc(build_bytes, &b,
			  "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n"
			  "\\u000b\\f\\r\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015"
			  "\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\"");
	}
}
END_TEST

START_TEST(test_escape_quote_backslash)
{
	check_doc(build_cstring, "plain/topic", quoted("plain/topic"));
	check_doc(build_cstring, "", "\"\"");
	check_doc(build_cstring, "\"", "\"\\\"\"");
	check_doc(build_cstring, "\\", "\"\\\\\"");
	check_doc(build_cstring, "a\"b\\c/d", quoted("a\\\"b\\\\c/d"));
	check_doc(build_cstring, "\b\f\n\r\t", quoted("\\b\\f\\n\\r\\t"));
	check_doc(build_cstring, "\x01\x1f\x7f x", quoted("\\u0001\\u001f\x7f x"));
	check_doc(build_cstring, "\"\"\\\\", quoted("\\\"\\\"\\\\\\\\"));
}
END_TEST

START_TEST(test_other_bytes_pass)
{
	char in[256], want[260];
	size_t n = 0;

	/* UTF-8 byte for byte: "°C", "€", an emoji. */
	check_doc(build_cstring, "\xc2\xb0" "C \xe2\x82\xac \xf0\x9f\x8c\xa1",
		  quoted("\xc2\xb0" "C \xe2\x82\xac \xf0\x9f\x8c\xa1"));
	/* Every byte from 0x20 up but '"' and '\\' passes unchanged. */
	for (int c = 0x20; c < 0x100; c++)
		if (c != '"' && c != '\\')
			in[n++] = (char)c;
	in[n] = '\0';
	want[0] = '"';
	memcpy(want + 1, in, n);
	memcpy(want + 1 + n, "\"", 2);
	check_doc(build_cstring, in, want);
}
END_TEST

START_TEST(test_string_forms)
{
	/* (pointer, length): a NUL is a character; the bytes after LEN are not read into it. */
	struct bytes b = { "a\0b\"cdef", 5 };

	check_doc(build_bytes, &b, quoted("a\\u0000b\\\"c"));
	b.n = 0;
	check_doc(build_bytes, &b, "\"\"");
	/* NULL is null. */
	check_doc(build_cstring, NULL, "null");
}
END_TEST

static void build_keys(struct sgw_json *w, const void *arg)
{
	sgw_json_object_begin(w);
	sgw_json_key(w, "a\"b\n");
	sgw_json_uint(w, 1);
	sgw_json_key(w, "");
	sgw_json_string(w, "");
	sgw_json_object_end(w);
}

START_TEST(test_keys_escaped)
{
	check_doc(build_keys, NULL, "{\"a\\\"b\\n\":1,\"\":\"\"}");
}
END_TEST

START_TEST(test_nesting_and_commas)
{
	check_doc(build_script, "{A[12{BnC[]}[]]D{}EtFfGsH-}",
		  "{\"a\":[1,2,{\"b\":null,\"c\":[]},[]],\"d\":{},\"e\":true,\"f\":false,"
		  "\"g\":\"s\",\"h\":-1}");
	check_doc(build_script, "[[][{}]{A[{}]}tfns-0]",
		  "[[],[{}],{\"a\":[{}]},true,false,null,\"s\",-1,0]");
	/* Any value is a document. */
	check_doc(build_script, "{}", "{}");
	check_doc(build_script, "[]", "[]");
	check_doc(build_script, "7", "7");
	check_doc(build_script, "t", "true");
	check_doc(build_script, "n", "null");
	check_doc(build_script, "s", "\"s\"");
}
END_TEST

struct health {
	const char *error;	/* NULL: null */
	uint64_t failures;
};

static void build_health(struct sgw_json *w, const void *arg)
{
	const struct health *h = arg;

	sgw_json_object_begin(w);
	sgw_json_key(w, "error");
	sgw_json_string(w, h->error);
	sgw_json_key(w, "failures");
	sgw_json_uint(w, h->failures);
	sgw_json_key(w, "ts");
	sgw_json_int(w, 1700000000123);
	sgw_json_key(w, "seq");
	sgw_json_uint(w, 42);
	sgw_json_object_end(w);
}

/* The gateway's statistics: nested objects, an array of objects, an absent member. */
static void build_stats(struct sgw_json *w, const void *arg)
{
	static const char names[] = "localcloud \"eu\"";
	bool with_queue = *(const bool *)arg;

	sgw_json_object_begin(w);
	sgw_json_key(w, "ts");
	sgw_json_int(w, 1700000000123);
	sgw_json_key(w, "sensors");
	sgw_json_uint(w, 4);
	sgw_json_key(w, "queue");
	if (with_queue) {
		sgw_json_object_begin(w);
		sgw_json_key(w, "depth");
		sgw_json_uint(w, 12);
		sgw_json_key(w, "oldest_age_ms");
		sgw_json_int(w, 1500);
		sgw_json_object_end(w);
	} else {
		sgw_json_null(w);
	}
	sgw_json_key(w, "uplinks");
	sgw_json_array_begin(w);
	for (int i = 0; i < 2; i++) {
		sgw_json_object_begin(w);
		sgw_json_key(w, "name");
		sgw_json_string_len(w, i ? names + 5 : names, i ? 10 : 5);
		sgw_json_key(w, "connected");
		sgw_json_bool(w, !i);
		sgw_json_key(w, "delivered");
		sgw_json_uint(w, 100 + (uint64_t)i);
		sgw_json_object_end(w);
	}
	sgw_json_array_end(w);
	sgw_json_object_end(w);
}

START_TEST(test_gateway_documents)
{
	struct health h = { NULL, 0 };
	bool with_queue = true;

	check_doc(build_health, &h,
		  "{\"error\":null,\"failures\":0,\"ts\":1700000000123,\"seq\":42}");
	h.error = "Connection timed out";
	h.failures = 3;
	check_doc(build_health, &h,
		  "{\"error\":\"Connection timed out\",\"failures\":3,\"ts\":1700000000123,\"seq\":42}");
	check_doc(build_stats, &with_queue,
		  "{\"ts\":1700000000123,\"sensors\":4,\"queue\":{\"depth\":12,\"oldest_age_ms\":1500},"
		  "\"uplinks\":[{\"name\":\"local\",\"connected\":true,\"delivered\":100},"
		  "{\"name\":\"cloud \\\"eu\\\"\",\"connected\":false,\"delivered\":101}]}");
	with_queue = false;
	check_doc(build_stats, &with_queue,
		  "{\"ts\":1700000000123,\"sensors\":4,\"queue\":null,"
		  "\"uplinks\":[{\"name\":\"local\",\"connected\":true,\"delivered\":100},"
		  "{\"name\":\"cloud \\\"eu\\\"\",\"connected\":false,\"delivered\":101}]}");
}
END_TEST

/* Appends N copies of S to the string at DST. */
static void repeat(char *dst, const char *s, size_t n)
{
	while (n--)
		strcat(dst, s);
}

START_TEST(test_depth)
{
	enum { D = SGW_JSON_DEPTH };
	char script[8 * (D + 2)], want[8 * (D + 2)], buf[8];
	struct doc d = { build_script, script };

	/* As deep as allowed: arrays, objects. */
	script[0] = '\0';
	repeat(script, "[", D);
	repeat(script, "]", D);
	check_doc(build_script, script, script);
	script[0] = want[0] = '\0';
	repeat(script, "{A", D - 1);
	repeat(script, "{", 1);
	repeat(script, "}", D);
	repeat(want, "{\"a\":", D - 1);
	repeat(want, "{", 1);
	repeat(want, "}", D);
	check_doc(build_script, script, want);

	/* One deeper is reported, whatever comes after it. */
	script[0] = '\0';
	repeat(script, "[", D + 1);
	repeat(script, "]", D + 1);
	ck_assert_int_eq(finish_of(build_script, script), -EOVERFLOW);
	script[0] = '\0';
	repeat(script, "{A", D);
	repeat(script, "{", 1);
	repeat(script, "}", D + 1);
	ck_assert_int_eq(finish_of(build_script, script), -EOVERFLOW);
	script[0] = '\0';
	repeat(script, "[", D + 1);
	repeat(script, "}A1", 1);	/* misuse after it: still the first error */
	ck_assert_int_eq(finish_of(build_script, script), -EOVERFLOW);
	/* Nothing is written past CAP meanwhile, and the text is terminated. */
	memset(buf, '#', sizeof(buf));
	ck_assert_int_eq(write_doc(buf, 4, &d), -EOVERFLOW);
	ck_assert_str_eq(buf, "[[[");
	for (size_t i = 4; i < sizeof(buf); i++)
		ck_assert_int_eq(buf[i], '#');
}
END_TEST

START_TEST(test_misuse)
{
	static const char *const bad[] = {
		"",		/* no value */
		"11",		/* two top-level values */
		"{}[]",
		"{1}",		/* a value in an object without its key */
		"{A1s}",
		"[A1]",		/* a key in an array */
		"A1",		/* a key at the top level */
		"{AB1}",	/* a key after a key */
		"{A}",		/* a key without its value */
		"{A",
		"{]",		/* ends that do not match */
		"[}",
		"[{]}",
		"]",		/* an end at the top level */
		"}",
		"{}}",
		"{",		/* left open */
		"[[]",
		"{A[",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(finish_of(build_script, bad[i]) == -EINVAL, "\"%s\" accepted", bad[i]);
	/* and after the first error nothing changes it */
	ck_assert_int_eq(finish_of(build_script, "{1}[[[[[[[[[[[[[[[[[[[[[[[["), -EINVAL);
}
END_TEST

/* The extremes after commas: the longest numbers a writer writes. */
static void build_extremes(struct sgw_json *w, const void *arg)
{
	sgw_json_array_begin(w);
	sgw_json_int(w, INT64_MIN);
	sgw_json_uint(w, UINT64_MAX);
	sgw_json_int(w, INT64_MIN);
	sgw_json_int(w, INT64_MAX);
	sgw_json_fixed(w, INT32_MIN, 0, 9);
	sgw_json_fixed(w, INT32_MIN, 0, 9);
	sgw_json_array_end(w);
}

START_TEST(test_integers)
{
	uint64_t u;
	int64_t i;
	char want[32];

	/* Extremes. */
	u = UINT64_MAX;
	check_doc(build_u64, &u, "18446744073709551615");
	u = 0;
	check_doc(build_u64, &u, "0");
	i = INT64_MIN;
	check_doc(build_i64, &i, "-9223372036854775808");
	i = INT64_MAX;
	check_doc(build_i64, &i, "9223372036854775807");
	i = 0;
	check_doc(build_i64, &i, "0");
	i = -1;
	check_doc(build_i64, &i, "-1");
	check_doc(build_extremes, NULL,
		  "[-9223372036854775808,18446744073709551615,-9223372036854775808,"
		  "9223372036854775807,-2147483648.000000000,-2147483648.000000000]");
	/* Around every power of ten: each number of digits. */
	for (uint64_t p = 1, k = 0; k < 20; k++, p *= 10) {
		uint64_t around[3] = { p - 1, p, p + 1 };

		for (int j = 0; j < 3; j++) {
			u = around[j];
			snprintf(want, sizeof(want), "%" PRIu64, u);
			check_doc(build_u64, &u, want);
			if (u <= INT64_MAX) {
				i = -(int64_t)u;
				snprintf(want, sizeof(want), "%" PRId64, i);
				check_doc(build_i64, &i, want);
			}
		}
	}
	/* And a spread of others, against printf. */
	u = 0x9e3779b97f4a7c15u;
	for (int k = 0; k < 2000; k++) {
		char buf[32];
		struct doc du = { build_u64, &u }, di = { build_i64, &i };

		u = u * 6364136223846793005u + 1442695040888963407u;
		i = (int64_t)u >> (k % 64);
		snprintf(want, sizeof(want), "%" PRIu64, u);
		ck_assert_int_eq(write_doc(buf, sizeof(buf), &du), (ssize_t)strlen(want));
		ck_assert_str_eq(buf, want);
		snprintf(want, sizeof(want), "%" PRId64, i);
		ck_assert_int_eq(write_doc(buf, sizeof(buf), &di), (ssize_t)strlen(want));
		ck_assert_str_eq(buf, want);
	}
}
END_TEST

START_TEST(test_fixed)
{
	/* The mixes of scale and precision the readings' payloads are tested with. */
	struct fixed f = { 2346, 2, 2 };
	static const int32_t values[] = {
		0, 1, -1, 5, -5, 2346, -2345, 99999, -99999, INT32_MIN, INT32_MAX,
	};

	check_doc(build_fixed, &f, "23.46");
	f = (struct fixed){ -5, 2, 1 };
	check_doc(build_fixed, &f, "-0.1");
	f = (struct fixed){ 5012, 2, 1 };
	check_doc(build_fixed, &f, "50.1");
	f = (struct fixed){ INT32_MIN, 0, 0 };
	check_doc(build_fixed, &f, "-2147483648");
	f = (struct fixed){ 0, 0, 0 };
	check_doc(build_fixed, &f, "0");
	f = (struct fixed){ INT32_MAX, 0, 9 };
	check_doc(build_fixed, &f, "2147483647.000000000");
	/* Every scale and precision: the text is sgw_fmt_fixed()'s. */
	for (unsigned scale = 0; scale <= 9; scale++)
		for (unsigned prec = 0; prec <= 9; prec++)
			for (size_t k = 0; k < sizeof(values) / sizeof(values[0]); k++) {
				char want[SGW_FMT_FIXED_MAX + 1];

				f = (struct fixed){ values[k], scale, prec };
				want[sgw_fmt_fixed(want, f.v, scale, prec)] = '\0';
				check_doc(build_fixed, &f, want);
			}
}
END_TEST

START_TEST(test_fixed_in_context)
{
	char buf[64];
	struct sgw_json w;

	sgw_json_init(&w, buf, sizeof(buf));
	sgw_json_array_begin(&w);
	sgw_json_fixed(&w, 2346, 2, 2);
	sgw_json_fixed(&w, -5, 2, 1);
	sgw_json_fixed(&w, -4, 2, 1);	/* rounds to zero: no sign */
	sgw_json_array_end(&w);
	ck_assert_int_eq(sgw_json_finish(&w), 16);
	ck_assert_str_eq(buf, "[23.46,-0.1,0.0]");
}
END_TEST

START_TEST(test_retry_with_the_length)
{
	/* The length a short buffer reports is enough for the whole document. */
	struct health h = { "a rather long error text, \"quoted\"\n", UINT64_MAX };
	struct doc d = { build_health, &h };
	char small[8], *big;
	ssize_t n = write_doc(small, sizeof(small), &d);

	ck_assert_int_gt(n, (ssize_t)sizeof(small));
	ck_assert_int_eq(small[sizeof(small) - 1], '\0');
	big = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(big);
	ck_assert_int_eq(write_doc(big, (size_t)n + 1, &d), n);
	ck_assert_int_eq((ssize_t)strlen(big), n);
	ck_assert_int_eq(memcmp(big, small, sizeof(small) - 1), 0);
	ck_assert_str_eq(big, "{\"error\":\"a rather long error text, \\\"quoted\\\"\\n\","
			 "\"failures\":18446744073709551615,\"ts\":1700000000123,\"seq\":42}");
	free(big);
}
END_TEST

static Suite *json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("writer");

	tcase_add_test(tc, test_escape_controls);
	tcase_add_test(tc, test_escape_quote_backslash);
	tcase_add_test(tc, test_other_bytes_pass);
	tcase_add_test(tc, test_string_forms);
	tcase_add_test(tc, test_keys_escaped);
	tcase_add_test(tc, test_nesting_and_commas);
	tcase_add_test(tc, test_gateway_documents);
	tcase_add_test(tc, test_depth);
	tcase_add_test(tc, test_misuse);
	tcase_add_test(tc, test_integers);
	tcase_add_test(tc, test_fixed);
	tcase_add_test(tc, test_fixed_in_context);
	tcase_add_test(tc, test_retry_with_the_length);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return sgw_test_run(json_suite());
}
