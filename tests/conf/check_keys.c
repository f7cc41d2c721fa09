/* SPDX-License-Identifier: MIT */
/*
 * The keys of a section: the typed getters (what they take, what they
 * refuse and how they say so), the messages that name a key, and the
 * channels a driver declares.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/channel.h"
#include "conf/keys.h"
#include "tests/fixtures/run.h"

static struct sgw_opt *opt(const char *key, const char *value, int line, struct sgw_opt *next)
{
	struct sgw_opt *o = calloc(1, sizeof(*o));

	ck_assert_ptr_nonnull(o);
	o->key = strdup(key);
	o->value = strdup(value);
	o->line = line;
	o->next = next;
	return o;
}

static void opts_free(struct sgw_opt *o)
{
	while (o) {
		struct sgw_opt *next = o->next;

		free(o->key);
		free(o->value);
		free(o);
		o = next;
	}
}

/* A keyset over OPTS labelled "[sensor s]" (header at line 2), messages to *text. */
struct keys_fx {
	struct sgw_diag d;
	struct sgw_keys ks;
	char *text;
	size_t len;
};

static void keys_open(struct keys_fx *fx, struct sgw_opt *opts)
{
	memset(fx, 0, sizeof(*fx));
	fx->d.file = "t.ini";
	fx->d.out = open_memstream(&fx->text, &fx->len);
	ck_assert_ptr_nonnull(fx->d.out);
	sgw_keys_init(&fx->ks, &fx->d, opts, "[sensor s]", 2);
}

/* Everything reported so far; the keys are freed with the fixture. */
static const char *keys_text(struct keys_fx *fx)
{
	fflush(fx->d.out);
	return fx->text;
}

static void keys_close(struct keys_fx *fx)
{
	fclose(fx->d.out);
	free(fx->text);
	opts_free(fx->ks.list);
}

START_TEST(test_getters)
{
	static const char *const modes[] = { "fast", "slow", NULL };
	struct keys_fx fx;
	const char *str;
	long l;
	int64_t fixed;
	bool b;
	int e;
	uint32_t ms;

	keys_open(&fx, opt("n", "42", 3, opt("bad", "4x", 4, opt("fx", "0.05", 5,
		       opt("b", "on", 6, opt("mode", "slow", 7, opt("t", "250ms", 8,
		       opt("s", "hello", 9, opt("empty", "", 10, opt("big", "99", 11,
		       opt("unused", "1", 12, NULL)))))))))));

	/* 1: given and valid; 0: absent, the default; -EINVAL: reported, the default. */
	ck_assert_int_eq(sgw_keys_long(&fx.ks, "n", 0, 0, 100, &l), 1);
	ck_assert_int_eq(l, 42);
	ck_assert_int_eq(sgw_keys_long(&fx.ks, "absent", -3, -5, 5, &l), 0);
	ck_assert_int_eq(l, -3);
	ck_assert_int_eq(sgw_keys_long(&fx.ks, "bad", 1, 0, 100, &l), -EINVAL);
	ck_assert_int_eq(l, 1);
	ck_assert_int_eq(sgw_keys_long(&fx.ks, "big", 1, 0, 10, &l), -EINVAL);
	ck_assert_int_eq(l, 1);
	ck_assert_int_eq(sgw_keys_fixed(&fx.ks, "fx", 3, 0, 0, 1000, &fixed), 1);
	ck_assert_int_eq(fixed, 50);
	ck_assert_int_eq(sgw_keys_fixed(&fx.ks, "n", 1, 7, -100, 100, &fixed), -EINVAL);
	ck_assert_int_eq(fixed, 7);
	ck_assert_int_eq(sgw_keys_bool(&fx.ks, "b", false, &b), 1);
	ck_assert(b);
	ck_assert_int_eq(sgw_keys_enum(&fx.ks, "mode", modes, 0, &e), 1);
	ck_assert_int_eq(e, 1);
	ck_assert_int_eq(sgw_keys_duration(&fx.ks, "t", 1000, 1, 60000, &ms), 1);
	ck_assert_uint_eq(ms, 250);
	ck_assert_int_eq(sgw_keys_str(&fx.ks, "s", NULL, &str), 1);
	ck_assert_str_eq(str, "hello");
	ck_assert_int_eq(sgw_keys_str(&fx.ks, "absent", NULL, &str), 0);
	ck_assert_ptr_null(str);
	ck_assert_int_eq(sgw_keys_str(&fx.ks, "empty", "def", &str), -EINVAL);
	ck_assert_str_eq(str, "def");
	ck_assert_ptr_nonnull(sgw_keys_find(&fx.ks, "unused"));
	ck_assert_ptr_null(sgw_keys_find(&fx.ks, "nothing"));

	ck_assert_int_eq(fx.d.errors, 4);
	ck_assert_str_eq(keys_text(&fx),
			 "t.ini:4: [sensor s] bad: \"4x\" is not an integer\n"
			 "t.ini:11: [sensor s] big: \"99\" is out of range (0..10)\n"
			 "t.ini:3: [sensor s] n: \"42\" is out of range (-10.0..10.0)\n"
			 "t.ini:10: [sensor s] empty: empty value (leave the key out for the default)\n");
	/* Every key was asked for, so none is unknown. */
	for (struct sgw_opt *o = fx.ks.list; o; o = o->next)
		ck_assert_msg(o->used, "%s not marked used", o->key);
	sgw_keys_report_unused(&fx.ks, "");
	ck_assert_int_eq(fx.d.errors, 4);
	keys_close(&fx);
}
END_TEST

