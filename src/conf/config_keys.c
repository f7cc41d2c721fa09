/* SPDX-License-Identifier: MIT */
/*
 * Configuration keys: the messages that name them, the typed getters that
 * take and check them, and the same getters for drivers (sgw_opt_*()).
 */
#include "config_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/parse.h"

/* ------------------------------------------------------------ messages */

const char *sgw_cfg_quote(const char *v, char *buf, size_t size)
{
	size_t len = strlen(v), max = size - 6;

	if (len <= max) {
		snprintf(buf, size, "\"%s\"", v);
		return buf;
	}
	while (max > 0 && ((unsigned char)v[max] & 0xc0) == 0x80)
		max--;
	snprintf(buf, size, "\"%.*s...\"", (int)max, v);
	return buf;
}

static void vkey_error(struct keyset *ks, const struct sgw_opt *o, bool with_value,
		       const char *fmt, va_list ap)
{
	char msg[512], q[80];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (with_value)
		sgw_diag_error(ks->d, o->line, "%s %s: %s %s", ks->label, o->key,
			       sgw_cfg_quote(o->value, q, sizeof(q)), msg);
	else
		sgw_diag_error(ks->d, o->line, "%s %s: %s", ks->label, o->key, msg);
}

void sgw_ks_bad(struct keyset *ks, const struct sgw_opt *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vkey_error(ks, o, true, fmt, ap);
	va_end(ap);
}

void sgw_ks_error(struct keyset *ks, const struct sgw_opt *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vkey_error(ks, o, false, fmt, ap);
	va_end(ap);
}

void sgw_cfg_missing_key(struct loader *l, const struct section *s, const char *key)
{
	char label[SGW_NAME_MAX + 16];

	sgw_diag_error(l->d, s->line, "%s missing required key \"%s\"",
		       sgw_cfg_section_label(s, label, sizeof(label)), key);
}

static void fmt_fixed(int64_t v, int scale, char *buf, size_t size)
{
	uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	uint64_t div = 1;

	for (int i = 0; i < scale; i++)
		div *= 10;
	if (scale == 0)
		snprintf(buf, size, "%s%llu", v < 0 ? "-" : "", (unsigned long long)mag);
	else
		snprintf(buf, size, "%s%llu.%0*llu", v < 0 ? "-" : "",
			 (unsigned long long)(mag / div), scale,
			 (unsigned long long)(mag % div));
}

/* ------------------------------------------------------------ typed getters */

void sgw_ks_init(struct keyset *ks, struct loader *l, const struct section *s)
{
	ks->d = l->d;
	ks->list = s ? s->keys : NULL;
	if (s)
		sgw_cfg_section_label(s, ks->label, sizeof(ks->label));
	else
		snprintf(ks->label, sizeof(ks->label), "[gateway]");
}

void sgw_ks_report_unused(struct keyset *ks, const char *why)
{
	for (struct sgw_opt *o = ks->list; o; o = o->next)
		if (!o->used)
			sgw_ks_error(ks, o, "unknown key%s", why);
}

struct sgw_opt *sgw_ks_find(struct keyset *ks, const char *key)
{
	for (struct sgw_opt *o = ks->list; o; o = o->next)
		if (strcmp(o->key, key) == 0)
			return o;
	return NULL;
}

/*
 * The getters below return 1 when KEY was given and is valid, 0 when it is
 * absent (*out = def), -EINVAL after reporting a bad value (*out = def too,
 * so that resolving goes on and finds the next error).
 */
int sgw_ks_get(struct keyset *ks, const char *key, struct sgw_opt **out)
{
	struct sgw_opt *o = sgw_ks_find(ks, key);

	*out = o;
	if (!o)
		return 0;
	o->used = true;
	if (o->value[0] == '\0') {
		sgw_ks_error(ks, o, "empty value (leave the key out for the default)");
		return -EINVAL;
	}
	return 1;
}

