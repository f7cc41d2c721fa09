/* SPDX-License-Identifier: MIT */
/* The table of drivers, and where they find /sys and /dev. */
#include <stdlib.h>
#include <string.h>

#include "sensor.h"

extern const struct sgw_driver sgw_driver_sim;
extern const struct sgw_driver sgw_driver_cpu_temp;
extern const struct sgw_driver sgw_driver_bme280, sgw_driver_bmp280, sgw_driver_sht3x,
	sgw_driver_sht4x, sgw_driver_bh1750, sgw_driver_ads1115;

/* One line per driver. */
const struct sgw_driver *const sgw_drivers[] = {
	&sgw_driver_sim,
	&sgw_driver_cpu_temp,
	&sgw_driver_bme280,
	&sgw_driver_bmp280,
	&sgw_driver_sht3x,
	&sgw_driver_sht4x,
	&sgw_driver_bh1750,
	&sgw_driver_ads1115,
	NULL,
};

const struct sgw_driver *sgw_driver_find(const char *name)
{
	for (size_t i = 0; sgw_drivers[i]; i++)
		if (strcmp(sgw_drivers[i]->name, name) == 0)
			return sgw_drivers[i];
	return NULL;
}

const char *sgw_sysroot(void)
{
	const char *r = getenv("SENSORGW_SYSROOT");

	return r ? r : "";
}