/* What each getter says about a bad value, ranges in the key's own units. */
START_TEST(test_getter_messages)
{
	static const char *const modes[] = { "fast", "slow", NULL };
	struct keys_fx fx;
	uint64_t size;
	uint32_t ms;
	int64_t fixed;
	bool b;
	int e;

	keys_open(&fx, opt("size", "64M", 3, opt("size2", "64 megabytes", 4,
		       opt("size3", "1G", 5, opt("t", "2m", 6, opt("t2", "soon", 7,
		       opt("f", "0.001", 8, opt("f2", "-3", 9, opt("b", "maybe", 10,
		       opt("mode", "medium", 11, NULL))))))))));

	ck_assert_int_eq(sgw_keys_size(&fx.ks, "size", 1, 1, 1ull << 30, &size), 1);
	ck_assert_uint_eq(size, 64ull << 20);
	ck_assert_int_eq(sgw_keys_size(&fx.ks, "size2", 5, 1, 1ull << 30, &size), -EINVAL);
	ck_assert_uint_eq(size, 5);
	ck_assert_int_eq(sgw_keys_size(&fx.ks, "size3", 5, 4096, 1ull << 20, &size), -EINVAL);
	ck_assert_uint_eq(size, 5);
	ck_assert_int_eq(sgw_keys_size(&fx.ks, "absent", 5, 1, 10, &size), 0);
	ck_assert_uint_eq(size, 5);
	ck_assert_int_eq(sgw_keys_duration(&fx.ks, "t", 9, 10, 60000, &ms), -EINVAL);
	ck_assert_uint_eq(ms, 9);
	ck_assert_int_eq(sgw_keys_duration(&fx.ks, "t2", 9, 10, 60000, &ms), -EINVAL);
	ck_assert_int_eq(sgw_keys_fixed(&fx.ks, "f", 2, 0, 0, 100, &fixed), -EINVAL);
	ck_assert_int_eq(sgw_keys_fixed(&fx.ks, "f2", 0, 0, -2, 2, &fixed), -EINVAL);
	ck_assert_int_eq(sgw_keys_bool(&fx.ks, "b", true, &b), -EINVAL);
	ck_assert(b);
	ck_assert_int_eq(sgw_keys_enum(&fx.ks, "mode", modes, 1, &e), -EINVAL);
	ck_assert_int_eq(e, 1);
	ck_assert_int_eq(fx.d.errors, 8);
	ck_assert_str_eq(keys_text(&fx),
			 "t.ini:4: [sensor s] size2: \"64 megabytes\" is not a size from 1 to 1073741824 bytes (e.g. 64M, 4096K)\n"
			 "t.ini:5: [sensor s] size3: \"1G\" is not a size from 4096 to 1048576 bytes (e.g. 64M, 4096K)\n"
			 "t.ini:6: [sensor s] t: \"2m\" is out of range (10ms..1m)\n"
			 "t.ini:7: [sensor s] t2: \"soon\" is not a duration (e.g. 250ms, 10s, 5m, 1h)\n"
			 "t.ini:8: [sensor s] f: \"0.001\" is not a number with at most 2 decimals\n"
			 "t.ini:9: [sensor s] f2: \"-3\" is out of range (-2..2)\n"
			 "t.ini:10: [sensor s] b: \"maybe\" is not a boolean (true/false, yes/no, on/off, 1/0)\n"
			 "t.ini:11: [sensor s] mode: \"medium\" is not one of: fast, slow\n");
	keys_close(&fx);
}
END_TEST

/* The messages that name a key or the section, and the keys nobody took. */
START_TEST(test_key_messages)
{
	struct keys_fx fx;
	struct sgw_opt *o;
	const char *v;

	keys_open(&fx, opt("a", "1", 3, opt("b", "x", 4, opt("c", "y", 5, NULL))));
	o = sgw_keys_find(&fx.ks, "a");
	ck_assert_ptr_nonnull(o);
	ck_assert(o->used);
	sgw_keys_bad(&fx.ks, o, "is %s", "odd");
	sgw_keys_error(&fx.ks, o, "goes with %d others", 2);
	sgw_keys_missing(&fx.ks, "driver");
	ck_assert_int_eq(sgw_keys_str(&fx.ks, "c", NULL, &v), 1);
	sgw_keys_report_unused(&fx.ks, " (not here)");
	ck_assert_int_eq(fx.d.errors, 4);
	ck_assert_str_eq(keys_text(&fx),
			 "t.ini:3: [sensor s] a: \"1\" is odd\n"
			 "t.ini:3: [sensor s] a: goes with 2 others\n"
			 "t.ini:2: [sensor s] missing required key \"driver\"\n"
			 "t.ini:4: [sensor s] b: unknown key (not here)\n");
	keys_close(&fx);
}
END_TEST

