/* SPDX-License-Identifier: MIT */
/*
 * CPU temperature from the thermal sysfs:
 * /sys/class/thermal/thermal_zoneN/temp holds millidegrees Celsius as text
 * ("48312\n" = 48.312 °C).  The channel keeps that scale (3 digits).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "driver.h"
#include "drivers/hal/sysroot.h"
#include "util/parse.h"

struct cpu_temp_cfg {
	char path[PATH_MAX];
};

static int cpu_temp_configure(struct sgw_sensor_config *sc, struct sgw_keys *keys)
{
	struct cpu_temp_cfg *c;
	long zone;

	if (sgw_keys_long(keys, "zone", 0, 0, 31, &zone) < 0)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	snprintf(c->path, sizeof(c->path), "%s/sys/class/thermal/thermal_zone%ld/temp",
		 sgw_sysroot(), zone);
	sc->priv = c;
	if (sgw_sensor_add_channel(sc, "temperature", "°C", 3, 1) < 0)
		return -EINVAL;
	return 0;
}

static void cpu_temp_free_config(struct sgw_sensor_config *sc)
{
	free(sc->priv);
	sc->priv = NULL;
}

static int cpu_temp_read(struct sgw_sensor *s, int32_t *values, uint32_t *valid)
{
	const struct cpu_temp_cfg *c = s->cfg->priv;
	char buf[32];
	ssize_t n;
	long v;
	int fd;

	fd = open(c->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	close(fd);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	/* -273150 (absolute zero) .. 1000000 (1000 °C): anything else is garbage. */
	if (sgw_parse_long(buf, -273150, 1000000, &v) < 0)
		return -EBADMSG;
	values[0] = (int32_t)v;
	*valid = 1;
	return 0;
}

const struct sgw_driver sgw_driver_cpu_temp = {
	.name = "cpu_temp",
	.summary = "CPU temperature from /sys/class/thermal (key: zone)",
	.configure = cpu_temp_configure,
	.free_config = cpu_temp_free_config,
	.read = cpu_temp_read,
};
