/* SPDX-License-Identifier: MIT */
/*
 * INI configuration loader.
 *
 * Two passes.  Reading: inih splits "key = value" lines while our own line
 * reader counts lines, rejects what inih would mangle or ignore (over-long
 * lines, NUL bytes, invalid UTF-8, lines without '=', malformed section
 * headers) and tracks the sections; every key is stored with its line.
 * Resolving: once the whole file is read, each section's keys are taken by
 * typed getters, so keys may come in any order (a per-quantity key before
 * "driver ="), defaults can depend on other sections ({gateway} in a
 * client ID), and every error of the file is reported, not just the first.
 *
 * The reading pass is config_read.c; the typed getters and their messages
 * are config_keys.c; an [mqtt] section is resolved in config_uplink.c.
 * This file resolves the other sections, loads and frees.
 */
#include "config_int.h"
#include "sense/filter.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/parse.h"
#include "drivers/driver.h"
#include "message/topic.h"

#define DEFAULT_PREFIX "sensorgw"
#define DEFAULT_TOPIC "{prefix}/{sensor}/{quantity}"
#define DEFAULT_STATE_DIR SGW_LOCALSTATEDIR "/lib/sensorgw"

/* ------------------------------------------------------------ resolving */

/* Relative paths are taken from the directory of the INI file. */
char *sgw_cfg_path(struct loader *l, const char *p)
{
	if (p[0] == '/')
		return sgw_cfg_strdup(l, p);
	return sgw_cfg_printf(l, "%s/%s", l->dir, p);
}

static char *host_name(struct loader *l)
{
	char buf[256] = "";
	size_t n;

	if (gethostname(buf, sizeof(buf) - 1) != 0)
		buf[0] = '\0';
	buf[SGW_NAME_MAX] = '\0';
	for (n = 0; buf[n]; n++) {
		unsigned char c = (unsigned char)buf[n];

		if (!isalnum(c) && c != '.' && c != '_' && c != '-')
			buf[n] = '-';
	}
	return sgw_cfg_strdup(l, n ? buf : "sensorgw");
}

static const char *const format_names[] = { "plain", "json", NULL };

static void resolve_gateway(struct loader *l)
{
	struct sgw_gateway_config *gw = &l->cfg->gw;
	struct section *s = sgw_cfg_find_section(l, SECTION_GATEWAY, NULL);
	struct keyset ks;
	struct sgw_opt *o;
	const char *v, *why;
	int fmt;

	sgw_ks_init(&ks, l, s);
	if (sgw_ks_str(&ks, "name", NULL, &v) == 1 && !sgw_name_valid(v)) {
		sgw_ks_bad(&ks, sgw_ks_find(&ks, "name"), "is not a valid name (1..64 characters of A-Z a-z 0-9 . _ -)");
		v = NULL;
	}
	gw->name = v ? sgw_cfg_strdup(l, v) : host_name(l);

	if (sgw_ks_str(&ks, "topic_prefix", DEFAULT_PREFIX, &v) == 1 && (why = sgw_topic_validate(v))) {
		sgw_ks_bad(&ks, sgw_ks_find(&ks, "topic_prefix"), "is not a valid topic prefix: %s", why);
		v = DEFAULT_PREFIX;
	}
	gw->topic_prefix = sgw_cfg_strdup(l, v);

	sgw_ks_enum(&ks, "format", format_names, SGW_FORMAT_PLAIN, &fmt);
	gw->format = (enum sgw_format)fmt;

	sgw_ks_str(&ks, "state_dir", NULL, &v);
	gw->state_dir = v ? sgw_cfg_path(l, v) : sgw_cfg_strdup(l, DEFAULT_STATE_DIR);
	sgw_ks_duration(&ks, "stats_interval", 30000, 1000, 3600000, &gw->stats_interval_ms);
	sgw_ks_report_unused(&ks, "");

	if (!gw->name || !gw->topic_prefix)
		return;
	gw->status_topic = sgw_cfg_printf(l, "%s/%s/status", gw->topic_prefix, gw->name);
	if (gw->status_topic && (why = sgw_topic_validate(gw->status_topic))) {
		o = sgw_ks_find(&ks, "topic_prefix");
		sgw_diag_error(l->d, o ? o->line : 0, "[gateway] status topic: %s", why);
	}
}