int sgw_ks_str(struct keyset *ks, const char *key, const char *def, const char **out)
{
	struct sgw_opt *o;
	int ret = sgw_ks_get(ks, key, &o);

	*out = ret == 1 ? o->value : def;
	return ret;
}

int sgw_ks_long(struct keyset *ks, const char *key, long def, long min, long max,
		long *out)
{
	struct sgw_opt *o;
	int ret = sgw_ks_get(ks, key, &o);

	*out = def;
	if (ret != 1)
		return ret;
	ret = sgw_parse_long(o->value, min, max, out);
	if (ret == -ERANGE)
		sgw_ks_bad(ks, o, "is out of range (%ld..%ld)", min, max);
	else if (ret)
		sgw_ks_bad(ks, o, "is not an integer");
	if (ret) {
		*out = def;
		return -EINVAL;
	}
	return 1;
}

static int ks_fixed(struct keyset *ks, const char *key, int scale, int64_t def,
		    int64_t min, int64_t max, int64_t *out)
{
	struct sgw_opt *o;
	int ret = sgw_ks_get(ks, key, &o);

	*out = def;
	if (ret != 1)
		return ret;
	ret = sgw_parse_fixed(o->value, scale, min, max, out);
	if (ret == -ERANGE) {
		char a[32], b[32];

		fmt_fixed(min, scale, a, sizeof(a));
		fmt_fixed(max, scale, b, sizeof(b));
		sgw_ks_bad(ks, o, "is out of range (%s..%s)", a, b);
	} else if (ret) {
		sgw_ks_bad(ks, o, "is not a number with at most %d decimals", scale);
	}
	if (ret) {
		*out = def;
		return -EINVAL;
	}
	return 1;
}

int sgw_ks_bool(struct keyset *ks, const char *key, bool def, bool *out)
{
	struct sgw_opt *o;
	int ret = sgw_ks_get(ks, key, &o);

	*out = def;
	if (ret != 1)
		return ret;
	if (sgw_parse_bool(o->value, out)) {
		sgw_ks_bad(ks, o, "is not a boolean (true/false, yes/no, on/off, 1/0)");
		*out = def;
		return -EINVAL;
	}
	return 1;
}

int sgw_ks_enum(struct keyset *ks, const char *key, const char *const *names, int def,
		int *out)
{
	struct sgw_opt *o;
	int ret = sgw_ks_get(ks, key, &o);
	char list[256] = "";

	*out = def;
	if (ret != 1)
		return ret;
	for (int i = 0; names[i]; i++) {
		if (strcmp(o->value, names[i]) == 0) {
			*out = i;
			return 1;
		}
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			 i ? ", " : "", names[i]);
	}
	sgw_ks_bad(ks, o, "is not one of: %s", list);
	return -EINVAL;
}

int sgw_ks_duration(struct keyset *ks, const char *key, uint32_t def, uint32_t min,
		    uint32_t max, uint32_t *out)
{
	struct sgw_opt *o;
	int ret = sgw_ks_get(ks, key, &o);

	*out = def;
	if (ret != 1)
		return ret;
	ret = sgw_parse_duration_ms(o->value, min, max, out);
	if (ret == -ERANGE) {
		char a[32], b[32];

		sgw_duration_format(min, a, sizeof(a));
		sgw_duration_format(max, b, sizeof(b));
		sgw_ks_bad(ks, o, "is out of range (%s..%s)", a, b);
	} else if (ret) {
		sgw_ks_bad(ks, o, "is not a duration (e.g. 250ms, 10s, 5m, 1h)");
	}
	if (ret) {
		*out = def;
		return -EINVAL;
	}
	return 1;
}

void sgw_ks_size(struct keyset *ks, const char *key, uint64_t def, uint64_t min,
		 uint64_t max, uint64_t *out)
{
	struct sgw_opt *o;

	*out = def;
	if (sgw_ks_get(ks, key, &o) != 1)
		return;
	if (sgw_parse_size(o->value, min, max, out) < 0) {
		sgw_ks_bad(ks, o, "is not a size from %llu to %llu bytes (e.g. 64M, 4096K)",
			   (unsigned long long)min, (unsigned long long)max);
		*out = def;
	}
}

