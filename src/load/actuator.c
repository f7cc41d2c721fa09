/* SPDX-License-Identifier: MIT */
/*
 * An [actuator NAME] section: the driver (gpio_output, a switch; cover, two
 * interlocked motor lines), its lines and timings, its topics; then what
 * no single section can see: two outputs on one line, an output on a
 * sensor's input line, topics shared with sensors or other actuators.
 */
#include "load_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/driver.h"
#include "drivers/hal/gpio.h"
#include "message/topic.h"

#define DEFAULT_CHIP "gpiochip0"	/* as gpio_input's */
#define DEFAULT_TOPIC "{prefix}/{gateway}/{actuator}"
#define DAY_MS 86400000u

/* enum sgw_actuator_kind's order. */
static const char *const driver_names[] = { "gpio_output", "cover", NULL };
static const char *const onoff_names[] = { "off", "on", NULL };

/* The keys of one driver only, and the driver they belong to. */
static const struct {
	const char *key;
	enum sgw_actuator_kind kind;
} own_keys[] = {
	{ "line", SGW_ACTUATOR_SWITCH },
	{ "initial", SGW_ACTUATOR_SWITCH },
	{ "safe", SGW_ACTUATOR_SWITCH },
	{ "pulse", SGW_ACTUATOR_SWITCH },
	{ "line_up", SGW_ACTUATOR_COVER },
	{ "line_down", SGW_ACTUATOR_COVER },
	{ "dead_time", SGW_ACTUATOR_COVER },
	{ "travel_time", SGW_ACTUATOR_COVER },
};

/* A required line number KEY into *out: whether it is given and valid. */
static bool line_key(struct sgw_keys *ks, const char *key, unsigned int *out)
{
	long v;

	if (!sgw_keys_find(ks, key)) {
		sgw_keys_missing(ks, key);
		return false;
	}
	if (sgw_keys_long(ks, key, 0, 0, SGW_GPIO_LINE_MAX, &v) != 1)
		return false;
	*out = (unsigned int)v;
	return true;
}

/* TMPL expanded for A into *out; reported at O's line (the header's without O). */
static void actuator_topic(struct loader *l, struct sgw_keys *ks, struct sgw_actuator_config *a,
			   const char *key, const char *tmpl, const struct sgw_opt *o, char **out)
{
	struct sgw_topic_vars vars = {
		.prefix = l->cfg->gw.topic_prefix, .gateway = l->cfg->gw.name,
		.actuator = a->name,
	};
	const char *why = NULL;
	char q[80];
	int ret;

	ret = sgw_topic_expand(tmpl, &vars, out, &why);
	if (ret == -ENOMEM) {
		l->nomem = true;
		return;
	}
	if (ret == 0 && (why = sgw_topic_validate(*out))) {
		free(*out);
		*out = NULL;
		ret = -EINVAL;
	}
	if (ret)
		sgw_diag_error(l->d, o ? o->line : a->line, "%s %s: %s: %s", ks->label, key,
			       sgw_keys_quote(tmpl, q, sizeof(q)), why);
}

