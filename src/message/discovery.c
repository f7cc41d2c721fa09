/* SPDX-License-Identifier: MIT */
/* Home Assistant's MQTT discovery messages; the contract is in discovery.h. */
#include "discovery.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/driver.h"
#include "json.h"

#define DEVICE_MODEL "sensorgw gateway"
#define MANUFACTURER "sensorgw"

/*
 * Home Assistant checks a sensor's unit against its device class and
 * refuses the entity when they do not go together: a class is given only
 * for units that belong to it (QUANTITY NULL: any quantity).  A percentage
 * is a humidity only when the quantity says so.
 */
static const struct {
	const char *quantity, *unit, *device_class;
} classes[] = {
	{ NULL, "°C", "temperature" },
	{ NULL, "°F", "temperature" },
	{ NULL, "K", "temperature" },
	{ "humidity", "%", "humidity" },
	{ NULL, "hPa", "pressure" },
	{ NULL, "Pa", "pressure" },
	{ NULL, "kPa", "pressure" },
	{ NULL, "mbar", "pressure" },
	{ NULL, "lx", "illuminance" },
	{ NULL, "V", "voltage" },
	{ NULL, "mV", "voltage" },
	{ NULL, "W", "power" },
	{ NULL, "kW", "power" },
	{ NULL, "Wh", "energy" },
	{ NULL, "kWh", "energy" },
	{ NULL, "MWh", "energy" },
};

static const char *device_class(const struct sgw_channel_config *ch, bool total)
{
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		if (strcmp(classes[i].unit, ch->unit) != 0)
			continue;
		if (classes[i].quantity && strcmp(classes[i].quantity, ch->name) != 0)
			continue;
		/* Energy is a total: a rate in kWh is none of these. */
		if (strcmp(classes[i].device_class, "energy") == 0 && !total)
			return NULL;
		return classes[i].device_class;
	}
	return NULL;
}

static bool is_binary(const struct sgw_sensor_config *sc)
{
	return sc->driver && strcmp(sc->driver->name, "gpio_input") == 0;
}

/* A pulse counter's running total: it only grows, and starts over with the daemon. */
static bool is_total(const struct sgw_sensor_config *sc, const struct sgw_channel_config *ch)
{
	return sc->driver && strcmp(sc->driver->name, "pulse_counter") == 0 &&
	       strcmp(ch->name, "total") == 0;
}

/* A delta stage keeps a steady value back, up to the sensor's heartbeat. */
static bool has_delta(const struct sgw_channel_config *ch)
{
	return ch->filter && strstr(ch->filter, "delta");
}

/*
 * Without a heartbeat a delta may hold a steady value back for ever, and
 * Home Assistant would expire it: no expire_after then.
 */
static bool may_hold_back(const struct sgw_sensor_config *sc, const struct sgw_channel_config *ch)
{
	return has_delta(ch) && !sc->heartbeat_ms;
}

/* A few of the longest silences of a live channel: its interval, or the heartbeat of a delta. */
static unsigned long expire_after_s(const struct sgw_sensor_config *sc,
				    const struct sgw_channel_config *ch)
{
	uint32_t period = sc->interval_ms;
	uint64_t ms;

	if (has_delta(ch) && sc->heartbeat_ms > period)
		period = sc->heartbeat_ms;
	ms = (uint64_t)period * SGW_DISCOVERY_EXPIRE_INTERVALS;
	unsigned long s = (unsigned long)((ms + 999) / 1000);

	return s < SGW_DISCOVERY_EXPIRE_MIN_S ? SGW_DISCOVERY_EXPIRE_MIN_S : s;
}

/* "sensorgw_" (or "") and the names joined by '_', each character not allowed in an object id as '_'. */
static char *object_id(const char *head, const char *a, const char *b, const char *c)
{
	const char *parts[] = { a, b, c };
	size_t len = strlen(head), k;
	char *id;

	for (size_t i = 0; i < 3; i++)
		len += parts[i] ? strlen(parts[i]) + 1 : 0;
	id = malloc(len + 1);
	if (!id)
		return NULL;
	k = (size_t)sprintf(id, "%s", head);
	for (size_t i = 0; i < 3; i++) {
		if (!parts[i])
			continue;
		if (i > 0)
			id[k++] = '_';
		for (const char *p = parts[i]; *p; p++) {
			bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
				  (*p >= '0' && *p <= '9') || *p == '_' || *p == '-';

			id[k++] = ok ? *p : '_';
		}
	}
	id[k] = '\0';
	return id;
}

