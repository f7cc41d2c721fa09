/* SPDX-License-Identifier: MIT */
/*
 * An uplink on a public test broker loads with a warning at its [mqtt]
 * section's line that names the host, unless it has TLS and a username;
 * other hosts load quietly.
 */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fixtures/load_fixture.h"
#include "tests/fixtures/run.h"
#include "tests/fixtures/tmpdir.h"

static char dir[PATH_MAX];
static char ini[PATH_MAX + 32];

static void setup(void)
{
	test_mkdtemp(dir, sizeof(dir), "check_public");
	snprintf(ini, sizeof(ini), "%s/public.ini", dir);
}

static void teardown(void)
{
	test_rm_tree(dir);
}

/* The [mqtt] header is on line 3, its uri on line 4, its options from line 5 on. */
static void load_uplink(const char *uri, const char *options, struct load *r)
{
	FILE *f = fopen(ini, "w");

	ck_assert_ptr_nonnull(f);
	fprintf(f, "[gateway]\nname = test\n[mqtt]\nuri = %s\n%s[sensor s]\ndriver = sim\n", uri,
		options);
	ck_assert_int_eq(fclose(f), 0);
	load(ini, r);
	ck_assert_msg(r->ret == 0 && r->diag.errors == 0, "%s: ret %d, %d errors:\n%s", uri, r->ret,
		      r->diag.errors, r->text);
}

static const char *const public_hosts[] = {
	"test.mosquitto.org", "broker.hivemq.com", "broker.emqx.io", "mqtt.eclipseprojects.io",
};

START_TEST(test_public_warned)
{
	const char *host = public_hosts[_i];
	char uri[128], frag[160];
	struct load r;

	snprintf(uri, sizeof(uri), "mqtt://%s", host);
	load_uplink(uri, "", &r);
	ck_assert_msg(r.diag.warnings == 1, "%s: %d warnings:\n%s", host, r.diag.warnings, r.text);
	snprintf(frag, sizeof(frag), "[mqtt] uri: %s is a public test broker", host);
	assert_reported(&r, "public.ini:3: warning: ", frag);
	assert_reported(&r, "public.ini:3: warning: ", "anyone can read and write these topics");
	load_done(&r);
}
END_TEST

/* Host names are case-insensitive; a trailing dot names the same host. */
START_TEST(test_spellings_warned)
{
	static const char *const uris[] = {
		"mqtt://Test.Mosquitto.ORG:1883", "mqtt://broker.hivemq.com.", "mqtt://BROKER.EMQX.IO:1884",
	};
	struct load r;

	for (size_t i = 0; i < sizeof(uris) / sizeof(uris[0]); i++) {
		load_uplink(uris[i], "", &r);
		ck_assert_msg(r.diag.warnings == 1, "%s: %d warnings:\n%s", uris[i], r.diag.warnings,
			      r.text);
		assert_reported(&r, "public.ini:3: warning: ", "is a public test broker");
		load_done(&r);
	}
}
END_TEST

/* TLS alone or a username alone is not enough: both together are quiet. */
START_TEST(test_tls_and_username)
{
	struct load r;

	load_uplink("mqtts://test.mosquitto.org:8883", "", &r);
	ck_assert_int_eq(r.diag.warnings, 1);
	load_done(&r);
	load_uplink("mqtt://test.mosquitto.org", "username = rw\n", &r);
	ck_assert_int_eq(r.diag.warnings, 1);
	load_done(&r);
	load_uplink("mqtts://test.mosquitto.org:8885", "username = rw\n", &r);
	ck_assert_msg(r.diag.warnings == 0, "warned:\n%s", r.text);
	load_done(&r);
}
END_TEST

START_TEST(test_other_hosts_quiet)
{
	static const char *const uris[] = {
		"mqtt://localhost", "mqtt://mosquitto.org", "mqtt://xtest.mosquitto.org",
		"mqtt://test.mosquitto.org.example", "mqtt://broker.emqx", "mqtt://[::1]:1883",
	};
	struct load r;

	for (size_t i = 0; i < sizeof(uris) / sizeof(uris[0]); i++) {
		load_uplink(uris[i], "", &r);
		ck_assert_msg(r.diag.warnings == 0, "%s warned:\n%s", uris[i], r.text);
		load_done(&r);
	}
}
END_TEST

/* Each uplink is warned about once, at its own section. */
START_TEST(test_each_uplink_once)
{
	FILE *f = fopen(ini, "w");
	struct load r;

	ck_assert_ptr_nonnull(f);
	fprintf(f, "[gateway]\nname = test\n"
		   "[mqtt]\nuri = mqtt://broker.hivemq.com\n"
		   "[mqtt home]\nuri = mqtt://localhost\nclient_id = home\n"
		   "[mqtt try]\nuri = mqtt://broker.emqx.io\nclient_id = try\n"
		   "[sensor s]\ndriver = sim\n");
	ck_assert_int_eq(fclose(f), 0);
	load(ini, &r);
	ck_assert_int_eq(r.ret, 0);
	ck_assert_msg(r.diag.warnings == 2, "%d warnings:\n%s", r.diag.warnings, r.text);
	assert_reported(&r, "public.ini:3: warning: ", "[mqtt] uri: broker.hivemq.com");
	assert_reported(&r, "public.ini:8: warning: ", "[mqtt try] uri: broker.emqx.io");
	load_done(&r);
}
END_TEST

static Suite *public_suite(void)
{
	Suite *s = suite_create("public brokers");
	TCase *tc = tcase_create("load");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_public_warned, 0, sizeof(public_hosts) / sizeof(public_hosts[0]));
	tcase_add_test(tc, test_spellings_warned);
	tcase_add_test(tc, test_tls_and_username);
	tcase_add_test(tc, test_other_hosts_quiet);
	tcase_add_test(tc, test_each_uplink_once);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return sgw_test_run(public_suite());
}
