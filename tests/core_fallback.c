/* SPDX-License-Identifier: MIT */
/*
 * Fallback definitions of the core functions the I2C driver tests use
 * (configuration getters, value parser, sysroot), so that these tests link
 * while the core is built in parallel.  They sit in an archive linked after
 * libsgw.a and are weak: a real definition in libsgw.a is always taken
 * first, and these serve only what libsgw.a does not define.  They follow
 * the contracts documented in src/config.h, src/parse.h and src/sensor.h.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "sensor.h"

#define WEAK __attribute__((weak))

WEAK int sgw_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end)
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

WEAK const char *sgw_sysroot(void)
{
	const char *r = getenv("SENSORGW_SYSROOT");

	return r ? r : "";
}

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

	if (!o) {
		*out = def;
		return 0;
	}
	if (sgw_parse_long(o->value, min, max, out) < 0) {
		sgw_diag_error(d, o->line, "%s: '%s' is not a number %ld..%ld", key, o->value, min, max);
		return -EINVAL;
	}
	return 0;
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
		if (strcmp(names[i], o->value) == 0) {
			*out = i;
			return 0;
		}
	}
	sgw_diag_error(d, o->line, "%s: '%s' is not one of the allowed values", key, o->value);
	return -EINVAL;
}

WEAK int sgw_sensor_add_channel(struct sgw_sensor_config *sc, const char *name,
				const char *unit, int scale, int precision)
{
	struct sgw_channel_config *ch;

	if (sc->nchannels == SGW_MAX_CHANNELS)
		return -ENOSPC;
	ch = &sc->ch[sc->nchannels];
	*ch = (struct sgw_channel_config){ .scale = scale, .precision = precision };
	ch->name = strdup(name);
	ch->unit = strdup(unit);
	if (!ch->name || !ch->unit) {
		free(ch->name);
		free(ch->unit);
		return -ENOMEM;
	}
	return (int)sc->nchannels++;
}