void sgw_resolve_actuator(struct loader *l, struct sgw_section *s, struct sgw_actuator_config *a)
{
	struct sgw_opt *topic = NULL, *ctopic = NULL;
	struct sgw_keys ks;
	const char *v;
	int kind = -1, ret, on;

	sgw_load_section_keys(l, s, &ks);
	a->name = sgw_load_strdup(l, s->name);
	a->line = s->line;
	if (!a->name)
		return;
	for (size_t i = 0; i < l->cfg->nsensors; i++)
		if (strcmp(l->cfg->sensors[i].name, a->name) == 0)
			sgw_diag_error(l->d, s->line, "%s: the name of [sensor %s] (line %d) too",
				       ks.label, a->name, l->cfg->sensors[i].line);

	ret = sgw_keys_enum(&ks, "driver", driver_names, -1, &kind);
	if (ret == 0)
		sgw_keys_missing(&ks, "driver");
	if (ret == 1) {
		a->kind = (enum sgw_actuator_kind)kind;
		for (size_t i = 0; i < sizeof(own_keys) / sizeof(own_keys[0]); i++) {
			struct sgw_opt *o;

			if (own_keys[i].kind != a->kind && (o = sgw_keys_find(&ks, own_keys[i].key)))
				sgw_keys_error(&ks, o, "only for driver = %s",
					       driver_names[own_keys[i].kind]);
		}
	} else {
		/* Unknown driver: its keys cannot be judged, and are not "unknown". */
		for (size_t i = 0; i < sizeof(own_keys) / sizeof(own_keys[0]); i++)
			sgw_keys_find(&ks, own_keys[i].key);
	}

	sgw_keys_str(&ks, "chip", DEFAULT_CHIP, &v);
	if (!sgw_gpio_chip_name_ok(v)) {
		sgw_keys_bad(&ks, sgw_keys_find(&ks, "chip"), "is not a GPIO chip name, number or label");
		v = DEFAULT_CHIP;
	}
	a->chip = sgw_load_strdup(l, v);
	sgw_keys_bool(&ks, "active_low", false, &a->active_low);
	sgw_keys_duration(&ks, "min_interval", 0, 0, 3600000, &a->min_interval_ms);
	sgw_keys_bool(&ks, "retained_commands", false, &a->retained_commands);
	sgw_keys_bool(&ks, "safe_on_disconnect", false, &a->safe_on_disconnect);
	if (ret == 1 && a->kind == SGW_ACTUATOR_SWITCH) {
		line_key(&ks, "line", &a->offset);
		sgw_keys_enum(&ks, "initial", onoff_names, 0, &on);
		a->initial_on = on;
		sgw_keys_enum(&ks, "safe", onoff_names, 0, &on);
		a->safe_on = on;
		sgw_keys_duration(&ks, "pulse", 0, 0, DAY_MS, &a->pulse_ms);
	} else if (ret == 1) {
		bool up = line_key(&ks, "line_up", &a->offset_up);

		if (line_key(&ks, "line_down", &a->offset_down) && up &&
		    a->offset_up == a->offset_down)
			sgw_keys_bad(&ks, sgw_keys_find(&ks, "line_down"),
				     "is line_up too: a cover needs two lines");
		sgw_keys_duration(&ks, "dead_time", 500, 10, 60000, &a->dead_time_ms);
		if (!sgw_keys_find(&ks, "travel_time"))
			sgw_keys_missing(&ks, "travel_time");
		else
			sgw_keys_duration(&ks, "travel_time", 0, 100, 600000, &a->travel_ms);
	}

	if (sgw_keys_get(&ks, "topic", &topic) != 1)
		topic = NULL;
	if (sgw_keys_get(&ks, "command_topic", &ctopic) != 1)
		ctopic = NULL;
	sgw_keys_report_unused(&ks, "");
	if (!l->cfg->gw.topic_prefix || !l->cfg->gw.name)
		return;
	actuator_topic(l, &ks, a, "topic", topic ? topic->value : DEFAULT_TOPIC, topic, &a->topic);
	if (ctopic)
		actuator_topic(l, &ks, a, "command_topic", ctopic->value, ctopic, &a->command_topic);
	else if (a->topic)
		a->command_topic = sgw_load_printf(l, "%s/set", a->topic);
}

/* ------------------------------------------------------------ across sections */

/* One output line of an actuator. */
struct out_line {
	const struct sgw_actuator_config *a;
	const char *key;
	unsigned int offset;
};

/* The output lines of actuator A into OUT (two for a cover): how many. */
static size_t out_lines(const struct sgw_actuator_config *a, struct out_line *out)
{
	if (a->kind == SGW_ACTUATOR_SWITCH) {
		out[0] = (struct out_line){ a, "line", a->offset };
		return 1;
	}
	out[0] = (struct out_line){ a, "line_up", a->offset_up };
	out[1] = (struct out_line){ a, "line_down", a->offset_down };
	return 2;
}

/* Where key KEY of actuator A is written: its line, else the header's. */
static int key_line(struct loader *l, const struct sgw_actuator_config *a, const char *key)
{
	struct sgw_section *s = sgw_ini_section(&l->ini, SGW_SECTION_ACTUATOR, a->name);

	for (const struct sgw_opt *o = s ? s->keys : NULL; o; o = o->next)
		if (strcmp(o->key, key) == 0)
			return o->line;
	return a->line;
}

/* Input sensors claim their line through their bus, "gpio:CHIP:LINE" (gpio_source.h). */
static bool sensor_uses(const struct sgw_sensor_config *sc, const char *chip, unsigned int offset)
{
	char bus[SGW_GPIO_CHIP_MAX + 32];

	if (!sc->driver || !sc->bus || (strcmp(sc->driver->name, "gpio_input") != 0 &&
					strcmp(sc->driver->name, "pulse_counter") != 0))
		return false;
	snprintf(bus, sizeof(bus), "gpio:%s:%u", chip, offset);
	return strcmp(sc->bus, bus) == 0;
}

