/* SPDX-License-Identifier: MIT */
/* Topic templates and the rules of a publish topic name. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "message/topic.h"
#include "tests/fixtures/run.h"

static const struct sgw_topic_vars vars = {
	.prefix = "Casa", .gateway = "sala-pi", .sensor = "Sala", .quantity = "temperature",
};

static char *expand_ok(const char *tmpl, const struct sgw_topic_vars *v)
{
	const char *why = NULL;
	char *out = NULL;
	int ret = sgw_topic_expand(tmpl, v, &out, &why);

	ck_assert_msg(ret == 0, "expand \"%s\": %d %s", tmpl, ret, why ? why : "");
	ck_assert_ptr_nonnull(out);
	return out;
}

static void expand_fails(const char *tmpl, const struct sgw_topic_vars *v, int err,
			 const char *why_part)
{
	const char *why = NULL;
	char *out = (char *)1;
	int ret = sgw_topic_expand(tmpl, v, &out, &why);

	ck_assert_msg(ret == err, "expand \"%.40s\": got %d, want %d", tmpl, ret, err);
	ck_assert_ptr_null(out);
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(strstr(why, why_part), "\"%s\" lacks \"%s\"", why, why_part);
}

START_TEST(test_expand)
{
	char *t;

	t = expand_ok("{prefix}/{sensor}/{quantity}", &vars);
	ck_assert_str_eq(t, "Casa/Sala/temperature");	/* case kept */
	free(t);
	t = expand_ok("{prefix}/{gateway}/status", &vars);
	ck_assert_str_eq(t, "Casa/sala-pi/status");
	free(t);
	t = expand_ok("casa/sala/temperatura", &vars);
	ck_assert_str_eq(t, "casa/sala/temperatura");
	free(t);
	t = expand_ok("{quantity}{quantity}", &vars);
	ck_assert_str_eq(t, "temperaturetemperature");
	free(t);
	t = expand_ok("a}b/", &vars);	/* a lone '}' is an ordinary character */
	ck_assert_str_eq(t, "a}b/");
	free(t);
	t = expand_ok("", &vars);
	ck_assert_str_eq(t, "");
	free(t);
}
END_TEST

START_TEST(test_expand_errors)
{
	struct sgw_topic_vars no_sensor = { .prefix = "p", .gateway = "g" };
	char *big;
	size_t i;

	expand_fails("{prefix}/{foo}", &vars, -EINVAL, "unknown variable");
	expand_fails("{Prefix}", &vars, -EINVAL, "unknown variable");
	expand_fails("{}", &vars, -EINVAL, "unknown variable");
	expand_fails("{prefix", &vars, -EINVAL, "without a closing");
	expand_fails("x/{", &vars, -EINVAL, "without a closing");
	expand_fails("{sensor}", &no_sensor, -EINVAL, "not available");
	expand_fails("{gateway}/{quantity}", &no_sensor, -EINVAL, "not available");

	/* 65535 bytes exactly is the limit: one more byte is refused. */
	big = malloc(SGW_TOPIC_MAX + 2);
	ck_assert_ptr_nonnull(big);
	memset(big, 'a', SGW_TOPIC_MAX);
	big[SGW_TOPIC_MAX] = '\0';
	free(expand_ok(big, &vars));
	big[SGW_TOPIC_MAX] = 'a';
	big[SGW_TOPIC_MAX + 1] = '\0';
	expand_fails(big, &vars, -E2BIG, "65535");
	free(big);

	/* A short template that grows: 20 x 4000 bytes. */
	{
		struct sgw_topic_vars v = vars;
		char *prefix = malloc(4001), tmpl[256] = "";

		ck_assert_ptr_nonnull(prefix);
		memset(prefix, 'p', 4000);
		prefix[4000] = '\0';
		v.prefix = prefix;
		for (i = 0; i < 20; i++)
			strcat(tmpl, "{prefix}/");
		expand_fails(tmpl, &v, -E2BIG, "after expansion");
		free(prefix);
	}
}
END_TEST

