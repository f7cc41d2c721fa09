/* SPDX-License-Identifier: MIT */
/*
 * The INI loader accepts: good files, the shipped examples among them, load
 * into the expected typed structures, defaults filled in.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drivers/driver.h"
#include "load/load.h"
#include "tests/fixtures/load_fixture.h"
#include "tests/fixtures/run.h"

static char *sanitised_host_name(void)
{
	char buf[256] = "";

	ck_assert_int_eq(gethostname(buf, sizeof(buf) - 1), 0);
	buf[64] = '\0';
	for (char *p = buf; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", *p))
			*p = '-';
	return strdup(buf[0] ? buf : "sensorgw");
}

START_TEST(test_defaults)
{
	struct load r;
	struct sgw_config *c = load_good("tests/ini/good/defaults.ini", &r);
	const struct sgw_uplink_config *u = &c->uplinks[0];
	const struct sgw_sensor_config *s;
	char *host = sanitised_host_name(), *want;

	ck_assert_str_eq(c->gw.name, host);
	ck_assert_str_eq(c->gw.topic_prefix, "sensorgw");
	ck_assert_int_eq(c->gw.format, SGW_FORMAT_PLAIN);
	ck_assert_uint_eq(c->gw.stats_interval_ms, 30000);
	ck_assert_int_eq(c->gw.clock, SGW_CLOCK_NTP);
	ck_assert_uint_eq(c->gw.heartbeat_ms, 0);
	ck_assert_str_eq(c->gw.state_dir, SGW_LOCALSTATEDIR "/lib/sensorgw");
	ck_assert_int_eq(c->queue.mode, SGW_QUEUE_MODE_AUTO);
	ck_assert(!c->queue.sync_always);
	ck_assert_uint_eq(c->queue.sync_interval_ms, 1000);
	ck_assert_uint_eq(c->queue.max_size, 64ull << 20);
	ck_assert_uint_eq(c->queue.segment_size, 4ull << 20);
	ck_assert(!c->queue.refuse_when_full);
	ck_assert_int_ge(asprintf(&want, "sensorgw/%s/status", host), 0);
	ck_assert_str_eq(c->gw.status_topic, want);
	free(want);

	ck_assert_uint_eq(c->nuplinks, 1);
	ck_assert_str_eq(u->name, "default");
	ck_assert_int_eq(u->line, 2);
	ck_assert_str_eq(u->uri, "mqtt://localhost");
	ck_assert_str_eq(u->server_uri, "tcp://localhost:1883");
	ck_assert(!u->tls);
	ck_assert_int_ge(asprintf(&want, "sensorgw-%s", host), 0);
	ck_assert_str_eq(u->client_id, want);
	free(want);
	ck_assert_ptr_null(u->username);
	ck_assert_ptr_null(u->password);
	ck_assert_ptr_null(u->password_file);
	ck_assert_ptr_null(u->ca_file);
	ck_assert_ptr_null(u->cert_file);
	ck_assert_ptr_null(u->key_file);
	ck_assert_ptr_null(u->alpn);
	ck_assert_int_eq(u->keepalive_s, 60);
	ck_assert_int_eq(u->qos, 1);
	ck_assert(!u->retain);
	ck_assert_int_eq(u->mqtt_version, 4);
	ck_assert_int_eq(u->max_inflight, 32);
	ck_assert_uint_eq(u->max_rate, 0);	/* unlimited */
	ck_assert_uint_eq(u->reconnect_min_ms, 1000);
	ck_assert_uint_eq(u->reconnect_max_ms, 60000);
	ck_assert(!u->homeassistant);
	ck_assert_str_eq(u->homeassistant_prefix, "homeassistant");
	ck_assert(!u->batch);
	ck_assert_uint_eq(u->batch_bytes, 5120);
	ck_assert_uint_eq(u->batch_readings, 100);
	ck_assert_uint_eq(u->batch_wait_ms, 1000);

	ck_assert_uint_eq(c->nsensors, 1);
	s = sgw_config_sensor(c, "t");
	ck_assert_ptr_eq(s, &c->sensors[0]);
	ck_assert_ptr_null(sgw_config_sensor(c, "T"));
	ck_assert_int_eq(s->line, 5);
	ck_assert_ptr_eq(s->driver, sgw_driver_find("sim"));
	ck_assert_str_eq(s->bus, "sensor:t");
	ck_assert_uint_eq(s->interval_ms, 10000);
	ck_assert_uint_eq(s->timeout_ms, 5000);
	ck_assert_uint_eq(s->heartbeat_ms, 0);
	ck_assert(!s->has_qos && !s->has_retain);	/* the uplink's */
	ck_assert_int_eq(s->format, SGW_FORMAT_PLAIN);
	ck_assert_ptr_null(s->opts);
	ck_assert_uint_eq(s->nchannels, 1);
	ck_assert_str_eq(s->ch[0].name, "temperature");
	ck_assert_str_eq(s->ch[0].unit, "°C");
	ck_assert_int_eq(s->ch[0].scale, 2);
	ck_assert_int_eq(s->ch[0].precision, 1);
	ck_assert_str_eq(s->ch[0].topic, "sensorgw/t/temperature");
	ck_assert_ptr_null(s->ch[0].filter);
	ck_assert_int_eq(r.diag.warnings, 0);
	free(host);
	load_done(&r);
}
END_TEST

