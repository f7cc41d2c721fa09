/* SPDX-License-Identifier: MIT */
/*
 * The channels of a sensor: their topics (templates expanded), filters and
 * precisions, from the sensor's keys and the per-quantity keys topic.Q,
 * filter.Q and precision.Q; and topics that two channels would share.
 */
#include "load_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/driver.h"
#include "message/topic.h"
#include "sense/filter.h"
#include "util/parse.h"

#define DEFAULT_TOPIC "{prefix}/{sensor}/{quantity}"

enum sgw_qkey_kind sgw_qkey_split(const char *key, const char **quantity)
{
	static const char *const prefixes[] = { "topic.", "filter.", "precision." };

	*quantity = NULL;
	for (int i = 0; i < 3; i++) {
		size_t n = strlen(prefixes[i]);

		if (strncmp(key, prefixes[i], n) == 0) {
			*quantity = key + n;
			return (enum sgw_qkey_kind)i;
		}
	}
	return SGW_QKEY_NONE;
}

static bool sensor_has(const struct sgw_sensor_config *sc, const char *q)
{
	for (size_t i = 0; i < sc->nchannels; i++)
		if (strcmp(sc->ch[i].name, q) == 0)
			return true;
	return false;
}

/*
 * Expand TMPL for channel CH.  *reported keeps one message per template:
 * a bad template is usually bad for every quantity.
 */
static void channel_topic(struct loader *l, struct sgw_keys *ks, struct sgw_sensor_config *sc,
			  size_t ch, const char *tmpl, const struct sgw_opt *o, bool *reported)
{
	struct sgw_gateway_config *gw = &l->cfg->gw;
	struct sgw_topic_vars vars = {
		.prefix = gw->topic_prefix, .gateway = gw->name,
		.sensor = sc->name, .quantity = sc->ch[ch].name,
	};
	const char *why = NULL;
	char *topic, q[80];
	int line = o ? o->line : sc->line, ret;

	ret = sgw_topic_expand(tmpl, &vars, &topic, &why);
	if (ret == -ENOMEM) {
		l->nomem = true;
		return;
	}
	if (ret == 0 && (why = sgw_topic_validate(topic))) {
		free(topic);
		ret = -EINVAL;
	}
	if (ret) {
		if (!*reported)
			sgw_diag_error(l->d, line, "%s %s: %s: %s (for %s)", ks->label,
				       o ? o->key : "topic", sgw_keys_quote(tmpl, q, sizeof(q)), why,
				       sc->ch[ch].name);
		*reported = true;
		return;
	}
	sc->ch[ch].topic = topic;
	l->topic_line[(size_t)(sc - l->cfg->sensors) * SGW_MAX_CHANNELS + ch] = line;
}

void sgw_resolve_channels(struct loader *l, struct sgw_keys *ks, struct sgw_sensor_config *sc,
			  struct sgw_opt **qkeys, size_t nq, const struct sgw_opt *topic,
			  const struct sgw_opt *filter, long precision)
{
	char have[SGW_MAX_CHANNELS * (SGW_NAME_MAX + 2)] = "";
	bool topic_reported = false;

	for (size_t i = 0; i < sc->nchannels; i++)
		snprintf(have + strlen(have), sizeof(have) - strlen(have), "%s%s",
			 i ? ", " : "", sc->ch[i].name);
	for (size_t k = 0; k < nq; k++) {
		const char *q;

		sgw_qkey_split(qkeys[k]->key, &q);
		if (!sensor_has(sc, q))
			sgw_keys_error(ks, qkeys[k], "driver \"%s\" has no quantity \"%s\" (it has: %s)",
				       sc->driver->name, q, have);
	}
	for (size_t i = 0; i < sc->nchannels; i++) {
		struct sgw_channel_config *ch = &sc->ch[i];
		const struct sgw_opt *t = topic, *f = filter;
		bool own_reported = false;

		if (precision >= 0)
			ch->precision = (int)precision;
		for (size_t k = 0; k < nq; k++) {
			const char *q;
			enum sgw_qkey_kind kind = sgw_qkey_split(qkeys[k]->key, &q);
			long p;

			if (strcmp(q, ch->name) != 0)
				continue;
			if (kind == SGW_QKEY_TOPIC)
				t = qkeys[k];
			else if (kind == SGW_QKEY_FILTER)
				f = qkeys[k];
			else if (sgw_parse_long(qkeys[k]->value, 0, 9, &p) == 0)
				ch->precision = (int)p;	/* a bad one was reported */
		}
		if (f) {
			struct sgw_filter_chain *fc;
			char why[200];

			ch->filter = sgw_load_strdup(l, f->value);
			ch->filter_line = f->line;
			/* Parsed again by the pipeline; here only to report errors. */
			if (sgw_filter_chain_parse(f->value, ch->scale, &fc, why, sizeof(why)) == 0)
				sgw_filter_chain_free(fc);
			else
				sgw_diag_error(l->d, f->line, "[sensor %s] %s (%s): \"%s\": %s",
					       sc->name, f->key, ch->name, f->value, why);
		}
		channel_topic(l, ks, sc, i, t ? t->value : DEFAULT_TOPIC, t,
			      t == topic ? &topic_reported : &own_reported);
	}
}

struct topic_ref {
	const char *topic;
	size_t sensor, ch;
	int line;
};

static int topic_ref_cmp(const void *a, const void *b)
{
	const struct topic_ref *x = a, *y = b;
	int c = strcmp(x->topic, y->topic);

	if (c)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* Two quantities on one topic would interleave unrelated values: refuse. */
void sgw_check_topics_unique(struct loader *l)
{
	struct sgw_config *cfg = l->cfg;
	struct topic_ref *refs;
	size_t n = 0;
	char q[80];

	refs = sgw_load_alloc(l, calloc(cfg->nsensors * SGW_MAX_CHANNELS + 1, sizeof(*refs)));
	if (!refs)
		return;
	for (size_t i = 0; i < cfg->nsensors; i++) {
		for (size_t c = 0; c < cfg->sensors[i].nchannels; c++) {
			if (!cfg->sensors[i].ch[c].topic)
				continue;
			refs[n++] = (struct topic_ref){
				cfg->sensors[i].ch[c].topic, i, c,
				l->topic_line[i * SGW_MAX_CHANNELS + c],
			};
		}
	}
	qsort(refs, n, sizeof(*refs), topic_ref_cmp);
	for (size_t k = 1; k < n; k++) {
		const struct topic_ref *a = &refs[k - 1], *b = &refs[k];

		if (strcmp(a->topic, b->topic) != 0)
			continue;
		sgw_diag_error(l->d, b->line,
			       "[sensor %s] %s: topic %s is also the topic of [sensor %s] %s (line %d)",
			       cfg->sensors[b->sensor].name, cfg->sensors[b->sensor].ch[b->ch].name,
			       sgw_keys_quote(b->topic, q, sizeof(q)), cfg->sensors[a->sensor].name,
			       cfg->sensors[a->sensor].ch[a->ch].name, a->line);
	}
	if (cfg->gw.status_topic) {
		for (size_t k = 0; k < n; k++) {
			if (strcmp(refs[k].topic, cfg->gw.status_topic) == 0)
				sgw_diag_error(l->d, refs[k].line,
					       "[sensor %s] %s: topic %s is the gateway's status topic",
					       cfg->sensors[refs[k].sensor].name,
					       cfg->sensors[refs[k].sensor].ch[refs[k].ch].name,
					       sgw_keys_quote(refs[k].topic, q, sizeof(q)));
		}
	}
	free(refs);
}

