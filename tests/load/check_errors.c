/* SPDX-License-Identifier: MIT */
/*
 * The INI loader refuses: each bad file is refused (-EINVAL, no
 * configuration) with its error reported as "FILE:LINE: message" at the
 * expected line, every error of a file is reported, and generated files
 * test the limits of the reading pass through the loader.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "load/load.h"
#include "tests/fixtures/load_fixture.h"
#include "tests/fixtures/run.h"

/* ---------------------------------------------------------------- bad files */

static const struct bad_case {
	const char *file;	/* in tests/ini/bad */
	const char *loc;	/* "FILE:LINE: " or "FILE: " when no line applies */
	const char *msg;	/* part of the message on that line */
} bad_cases[] = {
	{ "unknown_section.ini", "unknown_section.ini:11: ", "unknown section [sensors cozinha]" },
	{ "filter_bad.ini", "filter_bad.ini:10: ", "[sensor sala] filter.humidity (humidity): \"median 20\"" },
	{ "filter_too_fine.ini", "filter_too_fine.ini:9: ", "[sensor sala] filter (temperature): \"ema 0.2, delta 0.001\"" },
	{ "queue_bad_size.ini", "queue_bad_size.ini:5: ", "[queue] max_size: \"64 megabytes\" is not a size" },
	{ "queue_bad_mode.ini", "queue_bad_mode.ini:5: ", "[queue] mode: \"sometimes\"" },
	{ "queue_too_small.ini", "queue_too_small.ini:6: ", "max_size (6291456) must be at least twice segment_size" },
	{ "queue_duplicate.ini", "queue_duplicate.ini:3: ", "duplicate section [queue] (first at line 1)" },
	{ "unknown_key.ini", "unknown_key.ini:4: ", "[gateway] colour: unknown key" },
	{ "unknown_driver_key.ini", "unknown_driver_key.ini:10: ", "[sensor sala] zone: unknown key" },
	{ "misspelt_core_key.ini", "misspelt_core_key.ini:10: ", "[sensor sala] intervall: unknown key" },
	{ "bad_number.ini", "bad_number.ini:7: ", "[mqtt] qos: \"one\" is not an integer" },
	{ "out_of_range.ini", "out_of_range.ini:7: ", "[mqtt] qos: \"3\" is out of range (0..2)" },
	{ "bad_duration.ini", "bad_duration.ini:10: ", "[sensor sala] interval: \"10x\" is not a duration" },
	{ "duration_range.ini", "duration_range.ini:10: ", "interval: \"25h\" is out of range (1ms..24h)" },
	{ "heartbeat_range.ini", "heartbeat_range.ini:10: ", "[sensor sala] heartbeat: \"200h\" is out of range (0ms..168h)" },
	{ "timeout_range.ini", "timeout_range.ini:10: ", "timeout: \"2m\" is out of range (1ms..1m)" },
	{ "duplicate_key.ini", "duplicate_key.ini:11: ", "duplicate key \"interval\" (first at line 10)" },
	{ "duplicate_section.ini", "duplicate_section.ini:11: ", "duplicate section [gateway] (first at line 1)" },
	{ "duplicate_sensor.ini", "duplicate_sensor.ini:11: ", "duplicate sensor name \"sala\" (first at line 8)" },
	{ "duplicate_uplink.ini", "duplicate_uplink.ini:11: ", "duplicate section [mqtt] (first at line 5)" },
	{ "wildcard_plus.ini", "wildcard_plus.ini:10: ", "wildcards '+' and '#' are not allowed" },
	{ "wildcard_hash.ini", "wildcard_hash.ini:10: ", "topic.temperature: \"casa/sala/#\"" },
	{ "bad_utf8_topic.ini", "bad_utf8_topic.ini:10: ", "invalid UTF-8" },
	{ "overlong_utf8.ini", "overlong_utf8.ini:10: ", "invalid UTF-8" },
	{ "topic_too_long.ini", "topic_too_long.ini:10: ", "longer than 65535 bytes after expansion" },
	{ "dollar_topic.ini", "dollar_topic.ini:10: ", "reserved for the broker" },
	{ "dollar_prefix.ini", "dollar_prefix.ini:3: ", "[gateway] topic_prefix: \"$casa\" is not a valid topic prefix: topics starting with '$' are reserved" },
	{ "missing_uri.ini", "missing_uri.ini:5: ", "[mqtt] missing required key \"uri\"" },
	{ "missing_driver.ini", "missing_driver.ini:8: ", "[sensor sala] missing required key \"driver\"" },
	{ "no_mqtt.ini", "no_mqtt.ini: ", "no [mqtt] section" },
	{ "no_sensors.ini", "no_sensors.ini: ", "no [sensor NAME] section" },
	{ "unknown_driver.ini", "unknown_driver.ini:9: ", "[sensor sala] driver: \"bme999\" is not a driver (known: " },
	{ "quantity_not_provided.ini", "quantity_not_provided.ini:11: ", "precision.humidity: driver \"sim\" has no quantity \"humidity\" (it has: temperature)" },
	{ "tls_key_plain.ini", "tls_key_plain.ini:7: ", "[mqtt] ca_file: only for mqtts:// URIs" },
	{ "unreadable_password.ini", "unreadable_password.ini:8: ", "password_file: cannot read \"/nonexistent/sensorgw-test-password\": No such file" },
	{ "unreadable_ca.ini", "unreadable_ca.ini:7: ", "bad/missing-ca.pem\": No such file" },
	{ "reconnect_order.ini", "reconnect_order.ini:8: ", "reconnect_min (2m) is greater than reconnect_max (30s)" },
	{ "empty.ini", "empty.ini: ", "empty configuration" },
	{ "comments_only.ini", "comments_only.ini: ", "empty configuration" },
	{ "garbage.ini", "garbage.ini:1: ", "invalid UTF-8 in line" },
	{ "nul.ini", "nul.ini:10: ", "NUL byte in line" },
	{ "control_char.ini", "control_char.ini:10: ", "control character 0x1b in line" },
	{ "key_outside.ini", "key_outside.ini:2: ", "key \"name\" outside any section" },
	{ "unknown_template_var.ini", "unknown_template_var.ini:10: ", "unknown variable" },
	{ "unclosed_template.ini", "unclosed_template.ini:10: ", "'{' without a closing '}'" },
	{ "client_id_var.ini", "client_id_var.ini:7: ", "[mqtt] client_id: \"gw-{sensor}\" variable not available here" },
	{ "no_equals.ini", "no_equals.ini:10: ", "expected \"key = value\"" },
	{ "colon_separator.ini", "colon_separator.ini:10: ", "':' is not a separator" },
	{ "empty_filter.ini", "empty_filter.ini:10: ", "[sensor sala] filter: empty value" },
	{ "empty_quantity_filter.ini", "empty_quantity_filter.ini:10: ", "filter.temperature: empty value" },
	{ "bad_bool.ini", "bad_bool.ini:7: ", "retain: \"maybe\" is not a boolean" },
	{ "bad_scheme.ini", "bad_scheme.ini:6: ", "must start with mqtt:// or mqtts://" },
	{ "bad_port.ini", "bad_port.ini:6: ", "bad port (1..65535)" },
	{ "uri_path.ini", "uri_path.ini:6: ", "no user, path or query" },
	{ "bad_gateway_name.ini", "bad_gateway_name.ini:2: ", "[gateway] name: \"sala pi!\" is not a valid name" },
	{ "bad_sensor_name.ini", "bad_sensor_name.ini:8: ", "bad name" },
	{ "sensor_without_name.ini", "sensor_without_name.ini:8: ", "sensor section without a name" },
	{ "unclosed_section.ini", "unclosed_section.ini:8: ", "section header without ']'" },
	{ "bad_precision.ini", "bad_precision.ini:10: ", "precision.temperature: \"12\" is not a precision" },
	{ "bad_format.ini", "bad_format.ini:4: ", "[gateway] format: \"xml\" is not one of: plain, json" },
	{ "bad_clock.ini", "bad_clock.ini:3: ", "[gateway] clock: \"gps\" is not one of: ntp, rtc" },
	{ "duplicate_topic.ini", "duplicate_topic.ini:14: ", "topic \"casa/sala\" is also the topic of [sensor sala] temperature (line 10)" },
	{ "same_topic_quantities.ini", "same_topic_quantities.ini:11: ", "is also the topic of [sensor sala]" },
	{ "driver_value_range.ini", "driver_value_range.ini:10: ", "[sensor sala] zone: \"40\" is out of range (0..31)" },
	{ "driver_bad_value.ini", "driver_bad_value.ini:10: ", "[sensor sala] seed: \"-1\" is out of range (0..4294967295)" },
	{ "too_many_uplinks.ini", "too_many_uplinks.ini:20: ", "too many [mqtt] sections (at most 4)" },
	{ "cert_without_key.ini", "cert_without_key.ini:7: ", "cert_file and key_file go together" },
	{ "password_without_user.ini", "password_without_user.ini:7: ", "MQTT 3.1.1 sends a password only with a username" },
	{ "keepalive_fraction.ini", "keepalive_fraction.ini:7: ", "keepalive: \"5500ms\" is not a whole number of seconds" },
	{ "bad_protocol.ini", "bad_protocol.ini:7: ", "protocol: \"3.1\" is not one of: 3.1.1, 5" },
	{ "ha_prefix_wildcard.ini", "ha_prefix_wildcard.ini:8: ", "homeassistant_prefix: \"ha/+/x\"" },
	{ "ha_prefix_slash.ini", "ha_prefix_slash.ini:8: ", "homeassistant_prefix: \"ha/\" ends with '/'" },
	{ "text_after_section.ini", "text_after_section.ini:5: ", "text after the section header" },
	{ "bad_key_name.ini", "bad_key_name.ini:10: ", "bad key name \"inter val\"" },
	{ "gateway_with_name.ini", "gateway_with_name.ini:1: ", "[gateway] takes no name" },
	{ "status_topic_clash.ini", "status_topic_clash.ini:10: ", "is the gateway's status topic" },
	{ "sim_bad_quantity.ini", "sim_bad_quantity.ini:10: ", "[sensor sala] quantities" },
	{ "max_rate_bad.ini", "max_rate_bad.ini:7: ", "[mqtt] max_rate: \"100/min\" is not a rate: N/s" },
	{ "max_rate_range.ini", "max_rate_range.ini:7: ", "[mqtt] max_rate: \"0/s\" is out of range (1/s..1000000/s)" },
	{ "aws_rate.ini", "aws_rate.ini:10: ", "[mqtt aws] max_rate: \"101/s\" AWS IoT Core takes at most 100 publishes a second per connection" },
	{ "sensors_unknown.ini", "sensors_unknown.ini:7: ", "[mqtt] sensors: \"cozinha\" is not a [sensor NAME] section" },
	{ "sensors_empty_name.ini", "sensors_empty_name.ini:7: ", "[mqtt] sensors: \"sala,,sala\" has an empty name" },
	{ "aws_profile_name.ini", "aws_profile_name.ini:6: ", "[mqtt aws] profile: \"aws\" is not one of: none, aws-iot, azure-iot-hub" },
	{ "aws_plain.ini", "aws_plain.ini:7: ", "[mqtt aws] uri: \"mqtt://example-ats.iot.eu-west-1.amazonaws.com\" AWS IoT Core takes MQTT only over TLS: mqtts://" },
	{ "aws_port.ini", "aws_port.ini:7: ", "[mqtt aws] uri: \"mqtts://example-ats.iot.eu-west-1.amazonaws.com:8884\" AWS IoT Core takes MQTT on port 8883, or on 443 with alpn = x-amzn-mqtt-ca" },
	{ "aws_no_cert.ini", "aws_no_cert.ini:8: ", "[mqtt aws] profile: \"aws-iot\" needs cert_file and key_file" },
	{ "aws_alpn.ini", "aws_alpn.ini:10: ", "[mqtt aws] alpn: \"mqtt\" AWS IoT Core takes MQTT on port 443 only with alpn = x-amzn-mqtt-ca" },
	{ "aws_qos2.ini", "aws_qos2.ini:10: ", "[mqtt aws] qos: \"2\" AWS IoT Core does not support QoS 2" },
	{ "aws_sensor_qos2.ini", "aws_sensor_qos2.ini:14: ", "[sensor sala] qos: \"2\" AWS IoT Core does not support QoS 2 ([mqtt aws] profile = aws-iot, line 6)" },
	{ "sensor_qos.ini", "sensor_qos.ini:9: ", "[sensor sala] qos: \"3\" is out of range (0..2)" },
	{ "sensor_retain.ini", "sensor_retain.ini:10: ", "[sensor sala] retain: \"sometimes\" is not a boolean" },
	{ "aws_client_id.ini", "aws_client_id.ini:10: ", "makes a client ID of 130 bytes; AWS IoT Core allows 128" },
	{ "aws_keepalive.ini", "aws_keepalive.ini:10: ", "[mqtt aws] keepalive: \"20s\" AWS IoT Core takes a keepalive of 30s..1200s" },
	{ "aws_actuator_slashes.ini", "aws_actuator_slashes.ini:14: ", "[actuator blind]: topic \"casa/a/b/c/d/e/f/persiana/position\" (where its position goes) has 8 slashes; AWS IoT Core allows 7 ([mqtt aws] profile = aws-iot, line 6)" },
	{ "aws_inflight.ini", "aws_inflight.ini:10: ", "[mqtt aws] max_inflight: \"101\" AWS IoT Core allows at most 100 unacknowledged publishes" },
	{ "aws_reconnect.ini", "aws_reconnect.ini:10: ", "[mqtt aws] reconnect_min: \"1500ms\" AWS IoT Core takes one connection attempt a second per client ID, and retries come as early as half of reconnect_min: 2s at least" },
	{ "aws_reconnect_max.ini", "aws_reconnect_max.ini:10: ", "[mqtt aws] reconnect_max: \"1s\" is less than reconnect_min, which is 2s at least for AWS IoT Core" },
	{ "aws_slashes.ini", "aws_slashes.ini:13: ", "[sensor sala] temperature: topic \"casa/a/b/c/d/e/f/sala/temperature\" has 8 slashes; AWS IoT Core allows 7 ([mqtt aws] profile = aws-iot, line 6)" },
	{ "aws_error_slashes.ini", "aws_error_slashes.ini:13: ", "topic \"casa/a/b/c/d/e/sala/temperature/error\" (where its errors go) has 8 slashes" },
	{ "aws_topic_long.ini", "aws_topic_long.ini:13: ", "is 257 bytes; AWS IoT Core allows 256" },
	{ "aws_basic_ingest_slashes.ini", "aws_basic_ingest_slashes.ini:13: ", "has 8 slashes after the Basic Ingest prefix; AWS IoT Core allows 7" },
	{ "azure_plain.ini", "azure_plain.ini:7: ", "[mqtt azure] uri: \"mqtt://gw-hub.azure-devices.net\" Azure IoT Hub takes MQTT only over TLS: mqtts:// (profile = azure-iot-hub)" },
	{ "azure_websockets.ini", "azure_websockets.ini:7: ", "[mqtt azure] uri: \"mqtts://gw-hub.azure-devices.net:443\" port 443 is Azure IoT Hub's MQTT over WebSockets, which sensorgw does not speak: use port 8883" },
	{ "azure_no_device.ini", "azure_no_device.ini:5: ", "[mqtt azure] missing required key \"device_id\"" },
	{ "azure_device_id.ini", "azure_device_id.ini:8: ", "[mqtt azure] device_id: \"sala/pi\" is not a device ID: 1..128 ASCII letters, digits and - . % _ * ? ! ( ) , : = @ $ '" },
	{ "azure_client_id.ini", "azure_client_id.ini:10: ", "[mqtt azure] client_id: the client ID is the device ID (device_id) (profile = azure-iot-hub)" },
	{ "azure_username.ini", "azure_username.ini:10: ", "[mqtt azure] username: the profile makes the username and the password from device_id and sas_key_file" },
	{ "azure_password.ini", "azure_password.ini:10: ", "[mqtt azure] password_file: the profile makes the username and the password" },
	{ "azure_both.ini", "azure_both.ini:9: ", "[mqtt azure] sas_key_file: a device signs in with a SAS token (sas_key_file) or an X.509 certificate (cert_file), not both" },
	{ "azure_no_auth.ini", "azure_no_auth.ini:6: ", "[mqtt azure] profile: needs sas_key_file (the device's symmetric key) or cert_file and key_file" },
	{ "azure_bad_key.ini", "azure_bad_key.ini:9: ", "data/password\" holds no device key: its first line must be the Base64 of 16..64 bytes" },
	{ "azure_ttl.ini", "azure_ttl.ini:10: ", "[mqtt azure] sas_ttl: \"30s\" is out of range (1m..720h)" },
	{ "azure_ttl_x509.ini", "azure_ttl_x509.ini:11: ", "[mqtt azure] sas_ttl: only with sas_key_file" },
	{ "azure_qos2.ini", "azure_qos2.ini:10: ", "[mqtt azure] qos: \"2\" Azure IoT Hub does not support QoS 2 (profile = azure-iot-hub)" },
	{ "azure_sensor_qos2.ini", "azure_sensor_qos2.ini:14: ", "[sensor sala] qos: \"2\" Azure IoT Hub does not support QoS 2 ([mqtt azure] profile = azure-iot-hub, line 6)" },
	{ "azure_retain.ini", "azure_retain.ini:10: ", "[mqtt azure] retain: \"yes\" Azure IoT Hub keeps no retained messages" },
	{ "azure_mqtt5.ini", "azure_mqtt5.ini:10: ", "[mqtt azure] protocol: \"5\" Azure IoT Hub's device API is MQTT 3.1.1" },
	{ "azure_homeassistant.ini", "azure_homeassistant.ini:10: ", "[mqtt azure] homeassistant: \"yes\" Azure IoT Hub takes telemetry only, no Home Assistant discovery" },
	{ "azure_commands.ini", "azure_commands.ini:10: ", "[mqtt azure] commands: \"yes\" Azure IoT Hub lets a device subscribe to its cloud-to-device messages only" },
	{ "azure_other_profile.ini", "azure_other_profile.ini:7: ", "[mqtt azure] device_id: only with profile = azure-iot-hub" },
	{ "aws_status_slashes.ini", "aws_status_slashes.ini:6: ", "[mqtt aws] profile: topic \"a/b/c/d/e/f/test/status/stats\" (the statistics topic) has 8 slashes" },
	{ "batch_bool.ini", "batch_bool.ini:7: ", "[mqtt] batch: \"maybe\" is not a boolean" },
	{ "batch_bytes_range.ini", "batch_bytes_range.ini:8: ", "[mqtt] batch_bytes: \"255\" is not a size from 256 to 131072 bytes" },
	{ "batch_readings_range.ini", "batch_readings_range.ini:8: ", "[mqtt] batch_readings: \"1001\" is out of range (1..1000)" },
	{ "batch_wait_range.ini", "batch_wait_range.ini:8: ", "[mqtt] batch_wait: \"61s\" is out of range (0ms..1m)" },
	{ "batch_topic_wildcard.ini", "batch_topic_wildcard.ini:8: ", "[mqtt] batch_topic: \"casa/+/batch\" is not a valid topic: wildcards" },
	{ "batch_topic_var.ini", "batch_topic_var.ini:8: ", "[mqtt] batch_topic: \"casa/{sensor}\" is not a valid topic: variable not available here" },
	{ "aws_batch_slashes.ini", "aws_batch_slashes.ini:10: ", "[mqtt aws] batch: topic \"a/b/c/d/e/f/g/h/batch\" (the batch topic) has 8 slashes; AWS IoT Core allows 7" },
};