START_TEST(test_full)
{
	struct load r;
	struct sgw_config *c = load_good("tests/ini/good/full.ini", &r);
	const struct sgw_uplink_config *u;
	const struct sgw_sensor_config *s;

	ck_assert_str_eq(c->gw.name, "sala-pi");
	ck_assert_str_eq(c->gw.topic_prefix, "casa");
	ck_assert_str_eq(c->gw.status_topic, "casa/sala-pi/status");
	ck_assert_int_eq(c->gw.format, SGW_FORMAT_JSON);
	ck_assert_int_eq(c->gw.clock, SGW_CLOCK_RTC);
	ck_assert_uint_eq(c->gw.heartbeat_ms, 15 * 60000);
	/* Relative paths are from the file's directory, made absolute. */
	ck_assert_msg(c->gw.state_dir[0] == '/', "state_dir %s", c->gw.state_dir);
	ck_assert_msg(strstr(c->gw.state_dir, "tests/ini/good/state"), "state_dir %s", c->gw.state_dir);
	ck_assert_int_eq(c->queue.mode, SGW_QUEUE_MODE_ALWAYS);
	ck_assert(c->queue.sync_always);
	ck_assert_uint_eq(c->queue.sync_interval_ms, 250);
	ck_assert_uint_eq(c->queue.segment_size, 1ull << 20);
	ck_assert_uint_eq(c->queue.max_size, 512ull << 20);
	ck_assert(c->queue.refuse_when_full);
	ck_assert_str_eq(c->path + strlen(c->path) - strlen("good/full.ini"), "good/full.ini");

	ck_assert_uint_eq(c->nuplinks, 2);
	u = &c->uplinks[0];
	ck_assert_str_eq(u->name, "default");
	ck_assert_str_eq(u->uri, "mqtt://[::1]:1884");
	ck_assert_str_eq(u->server_uri, "tcp://[::1]:1884");
	ck_assert(!u->tls);
	ck_assert_str_eq(u->client_id, "gw-casa-sala-pi");
	ck_assert_str_eq(u->username, "gateway");
	ck_assert_str_eq(u->password, "secret");
	ck_assert_msg(strstr(u->password_file, "tests/ini/good/../data/password"), "%s",
		      u->password_file);
	ck_assert_int_eq(u->keepalive_s, 120);
	ck_assert_int_eq(u->qos, 2);
	ck_assert(u->retain);
	ck_assert_int_eq(u->mqtt_version, 5);
	ck_assert_int_eq(u->max_inflight, 100);
	ck_assert_uint_eq(u->reconnect_min_ms, 500);
	ck_assert_uint_eq(u->reconnect_max_ms, 300000);
	ck_assert_ptr_null(u->ca_file);
	ck_assert(u->homeassistant);
	ck_assert_str_eq(u->homeassistant_prefix, "ha/discovery");

	u = &c->uplinks[1];
	ck_assert_str_eq(u->name, "aws");
	ck_assert_str_eq(u->server_uri, "ssl://a1b2c3-ats.iot.eu-west-1.amazonaws.com:443");
	ck_assert(u->tls);
	ck_assert_str_eq(u->client_id, "sala-pi");
	ck_assert_msg(strstr(u->ca_file, "/data/ca.pem") && u->ca_file[0] == '/', "%s", u->ca_file);
	ck_assert_msg(strstr(u->cert_file, "/data/client.crt"), "%s", u->cert_file);
	ck_assert_msg(strstr(u->key_file, "/data/client.key"), "%s", u->key_file);
	ck_assert_str_eq(u->alpn, "x-amzn-mqtt-ca");
	ck_assert_int_eq(u->qos, 0);
	ck_assert_int_eq(u->mqtt_version, 4);
	ck_assert_ptr_null(u->password);
	ck_assert(!u->homeassistant);

	ck_assert_uint_eq(c->nsensors, 2);
	s = sgw_config_sensor(c, "sala");
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s->bus, "sim-bus");
	ck_assert_uint_eq(s->interval_ms, 250);
	ck_assert_uint_eq(s->timeout_ms, 250);	/* min(interval, 5s) */
	ck_assert_int_eq(s->format, SGW_FORMAT_PLAIN);	/* overrides the gateway */
	ck_assert_uint_eq(s->heartbeat_ms, 60000);	/* overrides the gateway */
	ck_assert_uint_eq(s->nchannels, 2);
	ck_assert_str_eq(s->ch[0].name, "temperature");
	ck_assert_str_eq(s->ch[0].topic, "casa/sala-pi/sala/temperature");
	ck_assert_str_eq(s->ch[0].filter, "median 5, ema 0.2");
	ck_assert_int_eq(s->ch[0].filter_line, 7);
	ck_assert_int_eq(s->ch[0].precision, 1);
	ck_assert_str_eq(s->ch[1].name, "humidity");
	ck_assert_str_eq(s->ch[1].unit, "%");
	ck_assert_str_eq(s->ch[1].topic, "casa/sala/humidade");
	ck_assert_str_eq(s->ch[1].filter, "delta 0.05");
	ck_assert_int_eq(s->ch[1].filter_line, 15);
	ck_assert_int_eq(s->ch[1].precision, 0);
	/* Driver keys stay with the sensor, in file order, all used. */
	ck_assert_str_eq(s->opts->key, "quantities");
	ck_assert_int_eq(s->opts->line, 8);
	ck_assert(s->opts->used);
	ck_assert_str_eq(s->opts->next->key, "seed");
	ck_assert_str_eq(s->opts->next->value, "4294967295");
	ck_assert(s->opts->next->used);
	ck_assert_ptr_null(s->opts->next->next);

	s = sgw_config_sensor(c, "cpu");
	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_eq(s->driver, sgw_driver_find("cpu_temp"));
	ck_assert_str_eq(s->bus, "sensor:cpu");
	ck_assert_uint_eq(s->interval_ms, 60000);
	ck_assert_uint_eq(s->timeout_ms, 2000);
	ck_assert_int_eq(s->format, SGW_FORMAT_JSON);	/* from the gateway */
	ck_assert_uint_eq(s->heartbeat_ms, 15 * 60000);	/* from the gateway */
	ck_assert_uint_eq(s->nchannels, 1);
	ck_assert_int_eq(s->ch[0].scale, 3);
	ck_assert_int_eq(s->ch[0].precision, 2);
	ck_assert_str_eq(s->ch[0].topic, "Casa/CPU/temperature");

	load_done(&r);
}
END_TEST