/* Availability from the gateway's status, and the gateway as the device. */
static void write_device(struct sgw_json *w, const struct sgw_gateway_config *gw,
			 const char *device_id)
{
	sgw_json_key(w, "availability_topic");
	sgw_json_string(w, gw->status_topic);
	sgw_json_key(w, "payload_available");
	sgw_json_string(w, "online");
	sgw_json_key(w, "payload_not_available");
	sgw_json_string(w, "offline");

	sgw_json_key(w, "device");
	sgw_json_object_begin(w);
	sgw_json_key(w, "identifiers");
	sgw_json_array_begin(w);
	sgw_json_string(w, device_id);
	sgw_json_array_end(w);
	sgw_json_key(w, "name");
	sgw_json_string(w, gw->name);
	sgw_json_key(w, "model");
	sgw_json_string(w, DEVICE_MODEL);
	sgw_json_key(w, "manufacturer");
	sgw_json_string(w, MANUFACTURER);
	sgw_json_key(w, "sw_version");
	sgw_json_string(w, PACKAGE_VERSION);
	sgw_json_object_end(w);
}

/* A sensor's channel (SC, CH), or an actuator (ACT). */
struct entity_src {
	const struct sgw_gateway_config *gw;
	const struct sgw_sensor_config *sc;
	const struct sgw_channel_config *ch;
	const struct sgw_actuator_config *act;
	const char *unique_id, *device_id;
	const char *position_topic;	/* a cover's */
};

/* What the actuators take and report (actuate/actuator.h), as key, value pairs. */
static const char *const switch_pairs[] = {
	"payload_on", "ON", "payload_off", "OFF", "state_on", "ON", "state_off", "OFF", NULL,
};
static const char *const cover_pairs[] = {
	"payload_open", "OPEN", "payload_close", "CLOSE", "payload_stop", "STOP",
	"state_open", "open", "state_opening", "opening", "state_closed", "closed",
	"state_closing", "closing", "state_stopped", "stopped", NULL,
};

static void write_actuator(struct sgw_json *w, const struct entity_src *e)
{
	const struct sgw_actuator_config *a = e->act;
	bool cover = a->kind == SGW_ACTUATOR_COVER;

	sgw_json_object_begin(w);
	sgw_json_key(w, "name");
	sgw_json_string(w, a->name);
	sgw_json_key(w, "unique_id");
	sgw_json_string(w, e->unique_id);
	sgw_json_key(w, "command_topic");
	sgw_json_string(w, a->command_topic);
	sgw_json_key(w, "state_topic");
	sgw_json_string(w, a->topic);
	if (cover) {
		sgw_json_key(w, "position_topic");
		sgw_json_string(w, e->position_topic);
		/* A number on the command topic is a position (actuate/actuator.h). */
		sgw_json_key(w, "set_position_topic");
		sgw_json_string(w, a->command_topic);
	}
	write_device(w, e->gw, e->device_id);
	for (const char *const *p = cover ? cover_pairs : switch_pairs; *p; p += 2) {
		sgw_json_key(w, p[0]);
		sgw_json_string(w, p[1]);
	}
	if (cover) {
		sgw_json_key(w, "position_open");
		sgw_json_int(w, 100);
		sgw_json_key(w, "position_closed");
		sgw_json_int(w, 0);
	}
	sgw_json_object_end(w);
}

static void write_config(struct sgw_json *w, const struct entity_src *e)
{
	const struct sgw_sensor_config *sc = e->sc;
	const struct sgw_channel_config *ch = e->ch;
	bool total = is_total(sc, ch);
	char name[160];
	const char *dc;

	snprintf(name, sizeof(name), "%s %s", sc->name, ch->name);
	sgw_json_object_begin(w);
	sgw_json_key(w, "name");
	sgw_json_string(w, name);
	sgw_json_key(w, "unique_id");
	sgw_json_string(w, e->unique_id);
	sgw_json_key(w, "state_topic");
	sgw_json_string(w, ch->topic);
	write_device(w, e->gw, e->device_id);

	if (is_binary(sc)) {
		sgw_json_key(w, "payload_on");
		sgw_json_string(w, "1");
		sgw_json_key(w, "payload_off");
		sgw_json_string(w, "0");
	} else {
		if (ch->unit && *ch->unit) {
			sgw_json_key(w, "unit_of_measurement");
			sgw_json_string(w, ch->unit);
		}
		if ((dc = device_class(ch, total))) {
			sgw_json_key(w, "device_class");
			sgw_json_string(w, dc);
		}
		sgw_json_key(w, "state_class");
		sgw_json_string(w, total ? "total_increasing" : "measurement");
		sgw_json_key(w, "suggested_display_precision");
		sgw_json_int(w, ch->precision);
	}
	if (!may_hold_back(sc, ch)) {
		sgw_json_key(w, "expire_after");
		sgw_json_uint(w, expire_after_s(sc, ch));
	}
	if (sc->format == SGW_FORMAT_JSON) {
		sgw_json_key(w, "value_template");
		sgw_json_string(w, "{{ value_json.value }}");
	}
	sgw_json_object_end(w);
}