/* A long value is cut in messages, never inside a UTF-8 sequence. */
START_TEST(test_quote)
{
	char buf[16], v[64];

	ck_assert_str_eq(sgw_keys_quote("short", buf, sizeof(buf)), "\"short\"");
	ck_assert_str_eq(sgw_keys_quote("0123456789", buf, sizeof(buf)), "\"0123456789\"");
	ck_assert_str_eq(sgw_keys_quote("0123456789a", buf, sizeof(buf)), "\"0123456789...\"");
	/* "°" is 2 bytes: cutting after 10 bytes would split it, so 9 are kept. */
	snprintf(v, sizeof(v), "012345678\xc2\xb0xyz");
	ck_assert_str_eq(sgw_keys_quote(v, buf, sizeof(buf)), "\"012345678...\"");
}
END_TEST

/* A keyset with no keys (an absent section) takes defaults and reports nothing. */
START_TEST(test_no_keys)
{
	struct sgw_diag d = { .file = "t.ini" };
	struct sgw_keys ks;
	char label[2 * SGW_KEYS_LABEL_MAX];
	long l;

	memset(label, 'x', sizeof(label) - 1);
	label[sizeof(label) - 1] = '\0';
	sgw_keys_init(&ks, &d, NULL, label, 0);
	ck_assert_uint_eq(strlen(ks.label), SGW_KEYS_LABEL_MAX - 1);	/* cut to fit */
	ck_assert_int_eq(sgw_keys_long(&ks, "n", 7, 0, 10, &l), 0);
	ck_assert_int_eq(l, 7);
	ck_assert_ptr_null(sgw_keys_find(&ks, "n"));
	sgw_keys_report_unused(&ks, "");
	ck_assert_int_eq(d.errors, 0);
}
END_TEST

START_TEST(test_add_channel)
{
	struct sgw_sensor_config sc = { .name = (char *)"s" };
	char name[16];

	for (int i = 0; i < SGW_MAX_CHANNELS; i++) {
		snprintf(name, sizeof(name), "q%d", i);
		ck_assert_int_eq(sgw_sensor_add_channel(&sc, name, i ? "V" : NULL, 3, 2), i);
	}
	ck_assert_int_eq(sgw_sensor_add_channel(&sc, "more", "V", 3, 2), -ENOSPC);
	ck_assert_uint_eq(sc.nchannels, SGW_MAX_CHANNELS);
	ck_assert_str_eq(sc.ch[0].unit, "");
	ck_assert_str_eq(sc.ch[7].name, "q7");
	ck_assert_int_eq(sc.ch[7].scale, 3);
	ck_assert_int_eq(sc.ch[7].precision, 2);
	for (size_t i = 0; i < sc.nchannels; i++) {
		free(sc.ch[i].name);
		free(sc.ch[i].unit);
	}
	sc.nchannels = 0;
	ck_assert_int_eq(sgw_sensor_add_channel(&sc, "a", "", 0, 0), 0);
	ck_assert_int_eq(sgw_sensor_add_channel(&sc, "a", "", 0, 0), -EEXIST);
	ck_assert_int_eq(sgw_sensor_add_channel(&sc, "", "", 0, 0), -EINVAL);
	ck_assert_int_eq(sgw_sensor_add_channel(&sc, "a b", "", 0, 0), -EINVAL);
	ck_assert_int_eq(sgw_sensor_add_channel(&sc, "b", "", 10, 0), -EINVAL);
	ck_assert_int_eq(sgw_sensor_add_channel(&sc, "b", "", 0, 10), -EINVAL);
	ck_assert_int_eq(sgw_sensor_add_channel(&sc, "b", "", 0, -1), -EINVAL);
	ck_assert_uint_eq(sc.nchannels, 1);
	free(sc.ch[0].name);
	free(sc.ch[0].unit);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("keys");
	TCase *keys = tcase_create("keys"), *api = tcase_create("driver-api");

	tcase_add_test(keys, test_getters);
	tcase_add_test(keys, test_getter_messages);
	tcase_add_test(keys, test_key_messages);
	tcase_add_test(keys, test_quote);
	tcase_add_test(keys, test_no_keys);
	suite_add_tcase(s, keys);

	tcase_add_test(api, test_add_channel);
	suite_add_tcase(s, api);

	return sgw_test_run(s);
}