#define NBAD (sizeof(bad_cases) / sizeof(bad_cases[0]))

START_TEST(test_bad_file)
{
	const struct bad_case *c = &bad_cases[_i];
	char rel[128], *path;
	struct load r;

	snprintf(rel, sizeof(rel), "tests/ini/bad/%s", c->file);
	path = ini_path(rel);
	load(path, &r);
	assert_refused(&r, c->file);
	assert_reported(&r, c->loc, c->msg);
	load_done(&r);
	free(path);
}
END_TEST

/* Every file in tests/ini/bad is in the table (and so is tested). */
START_TEST(test_bad_files_all_listed)
{
	char *dir = ini_path("tests/ini/bad");
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d))) {
		bool listed = strcmp(e->d_name, "multiple_errors.ini") == 0;

		if (!strstr(e->d_name, ".ini"))
			continue;
		for (size_t i = 0; i < NBAD; i++)
			listed |= strcmp(bad_cases[i].file, e->d_name) == 0;
		ck_assert_msg(listed, "%s is not in bad_cases[]", e->d_name);
		n++;
	}
	closedir(d);
	free(dir);
	ck_assert_uint_eq(n, NBAD + 1);
	ck_assert_uint_ge(NBAD, 25);
}
END_TEST

/* One mistake does not hide the next: all of them are reported. */
START_TEST(test_all_errors_reported)
{
	char *path = ini_path("tests/ini/bad/multiple_errors.ini");
	struct load r;

	load(path, &r);
	assert_refused(&r, "multiple_errors.ini");
	ck_assert_int_eq(r.diag.errors, 5);
	assert_reported(&r, "multiple_errors.ini:4: ", "format: \"yaml\"");
	assert_reported(&r, "multiple_errors.ini:8: ", "qos: \"5\" is out of range");
	assert_reported(&r, "multiple_errors.ini:12: ", "interval: \"soon\" is not a duration");
	assert_reported(&r, "multiple_errors.ini:13: ", "wildcards");
	assert_reported(&r, "multiple_errors.ini:15: ", "[sensor cozinha] missing required key \"driver\"");
	load_done(&r);
	free(path);
}
END_TEST