/*
 * profile = aws-iot at every limit's edge: port 443 gets AWS's ALPN name,
 * Basic Ingest topics pass with their prefix not counted, and another
 * uplink keeps its own limits.
 */
START_TEST(test_aws_iot)
{
	struct load r;
	struct sgw_config *c = load_good("tests/ini/good/aws_iot.ini", &r);
	const struct sgw_uplink_config *u = &c->uplinks[0];

	ck_assert_uint_eq(c->nuplinks, 2);
	ck_assert_int_eq(u->profile, SGW_PROFILE_AWS_IOT);
	ck_assert_int_eq(u->profile_line, 7);
	ck_assert(u->tls);
	ck_assert_str_eq(u->server_uri, "ssl://example-ats.iot.eu-west-1.amazonaws.com:443");
	ck_assert_str_eq(u->alpn, "x-amzn-mqtt-ca");
	ck_assert_uint_eq(strlen(u->client_id), 128);
	ck_assert_int_eq(u->keepalive_s, 1200);
	ck_assert_int_eq(u->max_inflight, 32);
	ck_assert_uint_eq(u->max_rate, 100);
	ck_assert_uint_eq(u->reconnect_min_ms, 2000);	/* one CONNECT a second */
	ck_assert_uint_eq(u->reconnect_max_ms, 60000);
	u = &c->uplinks[1];
	ck_assert_uint_eq(u->reconnect_min_ms, 1000);
	ck_assert_int_eq(u->profile, SGW_PROFILE_NONE);
	ck_assert_int_eq(u->profile_line, 17);
	ck_assert_int_eq(u->max_inflight, 500);
	ck_assert_uint_eq(u->max_rate, 500);
	ck_assert_str_eq(sgw_config_sensor(c, "sala")->ch[0].topic,
			 "$aws/rules/sensorgw_readings/casa/pi/sala/temperature");
	ck_assert_str_eq(sgw_config_sensor(c, "cozinha")->ch[0].topic,
			 "$aws/rules/r/a/b/c/d/e/cozinha/temperature");
	/* sensors = sala, cozinha on the first uplink; every sensor on the second. */
	ck_assert_str_eq(c->uplinks[0].sensors, "sala, cozinha");
	ck_assert_ptr_null(c->uplinks[1].sensors);
	ck_assert_uint_eq(sgw_config_sensor(c, "sala")->uplinks, 3);
	ck_assert_uint_eq(sgw_config_sensor(c, "cozinha")->uplinks, 3);
	ck_assert_uint_eq(sgw_config_sensor(c, "deep")->uplinks, 2);
	load_done(&r);
}
END_TEST

