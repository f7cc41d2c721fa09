/* SPDX-License-Identifier: MIT */
/*
 * The table of drivers: one extern and one table line per driver.  The
 * order is the one `scan` tries the I2C drivers' probes in (driver.h).
 */
#include <stddef.h>
#include <string.h>

#include "driver.h"

extern const struct sgw_driver sgw_driver_sim;
extern const struct sgw_driver sgw_driver_cpu_temp;
extern const struct sgw_driver sgw_driver_bme280;
extern const struct sgw_driver sgw_driver_bmp280;
extern const struct sgw_driver sgw_driver_sht3x;
extern const struct sgw_driver sgw_driver_sht4x;
extern const struct sgw_driver sgw_driver_bh1750;
extern const struct sgw_driver sgw_driver_ads1115;
extern const struct sgw_driver sgw_driver_ds18b20;
extern const struct sgw_driver sgw_driver_dht22;
extern const struct sgw_driver sgw_driver_gpio_input;
extern const struct sgw_driver sgw_driver_pulse_counter;

const struct sgw_driver *const sgw_drivers[] = {
	&sgw_driver_sim,
	&sgw_driver_cpu_temp,
	&sgw_driver_bme280,
	&sgw_driver_bmp280,
	/* sht3x first: its two-byte status command is the stricter test;
	 * what an SHT3x makes of the SHT4x's one-byte commands is not
	 * specified. */
	&sgw_driver_sht3x,
	&sgw_driver_sht4x,
	&sgw_driver_bh1750,
	&sgw_driver_ads1115,
	&sgw_driver_ds18b20,
	&sgw_driver_dht22,
	&sgw_driver_gpio_input,
	&sgw_driver_pulse_counter,
	NULL,
};

const struct sgw_driver *sgw_driver_find(const char *name)
{
	for (size_t i = 0; sgw_drivers[i]; i++)
		if (strcmp(sgw_drivers[i]->name, name) == 0)
			return sgw_drivers[i];
	return NULL;
}

int sgw_driver_has_i2c_addr(const struct sgw_driver *drv, uint16_t addr)
{
	for (const uint16_t *a = drv->i2c_addrs; a && *a; a++)
		if (*a == addr)
			return 1;
	return 0;
}