/* ---------------------------------------------------------------- generated files */

static char tmpdir[PATH_MAX];

static void tmp_setup(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/check_errors.XXXXXX", t && *t ? t : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void tmp_teardown(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char p[PATH_MAX + 256];

		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", tmpdir, e->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(tmpdir);
}

static char *tmp_file(const char *name)
{
	char *p;

	ck_assert_int_ge(asprintf(&p, "%s/%s", tmpdir, name), 0);
	return p;
}

static const char base_ini[] =
	"[gateway]\n"
	"name = test\n";
static const char tail_ini[] =
	"[mqtt]\n"
	"uri = mqtt://localhost\n"
	"[sensor s]\n"
	"driver = sim\n";

/* A line of 512 KiB: a clear error, the rest of the file still read. */
START_TEST(test_huge_line)
{
	char *path = tmp_file("huge.ini");
	FILE *f = fopen(path, "w");
	struct load r;

	ck_assert_ptr_nonnull(f);
	fputs(base_ini, f);			/* lines 1-2 */
	fputs("topic_prefix = ", f);		/* line 3: 15 + 512 KiB bytes */
	for (int i = 0; i < 512 * 1024; i++)
		fputc('x', f);
	fputs("\nformat = xml\n", f);		/* line 4 */
	fputs(tail_ini, f);
	ck_assert_int_eq(fclose(f), 0);
	load(path, &r);
	assert_refused(&r, "huge.ini");
	assert_reported(&r, "huge.ini:3: ", "line too long (524303 bytes, at most 4096)");
	assert_reported(&r, "huge.ini:4: ", "format: \"xml\"");
	ck_assert_int_eq(r.diag.errors, 2);
	load_done(&r);
	free(path);
}
END_TEST

