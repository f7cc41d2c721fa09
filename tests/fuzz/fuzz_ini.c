/* SPDX-License-Identifier: MIT */
/*
 * The INI loader, from memory: both passes (reading, resolving) over
 * arbitrary bytes, with every message formatted.  A configuration that
 * loads must hold what the daemon relies on: valid topics, filter chains
 * that parse, values in range, no topic twice.
 *
 * The input is the file "conf/fuzz.ini" of a private folder that also has
 * the data/ files the good examples name (../data/password and the TLS
 * files), so that those paths resolve as they do in tests/ini/good.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conf/types.h"
#include "load/load.h"
#include "message/topic.h"
#include "sense/filter.h"
#include "tests/fuzz/fuzz.h"
#include "util/parse.h"

const char *const fuzz_corpus[] = { "tests/ini/good", "tests/ini/bad", NULL };

/* Every key the loader and the drivers know, for the fuzzer to start from. */
static const char every_key[] =
	"[gateway]\n"
	"name = g\n"
	"topic_prefix = casa\n"
	"format = json\n"
	"state_dir = state\n"
	"stats_interval = 1m\n"
	"[queue]\n"
	"mode = always\n"
	"sync = interval\n"
	"sync_interval = 250ms\n"
	"segment_size = 1M\n"
	"max_size = 4M\n"
	"when_full = drop_oldest\n"
	"[mqtt]\n"
	"uri = mqtt://127.0.0.1:1883\n"
	"client_id = {prefix}-{gateway}\n"
	"username = u\n"
	"password_file = ../data/password\n"
	"keepalive = 30s\n"
	"qos = 1\n"
	"retain = no\n"
	"protocol = 3.1.1\n"
	"max_inflight = 10\n"
	"reconnect_min = 1s\n"
	"reconnect_max = 1m\n"
	"[mqtt tls]\n"
	"uri = mqtts://[::1]:8883\n"
	"ca_file = ../data/ca.pem\n"
	"cert_file = ../data/client.crt\n"
	"key_file = ../data/client.key\n"
	"alpn = mqtt\n"
	"[sensor s]\n"
	"driver = sim\n"
	"quantities = temperature, humidity\n"
	"waveform = sine\n"
	"seed = 7\n"
	"fail = hang\n"
	"fail_every = 3\n"
	"hang = 1s\n"
	"interval = 1s\n"
	"timeout = 500ms\n"
	"bus = b\n"
	"topic = {prefix}/{gateway}/{sensor}/{quantity}\n"
	"topic.humidity = casa/h\n"
	"filter = median 5, ema 0.2, sma 4, delta 0.05, calibrate 1.5 -0.25, clamp -40 85\n"
	"filter.humidity = biquad 0.0200834 0.0401667 0.0200834 -1.5610181 0.6413515, delta 1%\n"
	"precision.temperature = 1\n"
	"[sensor b]\n"
	"driver = bme280\n"
	"address = 0x76\n"
	"[sensor a]\n"
	"driver = ads1115\n"
	"inputs = 0, 1\n"
	"pga = 4.096\n"
	"rate = 128\n"
	"[sensor p]\n"
	"driver = pulse_counter\n"
	"chip = gpiochip0\n"
	"line = 17\n"
	"edge = falling\n"
	"bias = pull-up\n"
	"debounce = 5ms\n"
	"active_low = yes\n"
	"per_unit = 1000\n"
	"unit = l\n"
	"[sensor t]\n"
	"driver = ds18b20\n"
	"id = 28-000000000000\n"
	"[sensor c]\n"
	"driver = cpu_temp\n"
	"zone = 0\n"
	"[sensor d]\n"
	"driver = dht22\n"
	"device = iio:device0\n";

void fuzz_seeds(fuzz_emit_fn *emit, void *arg)
{
	emit(arg, every_key, sizeof(every_key) - 1);
}

/* The folder the configuration is "in", with data/ beside it. */
static const char *conf_path(void)
{
	static char path[PATH_MAX];
	static const char *const data[][2] = {
		{ "password", "secret\n" },
		{ "ca.pem", "-----BEGIN CERTIFICATE-----\n" },
		{ "client.crt", "-----BEGIN CERTIFICATE-----\n" },
		{ "client.key", "-----BEGIN PRIVATE KEY-----\n" },
	};
	char dir[PATH_MAX];

	if (path[0])
		return path;
	snprintf(dir, sizeof(dir), "%s/data", fuzz_tmpdir());
	FUZZ_CHECK(mkdir(dir, 0700) == 0, "mkdir %s", dir);
	for (size_t i = 0; i < sizeof(data) / sizeof(data[0]); i++)
		fuzz_write_file(dir, data[i][0], data[i][1], strlen(data[i][1]));
	snprintf(path, sizeof(path), "%s/conf/fuzz.ini", fuzz_tmpdir());
	return path;
}