/*
 * profile = azure-iot-hub: the client ID, username and telemetry topic are
 * made from the device ID and the hub's host, the SAS key is decoded, and
 * an X.509 device has no SAS key.
 */
START_TEST(test_azure_iot_hub)
{
	static const char key[] = "sensorgw-test-device-key-32bytes";
	struct load r;
	struct sgw_config *c = load_good("tests/ini/good/azure.ini", &r);
	const struct sgw_uplink_config *u = &c->uplinks[0];

	ck_assert_uint_eq(c->nuplinks, 2);
	ck_assert_int_eq(u->profile, SGW_PROFILE_AZURE_IOT_HUB);
	ck_assert_str_eq(u->server_uri, "ssl://gw-hub.azure-devices.net:8883");
	ck_assert_str_eq(u->client_id, "sala-pi");
	ck_assert_str_eq(u->username, "gw-hub.azure-devices.net/sala-pi/?api-version=2021-04-12");
	ck_assert_ptr_null(u->password);
	ck_assert_str_eq(u->events_topic, "devices/sala-pi/messages/events/");
	ck_assert_str_eq(u->sas_resource, "gw-hub.azure-devices.net/devices/sala-pi");
	ck_assert_uint_eq(u->sas_key_len, strlen(key));
	ck_assert_mem_eq(u->sas_key, key, strlen(key));
	ck_assert_uint_eq(u->sas_ttl_s, 7200);
	ck_assert_int_eq(u->qos, 0);
	ck_assert_int_eq(u->mqtt_version, 4);
	u = &c->uplinks[1];
	ck_assert_str_eq(u->client_id, "cozinha-pi");
	ck_assert_str_eq(u->username, "gw-hub.azure-devices.net/cozinha-pi/?api-version=2021-04-12");
	ck_assert_str_eq(u->events_topic, "devices/cozinha-pi/messages/events/");
	ck_assert_ptr_null(u->sas_key);
	ck_assert_ptr_null(u->sas_resource);
	ck_assert_ptr_nonnull(u->cert_file);
	ck_assert_int_eq(u->qos, 1);
	load_done(&r);
}
END_TEST

