/* SPDX-License-Identifier: MIT */
/*
 * Home Assistant discovery messages from a loaded configuration: topics in
 * the documented <prefix>/<component>/<object_id>/config form, and the
 * config JSON of a sensor, a binary_sensor, a switch and a cover field by
 * field, every key one that Home Assistant's MQTT sensor / binary_sensor /
 * switch / cover schema documents.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load/load.h"
#include "message/discovery.h"
#include "tests/fixtures/run.h"

/* The keys of Home Assistant's schemas that these messages may use. */
static const char *const common_keys[] = {
	"name", "unique_id", "state_topic", "availability_topic", "payload_available",
	"payload_not_available", "device", "expire_after", "value_template", NULL,
};
static const char *const sensor_keys[] = {
	"unit_of_measurement", "device_class", "state_class", "suggested_display_precision", NULL,
};
static const char *const binary_keys[] = { "payload_on", "payload_off", NULL };
/* Home Assistant's MQTT switch and cover; "name" ... "device" are common_keys. */
static const char *const switch_keys[] = {
	"command_topic", "payload_on", "payload_off", "state_on", "state_off", NULL,
};
static const char *const cover_keys[] = {
	"command_topic", "position_topic", "set_position_topic", "payload_open",
	"payload_close", "payload_stop", "state_open", "state_opening", "state_closed",
	"state_closing", "state_stopped", "position_open", "position_closed", NULL,
};
static const char *const device_keys[] = {
	"identifiers", "name", "model", "manufacturer", "sw_version", NULL,
};

static const char ini[] =
	"[gateway]\nname = gw1\ntopic_prefix = home\nstate_dir = /nonexistent\n"
	"[mqtt]\nuri = mqtt://localhost\nhomeassistant = yes\n"
	"[sensor env]\ndriver = sim\nquantities = temperature, humidity, pressure\n"
	"interval = 30s\nformat = json\nfilter.pressure = delta 0.5\n"
	"[sensor front.door]\ndriver = gpio_input\nchip = gpiochip0\nline = 17\ninterval = 5s\n"
	"[sensor meter]\ndriver = pulse_counter\nchip = gpiochip0\nline = 27\nunit = kWh\n"
	"per_unit = 1000\ninterval = 1m\n";

static struct sgw_config *cfg;
static struct sgw_discovery_entity *e;
static size_t n;

/* The configuration TEXT, which must load, as the file NAME. */
static struct sgw_config *load_text(const char *text, const char *name)
{
	struct sgw_diag d = { .file = name, .out = stderr };
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	struct sgw_config *c;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(sgw_config_load_stream(f, name, &d, &c), 0);
	fclose(f);
	return c;
}

static void setup(void)
{
	cfg = load_text(ini, "ha.ini");
	ck_assert_int_eq(sgw_discovery_build(cfg, 0, cfg->uplinks[0].homeassistant_prefix, &e, &n), 0);
}

static void teardown(void)
{
	sgw_discovery_free(e, n);
	sgw_config_free(cfg);
}

static const struct sgw_discovery_entity *find(const char *unique_id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(e[i].unique_id, unique_id) == 0)
			return &e[i];
	ck_abort_msg("no entity %s", unique_id);
	return NULL;
}

static bool listed(const char *const *keys, const char *k, size_t len)
{
	for (; keys && *keys; keys++)
		if (strlen(*keys) == len && strncmp(*keys, k, len) == 0)
			return true;
	return false;
}

/*
 * Every key of the object (those inside "device" against DEVICE_KEYS) is
 * documented.  The payloads have no '"' inside strings but escaped ones,
 * and none here: a key is a string followed by ':'.
 */
static void assert_schema(const char *json, const char *const *extra)
{
	int depth = 0;

	for (const char *p = json; *p; p++) {
		if (*p == '{')
			depth++;
		else if (*p == '}')
			depth--;
		else if (*p == '"') {
			const char *end = strchr(p + 1, '"');

			ck_assert_ptr_nonnull(end);
			if (end[1] == ':') {
				size_t len = (size_t)(end - p - 1);
				bool ok = depth == 1 ? listed(common_keys, p + 1, len) ||
							   listed(extra, p + 1, len)
						     : listed(device_keys, p + 1, len);

				ck_assert_msg(ok, "undocumented key %.*s in %s", (int)len, p + 1, json);
			}
			p = end;
		}
	}
	ck_assert_int_eq(depth, 0);
}