static const char *const queue_mode_names[] = { "auto", "always", "off", NULL };
static const char *const queue_sync_names[] = { "interval", "always", NULL };
static const char *const queue_full_names[] = { "drop_oldest", "refuse", NULL };

static void resolve_queue(struct loader *l)
{
	struct sgw_queue_config *q = &l->cfg->queue;
	struct section *s = sgw_cfg_find_section(l, SECTION_QUEUE, NULL);
	struct keyset ks;
	int mode, sync, full;

	sgw_ks_init(&ks, l, s);
	sgw_ks_enum(&ks, "mode", queue_mode_names, SGW_QUEUE_MODE_AUTO, &mode);
	sgw_ks_enum(&ks, "sync", queue_sync_names, 0, &sync);
	sgw_ks_duration(&ks, "sync_interval", 1000, 10, 60000, &q->sync_interval_ms);
	sgw_ks_size(&ks, "segment_size", 4ull << 20, 64ull << 10, 64ull << 20, &q->segment_size);
	sgw_ks_size(&ks, "max_size", 64ull << 20, 128ull << 10, 1ull << 40, &q->max_size);
	sgw_ks_enum(&ks, "when_full", queue_full_names, 0, &full);
	q->mode = (enum sgw_queue_mode)mode;
	q->sync_always = sync == 1;
	q->refuse_when_full = full == 1;
	if (q->max_size < 2 * q->segment_size) {
		struct sgw_opt *o = sgw_ks_find(&ks, "max_size");

		sgw_diag_error(l->d, o ? o->line : (s ? s->line : 0),
			       "[queue] max_size (%llu) must be at least twice segment_size (%llu)",
			       (unsigned long long)q->max_size, (unsigned long long)q->segment_size);
	}
	sgw_ks_report_unused(&ks, "");
}

/* "topic.temperature" -> QKEY_TOPIC, quantity "temperature". */
enum qkey_kind { QKEY_TOPIC, QKEY_FILTER, QKEY_PRECISION, QKEY_NONE };

static enum qkey_kind qkey_split(const char *key, const char **quantity)
{
	static const char *const prefixes[] = { "topic.", "filter.", "precision." };

	*quantity = NULL;
	for (int i = 0; i < 3; i++) {
		size_t n = strlen(prefixes[i]);

		if (strncmp(key, prefixes[i], n) == 0) {
			*quantity = key + n;
			return (enum qkey_kind)i;
		}
	}
	return QKEY_NONE;
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
static void channel_topic(struct loader *l, struct keyset *ks, struct sgw_sensor_config *sc,
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
				       o ? o->key : "topic", sgw_cfg_quote(tmpl, q, sizeof(q)), why,
				       sc->ch[ch].name);
		*reported = true;
		return;
	}
	sc->ch[ch].topic = topic;
	l->topic_line[(size_t)(sc - l->cfg->sensors) * SGW_MAX_CHANNELS + ch] = line;
}