/* The batch keys at their edges; another uplink keeps the defaults. */
START_TEST(test_batch)
{
	struct load r;
	struct sgw_config *c = load_good("tests/ini/good/batch.ini", &r);
	const struct sgw_uplink_config *u = &c->uplinks[0];

	ck_assert_uint_eq(c->nuplinks, 2);
	ck_assert(u->batch);
	ck_assert_int_eq(u->batch_line, 8);
	ck_assert_uint_eq(u->batch_bytes, 131072);
	ck_assert_uint_eq(u->batch_readings, 1000);
	ck_assert_uint_eq(u->batch_wait_ms, 0);
	ck_assert_str_eq(u->batch_topic, "casa/lote/pi");
	u = &c->uplinks[1];
	ck_assert(!u->batch);
	ck_assert_int_eq(u->batch_line, 14);
	ck_assert_uint_eq(u->batch_bytes, 5120);
	ck_assert_uint_eq(u->batch_readings, 100);
	ck_assert_uint_eq(u->batch_wait_ms, 1000);
	ck_assert_str_eq(u->batch_topic, "casa/pi/batch");
	load_done(&r);
}
END_TEST

/* sensors = lists: spaces around names are not part of them; a sensor on no uplink is told. */
START_TEST(test_sensors_lists)
{
	struct load r;
	struct sgw_config *c = load_good("tests/ini/good/unrouted.ini", &r);

	ck_assert_uint_eq(sgw_config_sensor(c, "a")->uplinks, 1);
	ck_assert_uint_eq(sgw_config_sensor(c, "b")->uplinks, 3);
	ck_assert_uint_eq(sgw_config_sensor(c, "c")->uplinks, 0);
	ck_assert_int_eq(r.diag.warnings, 1);
	assert_reported(&r, "unrouted.ini:19: ", "warning: [sensor c] goes to no uplink");
	load_done(&r);
}
END_TEST

/* qos and retain of a sensor: its own when given, else unset (the uplinks'). */
START_TEST(test_sensor_qos)
{
	struct load r;
	struct sgw_config *c = load_good("tests/ini/good/sensor_qos.ini", &r);
	const struct sgw_sensor_config *s;

	s = sgw_config_sensor(c, "sala");
	ck_assert(s->has_qos && s->has_retain);
	ck_assert_int_eq(s->qos, 0);
	ck_assert(s->retain);
	ck_assert_int_eq(s->qos_line, 19);
	s = sgw_config_sensor(c, "cozinha");
	ck_assert(s->has_qos && !s->has_retain);
	ck_assert_int_eq(s->qos, 2);
	ck_assert_uint_eq(s->uplinks, 1u);	/* not aws's: QoS 2 is allowed */
	s = sgw_config_sensor(c, "quarto");
	ck_assert(!s->has_qos && s->has_retain);
	ck_assert(!s->retain);
	ck_assert_int_eq(s->qos_line, s->line);
	load_done(&r);
}
END_TEST

START_TEST(test_crlf_bom)
{
	struct load r;
	struct sgw_config *c = load_good("tests/ini/good/crlf_bom.ini", &r);

	ck_assert_str_eq(c->gw.name, "crlf");
	ck_assert_str_eq(c->gw.topic_prefix, "casa;sala");	/* ';' without a blank: data */
	ck_assert_str_eq(c->uplinks[0].server_uri, "tcp://127.0.0.1:1883");
	ck_assert_uint_eq(c->nsensors, 1);
	ck_assert_int_eq(c->sensors[0].line, 8);
	ck_assert_str_eq(c->sensors[0].ch[0].name, "door");
	ck_assert_str_eq(c->sensors[0].ch[0].unit, "");
	ck_assert_int_eq(c->sensors[0].ch[0].precision, 0);
	ck_assert_str_eq(c->sensors[0].ch[0].topic, "a//b/door");	/* empty levels are fine */
	load_done(&r);
}
END_TEST

/*
 * A configuration from memory: named as the path given, and relative paths
 * taken from that path's directory, which is never looked at.
 */