/* What a loaded configuration promises. */
static void check_config(const struct sgw_config *cfg)
{
	const char *why;

	FUZZ_CHECK(cfg->nuplinks >= 1 && cfg->nuplinks <= SGW_MAX_UPLINKS, "%zu uplinks",
		   cfg->nuplinks);
	FUZZ_CHECK(cfg->nsensors >= 1 && cfg->nsensors <= SGW_MAX_SENSORS, "%zu sensors",
		   cfg->nsensors);
	FUZZ_CHECK(sgw_name_valid(cfg->gw.name), "gateway name \"%s\"", cfg->gw.name);
	why = sgw_topic_validate(cfg->gw.status_topic);
	FUZZ_CHECK(!why, "status topic \"%s\": %s", cfg->gw.status_topic, why);
	FUZZ_CHECK(cfg->gw.state_dir && cfg->gw.state_dir[0] == '/', "state_dir not absolute");
	FUZZ_CHECK(cfg->queue.max_size >= 2 * cfg->queue.segment_size, "queue sizes");
	for (size_t i = 0; i < cfg->nuplinks; i++) {
		const struct sgw_uplink_config *u = &cfg->uplinks[i];

		FUZZ_CHECK(u->qos >= 0 && u->qos <= 2, "qos %d", u->qos);
		FUZZ_CHECK(u->keepalive_s >= 5 && u->keepalive_s <= 65535, "keepalive %d",
			   u->keepalive_s);
		FUZZ_CHECK(u->max_inflight >= 1 && u->max_inflight <= 65535, "max_inflight");
		FUZZ_CHECK(u->reconnect_min_ms <= u->reconnect_max_ms, "reconnect order");
		FUZZ_CHECK(u->mqtt_version == 4 || u->mqtt_version == 5, "protocol %d",
			   u->mqtt_version);
		FUZZ_CHECK(u->server_uri && u->client_id, "uplink %zu incomplete", i);
	}
	for (size_t i = 0; i < cfg->nsensors; i++) {
		const struct sgw_sensor_config *s = &cfg->sensors[i];

		FUZZ_CHECK(sgw_name_valid(s->name), "sensor name \"%s\"", s->name);
		FUZZ_CHECK(s->driver, "[sensor %s] without a driver", s->name);
		FUZZ_CHECK(s->interval_ms >= 1 && s->timeout_ms >= 1 && s->timeout_ms <= 60000,
			   "[sensor %s] interval %u timeout %u", s->name, s->interval_ms,
			   s->timeout_ms);
		FUZZ_CHECK(s->nchannels >= 1 && s->nchannels <= SGW_MAX_CHANNELS,
			   "[sensor %s] %zu channels", s->name, s->nchannels);
		for (size_t k = 0; k < s->nchannels; k++) {
			const struct sgw_channel_config *ch = &s->ch[k];
			struct sgw_filter_chain *fc;
			char err[256];

			why = sgw_topic_validate(ch->topic);
			FUZZ_CHECK(!why, "[sensor %s] topic \"%s\": %s", s->name, ch->topic, why);
			FUZZ_CHECK(strcmp(ch->topic, cfg->gw.status_topic) != 0,
				   "[sensor %s] on the status topic", s->name);
			FUZZ_CHECK(ch->scale >= 0 && ch->scale <= 9 && ch->precision >= 0 &&
				   ch->precision <= 9, "[sensor %s] scale %d precision %d",
				   s->name, ch->scale, ch->precision);
			if (ch->filter) {
				int rc = sgw_filter_chain_parse(ch->filter, ch->scale, &fc, err,
								sizeof(err));

				FUZZ_CHECK(rc == 0, "[sensor %s] filter \"%s\" loaded but: %s",
					   s->name, ch->filter, err);
				sgw_filter_chain_free(fc);
			}
			/* No topic twice: the quadratic check is fine at these sizes. */
			for (size_t j = 0; j <= i; j++)
				for (size_t m = 0; m < (j == i ? k : cfg->sensors[j].nchannels); m++)
					FUZZ_CHECK(strcmp(cfg->sensors[j].ch[m].topic, ch->topic) != 0,
						   "topic \"%s\" twice", ch->topic);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	struct sgw_config *cfg = (struct sgw_config *)1;
	struct sgw_diag d = { 0 };
	const char *path = conf_path();
	FILE *in;
	int ret;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	d.out = devnull;	/* every message formatted, none kept */
	/* fmemopen() refuses an empty buffer: /dev/null is an empty file. */
	in = size ? fmemopen((void *)data, size, "r") : fopen("/dev/null", "r");
	FUZZ_CHECK(in, "fmemopen: %s", strerror(errno));
	ret = sgw_config_load_stream(in, path, &d, &cfg);
	fclose(in);
	FUZZ_CHECK(ret == 0 || ret == -EINVAL, "load returned %d", ret);
	FUZZ_CHECK(!strcmp(d.file, path), "diag->file not set");
	if (ret == 0) {
		FUZZ_CHECK(cfg && d.errors == 0, "loaded with %d errors", d.errors);
		check_config(cfg);
		sgw_config_free(cfg);
	} else {
		FUZZ_CHECK(!cfg && d.errors > 0, "refused without an error");
	}
	return 0;
}
