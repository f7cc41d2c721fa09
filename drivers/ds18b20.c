/* SPDX-License-Identifier: MIT */
/*
 * ds18b20: DS18B20 1-Wire thermometer through the kernel's w1_therm driver,
 * /sys/bus/w1/devices/28-XXXXXXXXXXXX/w1_slave:
 *
 *   72 01 4b 46 7f ff 0e 10 57 : crc=57 YES
 *   72 01 4b 46 7f ff 0e 10 57 t=23125
 *
 * The first line is the scratchpad and the kernel's CRC verdict, the second
 * the temperature in millidegrees.  Reading the file starts a conversion
 * and blocks until it is done (750 ms at 12 bits), so all DS18B20s share
 * one worker ("w1"), the bus being one wire anyway.
 *
 * Keys: id (or its alias device) = 28-0316a2796aff; default: the only
 * 28-* device present (open fails with -ENOTUNIQ if there are several).
 * Channel: temperature, °C, scale 3 (millidegrees), published with 1 decimal.
 *
 * Failures, all transient (the read is retried on the next interval):
 *   -EIO     CRC NO, or an all-zero scratchpad (a broken data line reads as
 *            zeros, whose CRC is 0 and thus "valid": t=0 would be a lie)
 *   -EAGAIN  85.000 °C, the power-on reset value of the register, unless the
 *            previous good reading was within 2 °C of it: a real 85 °C is
 *            reached gradually, a reset shows up out of nowhere (first
 *            reading after start, or after a brown-out of the sensor)
 *   -ERANGE  outside the datasheet's -55..125 °C
 *   -EBADMSG the file does not have the format above
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "driver.h"
#include "drivers/hal/sysfs.h"

#define W1_DEVICES "/sys/bus/w1/devices"
#define W1_ID_LEN 15			/* "28-" + 12 hex digits */
#define DS_RESET_MILLI 85000		/* power-on value of the temperature register */
#define DS_RESET_NEAR_MILLI 2000	/* previous reading this close: 85 °C is real */
#define DS_MIN_MILLI (-55000)		/* datasheet operating range */
#define DS_MAX_MILLI 125000

struct ds_config {
	char *id;			/* NULL: the only 28-* device */
};

struct ds_state {
	char path[64];			/* /sys/bus/w1/devices/<id>/w1_slave */
	int32_t last;			/* last good reading, millidegrees */
	bool have_last;
};