START_TEST(test_validate)
{
	static const char *const ok[] = {
		"casa/sala/temperatura", "a", "/", "a//b", "/a/", "casa/sala/°C",
		"€/日本/😀", "a b/c", "a$b", "sensor}x", "$aws/rules/casa_1/sala/t",
		"$aws/rules/R/x",
	};
	static const struct {
		const char *topic, *why;
	} bad[] = {
		{ "", "empty" },
		{ "casa/+/x", "wildcards" },
		{ "casa/#", "wildcards" },
		{ "+", "wildcards" },
		{ "a#b", "wildcards" },
		{ "$SYS/broker", "reserved" },
		{ "$", "reserved" },
		{ "$aws/rules/", "reserved" },
		{ "$aws/rules/casa", "reserved" },
		{ "$aws/rules/casa/", "reserved" },
		{ "$aws/rules/ca-sa/x", "reserved" },
		{ "$aws/rules//x", "reserved" },
		{ "$aws/things/pi/shadow/update", "reserved" },
		{ "$AWS/rules/casa/x", "reserved" },
		{ "casa/\xff", "invalid UTF-8" },
		{ "casa/\xc0\xaf", "invalid UTF-8" },		/* overlong '/' */
		{ "casa/\xed\xa0\x80", "invalid UTF-8" },	/* surrogate U+D800 */
		{ "casa/\xf4\x90\x80\x80", "invalid UTF-8" },	/* U+110000 */
		{ "casa/\xe2\x82", "invalid UTF-8" },		/* cut short */
		{ "casa/\x01", "control" },
		{ "casa/\x7f", "control" },
		{ "casa/\xc2\x85", "control" },			/* U+0085 */
		{ "casa\tsala", "control" },
	};
	char *big;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		ck_assert_msg(sgw_topic_validate(ok[i]) == NULL, "\"%s\" refused: %s", ok[i],
			      sgw_topic_validate(ok[i]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *why = sgw_topic_validate(bad[i].topic);

		ck_assert_msg(why != NULL, "bad topic #%zu accepted", i);
		ck_assert_msg(strstr(why, bad[i].why), "#%zu: \"%s\" lacks \"%s\"", i, why, bad[i].why);
	}
	big = malloc(SGW_TOPIC_MAX + 2);
	ck_assert_ptr_nonnull(big);
	memset(big, 'x', SGW_TOPIC_MAX + 1);
	big[SGW_TOPIC_MAX] = '\0';
	ck_assert_ptr_null(sgw_topic_validate(big));
	big[SGW_TOPIC_MAX] = 'x';
	big[SGW_TOPIC_MAX + 1] = '\0';
	ck_assert_ptr_nonnull(sgw_topic_validate(big));
	free(big);
}
END_TEST

/* Basic Ingest: the prefix's length, a rule name of 1..128 word characters. */
START_TEST(test_basic_ingest)
{
	char t[300];

	ck_assert_uint_eq(sgw_topic_basic_ingest("$aws/rules/casa/sala/t"), strlen("$aws/rules/casa/"));
	ck_assert_uint_eq(sgw_topic_basic_ingest("$aws/rules/a_1/x"), strlen("$aws/rules/a_1/"));
	ck_assert_uint_eq(sgw_topic_basic_ingest("casa/$aws/rules/r/x"), 0);
	ck_assert_uint_eq(sgw_topic_basic_ingest("$aws/rules/r"), 0);
	ck_assert_uint_eq(sgw_topic_basic_ingest("$aws/rules/r/"), 0);
	ck_assert_uint_eq(sgw_topic_basic_ingest("$aws/rules/r.s/x"), 0);
	strcpy(t, "$aws/rules/");
	memset(t + 11, 'r', SGW_TOPIC_RULE_MAX);
	strcpy(t + 11 + SGW_TOPIC_RULE_MAX, "/x");
	ck_assert_uint_eq(sgw_topic_basic_ingest(t), 11 + SGW_TOPIC_RULE_MAX + 1);
	ck_assert_ptr_null(sgw_topic_validate(t));
	memset(t + 11, 'r', SGW_TOPIC_RULE_MAX + 1);
	strcpy(t + 11 + SGW_TOPIC_RULE_MAX + 1, "/x");
	ck_assert_uint_eq(sgw_topic_basic_ingest(t), 0);
	ck_assert_ptr_nonnull(sgw_topic_validate(t));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("topic");
	TCase *tc = tcase_create("topic");

	tcase_add_test(tc, test_expand);
	tcase_add_test(tc, test_basic_ingest);
	tcase_add_test(tc, test_expand_errors);
	tcase_add_test(tc, test_validate);
	suite_add_tcase(s, tc);
	return sgw_test_run(s);
}