/* A 10 MiB file is refused at the line where it passes 1 MiB, and not read further. */
START_TEST(test_file_too_large)
{
	char *path = tmp_file("large.ini");
	FILE *f = fopen(path, "w");
	struct load r;

	ck_assert_ptr_nonnull(f);
	fputs(base_ini, f);			/* lines 1-2 */
	fputs("topic_prefix = ", f);		/* line 3: passes the limit */
	for (int i = 0; i < 10 * 1024 * 1024; i++)
		fputc('x', f);
	fputs("\nformat = xml\n", f);		/* not reached */
	fputs(tail_ini, f);
	ck_assert_int_eq(fclose(f), 0);
	load(path, &r);
	assert_refused(&r, "large.ini");
	ck_assert_int_eq(r.diag.errors, 1);
	assert_reported(&r, "large.ini:3: ", "file too large (more than 1048576 bytes)");
	load_done(&r);
	free(path);
}
END_TEST

/* 4096 bytes is the longest line: exactly that loads, one more does not. */
START_TEST(test_line_limit)
{
	static const char key[] = "topic_prefix = ";
	char *path = tmp_file("limit.ini");
	struct load r;

	for (int extra = 0; extra <= 1; extra++) {
		FILE *f = fopen(path, "w");
		size_t n = 4096 - strlen(key) + (size_t)extra;

		ck_assert_ptr_nonnull(f);
		fputs(base_ini, f);
		fputs(key, f);
		for (size_t i = 0; i < n; i++)
			fputc('p', f);
		fputs("\n", f);
		fputs(tail_ini, f);
		ck_assert_int_eq(fclose(f), 0);
		load(path, &r);
		if (!extra) {
			ck_assert_msg(r.ret == 0, "4096-byte line refused:\n%s", r.text);
			ck_assert_uint_eq(strlen(r.cfg->gw.topic_prefix), n);
		} else {
			assert_refused(&r, "limit.ini");
			assert_reported(&r, "limit.ini:3: ", "line too long (4097 bytes");
		}
		load_done(&r);
	}
	free(path);
}
END_TEST

