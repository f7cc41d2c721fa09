/* SPDX-License-Identifier: MIT */
/*
 * A [sensor NAME] section: the core's keys (driver, interval, timeout,
 * format, bus, topic, filter, precision, qos, retain), then the driver's configure()
 * with the keys left over, then the channels it declared.
 */
#include "load_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "drivers/driver.h"
#include "util/parse.h"

/* qos and retain: absent, each uplink's. */
static void resolve_delivery(struct sgw_keys *ks, struct sgw_sensor_config *sc)
{
	struct sgw_opt *o;
	long qos;

	sc->qos_line = sc->line;
	if (sgw_keys_long(ks, "qos", 1, 0, 2, &qos) == 1) {
		sc->has_qos = true;
		sc->qos = (uint8_t)qos;
		if ((o = sgw_keys_find(ks, "qos")))
			sc->qos_line = o->line;
	}
	sc->has_retain = sgw_keys_bool(ks, "retain", false, &sc->retain) == 1;
}

void sgw_resolve_sensor(struct loader *l, struct sgw_section *s, struct sgw_sensor_config *sc)
{
	struct sgw_opt *qkeys[SGW_SECTION_KEYS_MAX], **pp, **otail = &sc->opts;
	struct sgw_opt *topic = NULL, *filter = NULL, *o;
	const struct sgw_driver *drv = NULL;
	struct sgw_keys ks, dks;
	char why[96];
	size_t nq = 0;
	const char *v;
	long precision;
	int fmt, errors, ret;

	sgw_load_section_keys(l, s, &ks);
	sc->name = sgw_load_strdup(l, s->name);
	sc->line = s->line;
	if (!sc->name)
		return;

	ret = sgw_keys_str(&ks, "driver", NULL, &v);
	if (ret == 0)
		sgw_keys_missing(&ks, "driver");
	if (ret == 1 && !(drv = sgw_driver_find(v))) {
		char known[512] = "";

		for (size_t i = 0; sgw_drivers[i]; i++)
			snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s",
				 i ? ", " : "", sgw_drivers[i]->name);
		sgw_keys_bad(&ks, sgw_keys_find(&ks, "driver"), "is not a driver (known: %s)", known);
	}
	sgw_keys_duration(&ks, "interval", 10000, 1, 86400000, &sc->interval_ms);
	sgw_keys_duration(&ks, "timeout", sc->interval_ms < 5000 ? sc->interval_ms : 5000,
			  1, 60000, &sc->timeout_ms);
	if (sc->timeout_ms > sc->interval_ms && (o = sgw_keys_find(&ks, "timeout")))
		sgw_diag_warning(l->d, o->line,
				 "%s timeout is longer than interval: reads may overlap", ks.label);
	sgw_keys_duration(&ks, "heartbeat", l->cfg->gw.heartbeat_ms, 0, MAX_HEARTBEAT_MS,
			  &sc->heartbeat_ms);
	if (sc->heartbeat_ms && sc->heartbeat_ms < sc->interval_ms && (o = sgw_keys_find(&ks, "heartbeat")))
		sgw_diag_warning(l->d, o->line,
				 "%s heartbeat is shorter than interval: it changes nothing", ks.label);
	sgw_keys_enum(&ks, "format", sgw_load_format_names, l->cfg->gw.format, &fmt);
	sc->format = (enum sgw_format)fmt;
	sgw_keys_str(&ks, "bus", NULL, &v);
	sc->bus = v ? sgw_load_strdup(l, v) : sgw_load_printf(l, "sensor:%s", sc->name);
	if (sgw_keys_get(&ks, "topic", &topic) != 1)
		topic = NULL;
	if (sgw_keys_get(&ks, "filter", &filter) != 1)
		filter = NULL;
	sgw_keys_long(&ks, "precision", -1, 0, 9, &precision);
	resolve_delivery(&ks, sc);

	/* Per-quantity keys wait for the driver's channels; the rest is the driver's. */
	pp = &s->keys;
	while (*pp) {
		const char *q;
		o = *pp;
		enum sgw_qkey_kind kind = o->used ? SGW_QKEY_NONE : sgw_qkey_split(o->key, &q);

		if (!o->used && kind == SGW_QKEY_NONE) {
			*pp = o->next;		/* move it to the driver's keys */
			o->next = NULL;
			*otail = o;
			otail = &o->next;
			continue;
		}
		if (kind != SGW_QKEY_NONE) {
			long p;

			o->used = true;
			if (*q == '\0')
				sgw_keys_error(&ks, o, "names no quantity (%s.QUANTITY)",
					       kind == SGW_QKEY_TOPIC ? "topic" : kind == SGW_QKEY_FILTER ? "filter" : "precision");
			else if (o->value[0] == '\0')
				sgw_keys_error(&ks, o, "empty value (leave the key out for the default)");
			else if (kind == SGW_QKEY_PRECISION && sgw_parse_long(o->value, 0, 9, &p))
				sgw_keys_bad(&ks, o, "is not a precision (0..9 decimals)");
			else
				qkeys[nq++] = o;
		}
		pp = &o->next;
	}
	ks.list = s->keys;	/* its first key may have gone to the driver's */
	if (!drv || !sc->bus || l->nomem)
		return;

	/* Drivers see sc->bus set, may replace it (freeing the old one). */
	sc->driver = drv;
	sgw_keys_init(&dks, l->d, sc->opts, ks.label, s->line);
	errors = l->d->errors;
	ret = drv->configure(sc, &dks);
	if (ret && l->d->errors == errors)
		sgw_diag_error(l->d, sc->line, "%s driver \"%s\": configuration failed: %s",
			       ks.label, drv->name, strerror(ret < 0 ? -ret : EINVAL));
	if (ret)
		return;
	snprintf(why, sizeof(why), " (not a sensor key, nor one of driver \"%s\")", drv->name);
	sgw_keys_report_unused(&dks, why);
	if (sc->nchannels == 0) {
		sgw_diag_error(l->d, sc->line, "%s driver \"%s\" declared no quantity",
			       ks.label, drv->name);
		return;
	}
	sgw_resolve_channels(l, &ks, sc, qkeys, nq, topic, filter, precision);
}

