/* SPDX-License-Identifier: MIT */
/*
 * Fallback definitions of the driver-key getters of src/config.h, for test
 * programs linked while libsgw.a lacks them.  The library is linked first,
 * so whatever it defines wins; these are weak, so pulling this member next
 * to the real ones cannot clash either.  They follow config.h's contract
 * in the simplest way and are no substitute for src/config.c's own tests.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sensor.h"	/* and src/config.h: plain "config.h" is autoconf's here */

#define WEAK __attribute__((weak))

WEAK const struct sgw_opt *sgw_opt_find(struct sgw_sensor_config *sc, const char *key)
{
	for (struct sgw_opt *o = sc->opts; o; o = o->next)
		if (strcmp(o->key, key) == 0)
			return o;
	return NULL;
}

static struct sgw_opt *opt_use(struct sgw_sensor_config *sc, const char *key)
{
	struct sgw_opt *o = (struct sgw_opt *)sgw_opt_find(sc, key);

	if (o)
		o->used = true;
	return o;
}

static int opt_bad(struct sgw_diag *d, const struct sgw_opt *o)
{
	sgw_diag_error(d, o->line, "%s: bad value '%s'", o->key, o->value);
	return -EINVAL;
}

WEAK int sgw_opt_str(struct sgw_sensor_config *sc, struct sgw_diag *d, const char *key,
		     const char *def, const char **out)
{
	struct sgw_opt *o = opt_use(sc, key);

	*out = o ? o->value : def;
	return 0;
}

WEAK int sgw_opt_long(struct sgw_sensor_config *sc, struct sgw_diag *d, const char *key,
		      long def, long min, long max, long *out)
{
	struct sgw_opt *o = opt_use(sc, key);
	char *end;
	long v;

	if (!o) {
		*out = def;
		return 0;
	}
	errno = 0;
	v = strtol(o->value, &end, 10);
	if (end == o->value || *end || errno || v < min || v > max)
		return opt_bad(d, o);
	*out = v;
	return 0;
}

WEAK int sgw_opt_fixed(struct sgw_sensor_config *sc, struct sgw_diag *d, const char *key,
		       int scale, int64_t def, int64_t min, int64_t max, int64_t *out)
{
	struct sgw_opt *o = opt_use(sc, key);
	const char *p;
	int64_t v = 0;
	int frac = -1;
	bool neg;

	if (!o) {
		*out = def;
		return 0;
	}
	p = o->value;
	neg = *p == '-';
	if (neg || *p == '+')
		p++;
	if (!isdigit((unsigned char)*p))
		return opt_bad(d, o);
	for (; *p; p++) {
		if (*p == '.' && frac < 0) {
			frac = 0;
			continue;
		}
		if (!isdigit((unsigned char)*p) || v > INT64_MAX / 100)
			return opt_bad(d, o);
		if (frac >= 0 && ++frac > scale)
			return opt_bad(d, o);
		v = v * 10 + (*p - '0');
	}
	for (int i = frac < 0 ? 0 : frac; i < scale; i++)
		v *= 10;
	if (neg)
		v = -v;
	if (v < min || v > max)
		return opt_bad(d, o);
	*out = v;
	return 0;
}

WEAK int sgw_opt_bool(struct sgw_sensor_config *sc, struct sgw_diag *d, const char *key,
		      bool def, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" }, *const no[] = {
		"false", "no", "off", "0" };
	struct sgw_opt *o = opt_use(sc, key);

	if (!o) {
		*out = def;
		return 0;
	}
	for (int i = 0; i < 4; i++) {
		if (strcasecmp(o->value, yes[i]) == 0 || strcasecmp(o->value, no[i]) == 0) {
			*out = strcasecmp(o->value, yes[i]) == 0;
			return 0;
		}
	}
	return opt_bad(d, o);
}

WEAK int sgw_opt_enum(struct sgw_sensor_config *sc, struct sgw_diag *d, const char *key,
		      const char *const *names, int def, int *out)
{
	struct sgw_opt *o = opt_use(sc, key);

	if (!o) {
		*out = def;
		return 0;
	}
	for (int i = 0; names[i]; i++) {
		if (strcmp(o->value, names[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	return opt_bad(d, o);
}

WEAK int sgw_opt_duration_ms(struct sgw_sensor_config *sc, struct sgw_diag *d, const char *key,
			     uint32_t def, uint32_t min, uint32_t max, uint32_t *out)
{
	struct sgw_opt *o = opt_use(sc, key);
	unsigned long long v, mul = 1000;
	char *end;

	if (!o) {
		*out = def;
		return 0;
	}
	if (!isdigit((unsigned char)o->value[0]))
		return opt_bad(d, o);
	errno = 0;
	v = strtoull(o->value, &end, 10);
	if (strcmp(end, "ms") == 0)
		mul = 1;
	else if (strcmp(end, "m") == 0)
		mul = 60000;
	else if (strcmp(end, "h") == 0)
		mul = 3600000;
	else if (*end && strcmp(end, "s") != 0)
		return opt_bad(d, o);
	if (errno || v > UINT32_MAX / mul || v * mul < min || v * mul > max)
		return opt_bad(d, o);
	*out = (uint32_t)(v * mul);
	return 0;
}

WEAK int sgw_sensor_add_channel(struct sgw_sensor_config *sc, const char *name,
				const char *unit, int scale, int precision)
{
	struct sgw_channel_config *ch;

	if (sc->nchannels >= SGW_MAX_CHANNELS)
		return -ENOSPC;
	ch = &sc->ch[sc->nchannels];
	memset(ch, 0, sizeof(*ch));
	ch->name = strdup(name);
	ch->unit = strdup(unit);
	if (!ch->name || !ch->unit) {
		free(ch->name);
		free(ch->unit);
		return -ENOMEM;
	}
	ch->scale = scale;
	ch->precision = precision;
	return (int)sc->nchannels++;
}