/* A long run of bad lines ends in "too many errors", not a flood. */
START_TEST(test_error_limit)
{
	char *path = tmp_file("flood.ini");
	FILE *f = fopen(path, "w");
	struct load r;

	ck_assert_ptr_nonnull(f);
	fputs(base_ini, f);
	for (int i = 0; i < 100000; i++)
		fputs("garbage\n", f);
	ck_assert_int_eq(fclose(f), 0);
	load(path, &r);
	assert_refused(&r, "flood.ini");
	ck_assert_int_le(r.diag.errors, 101);
	ck_assert_int_ge(r.diag.errors, 100);
	assert_reported(&r, "flood.ini:3: ", "expected \"key = value\"");
	assert_reported(&r, "flood.ini:", "too many errors");
	load_done(&r);
	free(path);
}
END_TEST

/* Names longer than inih's 50-byte section buffer are still whole. */
START_TEST(test_long_names)
{
	char *path = tmp_file("long.ini"), name[65];
	FILE *f = fopen(path, "w");
	struct load r;

	memset(name, 'n', 64);
	name[64] = '\0';
	ck_assert_ptr_nonnull(f);
	fprintf(f, "[mqtt %s]\nuri = mqtt://h\n[sensor %s]\ndriver = sim\n", name, name);
	fprintf(f, "[sensor %sx]\ndriver = sim\n", name);	/* 65: too long */
	ck_assert_int_eq(fclose(f), 0);
	load(path, &r);
	assert_refused(&r, "long.ini");
	ck_assert_int_eq(r.diag.errors, 1);
	assert_reported(&r, "long.ini:5: ", "bad name");
	load_done(&r);

	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "[mqtt %s]\nuri = mqtt://h\n[sensor %s]\ndriver = sim\n", name, name);
	ck_assert_int_eq(fclose(f), 0);
	load(path, &r);
	ck_assert_msg(r.ret == 0, "%s", r.text);
	ck_assert_str_eq(r.cfg->uplinks[0].name, name);
	ck_assert_str_eq(r.cfg->sensors[0].name, name);
	ck_assert_ptr_nonnull(sgw_config_sensor(r.cfg, name));
	load_done(&r);
	free(path);
}
END_TEST