static void resolve_channels(struct loader *l, struct keyset *ks, struct sgw_sensor_config *sc,
			     struct sgw_opt **qkeys, size_t nq,
			     const struct sgw_opt *topic, const struct sgw_opt *filter, long precision)
{
	char have[SGW_MAX_CHANNELS * (SGW_NAME_MAX + 2)] = "";
	bool topic_reported = false;

	for (size_t i = 0; i < sc->nchannels; i++)
		snprintf(have + strlen(have), sizeof(have) - strlen(have), "%s%s",
			 i ? ", " : "", sc->ch[i].name);
	for (size_t k = 0; k < nq; k++) {
		const char *q;

		qkey_split(qkeys[k]->key, &q);
		if (!sensor_has(sc, q))
			sgw_ks_error(ks, qkeys[k], "driver \"%s\" has no quantity \"%s\" (it has: %s)",
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
			enum qkey_kind kind = qkey_split(qkeys[k]->key, &q);
			long p;

			if (strcmp(q, ch->name) != 0)
				continue;
			if (kind == QKEY_TOPIC)
				t = qkeys[k];
			else if (kind == QKEY_FILTER)
				f = qkeys[k];
			else if (sgw_parse_long(qkeys[k]->value, 0, 9, &p) == 0)
				ch->precision = (int)p;	/* a bad one was reported */
		}
		if (f) {
			struct sgw_filter_chain *fc;
			char why[200];

			ch->filter = sgw_cfg_strdup(l, f->value);
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

static void resolve_sensor(struct loader *l, struct section *s, struct sgw_sensor_config *sc)
{
	struct sgw_opt *qkeys[MAX_KEYS], **pp, **otail = &sc->opts;
	struct sgw_opt *topic = NULL, *filter = NULL, *o;
	const struct sgw_driver *drv = NULL;
	struct keyset ks;
	size_t nq = 0;
	const char *v;
	long precision;
	int fmt, errors, ret;

	sgw_ks_init(&ks, l, s);
	sc->name = sgw_cfg_strdup(l, s->name);
	sc->line = s->line;
	if (!sc->name)
		return;

	ret = sgw_ks_str(&ks, "driver", NULL, &v);
	if (ret == 0)
		sgw_cfg_missing_key(l, s, "driver");
	if (ret == 1 && !(drv = sgw_driver_find(v))) {
		char known[512] = "";

		for (size_t i = 0; sgw_drivers[i]; i++)
			snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s",
				 i ? ", " : "", sgw_drivers[i]->name);
		sgw_ks_bad(&ks, sgw_ks_find(&ks, "driver"), "is not a driver (known: %s)", known);
	}
	sgw_ks_duration(&ks, "interval", 10000, 1, 86400000, &sc->interval_ms);
	sgw_ks_duration(&ks, "timeout", sc->interval_ms < 5000 ? sc->interval_ms : 5000,
			1, 60000, &sc->timeout_ms);
	if (sc->timeout_ms > sc->interval_ms && (o = sgw_ks_find(&ks, "timeout")))
		sgw_diag_warning(l->d, o->line,
				 "%s timeout is longer than interval: reads may overlap", ks.label);
	sgw_ks_enum(&ks, "format", format_names, l->cfg->gw.format, &fmt);
	sc->format = (enum sgw_format)fmt;
	sgw_ks_str(&ks, "bus", NULL, &v);
	sc->bus = v ? sgw_cfg_strdup(l, v) : sgw_cfg_printf(l, "sensor:%s", sc->name);
	if (sgw_ks_get(&ks, "topic", &topic) != 1)
		topic = NULL;
	if (sgw_ks_get(&ks, "filter", &filter) != 1)
		filter = NULL;
	sgw_ks_long(&ks, "precision", -1, 0, 9, &precision);

	/* Per-quantity keys wait for the driver's channels; the rest is the driver's. */
	pp = &s->keys;
	while (*pp) {
		const char *q;
		o = *pp;
		enum qkey_kind kind = o->used ? QKEY_NONE : qkey_split(o->key, &q);

		if (!o->used && kind == QKEY_NONE) {
			*pp = o->next;		/* move it to the driver's keys */
			o->next = NULL;
			*otail = o;
			otail = &o->next;
			continue;
		}
		if (kind != QKEY_NONE) {
			long p;

			o->used = true;
			if (*q == '\0')
				sgw_ks_error(&ks, o, "names no quantity (%s.QUANTITY)",
					     kind == QKEY_TOPIC ? "topic" : kind == QKEY_FILTER ? "filter" : "precision");
			else if (o->value[0] == '\0')
				sgw_ks_error(&ks, o, "empty value (leave the key out for the default)");
			else if (kind == QKEY_PRECISION && sgw_parse_long(o->value, 0, 9, &p))
				sgw_ks_bad(&ks, o, "is not a precision (0..9 decimals)");
			else
				qkeys[nq++] = o;
		}
		pp = &o->next;
	}
	s->tail = pp;
	if (!drv || !sc->bus || l->nomem)
		return;

	/* Drivers see sc->bus set, may replace it (freeing the old one). */
	sc->driver = drv;
	errors = l->d->errors;
	ret = drv->configure(sc, l->d);
	if (ret && l->d->errors == errors)
		sgw_diag_error(l->d, sc->line, "%s driver \"%s\": configuration failed: %s",
			       ks.label, drv->name, strerror(ret < 0 ? -ret : EINVAL));
	if (ret)
		return;
	ks.list = sc->opts;
	{
		char why[96];

		snprintf(why, sizeof(why), " (not a sensor key, nor one of driver \"%s\")", drv->name);
		sgw_ks_report_unused(&ks, why);
	}
	ks.list = s->keys;
	if (sc->nchannels == 0) {
		sgw_diag_error(l->d, sc->line, "%s driver \"%s\" declared no quantity",
			       ks.label, drv->name);
		return;
	}
	resolve_channels(l, &ks, sc, qkeys, nq, topic, filter, precision);
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
static void check_topics_unique(struct loader *l)
{
	struct sgw_config *cfg = l->cfg;
	struct topic_ref *refs;
	size_t n = 0;
	char q[80];

	refs = sgw_cfg_alloc(l, calloc(cfg->nsensors * SGW_MAX_CHANNELS + 1, sizeof(*refs)));
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
			       sgw_cfg_quote(b->topic, q, sizeof(q)), cfg->sensors[a->sensor].name,
			       cfg->sensors[a->sensor].ch[a->ch].name, a->line);
	}
	if (cfg->gw.status_topic) {
		for (size_t k = 0; k < n; k++) {
			if (strcmp(refs[k].topic, cfg->gw.status_topic) == 0)
				sgw_diag_error(l->d, refs[k].line,
					       "[sensor %s] %s: topic %s is the gateway's status topic",
					       cfg->sensors[refs[k].sensor].name,
					       cfg->sensors[refs[k].sensor].ch[refs[k].ch].name,
					       sgw_cfg_quote(refs[k].topic, q, sizeof(q)));
		}
	}
	free(refs);
}

static void resolve(struct loader *l)
{
	struct sgw_config *cfg = l->cfg;

	resolve_gateway(l);
	resolve_queue(l);
	if (l->nomem)
		return;
	/* A rejected header may have been meant as the missing section. */
	if (l->nuplinks == 0 && !l->bad_headers)
		sgw_diag_error(l->d, 0, "no [mqtt] section: an uplink is required");
	if (l->nsensors == 0 && !l->bad_headers)
		sgw_diag_error(l->d, 0, "no [sensor NAME] section: nothing to publish");
	cfg->sensors = sgw_cfg_alloc(l, calloc(l->nsensors + 1, sizeof(*cfg->sensors)));
	l->topic_line = sgw_cfg_alloc(l, calloc(l->nsensors * SGW_MAX_CHANNELS + 1, sizeof(int)));
	if (l->nomem)
		return;
	for (struct section *s = l->sections; s && !l->nomem; s = s->next) {
		if (s->kind == SECTION_MQTT)
			sgw_cfg_resolve_uplink(l, s, &cfg->uplinks[cfg->nuplinks++]);
		else if (s->kind == SECTION_SENSOR)
			resolve_sensor(l, s, &cfg->sensors[cfg->nsensors++]);
	}
	if (!l->nomem)
		check_topics_unique(l);
}

/* ------------------------------------------------------------ loading */

/* Absolute directory of PATH, so that relative paths survive a chdir(). */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *cwd, *dir = NULL;

	if (slash == path)
		return strdup("/");
	if (path[0] == '/')
		return strndup(path, (size_t)(slash - path));
	cwd = getcwd(NULL, 0);
	if (!cwd)
		return NULL;
	if (asprintf(&dir, "%s/%.*s", cwd, slash ? (int)(slash - path) : 0, path) < 0)
		dir = NULL;
	else if (!slash)
		dir[strlen(dir) - 1] = '\0';	/* no "/" after cwd */
	free(cwd);
	return dir;
}

