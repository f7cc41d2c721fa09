/* SPDX-License-Identifier: MIT */
/*
 * Home Assistant discovery on one uplink (deliver/announce.h) against the
 * mock uplink: the round goes as the window lets it, removals first and
 * empty; the state file is rewritten only when a round was acknowledged
 * whole, and acks of an earlier round do not count; Home Assistant's
 * "online" starts a round, a retained one or "offline" does not.
 */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deliver/announce.h"
#include "load/load.h"
#include "tests/fixtures/run.h"
#include "tests/fixtures/tmpdir.h"
#include "tests/mocks/mock_uplink.h"

#define T_ENV "homeassistant/sensor/gw_env_temperature/config"
#define H_ENV "homeassistant/sensor/gw_env_humidity/config"
#define OLD "homeassistant/sensor/gw_gone_temperature/config"

static char dir[PATH_MAX];
static char state[PATH_MAX + 32];
static struct sgw_config *cfg;
static struct sgw_announce *a;

/* What the router does with the uplink's events. */
static void on_ack(void *arg, struct sgw_uplink *u, uint64_t tag)
{
	sgw_announce_ack(arg, tag);
	sgw_announce_pump(arg);
}

static const struct sgw_uplink_handler handler = { .on_ack = on_ack };

/* The configuration with MQTT_EXTRA in [mqtt] and the sections TAIL after the sensor. */
static void load_cfg_with(const char *mqtt_extra, const char *tail)
{
	struct sgw_diag d = { .file = "ha.ini", .out = stderr };
	char *text;
	FILE *f;

	ck_assert_int_ge(asprintf(&text, "[gateway]\nname = gw\nstate_dir = %s\n"
				  "[mqtt]\nuri = mqtt://localhost\nhomeassistant = yes\n%s"
				  "[sensor env]\ndriver = sim\nquantities = temperature, humidity\n%s",
				  dir, mqtt_extra, tail), 0);
	f = fmemopen(text, strlen(text), "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(sgw_config_load_stream(f, "ha.ini", &d, &cfg), 0);
	fclose(f);
	free(text);
}

static void load_cfg(const char *mqtt_extra)
{
	load_cfg_with(mqtt_extra, "");
}

static void make(size_t window)
{
	memset(&mock, 0, sizeof(mock));
	mock.window = window;
	mock.connected = true;
	a = sgw_announce_new(cfg, &cfg->uplinks[0], &mock);
	ck_assert_ptr_nonnull(a);
	mock.h = &handler;
	mock.arg = a;
}

static void setup(void)
{
	test_mkdtemp(dir, sizeof(dir), "check_announce");
	snprintf(state, sizeof(state), "%s/homeassistant.default", dir);
	load_cfg("");
}

static void teardown(void)
{
	sgw_announce_free(a);
	a = NULL;
	sgw_config_free(cfg);
	test_rm_tree(dir);
}

static char *slurp(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void assert_published(size_t i, const char *topic, bool empty)
{
	ck_assert_uint_lt(i, mock.n);
	ck_assert_str_eq(mock.topics[i], topic);
	ck_assert(mock.retained[i]);
	if (empty)
		ck_assert_uint_eq(mock.lens[i], 0);
	else
		ck_assert_str_eq(mock.payloads[i], "{\"name\":\"env te");
}

START_TEST(test_first_round)
{
	struct sgw_announce_stats st;

	make(1);
	ck_assert_uint_eq(mock.nsubs, 1);
	ck_assert_str_eq(mock.subs[0], "homeassistant/status");
	sgw_announce_start(a);
	/* A window of one: one at a time, each ack lets the next go. */
	ck_assert_uint_eq(mock.n, 1);
	assert_published(0, T_ENV, false);
	ck_assert_ptr_null(slurp(state));
	ck_assert(mock_uplink_ack_next(&mock));
	ck_assert_uint_eq(mock.n, 2);
	ck_assert_str_eq(mock.topics[1], H_ENV);
	ck_assert_ptr_null(slurp(state));
	ck_assert(mock_uplink_ack_next(&mock));
	ck_assert_str_eq(slurp(state), T_ENV "\n" H_ENV "\n");
	sgw_announce_get_stats(a, &st);
	ck_assert_uint_eq(st.entities, 2);
	ck_assert_uint_eq(st.removals, 0);
	ck_assert_uint_eq(st.acked, 2);
	ck_assert_uint_eq(st.rounds, 1);
}
END_TEST

START_TEST(test_removal_first)
{
	FILE *f = fopen(state, "w");

	ck_assert_ptr_nonnull(f);
	fputs(OLD "\n" T_ENV "\n", f);
	fclose(f);
	make(8);
	sgw_announce_start(a);
	ck_assert_uint_eq(mock.n, 3);
	assert_published(0, OLD, true);
	assert_published(1, T_ENV, false);
	ck_assert_str_eq(mock.topics[2], H_ENV);
	/* Not yet acknowledged: the removal is still listed. */
	ck_assert_str_eq(slurp(state), OLD "\n" T_ENV "\n");
	mock_uplink_ack_all(&mock);
	ck_assert_str_eq(slurp(state), T_ENV "\n" H_ENV "\n");

	/* Reconnected: removed once, not again. */
	sgw_announce_start(a);
	ck_assert_uint_eq(mock.n, 5);
	ck_assert_str_eq(mock.topics[3], T_ENV);
	ck_assert_str_eq(mock.topics[4], H_ENV);
}
END_TEST

/*
 * An actuator is announced on an uplink with commands = yes, listed in the
 * state file, and removed once it is no longer configured.
 */
START_TEST(test_actuator_removed)
{
	static const char pump[] = "homeassistant/switch/gw_pump/config";

	sgw_config_free(cfg);
	load_cfg_with("commands = yes\n", "[actuator pump]\ndriver = gpio_output\nline = 5\n");
	make(8);
	sgw_announce_start(a);
	ck_assert_uint_eq(mock.n, 3);
	ck_assert_str_eq(mock.topics[2], pump);
	ck_assert_str_eq(mock.payloads[2], "{\"name\":\"pump\",");
	mock_uplink_ack_all(&mock);
	ck_assert_str_eq(slurp(state), T_ENV "\n" H_ENV "\n" "homeassistant/switch/gw_pump/config\n");
	sgw_announce_free(a);
	sgw_config_free(cfg);

	/* Gone from the file: an empty retained config first, and off the list. */
	load_cfg("commands = yes\n");
	make(8);
	sgw_announce_start(a);
	ck_assert_uint_eq(mock.n, 3);
	assert_published(0, pump, true);
	assert_published(1, T_ENV, false);
	mock_uplink_ack_all(&mock);
	ck_assert_str_eq(slurp(state), T_ENV "\n" H_ENV "\n");
}
END_TEST

/* A removal lost with the connection is sent again with the next one. */
START_TEST(test_removal_lost)
{
	FILE *f = fopen(state, "w");

	ck_assert_ptr_nonnull(f);
	fputs(OLD "\n", f);
	fclose(f);
	make(8);
	sgw_announce_start(a);
	ck_assert_uint_eq(mock.n, 3);
	mock_uplink_lose(&mock);
	ck_assert_str_eq(slurp(state), OLD "\n");
	mock.connected = true;
	sgw_announce_start(a);
	ck_assert_uint_eq(mock.n, 6);
	assert_published(3, OLD, true);
	mock_uplink_ack_all(&mock);
	ck_assert_str_eq(slurp(state), T_ENV "\n" H_ENV "\n");
}
END_TEST

START_TEST(test_earlier_round_acks)
{
	make(8);
	sgw_announce_start(a);
	ck_assert_uint_eq(mock.n, 2);
	/* Home Assistant came back: a new round before the first was acked. */
	ck_assert(sgw_announce_message(a, "homeassistant/status", "online", 6, false));
	ck_assert_uint_eq(mock.n, 4);
	ck_assert(mock_uplink_ack_next(&mock));
	ck_assert(mock_uplink_ack_next(&mock));
	ck_assert_msg(slurp(state) == NULL, "written on the first round's acks");
	mock_uplink_ack_all(&mock);
	ck_assert_str_eq(slurp(state), T_ENV "\n" H_ENV "\n");
}
END_TEST

START_TEST(test_status_messages)
{
	make(8);
	sgw_announce_start(a);
	mock_uplink_ack_all(&mock);
	ck_assert_uint_eq(mock.n, 2);
	/* Retained: met on subscribing, the connect has just announced. */
	ck_assert(sgw_announce_message(a, "homeassistant/status", "online", 6, true));
	ck_assert(sgw_announce_message(a, "homeassistant/status", "offline", 7, false));
	ck_assert(sgw_announce_message(a, "homeassistant/status", "onlinex", 7, false));
	ck_assert(!sgw_announce_message(a, "other/status", "online", 6, false));
	ck_assert_uint_eq(mock.n, 2);
	ck_assert(sgw_announce_message(a, "homeassistant/status", "online", 6, false));
	ck_assert_uint_eq(mock.n, 4);
}
END_TEST

START_TEST(test_prefix)
{
	sgw_config_free(cfg);
	load_cfg("homeassistant_prefix = ha/disc\n");
	make(8);
	ck_assert_str_eq(mock.subs[0], "ha/disc/status");
	sgw_announce_start(a);
	ck_assert_str_eq(mock.topics[0], "ha/disc/sensor/gw_env_temperature/config");
	ck_assert(sgw_announce_message(a, "ha/disc/status", "online", 6, false));
	ck_assert(!sgw_announce_message(a, "homeassistant/status", "online", 6, false));
	ck_assert_uint_eq(mock.n, 4);
}
END_TEST

/* Offline: nothing goes, nothing is lost; the connect sends it all. */
START_TEST(test_offline)
{
	make(8);
	mock.connected = false;
	sgw_announce_start(a);
	ck_assert_uint_eq(mock.n, 0);
	mock.connected = true;
	sgw_announce_start(a);
	ck_assert_uint_eq(mock.n, 2);
}
END_TEST

static Suite *announce_suite(void)
{
	Suite *s = suite_create("announce");
	TCase *tc = tcase_create("mock");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_first_round);
	tcase_add_test(tc, test_removal_first);
	tcase_add_test(tc, test_removal_lost);
	tcase_add_test(tc, test_actuator_removed);
	tcase_add_test(tc, test_earlier_round_acks);
	tcase_add_test(tc, test_status_messages);
	tcase_add_test(tc, test_prefix);
	tcase_add_test(tc, test_offline);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return sgw_test_run(announce_suite());
}
