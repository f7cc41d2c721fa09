/* SPDX-License-Identifier: MIT */
/*
 * dht22: DHT22 (AM2302) or DHT11 through the kernel's dht11 IIO driver
 * (dtoverlay=dht11,gpiopin=N), /sys/bus/iio/devices/iio:deviceN/:
 *   in_temp_input              millidegrees Celsius
 *   in_humidityrelative_input  milli-percent relative humidity
 *   name                       "dht11" (the driver's name, for either chip)
 *
 * The one-wire protocol of these chips is bit-banged with interrupts and
 * often fails: reads return EIO (checksum, short frame) or ETIMEDOUT (no
 * answer).  That is normal; the read is retried after a short pause until
 * the sensor's timeout is spent.  The kernel keeps a good measurement for
 * 2 s, so the two files of one read see the same measurement, and the
 * chip itself cannot measure more often than every 2 s: intervals under
 * 2 s are warned about.
 *
 * Keys: device = iio:device0, or name = dht11 (default): the device whose
 * name file says so, which must then be the only one.
 * Channels: temperature (°C) and humidity (%), scale 3, published with
 * 1 decimal (the chip's resolution).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "driver.h"
#include "drivers/hal/sysfs.h"
#include "util/clock.h"

#define IIO_DEVICES "/sys/bus/iio/devices"
#define DHT_RETRY_PAUSE_MS 200	/* give the chip a moment after a failed frame */
#define DHT_DEFAULT_TIMEOUT_MS 2000
#define DHT_MIN_INTERVAL_MS 2000	/* datasheet: one measurement per 2 s */
#define DHT_T_MIN (-40000)	/* DHT22 range, millidegrees; the DHT11's lies within */
#define DHT_T_MAX 80000
#define DHT_RH_MAX 100000	/* milli-percent */

struct dht_config {
	char *device;		/* "iio:device0", or NULL: look up name */
	char *name;
};

struct dht_state {
	char dir[64];		/* /sys/bus/iio/devices/iio:deviceN */
};

static int iio_device_number(const char *s)
{
	char *end;
	long n;

	if (strncmp(s, "iio:device", 10) != 0 || s[10] < '0' || s[10] > '9')
		return -1;
	errno = 0;
	n = strtol(s + 10, &end, 10);
	if (*end != '\0' || errno == ERANGE || n > 9999)
		return -1;
	return (int)n;
}

static int dht_configure(struct sgw_sensor_config *sc, struct sgw_keys *keys)
{
	const struct sgw_opt *dev_opt = sgw_keys_find(keys, "device");
	const struct sgw_opt *name_opt = sgw_keys_find(keys, "name");
	const char *device = NULL, *name = NULL;
	struct dht_config *c;
	char *bus;
	int ret = 0;

	if (sgw_keys_str(keys, "device", NULL, &device) < 0 ||
	    sgw_keys_str(keys, "name", dev_opt ? NULL : "dht11", &name) < 0)
		return -EINVAL;
	if (dev_opt && name_opt) {
		sgw_diag_error(keys->d, name_opt->line,
			       "name: give either device (line %d) or name", dev_opt->line);
		ret = -EINVAL;
	}
	if (device && iio_device_number(device) < 0) {
		sgw_diag_error(keys->d, dev_opt->line,
			       "device: '%s' is not an IIO device such as iio:device0", device);
		ret = -EINVAL;
	}
	if (name && (!*name || strlen(name) > 63 || strchr(name, '/'))) {
		sgw_diag_error(keys->d, name_opt ? name_opt->line : sc->line,
			       "name: '%s' is not an IIO device name", name);
		ret = -EINVAL;
	}
	if (ret < 0)
		return ret;
	if (sc->interval_ms > 0 && sc->interval_ms < DHT_MIN_INTERVAL_MS)
		sgw_diag_warning(keys->d, sc->line, "sensor %s: a DHT22 measures at most every 2 s",
				 sc->name);
	if (sgw_sensor_add_channel(sc, "temperature", "°C", 3, 1) < 0 ||
	    sgw_sensor_add_channel(sc, "humidity", "%", 3, 1) < 0) {
		sgw_diag_error(keys->d, sc->line, "sensor %s: too many channels", sc->name);
		return -EINVAL;
	}
	c = calloc(1, sizeof(*c));
	bus = strdup("iio");
	if (!c || !bus || (device && !(c->device = strdup(device))) ||
	    (name && !(c->name = strdup(name)))) {
		if (c) {
			free(c->device);
			free(c);
		}
		free(bus);
		sgw_diag_error(keys->d, sc->line, "out of memory");
		return -EINVAL;
	}
	free(sc->bus);
	sc->bus = bus;
	sc->priv = c;
	return 0;
}