#define DEVICE "\"device\":{\"identifiers\":[\"sensorgw_gw1\"],\"name\":\"gw1\"," \
	"\"model\":\"sensorgw gateway\",\"manufacturer\":\"sensorgw\",\"sw_version\":\"" \
	PACKAGE_VERSION "\"}"
#define AVAIL "\"availability_topic\":\"home/gw1/status\",\"payload_available\":\"online\"," \
	"\"payload_not_available\":\"offline\""

START_TEST(test_entities_and_topics)
{
	/* Every channel, in file order; '.' is no object id character. */
	static const char *const topics[] = {
		"homeassistant/sensor/gw1_env_temperature/config",
		"homeassistant/sensor/gw1_env_humidity/config",
		"homeassistant/sensor/gw1_env_pressure/config",
		"homeassistant/binary_sensor/gw1_front_door_state/config",
		"homeassistant/sensor/gw1_meter_total/config",
		"homeassistant/sensor/gw1_meter_rate/config",
	};

	ck_assert_uint_eq(n, 6);
	for (size_t i = 0; i < n; i++) {
		ck_assert_str_eq(e[i].topic, topics[i]);
		ck_assert_uint_eq(e[i].len, strlen(e[i].payload));
		assert_schema(e[i].payload, strstr(e[i].topic, "/binary_sensor/") ? binary_keys
										  : sensor_keys);
	}
	ck_assert_str_eq(e[3].unique_id, "sensorgw_gw1_front_door_state");
}
END_TEST

START_TEST(test_sensor_json)
{
	/* JSON payloads: the value through a template; 3 x 30 s to expire. */
	ck_assert_str_eq(find("sensorgw_gw1_env_temperature")->payload,
		"{\"name\":\"env temperature\",\"unique_id\":\"sensorgw_gw1_env_temperature\","
		"\"state_topic\":\"home/env/temperature\"," AVAIL "," DEVICE ","
		"\"unit_of_measurement\":\"°C\",\"device_class\":\"temperature\","
		"\"state_class\":\"measurement\",\"suggested_display_precision\":1,"
		"\"expire_after\":90,\"value_template\":\"{{ value_json.value }}\"}");
	ck_assert_ptr_nonnull(strstr(find("sensorgw_gw1_env_humidity")->payload,
				     "\"unit_of_measurement\":\"%\",\"device_class\":\"humidity\""));
	/* A delta filter may hold a steady value back: no expiry. */
	ck_assert_ptr_nonnull(strstr(find("sensorgw_gw1_env_pressure")->payload,
				     "\"unit_of_measurement\":\"hPa\",\"device_class\":\"pressure\""));
	ck_assert_ptr_null(strstr(find("sensorgw_gw1_env_pressure")->payload, "expire_after"));
}
END_TEST

/*
 * With a heartbeat the delta's channel expires after 3 heartbeats; the
 * others keep 3 intervals, and a heartbeat shorter than the interval
 * changes nothing.
 */
START_TEST(test_heartbeat_expiry)
{
	static const char hb[] =
		"[gateway]\nname = gw1\nstate_dir = /nonexistent\n"
		"[mqtt]\nuri = mqtt://localhost\nhomeassistant = yes\n"
		"[sensor env]\ndriver = sim\nquantities = temperature, pressure\n"
		"interval = 30s\nheartbeat = 10m\nfilter.pressure = delta 0.5\n"
		"[sensor fast]\ndriver = sim\nquantities = pressure\ninterval = 2m\n"
		"heartbeat = 1m\nfilter = delta 0.5\n";
	struct sgw_config *hc = load_text(hb, "hb.ini");
	struct sgw_discovery_entity *he;
	size_t hn;

	ck_assert_int_eq(sgw_discovery_build(hc, 0, "homeassistant", &he, &hn), 0);
	ck_assert_uint_eq(hn, 3);
	ck_assert_str_eq(he[0].unique_id, "sensorgw_gw1_env_temperature");
	ck_assert_ptr_nonnull(strstr(he[0].payload, "\"expire_after\":90"));
	ck_assert_str_eq(he[1].unique_id, "sensorgw_gw1_env_pressure");
	ck_assert_ptr_nonnull(strstr(he[1].payload, "\"expire_after\":1800"));
	ck_assert_str_eq(he[2].unique_id, "sensorgw_gw1_fast_pressure");
	ck_assert_ptr_nonnull(strstr(he[2].payload, "\"expire_after\":360"));
	sgw_discovery_free(he, hn);
	sgw_config_free(hc);
}
END_TEST