START_TEST(test_stream)
{
	static const char text[] =
		"[gateway]\n"
		"state_dir = st\n"
		"[mqtt]\n"
		"uri = mqtt://h\n"
		"[sensor s]\n"
		"driver = sim\n"
		"interval = soon\n";
	struct sgw_diag d = { 0 };
	struct sgw_config *cfg = (struct sgw_config *)1;
	FILE *in = fmemopen((void *)text, strlen(text) - strlen("interval = soon\n"), "r");
	char *msgs = NULL;
	size_t len;

	ck_assert_ptr_nonnull(in);
	ck_assert_int_eq(sgw_config_load_stream(in, "/nonexistent/gw.ini", &d, &cfg), 0);
	ck_assert_int_eq(fgetc(in), EOF);	/* read to its end, still open */
	fclose(in);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_str_eq(d.file, "/nonexistent/gw.ini");
	ck_assert_str_eq(cfg->path, "/nonexistent/gw.ini");
	ck_assert_str_eq(cfg->gw.state_dir, "/nonexistent/st");
	sgw_config_free(cfg);

	/* Errors name the path, with their lines. */
	in = fmemopen((void *)text, strlen(text), "r");
	ck_assert_ptr_nonnull(in);
	d = (struct sgw_diag){ .out = open_memstream(&msgs, &len) };
	ck_assert_ptr_nonnull(d.out);
	ck_assert_int_eq(sgw_config_load_stream(in, "mem.ini", &d, &cfg), -EINVAL);
	fclose(in);
	fclose(d.out);
	ck_assert_ptr_null(cfg);
	ck_assert_int_eq(d.errors, 1);
	ck_assert_ptr_nonnull(strstr(msgs, "mem.ini:7: [sensor s] interval: \"soon\""));
	free(msgs);
}
END_TEST

/* The shipped examples must load. */
START_TEST(test_examples)
{
	static const char *const topics[][2] = {
		{ "sala", "casa/sala/temperatura" },
		{ "sala", "casa/sala/humidade" },
		{ "cozinha", "casa/cozinha/temperatura" },
		{ "exterior", "casa/exterior/pressao" },
		{ "porta", "casa/entrada/porta" },
	};
	struct load r;
	struct sgw_config *c = load_good("etc/demo.ini", &r);
	const struct sgw_sensor_config *cpu;
	char *host, *want;

	ck_assert_str_eq(c->gw.name, "demo");
	ck_assert_str_eq(c->gw.topic_prefix, "casa");
	ck_assert_str_eq(c->uplinks[0].uri, "mqtt://127.0.0.1:1883");
	ck_assert_uint_eq(c->nsensors, 4);
	for (size_t i = 0; i < sizeof(topics) / sizeof(topics[0]); i++) {
		const struct sgw_sensor_config *s = sgw_config_sensor(c, topics[i][0]);
		bool found = false;

		ck_assert_ptr_nonnull(s);
		ck_assert_uint_le(s->interval_ms, 2000);
		ck_assert_uint_ge(s->interval_ms, 1000);
		for (size_t k = 0; k < s->nchannels; k++)
			found |= strcmp(s->ch[k].topic, topics[i][1]) == 0;
		ck_assert_msg(found, "%s not published", topics[i][1]);
	}
	load_done(&r);

	/* The shipped file publishes only what is real: the CPU's temperature,
	 * under this machine's name, to a local broker. */
	c = load_good("etc/sensorgw.ini", &r);
	host = sanitised_host_name();
	ck_assert_str_eq(c->gw.name, host);
	ck_assert_str_eq(c->gw.topic_prefix, "sensorgw");
	ck_assert_uint_eq(c->nuplinks, 1);
	ck_assert_str_eq(c->uplinks[0].uri, "mqtt://localhost:1883");
	ck_assert_uint_eq(c->nsensors, 1);
	cpu = sgw_config_sensor(c, "cpu");
	ck_assert_ptr_nonnull(cpu);
	ck_assert_str_eq(cpu->driver->name, "cpu_temp");
	ck_assert_uint_eq(cpu->nchannels, 1);
	ck_assert_int_eq(asprintf(&want, "sensorgw/%s/cpu/temperature", host) > 0, 1);
	ck_assert_str_eq(cpu->ch[0].topic, want);
	free(want);
	free(host);
	load_done(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("load-values");
	TCase *good = tcase_create("good");

	tcase_add_test(good, test_defaults);
	tcase_add_test(good, test_full);
	tcase_add_test(good, test_aws_iot);
	tcase_add_test(good, test_azure_iot_hub);
	tcase_add_test(good, test_batch);
	tcase_add_test(good, test_sensors_lists);
	tcase_add_test(good, test_sensor_qos);
	tcase_add_test(good, test_crlf_bom);
	tcase_add_test(good, test_stream);
	tcase_add_test(good, test_examples);
	suite_add_tcase(s, good);

	return sgw_test_run(s);
}