/* The config JSON of E in a new string. */
static char *render(const struct entity_src *e, size_t *len)
{
	struct sgw_json w;
	ssize_t n;
	char *buf;

	sgw_json_init(&w, NULL, 0);
	(e->act ? write_actuator : write_config)(&w, e);
	n = sgw_json_finish(&w);
	if (n < 0)
		return NULL;
	buf = malloc((size_t)n + 1);
	if (!buf)
		return NULL;
	sgw_json_init(&w, buf, (size_t)n + 1);
	(e->act ? write_actuator : write_config)(&w, e);
	sgw_json_finish(&w);
	*len = (size_t)n;
	return buf;
}

static int build_one(const struct sgw_config *cfg, const char *prefix,
		     const struct sgw_sensor_config *sc, const struct sgw_channel_config *ch,
		     const char *device_id, struct sgw_discovery_entity *d)
{
	struct entity_src e = { .gw = &cfg->gw, .sc = sc, .ch = ch, .device_id = device_id };
	char *oid = object_id("", cfg->gw.name, sc->name, ch->name);

	if (!oid)
		return -ENOMEM;
	d->unique_id = object_id("sensorgw_", cfg->gw.name, sc->name, ch->name);
	if (asprintf(&d->topic, "%s/%s/%s/config", prefix,
		     is_binary(sc) ? "binary_sensor" : "sensor", oid) < 0)
		d->topic = NULL;
	free(oid);
	if (!d->unique_id || !d->topic)
		return -ENOMEM;
	e.unique_id = d->unique_id;
	d->payload = render(&e, &d->len);
	return d->payload ? 0 : -ENOMEM;
}

static int build_actuator(const struct sgw_config *cfg, const char *prefix,
			  const struct sgw_actuator_config *a, const char *device_id,
			  struct sgw_discovery_entity *d)
{
	struct entity_src e = { .gw = &cfg->gw, .act = a, .device_id = device_id };
	char *oid = object_id("", cfg->gw.name, a->name, NULL), *pos = NULL;
	int err = -ENOMEM;

	if (!oid)
		return -ENOMEM;
	d->unique_id = object_id("sensorgw_", cfg->gw.name, a->name, NULL);
	if (asprintf(&d->topic, "%s/%s/%s/config", prefix,
		     a->kind == SGW_ACTUATOR_COVER ? "cover" : "switch", oid) < 0)
		d->topic = NULL;
	if (asprintf(&pos, "%s/position", a->topic) < 0)
		pos = NULL;
	if (d->unique_id && d->topic && pos) {
		e.unique_id = d->unique_id;
		e.position_topic = pos;
		d->payload = render(&e, &d->len);
		err = d->payload ? 0 : -ENOMEM;
	}
	free(pos);
	free(oid);
	return err;
}

int sgw_discovery_build(const struct sgw_config *cfg, size_t uplink, const char *prefix,
			struct sgw_discovery_entity **out, size_t *n)
{
	struct sgw_discovery_entity *v;
	char *device_id;
	size_t k = 0, total = 0;
	int err = 0;

	for (size_t i = 0; i < cfg->nsensors; i++)
		total += cfg->sensors[i].nchannels;
	total += cfg->nactuators;
	v = calloc(total ? total : 1, sizeof(*v));
	device_id = object_id("sensorgw_", cfg->gw.name, NULL, NULL);
	if (!v || !device_id) {
		err = -ENOMEM;
		goto err_free;
	}
	for (size_t i = 0; i < cfg->nsensors && !err; i++) {
		const struct sgw_sensor_config *sc = &cfg->sensors[i];

		/* Home Assistant would wait for ever for readings this uplink never carries. */
		if (!(sc->uplinks & (UINT32_C(1) << uplink)))
			continue;
		for (size_t c = 0; c < sc->nchannels && !err; c++)
			err = build_one(cfg, prefix, sc, &sc->ch[c], device_id, &v[k++]);
	}
	/* Only an uplink that obeys commands offers the actuators to Home Assistant. */
	for (size_t i = 0; cfg->uplinks[uplink].commands && i < cfg->nactuators && !err; i++)
		err = build_actuator(cfg, prefix, &cfg->actuators[i], device_id, &v[k++]);
	if (err)
		goto err_free;
	free(device_id);
	*out = v;
	*n = k;
	return 0;

err_free:
	free(device_id);
	sgw_discovery_free(v, k);
	return err;
}

void sgw_discovery_free(struct sgw_discovery_entity *e, size_t n)
{
	if (!e)
		return;
	for (size_t i = 0; i < n; i++) {
		free(e[i].topic);
		free(e[i].unique_id);
		free(e[i].payload);
	}
	free(e);
}