START_TEST(test_binary_sensor)
{
	/* Plain payloads "1" / "0": no template; 3 x 5 s is below the 60 s floor. */
	ck_assert_str_eq(find("sensorgw_gw1_front_door_state")->payload,
		"{\"name\":\"front.door state\",\"unique_id\":\"sensorgw_gw1_front_door_state\","
		"\"state_topic\":\"home/front.door/state\"," AVAIL "," DEVICE ","
		"\"payload_on\":\"1\",\"payload_off\":\"0\",\"expire_after\":60}");
}
END_TEST

START_TEST(test_pulse_counter)
{
	/* The total only grows (and restarts at 0 with the daemon): energy in kWh. */
	ck_assert_str_eq(find("sensorgw_gw1_meter_total")->payload,
		"{\"name\":\"meter total\",\"unique_id\":\"sensorgw_gw1_meter_total\","
		"\"state_topic\":\"home/meter/total\"," AVAIL "," DEVICE ","
		"\"unit_of_measurement\":\"kWh\",\"device_class\":\"energy\","
		"\"state_class\":\"total_increasing\",\"suggested_display_precision\":3,"
		"\"expire_after\":180}");
	/* A rate in kWh/h has no device class Home Assistant would accept. */
	ck_assert_str_eq(find("sensorgw_gw1_meter_rate")->payload,
		"{\"name\":\"meter rate\",\"unique_id\":\"sensorgw_gw1_meter_rate\","
		"\"state_topic\":\"home/meter/rate\"," AVAIL "," DEVICE ","
		"\"unit_of_measurement\":\"kWh/h\",\"state_class\":\"measurement\","
		"\"suggested_display_precision\":3,\"expire_after\":180}");
}
END_TEST

START_TEST(test_prefix)
{
	struct sgw_discovery_entity *o;
	size_t k;

	ck_assert_int_eq(sgw_discovery_build(cfg, 0, "ha/disc", &o, &k), 0);
	ck_assert_uint_eq(k, n);
	ck_assert_str_eq(o[0].topic, "ha/disc/sensor/gw1_env_temperature/config");
	ck_assert_str_eq(o[0].payload, e[0].payload);
	sgw_discovery_free(o, k);
}
END_TEST

/*
 * An uplink announces only the sensors it carries ([mqtt NAME] sensors):
 * Home Assistant would wait for ever for the readings of the others.
 */
START_TEST(test_uplink_subset)
{
	static const char two[] =
		"[gateway]\nname = gw1\nstate_dir = /nonexistent\n"
		"[mqtt]\nuri = mqtt://localhost\nhomeassistant = yes\n"
		"[mqtt cloud]\nuri = mqtt://cloud.example\nhomeassistant = yes\nsensors = b\n"
		"[sensor a]\ndriver = sim\nquantities = temperature, humidity\n"
		"[sensor b]\ndriver = sim\nquantities = pressure\n";
	struct sgw_config *tc = load_text(two, "two.ini");
	struct sgw_discovery_entity *te;
	size_t tn;

	ck_assert_int_eq(sgw_discovery_build(tc, 0, "homeassistant", &te, &tn), 0);
	ck_assert_uint_eq(tn, 3);
	ck_assert_str_eq(te[2].unique_id, "sensorgw_gw1_b_pressure");
	sgw_discovery_free(te, tn);
	ck_assert_int_eq(sgw_discovery_build(tc, 1, "homeassistant", &te, &tn), 0);
	ck_assert_uint_eq(tn, 1);
	ck_assert_str_eq(te[0].unique_id, "sensorgw_gw1_b_pressure");
	sgw_discovery_free(te, tn);
	sgw_config_free(tc);
}
END_TEST