int sgw_config_load(const char *path, struct sgw_diag *diag, struct sgw_config **out)
{
	struct loader l = { .d = diag, .errors0 = diag->errors };
	int ret;

	*out = NULL;
	l.stail = &l.sections;
	if (!diag->file)
		diag->file = path;
	l.f = fopen(path, "re");
	if (!l.f) {
		ret = -errno;
		sgw_diag_error(diag, 0, "cannot open: %s", strerror(errno));
		return ret;
	}
	l.cfg = calloc(1, sizeof(*l.cfg));
	l.line = malloc(INI_LINE_MAX + 1);
	l.dir = dir_of(path);
	if (!l.cfg || !l.line || !l.dir || !(l.cfg->path = strdup(path))) {
		ret = -ENOMEM;
		goto out_free;
	}
	ret = sgw_cfg_read_file(&l);
	if (ret)
		goto out_free;
	if (l.stop) {
		/* Too many errors: resolving would only add more. */
	} else if (!l.content) {
		/* After errors in the lines, "empty" would only confuse. */
		if (diag->errors == l.errors0)
			sgw_diag_error(diag, 0, "empty configuration: no section found");
	} else {
		resolve(&l);
	}
	if (l.nomem)
		ret = -ENOMEM;
	else if (diag->errors > l.errors0)
		ret = -EINVAL;
out_free:
	if (ret == -ENOMEM)
		sgw_diag_error(diag, 0, "out of memory");
	if (ret == 0)
		*out = l.cfg;
	else
		sgw_config_free(l.cfg);
	sgw_cfg_sections_free(l.sections);
	free(l.topic_line);
	free(l.line);
	free(l.dir);
	fclose(l.f);
	return ret;
}

