/* SPDX-License-Identifier: MIT */
#include "pipeline.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "message/payload.h"
#include "util/log.h"

struct sgw_pipeline {
	const struct sgw_config *cfg;
	/* [sensor][channel]: the channel's filter chain, NULL for none. */
	struct sgw_filter_chain *(*chains)[SGW_MAX_CHANNELS];
	/*
	 * [sensor][channel]: when (the sample's due time, CLOCK_MONOTONIC)
	 * a message was last made, INT64_MIN before the first: the heartbeat
	 * counts from there.  The due time, not the clock at hand, so that a
	 * late batch of samples keeps the sensor's rhythm.
	 */
	int64_t (*last_ns)[SGW_MAX_CHANNELS];
};

/* A filter held V back: publish it all the same when the heartbeat is due. */
static bool heartbeat_due(const struct sgw_sensor_config *sc, int64_t last_ns, int64_t due_ns)
{
	return sc->heartbeat_ms && last_ns != INT64_MIN &&
	       due_ns - last_ns >= (int64_t)sc->heartbeat_ms * 1000000;
}

struct sgw_pipeline *sgw_pipeline_new(const struct sgw_config *cfg, char *err, size_t errlen)
{
	struct sgw_pipeline *p = calloc(1, sizeof(*p));
	char why[200];

	if (!p)
		goto err_nomem;
	p->cfg = cfg;
	p->chains = calloc(cfg->nsensors ? cfg->nsensors : 1, sizeof(*p->chains));
	p->last_ns = malloc((cfg->nsensors ? cfg->nsensors : 1) * sizeof(*p->last_ns));
	if (!p->chains || !p->last_ns)
		goto err_nomem;
	for (size_t i = 0; i < cfg->nsensors; i++)
		for (size_t c = 0; c < SGW_MAX_CHANNELS; c++)
			p->last_ns[i][c] = INT64_MIN;
	for (size_t i = 0; i < cfg->nsensors; i++) {
		const struct sgw_sensor_config *sc = &cfg->sensors[i];

		for (size_t c = 0; c < sc->nchannels; c++) {
			const struct sgw_channel_config *ch = &sc->ch[c];
			int e;

			if (!ch->filter)
				continue;
			e = sgw_filter_chain_parse(ch->filter, ch->scale, &p->chains[i][c], why, sizeof(why));
			if (e == -ENOMEM)
				goto err_nomem;
			if (e < 0) {
				snprintf(err, errlen, "[sensor %s] %s filter \"%s\": %s", sc->name,
					 ch->name, ch->filter, why);
				sgw_pipeline_free(p);
				errno = EINVAL;
				return NULL;
			}
		}
	}
	return p;

err_nomem:
	snprintf(err, errlen, "out of memory");
	sgw_pipeline_free(p);
	errno = ENOMEM;
	return NULL;
}

void sgw_pipeline_free(struct sgw_pipeline *p)
{
	if (!p)
		return;
	if (p->chains)
		for (size_t i = 0; i < p->cfg->nsensors; i++)
			for (size_t c = 0; c < SGW_MAX_CHANNELS; c++)
				sgw_filter_chain_free(p->chains[i][c]);
	free(p->chains);
	free(p->last_ns);
	free(p);
}

size_t sgw_pipeline_run(struct sgw_pipeline *p, const struct sgw_sample *s, size_t n,
			uint64_t *seq, void (*emit)(void *arg, struct sgw_msg *m), void *arg)
{
	size_t made = 0;

	for (size_t i = 0; i < n; i++) {
		const struct sgw_sensor_config *sc = &p->cfg->sensors[s[i].sensor];

		if (s[i].err)
			continue;
		for (size_t c = 0; c < sc->nchannels; c++) {
			const struct sgw_channel_config *ch = &sc->ch[c];
			struct sgw_filter_chain *fc = p->chains[s[i].sensor][c];
			int32_t v = s[i].values[c];
			struct sgw_payload_form f;
			struct sgw_msg *m;
			uint8_t keep = 1;

			if (!(s[i].valid & (1u << c)))
				continue;
			if (fc && sgw_filter_chain_run(fc, &v, &v, &keep, 1) == 0 &&
			    !heartbeat_due(sc, p->last_ns[s[i].sensor][c], s[i].due_ns))
				continue;	/* a deadband held it back */
			sgw_payload_form_of(&f, sc->format, ch);
			m = sgw_msg_new_reading(*seq, &s[i].ts, ch->topic, strlen(ch->topic), &f, v);
			if (!m) {
				if (errno == EMSGSIZE)
					log_warnx("[sensor %s] %s: message too large", sc->name, ch->name);
				else
					log_warn("[sensor %s] %s: reading lost", sc->name, ch->name);
				continue;
			}
			/* The sensor's own qos and retain, else each uplink's. */
			if (sc->has_qos)
				m->qos = (int8_t)sc->qos;
			if (sc->has_retain)
				m->retain = sc->retain;
			(*seq)++;
			p->last_ns[s[i].sensor][c] = s[i].due_ns;
			emit(arg, m);
			made++;
		}
	}
	return made;
}
