/* SPDX-License-Identifier: MIT */
/*
 * The actuators in the daemon: opened at start (safe state, then initial),
 * commanded through the uplinks with commands = yes, their state published
 * retained on every connected uplink whenever it changed and after each
 * (re)connect, the safe state on stop and, with safe_on_disconnect, when
 * no commanding uplink is connected any more.
 */
#include "daemon_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actuate/actuator.h"
#include "util/clock.h"
#include "util/log.h"

/* One open actuator and what each uplink has been told of it. */
struct act {
	struct sgw_actuator *a;
	const struct sgw_actuator_config *c;
	char *position_topic, *error_topic;
	bool said_retained;		/* an ignored retained command was logged */
	bool told[SGW_MAX_UPLINKS];	/* uplink i has the state of version sent[i] */
	uint64_t sent[SGW_MAX_UPLINKS];
};

struct sgw_daemon_actuators {
	size_t n;
	struct act *v;
	bool commanded;			/* a commanding uplink was connected */
};

/* Publish A's state (and a cover's known position) on every connected uplink not told yet. */
static void publish_state(struct sgw_daemon *d, struct act *x, int64_t now)
{
	uint64_t version = sgw_actuator_version(x->a);
	const char *state = sgw_actuator_state(x->a);
	int pos = sgw_actuator_position(x->a, now);
	char num[8];

	snprintf(num, sizeof(num), "%d", pos);
	for (size_t i = 0; i < d->cfg->nuplinks; i++) {
		int r;

		if ((x->told[i] && x->sent[i] == version) ||
		    !sgw_router_link_connected(d->router, i))
			continue;
		r = sgw_router_publish_on(d->router, i, x->c->topic, state, strlen(state), 1, true);
		if (r == 0 && pos >= 0 && x->c->kind == SGW_ACTUATOR_COVER)
			r = sgw_router_publish_on(d->router, i, x->position_topic, num, strlen(num),
						  1, true);
		if (r < 0) {
			/* Tried again after the next event: an acknowledgement makes room. */
			log_debug("[actuator %s] state to [mqtt %s]: %s", x->c->name,
				  d->cfg->uplinks[i].name, strerror(-r));
			continue;
		}
		x->told[i] = true;
		x->sent[i] = version;
	}
}

static void on_command(void *arg, size_t link, const char *topic, const void *payload,
		       size_t len, bool retained)
{
	struct sgw_daemon *d = arg;
	struct sgw_daemon_actuators *as = d->actuators;
	char err[SGW_ACTUATOR_ERROR_MAX];

	for (size_t k = 0; k < as->n; k++) {
		struct act *x = &as->v[k];
		int64_t now;
		int r;

		if (strcmp(topic, x->c->command_topic) != 0)
			continue;
		/* Clearing a retained command reaches subscribers as an empty message. */
		if (len == 0) {
			log_debug("[actuator %s] empty message on %s ignored", x->c->name, topic);
			return;
		}
		if (retained && !x->c->retained_commands) {
			if (!x->said_retained)
				log_info("[actuator %s] retained command on %s ignored "
					 "(retained_commands = no)", x->c->name, topic);
			x->said_retained = true;
			return;
		}
		now = sgw_mono_ns();
		err[0] = '\0';
		r = sgw_actuator_command(x->a, payload, len, now, err, sizeof(err));
		if (r < 0) {
			if (!err[0])
				snprintf(err, sizeof(err), "%s", strerror(-r));
			log_warnx("[actuator %s] command from [mqtt %s] refused: %s", x->c->name,
				  d->cfg->uplinks[link].name, err);
			sgw_router_publish_on(d->router, link, x->error_topic, err, strlen(err), 1,
					      false);
			return;
		}
		log_debug("[actuator %s] command \"%.*s\" from [mqtt %s]: %s", x->c->name,
			  (int)(len > 32 ? 32 : len), (const char *)payload,
			  d->cfg->uplinks[link].name, sgw_actuator_state(x->a));
		publish_state(d, x, now);
		return;
	}
	if (!retained)
		log_debug("[mqtt %s] message on %s: no actuator's command topic",
			  d->cfg->uplinks[link].name, topic);
}