static void sensor_config_free(struct sgw_sensor_config *sc)
{
	if (sc->driver && sc->driver->free_config && sc->priv)
		sc->driver->free_config(sc);
	for (size_t i = 0; i < sc->nchannels; i++) {
		free(sc->ch[i].name);
		free(sc->ch[i].unit);
		free(sc->ch[i].topic);
		free(sc->ch[i].filter);
	}
	sgw_cfg_opts_free(sc->opts);
	free(sc->bus);
	free(sc->name);
}

static void uplink_config_free(struct sgw_uplink_config *u)
{
	if (u->password) {
		explicit_bzero(u->password, strlen(u->password));
		free(u->password);
	}
	free(u->name);
	free(u->uri);
	free(u->server_uri);
	free(u->client_id);
	free(u->username);
	free(u->password_file);
	free(u->ca_file);
	free(u->cert_file);
	free(u->key_file);
	free(u->alpn);
}

void sgw_config_free(struct sgw_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->nsensors; i++)
		sensor_config_free(&cfg->sensors[i]);
	free(cfg->sensors);
	for (size_t i = 0; i < cfg->nuplinks; i++)
		uplink_config_free(&cfg->uplinks[i]);
	free(cfg->gw.name);
	free(cfg->gw.topic_prefix);
	free(cfg->gw.status_topic);
	free(cfg->gw.state_dir);
	free(cfg->path);
	free(cfg);
}

const struct sgw_sensor_config *sgw_config_sensor(const struct sgw_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->nsensors; i++)
		if (strcmp(cfg->sensors[i].name, name) == 0)
			return &cfg->sensors[i];
	return NULL;
}
