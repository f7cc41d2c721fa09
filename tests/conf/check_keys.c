/* SPDX-License-Identifier: MIT */
/*
 * The keys of a section: the typed getters (what they take, what they
 * refuse and how they say so), and the channels a driver declares.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/channel.h"
#include "conf/keys.h"

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

START_TEST(test_getters)
{
	static const char *const modes[] = { "fast", "slow", NULL };
	struct sgw_diag d = { .file = "t.ini" };
	struct sgw_keys ks;
	struct sgw_opt *opts;
	const char *str;
	long l;
	int64_t fx;
	bool b;
	int e;
	uint32_t ms;
	char *text = NULL;
	size_t len;

	opts = opt("n", "42", 3, opt("bad", "4x", 4, opt("fx", "0.05", 5,
	       opt("b", "on", 6, opt("mode", "slow", 7, opt("t", "250ms", 8,
	       opt("s", "hello", 9, opt("empty", "", 10, opt("big", "99", 11,
	       opt("unused", "1", 12, NULL))))))))));
	d.out = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(d.out);
	sgw_keys_init(&ks, &d, opts, "[sensor s]", 2);

	ck_assert_int_eq(sgw_keys_long(&ks, "n", 0, 0, 100, &l), 1);
	ck_assert_int_eq(l, 42);
	ck_assert_int_eq(sgw_keys_long(&ks, "absent", -3, -5, 5, &l), 0);
	ck_assert_int_eq(l, -3);
	ck_assert_int_eq(sgw_keys_long(&ks, "bad", 1, 0, 100, &l), -EINVAL);
	ck_assert_int_eq(sgw_keys_long(&ks, "big", 1, 0, 10, &l), -EINVAL);
	ck_assert_int_eq(sgw_keys_fixed(&ks, "fx", 3, 0, 0, 1000, &fx), 1);
	ck_assert_int_eq(fx, 50);
	ck_assert_int_eq(sgw_keys_fixed(&ks, "n", 1, 0, -100, 100, &fx), -EINVAL);
	ck_assert_int_eq(sgw_keys_bool(&ks, "b", false, &b), 1);
	ck_assert(b);
	ck_assert_int_eq(sgw_keys_enum(&ks, "mode", modes, 0, &e), 1);
	ck_assert_int_eq(e, 1);
	ck_assert_int_eq(sgw_keys_duration(&ks, "t", 1000, 1, 60000, &ms), 1);
	ck_assert_uint_eq(ms, 250);
	ck_assert_int_eq(sgw_keys_str(&ks, "s", NULL, &str), 1);
	ck_assert_str_eq(str, "hello");
	ck_assert_int_eq(sgw_keys_str(&ks, "absent", NULL, &str), 0);
	ck_assert_ptr_null(str);
	ck_assert_int_eq(sgw_keys_str(&ks, "empty", "def", &str), -EINVAL);
	ck_assert_ptr_nonnull(sgw_keys_find(&ks, "unused"));
	ck_assert_ptr_null(sgw_keys_find(&ks, "nothing"));
	fclose(d.out);

	ck_assert_int_eq(d.errors, 4);
	ck_assert_ptr_nonnull(strstr(text, "t.ini:4: [sensor s] bad: \"4x\" is not an integer\n"));
	ck_assert_ptr_nonnull(strstr(text, "t.ini:11: [sensor s] big: \"99\" is out of range (0..10)\n"));
	ck_assert_ptr_nonnull(strstr(text, "t.ini:3: [sensor s] n: \"42\" is out of range (-10.0..10.0)\n"));
	ck_assert_ptr_nonnull(strstr(text, "t.ini:10: [sensor s] empty: empty value"));
	for (struct sgw_opt *o = opts; o; o = o->next)
		ck_assert_msg(o->used, "%s not marked used", o->key);
	free(text);
	while (opts) {
		struct sgw_opt *next = opts->next;

		free(opts->key);
		free(opts->value);
		free(opts);
		opts = next;
	}
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
	SRunner *sr;
	int failed;

	tcase_add_test(keys, test_getters);
	suite_add_tcase(s, keys);

	tcase_add_test(api, test_add_channel);
	suite_add_tcase(s, api);

	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