static void dht_free_config(struct sgw_sensor_config *sc)
{
	struct dht_config *c = sc->priv;

	if (!c)
		return;
	free(c->device);
	free(c->name);
	free(c);
	sc->priv = NULL;
}

/* sgw_sysfs_scan() match: an iio:deviceN whose name file holds ARG. */
static int iio_name_matches(const char *entry, void *arg)
{
	const char *want = arg;
	char path[128], buf[80];
	ssize_t n;

	if (iio_device_number(entry) < 0)
		return 0;
	snprintf(path, sizeof(path), IIO_DEVICES "/%s/name", entry);
	n = sgw_sysfs_read(path, buf, sizeof(buf));
	if (n <= 0)
		return 0;
	if (buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return strcmp(buf, want) == 0;
}

static int dht_open(struct sgw_sensor *s)
{
	const struct dht_config *c = s->cfg->priv;
	char dev[32], full[PATH_MAX];
	struct dht_state *st;
	struct stat sb;
	int ret;

	if (c->device) {
		snprintf(dev, sizeof(dev), "%s", c->device);
		ret = sgw_sysfs_path(full, sizeof(full), IIO_DEVICES "/%s", dev);
		if (ret < 0)
			return ret;
		if (stat(full, &sb) < 0)
			return -errno;
	} else {
		ret = sgw_sysfs_scan(IIO_DEVICES, iio_name_matches, c->name, dev, sizeof(dev));
		if (ret < 0)
			return ret;
		if (ret == 0)
			return -ENOENT;
		if (ret > 1)
			return -ENOTUNIQ;	/* several DHTs: the user must give device */
	}
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	snprintf(st->dir, sizeof(st->dir), IIO_DEVICES "/%s", dev);
	s->state = st;
	return 0;
}

static int dht_read_once(const struct dht_state *st, long *t, long *rh)
{
	char path[96];
	int ret;

	snprintf(path, sizeof(path), "%s/in_temp_input", st->dir);
	ret = sgw_sysfs_read_long(path, t);
	if (ret < 0)
		return ret;
	snprintf(path, sizeof(path), "%s/in_humidityrelative_input", st->dir);
	ret = sgw_sysfs_read_long(path, rh);
	if (ret < 0)
		return ret;
	/* a frame with a good checksum can still be decoded as the wrong chip */
	if (*t < DHT_T_MIN || *t > DHT_T_MAX || *rh < 0 || *rh > DHT_RH_MAX)
		return -EIO;
	return 0;
}

static int dht_read(struct sgw_sensor *s, int32_t *values, uint32_t *valid)
{
	const struct dht_state *st = s->state;
	uint32_t timeout = s->cfg->timeout_ms ? s->cfg->timeout_ms : DHT_DEFAULT_TIMEOUT_MS;
	int64_t deadline = sgw_mono_ns() / SGW_NS_PER_MS + timeout;
	long t, rh;
	int ret;

	for (;;) {
		ret = dht_read_once(st, &t, &rh);
		if (ret == 0)
			break;
		if (ret != -EIO && ret != -ETIMEDOUT && ret != -EAGAIN)
			return ret;
		if (sgw_mono_ns() / SGW_NS_PER_MS + DHT_RETRY_PAUSE_MS >= deadline)
			return ret;
		nanosleep(&(struct timespec){ 0, DHT_RETRY_PAUSE_MS * 1000000L }, NULL);
	}
	values[0] = (int32_t)t;
	values[1] = (int32_t)rh;
	*valid = 3;
	return 0;
}

static void dht_close(struct sgw_sensor *s)
{
	free(s->state);
	s->state = NULL;
}

const struct sgw_driver sgw_driver_dht22 = {
	.name = "dht22",
	.summary = "DHT22/AM2302 (or DHT11) through the kernel dht11 IIO driver",
	.configure = dht_configure,
	.free_config = dht_free_config,
	.open = dht_open,
	.read = dht_read,
	.close = dht_close,
};
