/* SPDX-License-Identifier: MIT */
#include "i2c_sensor.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "drivers/hal/i2c.h"
#include "util/parse.h"

static int configure_address(struct sgw_sensor_config *sc, struct sgw_keys *keys, uint16_t *out)
{
	const uint16_t *addrs = sc->driver->i2c_addrs;
	const struct sgw_opt *o = sgw_keys_find(keys, "address");
	const char *s;
	char *end;
	long a = 0;
	int ret, bad;

	ret = sgw_keys_str(keys, "address", NULL, &s);
	if (ret < 0)
		return ret;
	if (!s) {
		*out = addrs[0];
		return 0;
	}
	/* Hexadecimal as i2cdetect shows addresses ("0x76"), or decimal;
	 * never octal ("076"), nor signs or blanks. */
	if ((s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) && isxdigit((unsigned char)s[2])) {
		errno = 0;
		a = strtol(s + 2, &end, 16);
		bad = errno || *end;
	} else {
		bad = sgw_parse_long(s, 0, 127, &a) < 0;
	}
	if (bad || a > 0x7f || !sgw_driver_has_i2c_addr(sc->driver, (uint16_t)a)) {
		char list[128] = "";
		size_t len = 0;

		for (size_t i = 0; addrs[i] && len < sizeof(list); i++)
			len += (size_t)snprintf(list + len, sizeof(list) - len, "%s0x%02x",
						i ? ", " : "", addrs[i]);
		sgw_diag_error(keys->d, o ? o->line : sc->line,
			       "address: '%s' is not an address of this chip (%s)", s, list);
		return -EINVAL;
	}
	*out = (uint16_t)a;
	return 0;
}

/*
 * The bus number: `bus` is a core key of every sensor section (the loader
 * keeps it as written in sc->bus, or "sensor:NAME" when absent), so it is
 * read from there: "1" or "i2c-1".  A driver key `bus`, should the core
 * pass it on, is read too.
 */
static int configure_bus(struct sgw_sensor_config *sc, struct sgw_keys *keys, int *out)
{
	const char *s = sc->bus;
	long n = 1;

	if (sgw_keys_find(keys, "bus")) {
		if (sgw_keys_long(keys, "bus", 1, 0, 255, &n) < 0)
			return -EINVAL;
	} else if (s && strncmp(s, "sensor:", 7) != 0) {
		if (sgw_parse_long(strncmp(s, "i2c-", 4) == 0 ? s + 4 : s, 0, 255, &n) < 0) {
			sgw_diag_error(keys->d, sc->line,
				       "bus: '%s' is not an I2C bus number 0..255", s);
			return -EINVAL;
		}
	}
	*out = (int)n;
	return 0;
}

int sgw_i2c_sensor_configure(struct sgw_sensor_config *sc, struct sgw_keys *keys,
			     struct sgw_i2c_sensor_cfg *out)
{
	char name[16];
	char *bus;
	int ret;

	ret = configure_bus(sc, keys, &out->bus);
	if (ret < 0)
		return ret;
	ret = configure_address(sc, keys, &out->addr);
	if (ret < 0)
		return ret;
	snprintf(name, sizeof(name), "i2c-%d", out->bus);
	bus = strdup(name);
	if (!bus)
		return -ENOMEM;
	free(sc->bus);
	sc->bus = bus;
	return 0;
}

int sgw_i2c_sensor_open(struct sgw_sensor *s, const struct sgw_i2c_sensor_cfg *dev)
{
	struct sgw_i2c *i2c;
	int ret = sgw_i2c_open(dev->bus, (int)s->cfg->timeout_ms, &i2c);

	if (ret == 0)
		s->state = i2c;
	return ret;
}

void sgw_i2c_sensor_close(struct sgw_sensor *s)
{
	sgw_i2c_close(s->state);
	s->state = NULL;
}

void sgw_i2c_sensor_free_config(struct sgw_sensor_config *sc)
{
	free(sc->priv);
	sc->priv = NULL;
}

int sgw_i2c_sensor_add_channel(struct sgw_sensor_config *sc, struct sgw_keys *keys,
			       const char *name, const char *unit, int scale, int precision)
{
	if (sgw_sensor_add_channel(sc, name, unit, scale, precision) >= 0)
		return 0;
	sgw_diag_error(keys->d, sc->line, "sensor %s: no room for channel %s", sc->name, name);
	return -EINVAL;
}

int sgw_i2c_sensor_finish(struct sgw_sensor_config *sc, struct sgw_keys *keys, int ret, void *cfg,
			  const struct sgw_i2c_channel *ch, size_t nch)
{
	for (size_t i = 0; ret == 0 && i < nch; i++)
		ret = sgw_i2c_sensor_add_channel(sc, keys, ch[i].name, ch[i].unit, ch[i].scale,
						 ch[i].precision);
	if (ret < 0) {
		free(cfg);
		return ret;
	}
	sc->priv = cfg;
	return 0;
}