START_TEST(test_unreadable)
{
	char *missing = tmp_file("missing.ini");
	struct load r;

	load(missing, &r);
	ck_assert_int_eq(r.ret, -ENOENT);
	ck_assert_int_eq(r.diag.errors, 1);
	ck_assert_ptr_null(r.cfg);
	assert_reported(&r, "missing.ini: ", "cannot open");
	load_done(&r);
	free(missing);

	load(tmpdir, &r);			/* a directory */
	ck_assert_int_eq(r.ret, -EISDIR);
	ck_assert_int_eq(r.diag.errors, 1);
	ck_assert_ptr_null(r.cfg);
	assert_reported(&r, "check_errors.", ": a directory, not a configuration file");
	load_done(&r);
}
END_TEST

/*
 * A FIFO and devices are refused at once, unopened: reading a FIFO without
 * a writer, or /dev/zero, would never end.
 */
START_TEST(test_not_regular)
{
	static const struct {
		const char *path, *what;
	} devs[] = {
		{ "/dev/zero", "/dev/zero: a character device, not a configuration file\n" },
		{ "/dev/null", "/dev/null: a character device, not a configuration file\n" },
	};
	char *fifo = tmp_file("fifo.ini");
	struct load r;

	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	load(fifo, &r);
	ck_assert_int_eq(r.ret, -EINVAL);
	ck_assert_int_eq(r.diag.errors, 1);
	ck_assert_ptr_null(r.cfg);
	assert_reported(&r, "fifo.ini: ", "a FIFO, not a configuration file");
	load_done(&r);
	free(fifo);

	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
		load(devs[i].path, &r);
		ck_assert_int_eq(r.ret, -EINVAL);
		ck_assert_int_eq(r.diag.errors, 1);
		ck_assert_ptr_null(r.cfg);
		ck_assert_str_eq(r.text, devs[i].what);
		load_done(&r);
	}
}
END_TEST