int sgw_actuators_start(struct sgw_daemon *d)
{
	const struct sgw_config *cfg = d->cfg;
	struct sgw_daemon_actuators *as;
	int64_t now = sgw_mono_ns();

	as = calloc(1, sizeof(*as));
	if (!as || !(as->v = calloc(cfg->nactuators + 1, sizeof(*as->v)))) {
		free(as);
		return -ENOMEM;
	}
	d->actuators = as;
	/* --once reads the sensors and leaves: it has no business with the outputs. */
	for (size_t k = 0; k < cfg->nactuators && !d->opts->once; k++) {
		const struct sgw_actuator_config *c = &cfg->actuators[k];
		struct act *x = &as->v[as->n];
		int r = sgw_actuator_open(c, now, &x->a);

		if (r < 0) {
			log_warnx("[actuator %s] cannot open chip %s: %s", c->name, c->chip,
				  strerror(-r));
			return r;
		}
		x->c = c;
		as->n++;
		if (asprintf(&x->position_topic, "%s/position", c->topic) < 0)
			x->position_topic = NULL;
		if (asprintf(&x->error_topic, "%s/error", c->topic) < 0)
			x->error_topic = NULL;
		if (!x->position_topic || !x->error_topic)
			return -ENOMEM;
		log_info("[actuator %s] %s on chip %s: %s", c->name,
			 c->kind == SGW_ACTUATOR_COVER ? "cover" : "switch", c->chip,
			 sgw_actuator_state(x->a));
	}
	sgw_router_set_command_handler(d->router, on_command, d);
	for (size_t i = 0; i < cfg->nuplinks; i++) {
		if (!cfg->uplinks[i].commands)
			continue;
		for (size_t k = 0; k < as->n; k++) {
			int r = sgw_router_subscribe(d->router, i, as->v[k].c->command_topic);

			if (r < 0) {
				log_warnx("[mqtt %s] subscribe to %s: %s", cfg->uplinks[i].name,
					  as->v[k].c->command_topic, strerror(-r));
				return r;
			}
		}
	}
	return 0;
}

void sgw_actuators_stop(struct sgw_daemon *d)
{
	struct sgw_daemon_actuators *as = d->actuators;
	int64_t now = sgw_mono_ns();

	if (!as)
		return;
	if (d->router)
		sgw_router_set_command_handler(d->router, NULL, NULL);
	for (size_t k = 0; k < as->n; k++) {
		struct act *x = &as->v[k];

		sgw_actuator_safe(x->a, now);
		/* Before the status goes offline: the broker keeps the safe state. */
		if (d->router)
			publish_state(d, x, now);
		sgw_actuator_close(x->a);
		free(x->position_topic);
		free(x->error_topic);
	}
	free(as->v);
	free(as);
	d->actuators = NULL;
}

void sgw_actuators_connected(void *arg, const char *uplink)
{
	struct sgw_daemon *d = arg;
	struct sgw_daemon_actuators *as = d->actuators;

	sgw_stats_soon(arg, uplink);
	for (size_t i = 0; as && i < d->cfg->nuplinks; i++) {
		if (strcmp(d->cfg->uplinks[i].name, uplink) != 0)
			continue;
		/* The broker may have lost what it kept: tell it again. */
		for (size_t k = 0; k < as->n; k++)
			as->v[k].told[i] = false;
	}
}

/* With safe_on_disconnect, the moment the last commanding uplink is lost. */
static void check_commanded(struct sgw_daemon *d, int64_t now)
{
	struct sgw_daemon_actuators *as = d->actuators;
	bool any = false;

	for (size_t i = 0; i < d->cfg->nuplinks; i++)
		any |= d->cfg->uplinks[i].commands && sgw_router_link_connected(d->router, i);
	if (as->commanded && !any) {
		for (size_t k = 0; k < as->n; k++) {
			if (!as->v[k].c->safe_on_disconnect)
				continue;
			log_info("[actuator %s] no commanding uplink connected: safe state",
				 as->v[k].c->name);
			sgw_actuator_safe(as->v[k].a, now);
		}
	}
	as->commanded = any;
}

int64_t sgw_actuators_due(struct sgw_daemon *d, int64_t now)
{
	struct sgw_daemon_actuators *as = d->actuators;
	int64_t next = INT64_MAX;

	if (!as)
		return INT64_MAX;
	check_commanded(d, now);
	for (size_t k = 0; k < as->n; k++) {
		struct act *x = &as->v[k];
		int64_t due = sgw_actuator_next_deadline(x->a);

		if (due <= now) {
			sgw_actuator_tick(x->a, now);
			due = sgw_actuator_next_deadline(x->a);
		}
		publish_state(d, x, now);
		if (due < next)
			next = due;
	}
	return next;
}