/* "ff-" + 12 hex digits, as the w1 core names slaves (family-serial). */
static bool w1_id_ok(const char *s)
{
	if (strlen(s) != W1_ID_LEN || s[2] != '-')
		return false;
	for (int i = 0; i < W1_ID_LEN; i++)
		if (i != 2 && !isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

static int is_ds18b20(const char *name, void *arg)
{
	(void)arg;
	return strncmp(name, "28-", 3) == 0 && w1_id_ok(name);
}

static int ds_configure(struct sgw_sensor_config *sc, struct sgw_keys *keys)
{
	const struct sgw_opt *id_opt = sgw_keys_find(keys, "id");
	const struct sgw_opt *dev_opt = sgw_keys_find(keys, "device");
	const char *key = dev_opt ? "device" : "id", *id;
	struct ds_config *c;
	char *bus;

	if (id_opt && dev_opt) {
		sgw_diag_error(keys->d, dev_opt->line,
			       "device: same as id (line %d); give one of them", id_opt->line);
		sgw_keys_str(keys, "id", NULL, &id);	/* both are used: no "unknown key" */
		sgw_keys_str(keys, "device", NULL, &id);
		return -EINVAL;
	}
	if (sgw_keys_str(keys, key, NULL, &id) < 0)
		return -EINVAL;
	if (id && !w1_id_ok(id)) {
		sgw_diag_error(keys->d, sgw_keys_find(keys, key)->line,
			       "%s: '%s' is not a 1-Wire id such as 28-0316a2796aff", key, id);
		return -EINVAL;
	}
	if (sgw_sensor_add_channel(sc, "temperature", "°C", 3, 1) < 0) {
		sgw_diag_error(keys->d, sc->line, "sensor %s: too many channels", sc->name);
		return -EINVAL;
	}
	c = calloc(1, sizeof(*c));
	bus = strdup("w1");
	if (!c || !bus || (id && !(c->id = strdup(id)))) {
		free(c);
		free(bus);
		sgw_diag_error(keys->d, sc->line, "out of memory");
		return -EINVAL;
	}
	/* sysfs names are lower case; users may copy an id in upper case */
	for (char *p = c->id; p && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	free(sc->bus);
	sc->bus = bus;
	sc->priv = c;
	return 0;
}

static void ds_free_config(struct sgw_sensor_config *sc)
{
	struct ds_config *c = sc->priv;

	if (!c)
		return;
	free(c->id);
	free(c);
	sc->priv = NULL;
}

static int ds_open(struct sgw_sensor *s)
{
	const struct ds_config *c = s->cfg->priv;
	char id[W1_ID_LEN + 1], dir[4096];
	struct ds_state *st;
	struct stat sb;
	int ret;

	if (c->id) {
		strcpy(id, c->id);
		ret = sgw_sysfs_path(dir, sizeof(dir), W1_DEVICES "/%s", id);
		if (ret < 0)
			return ret;
		if (stat(dir, &sb) < 0)
			return -errno;
	} else {
		ret = sgw_sysfs_scan(W1_DEVICES, is_ds18b20, NULL, id, sizeof(id));
		if (ret < 0)
			return ret;	/* -ENOENT: w1 not enabled (dtoverlay=w1-gpio) */
		if (ret == 0)
			return -ENOENT;
		if (ret > 1)
			return -ENOTUNIQ;	/* several sensors: the user must say which */
	}
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	strcpy(st->path, W1_DEVICES "/");
	strcat(st->path, id);
	strcat(st->path, "/w1_slave");
	s->state = st;
	return 0;
}

/* Parse w1_slave (format in the comment on top) into millidegrees. */
static int ds_parse(const char *text, long *milli)
{
	const char *nl = strchr(text, '\n'), *crc, *t;
	char *end;
	bool zero = true;

	if (!nl)
		return -EBADMSG;
	crc = strstr(text, "crc=");
	if (!crc || crc > nl)
		return -EBADMSG;
	crc += 4;
	while (crc < nl && !isspace((unsigned char)*crc))
		crc++;
	while (crc < nl && *crc == ' ')
		crc++;
	if (nl - crc == 2 && strncmp(crc, "NO", 2) == 0)
		return -EIO;
	if (nl - crc != 3 || strncmp(crc, "YES", 3) != 0)
		return -EBADMSG;
	/* the nine scratchpad bytes, "00 00 ... 00" when the data line is open */
	for (const char *p = text; p < text + 26 && p < nl; p++)
		if (*p != '0' && *p != ' ')
			zero = false;
	if (zero)
		return -EIO;
	t = strstr(nl + 1, "t=");
	if (!t)
		return -EBADMSG;
	errno = 0;
	*milli = strtol(t + 2, &end, 10);
	if (end == t + 2 || (*end != '\n' && *end != '\0') || errno == ERANGE)
		return -EBADMSG;
	return 0;
}

static int ds_read(struct sgw_sensor *s, int32_t *values, uint32_t *valid)
{
	struct ds_state *st = s->state;
	char buf[256];
	ssize_t n;
	long t;
	int ret;

	n = sgw_sysfs_read(st->path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	ret = ds_parse(buf, &t);
	if (ret < 0)
		return ret;
	if (t < DS_MIN_MILLI || t > DS_MAX_MILLI)
		return -ERANGE;
	if (t == DS_RESET_MILLI &&
	    (!st->have_last || labs(st->last - t) > DS_RESET_NEAR_MILLI))
		return -EAGAIN;
	st->last = (int32_t)t;
	st->have_last = true;
	values[0] = (int32_t)t;
	*valid = 1;
	return 0;
}

static void ds_close(struct sgw_sensor *s)
{
	free(s->state);
	s->state = NULL;
}

const struct sgw_driver sgw_driver_ds18b20 = {
	.name = "ds18b20",
	.summary = "DS18B20 1-Wire thermometer (kernel w1_therm, /sys/bus/w1)",
	.configure = ds_configure,
	.free_config = ds_free_config,
	.open = ds_open,
	.read = ds_read,
	.close = ds_close,
};