static void check_lines(struct loader *l)
{
	struct sgw_config *cfg = l->cfg;

	for (size_t i = 0; i < cfg->nactuators; i++) {
		struct out_line mine[2];
		size_t n = out_lines(&cfg->actuators[i], mine);

		if (!cfg->actuators[i].chip)
			continue;
		for (size_t k = 0; k < n; k++) {
			const struct out_line *m = &mine[k];
			bool taken = false;

			/* A cover's own two lines are checked by its resolver. */
			for (size_t j = 0; j < i && !taken; j++) {
				struct out_line theirs[2];
				size_t tn = out_lines(&cfg->actuators[j], theirs);

				if (!cfg->actuators[j].chip || strcmp(cfg->actuators[j].chip, m->a->chip) != 0)
					continue;
				for (size_t t = 0; t < tn && !taken; t++) {
					if (theirs[t].offset != m->offset)
						continue;
					sgw_diag_error(l->d, key_line(l, m->a, m->key),
						       "[actuator %s] %s: chip %s line %u is also [actuator %s] %s (line %d)",
						       m->a->name, m->key, m->a->chip, m->offset,
						       theirs[t].a->name, theirs[t].key,
						       key_line(l, theirs[t].a, theirs[t].key));
					taken = true;
				}
			}
			for (size_t j = 0; j < cfg->nsensors && !taken; j++) {
				if (!sensor_uses(&cfg->sensors[j], m->a->chip, m->offset))
					continue;
				sgw_diag_error(l->d, key_line(l, m->a, m->key),
					       "[actuator %s] %s: chip %s line %u is the input of [sensor %s] (line %d)",
					       m->a->name, m->key, m->a->chip, m->offset,
					       cfg->sensors[j].name, cfg->sensors[j].line);
				taken = true;
			}
		}
	}
}

/* A topic an actuator publishes or listens to, for the collision check. */
struct act_topic {
	char *topic;
	const char *what;	/* "topic", "command_topic", "topic/position" */
	const struct sgw_actuator_config *a;
};

/* The topics of A into OUT: state, command, error and, for a cover, position. */
static size_t act_topics(struct loader *l, const struct sgw_actuator_config *a,
			 struct act_topic *out)
{
	size_t n = 0;

	if (!a->topic || !a->command_topic)
		return 0;
	out[n++] = (struct act_topic){ sgw_load_strdup(l, a->topic), "topic", a };
	out[n++] = (struct act_topic){ sgw_load_strdup(l, a->command_topic), "command_topic", a };
	out[n++] = (struct act_topic){ sgw_load_printf(l, "%s/error", a->topic), "topic/error", a };
	if (a->kind == SGW_ACTUATOR_COVER)
		out[n++] = (struct act_topic){ sgw_load_printf(l, "%s/position", a->topic),
					       "topic/position", a };
	return n;
}

/* The line that names T's topic: its key's, else the header's. */
static int topic_line(struct loader *l, const struct act_topic *t)
{
	return key_line(l, t->a, strcmp(t->what, "command_topic") == 0 ? "command_topic" : "topic");
}

static void check_topics(struct loader *l)
{
	struct sgw_config *cfg = l->cfg;
	struct act_topic *ts;
	size_t n = 0;
	char q[80];

	ts = sgw_load_alloc(l, calloc(cfg->nactuators * 4 + 1, sizeof(*ts)));
	if (!ts)
		return;
	for (size_t i = 0; i < cfg->nactuators; i++)
		n += act_topics(l, &cfg->actuators[i], ts + n);
	for (size_t k = 0; k < n && !l->nomem; k++) {
		const struct act_topic *t = &ts[k];
		bool dup = false;

		if (!t->topic)
			continue;
		for (size_t j = 0; j < k && !dup; j++) {
			if (!ts[j].topic || strcmp(ts[j].topic, t->topic) != 0)
				continue;
			sgw_diag_error(l->d, topic_line(l, t),
				       "[actuator %s] %s: %s is also [actuator %s] %s",
				       t->a->name, t->what, sgw_keys_quote(t->topic, q, sizeof(q)),
				       ts[j].a->name, ts[j].what);
			dup = true;
		}
		for (size_t s = 0; s < cfg->nsensors && !dup; s++) {
			const struct sgw_sensor_config *sc = &cfg->sensors[s];

			for (size_t c = 0; c < sc->nchannels && !dup; c++) {
				if (!sc->ch[c].topic || strcmp(sc->ch[c].topic, t->topic) != 0)
					continue;
				sgw_diag_error(l->d, topic_line(l, t),
					       "[actuator %s] %s: %s is also the topic of [sensor %s] %s",
					       t->a->name, t->what, sgw_keys_quote(t->topic, q, sizeof(q)),
					       sc->name, sc->ch[c].name);
				dup = true;
			}
		}
		if (!dup && cfg->gw.status_topic && strcmp(cfg->gw.status_topic, t->topic) == 0)
			sgw_diag_error(l->d, topic_line(l, t),
				       "[actuator %s] %s: %s is the gateway's status topic",
				       t->a->name, t->what, sgw_keys_quote(t->topic, q, sizeof(q)));
	}
	for (size_t k = 0; k < n; k++)
		free(ts[k].topic);
	free(ts);
}

void sgw_check_actuators(struct loader *l)
{
	check_lines(l);
	check_topics(l);
}