/*
 * Actuators, after the channels, only on an uplink with commands = yes:
 * Home Assistant would offer switches that nothing obeys.
 */
START_TEST(test_actuators)
{
	static const char act[] =
		"[gateway]\nname = gw1\ntopic_prefix = home\nstate_dir = /nonexistent\n"
		"[mqtt]\nuri = mqtt://localhost\nhomeassistant = yes\ncommands = yes\n"
		"[mqtt view]\nuri = mqtt://other\nhomeassistant = yes\n"
		"[sensor a]\ndriver = sim\n"
		"[actuator garden.pump]\ndriver = gpio_output\nline = 5\n"
		"[actuator blind]\ndriver = cover\nline_up = 6\nline_down = 7\ntravel_time = 20s\n"
		"command_topic = cmd/blind\n";
	struct sgw_config *ac = load_text(act, "act.ini");
	struct sgw_discovery_entity *ae;
	size_t an;

	ck_assert_int_eq(sgw_discovery_build(ac, 0, "homeassistant", &ae, &an), 0);
	ck_assert_uint_eq(an, 3);
	ck_assert_str_eq(ae[0].unique_id, "sensorgw_gw1_a_temperature");
	ck_assert_str_eq(ae[1].topic, "homeassistant/switch/gw1_garden_pump/config");
	ck_assert_str_eq(ae[1].unique_id, "sensorgw_gw1_garden_pump");
	ck_assert_str_eq(ae[1].payload,
		"{\"name\":\"garden.pump\",\"unique_id\":\"sensorgw_gw1_garden_pump\","
		"\"command_topic\":\"home/gw1/garden.pump/set\","
		"\"state_topic\":\"home/gw1/garden.pump\"," AVAIL "," DEVICE ","
		"\"payload_on\":\"ON\",\"payload_off\":\"OFF\","
		"\"state_on\":\"ON\",\"state_off\":\"OFF\"}");
	ck_assert_uint_eq(ae[1].len, strlen(ae[1].payload));
	assert_schema(ae[1].payload, switch_keys);
	ck_assert_str_eq(ae[2].topic, "homeassistant/cover/gw1_blind/config");
	ck_assert_str_eq(ae[2].unique_id, "sensorgw_gw1_blind");
	ck_assert_str_eq(ae[2].payload,
		"{\"name\":\"blind\",\"unique_id\":\"sensorgw_gw1_blind\","
		"\"command_topic\":\"cmd/blind\",\"state_topic\":\"home/gw1/blind\","
		"\"position_topic\":\"home/gw1/blind/position\","
		"\"set_position_topic\":\"cmd/blind\"," AVAIL "," DEVICE ","
		"\"payload_open\":\"OPEN\",\"payload_close\":\"CLOSE\",\"payload_stop\":\"STOP\","
		"\"state_open\":\"open\",\"state_opening\":\"opening\","
		"\"state_closed\":\"closed\",\"state_closing\":\"closing\","
		"\"state_stopped\":\"stopped\",\"position_open\":100,\"position_closed\":0}");
	assert_schema(ae[2].payload, cover_keys);
	sgw_discovery_free(ae, an);

	ck_assert_int_eq(sgw_discovery_build(ac, 1, "homeassistant", &ae, &an), 0);
	ck_assert_uint_eq(an, 1);
	ck_assert_str_eq(ae[0].unique_id, "sensorgw_gw1_a_temperature");
	sgw_discovery_free(ae, an);
	sgw_config_free(ac);
}
END_TEST

static Suite *discovery_suite(void)
{
	Suite *s = suite_create("discovery");
	TCase *tc = tcase_create("payloads");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_entities_and_topics);
	tcase_add_test(tc, test_sensor_json);
	tcase_add_test(tc, test_heartbeat_expiry);
	tcase_add_test(tc, test_binary_sensor);
	tcase_add_test(tc, test_pulse_counter);
	tcase_add_test(tc, test_prefix);
	tcase_add_test(tc, test_uplink_subset);
	tcase_add_test(tc, test_actuators);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return sgw_test_run(discovery_suite());
}