/* diag->file, when set, names the file in messages; NULL output counts only. */
START_TEST(test_diag_name_and_count_only)
{
	char *path = ini_path("tests/ini/bad/bad_number.ini");
	struct sgw_diag d = { .file = "shown.ini" };
	struct sgw_config *cfg = (struct sgw_config *)1;
	FILE *out;
	char *text = NULL;
	size_t len;

	ck_assert_int_eq(sgw_config_load(path, &d, &cfg), -EINVAL);
	ck_assert_int_eq(d.errors, 1);
	ck_assert_ptr_null(cfg);

	out = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(out);
	d = (struct sgw_diag){ .file = "shown.ini", .out = out };
	ck_assert_int_eq(sgw_config_load(path, &d, &cfg), -EINVAL);
	fclose(out);
	ck_assert_ptr_nonnull(strstr(text, "shown.ini:7: [mqtt] qos"));
	free(text);
	free(path);
}
END_TEST

/* With levels, each line starts as the daemon's log lines do: "<3>" for an error. */
START_TEST(test_diag_levels)
{
	struct sgw_diag d = { .file = "shown.ini", .levels = true };
	char *text = NULL;
	size_t len;

	d.out = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(d.out);
	sgw_diag_error(&d, 7, "bad %s", "qos");
	sgw_diag_warning(&d, 0, "readable by every user");
	fclose(d.out);
	ck_assert_str_eq(text, "<3>shown.ini:7: bad qos\n<4>shown.ini: warning: readable by every user\n");
	ck_assert_int_eq(d.errors, 1);
	ck_assert_int_eq(d.warnings, 1);
	free(text);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("load-errors");
	TCase *bad = tcase_create("bad"), *gen = tcase_create("generated");

	tcase_add_loop_test(bad, test_bad_file, 0, (int)NBAD);
	tcase_add_test(bad, test_bad_files_all_listed);
	tcase_add_test(bad, test_all_errors_reported);
	tcase_add_test(bad, test_diag_name_and_count_only);
	tcase_add_test(bad, test_diag_levels);
	suite_add_tcase(s, bad);

	tcase_add_checked_fixture(gen, tmp_setup, tmp_teardown);
	tcase_set_timeout(gen, 120);	/* 10 MB files under valgrind or qemu */
	tcase_add_test(gen, test_huge_line);
	tcase_add_test(gen, test_file_too_large);
	tcase_add_test(gen, test_line_limit);
	tcase_add_test(gen, test_error_limit);
	tcase_add_test(gen, test_long_names);
	tcase_add_test(gen, test_unreadable);
	tcase_add_test(gen, test_not_regular);
	suite_add_tcase(s, gen);

	return sgw_test_run(s);
}