static void sensor_keyset(struct keyset *ks, struct sgw_sensor_config *sc, struct sgw_diag *d)
{
	ks->d = d;
	ks->list = sc->opts;
	snprintf(ks->label, sizeof(ks->label), "[sensor %s]", sc->name ? sc->name : "?");
}

/* Public getters for drivers: the same, over the sensor's driver keys. */

const struct sgw_opt *sgw_opt_find(struct sgw_sensor_config *sc, const char *key)
{
	for (struct sgw_opt *o = sc->opts; o; o = o->next) {
		if (strcmp(o->key, key) == 0) {
			o->used = true;	/* the driver knows the key */
			return o;
		}
	}
	return NULL;
}

int sgw_opt_str(struct sgw_sensor_config *sc, struct sgw_diag *d, const char *key,
		const char *def, const char **out)
{
	struct keyset ks;

	sensor_keyset(&ks, sc, d);
	return sgw_ks_str(&ks, key, def, out) < 0 ? -EINVAL : 0;
}

int sgw_opt_long(struct sgw_sensor_config *sc, struct sgw_diag *d, const char *key,
		 long def, long min, long max, long *out)
{
	struct keyset ks;

	sensor_keyset(&ks, sc, d);
	return sgw_ks_long(&ks, key, def, min, max, out) < 0 ? -EINVAL : 0;
}

int sgw_opt_fixed(struct sgw_sensor_config *sc, struct sgw_diag *d, const char *key,
		  int scale, int64_t def, int64_t min, int64_t max, int64_t *out)
{
	struct keyset ks;

	sensor_keyset(&ks, sc, d);
	return ks_fixed(&ks, key, scale, def, min, max, out) < 0 ? -EINVAL : 0;
}

int sgw_opt_bool(struct sgw_sensor_config *sc, struct sgw_diag *d, const char *key,
		 bool def, bool *out)
{
	struct keyset ks;

	sensor_keyset(&ks, sc, d);
	return sgw_ks_bool(&ks, key, def, out) < 0 ? -EINVAL : 0;
}

int sgw_opt_enum(struct sgw_sensor_config *sc, struct sgw_diag *d, const char *key,
		 const char *const *names, int def, int *out)
{
	struct keyset ks;

	sensor_keyset(&ks, sc, d);
	return sgw_ks_enum(&ks, key, names, def, out) < 0 ? -EINVAL : 0;
}

int sgw_opt_duration_ms(struct sgw_sensor_config *sc, struct sgw_diag *d, const char *key,
			uint32_t def, uint32_t min, uint32_t max, uint32_t *out)
{
	struct keyset ks;

	sensor_keyset(&ks, sc, d);
	return sgw_ks_duration(&ks, key, def, min, max, out) < 0 ? -EINVAL : 0;
}

int sgw_sensor_add_channel(struct sgw_sensor_config *sc, const char *name,
			   const char *unit, int scale, int precision)
{
	struct sgw_channel_config *ch;

	if (sc->nchannels >= SGW_MAX_CHANNELS)
		return -ENOSPC;
	if (!name || !sgw_name_valid(name) || scale < 0 || scale > 9 ||
	    precision < 0 || precision > 9)
		return -EINVAL;
	for (size_t i = 0; i < sc->nchannels; i++)
		if (strcmp(sc->ch[i].name, name) == 0)
			return -EEXIST;
	ch = &sc->ch[sc->nchannels];
	memset(ch, 0, sizeof(*ch));
	ch->name = strdup(name);
	ch->unit = strdup(unit ? unit : "");
	if (!ch->name || !ch->unit) {
		free(ch->name);
		free(ch->unit);
		memset(ch, 0, sizeof(*ch));
		return -ENOMEM;
	}
	ch->scale = scale;
	ch->precision = precision;
	return (int)sc->nchannels++;
}
