/* SPDX-License-Identifier: MIT */
/*
 * Sensor drivers (Zephyr style: chip logic apart from the bus).
 *
 * A driver is an ops table.  configure() runs at config time in the main
 * thread and does no I/O; open/read/close run in the sensor's bus worker
 * thread, where they may block up to the sensor's timeout.  Drivers never
 * print or exit: they return -errno.
 *
 * Values are fixed point: each channel declares how many decimal digits its
 * int32 carries (scale 2: 2346 = 23.46 °C).
 */
#ifndef SGW_SENSOR_H
#define SGW_SENSOR_H

#include <stdint.h>

#include "conf/channel.h"
#include "conf/keys.h"
#include "conf/types.h"

struct sgw_i2c;

struct sgw_sensor {
	const struct sgw_sensor_config *cfg;
	void *state;		/* the driver's run-time state, owned by open/close */
};

struct sgw_driver {
	const char *name;
	const char *summary;	/* one line for --help and scan */
	/*
	 * Take the driver's keys from KEYS (the sensor section's keys the
	 * core did not take, with the sgw_keys_*() getters, which report bad
	 * values through it), declare the channels (sgw_sensor_add_channel()),
	 * keep parsed settings in sc->priv.  Other problems are reported
	 * through keys->d.  Returns 0 or -EINVAL after reporting, -ENOMEM.
	 * Keys no getter took are reported as unknown afterwards.
	 */
	int (*configure)(struct sgw_sensor_config *sc, struct sgw_keys *keys);
	void (*free_config)(struct sgw_sensor_config *sc);	/* frees sc->priv; may be NULL */
	int (*open)(struct sgw_sensor *s);			/* may be NULL */
	/*
	 * Take one sample of every channel: values[i] in channel i's fixed
	 * point, bit i of *valid set when values[i] holds a reading.
	 * Returns 0 or -errno (the sample is then dropped and counted).
	 */
	int (*read)(struct sgw_sensor *s, int32_t *values, uint32_t *valid);
	/*
	 * Optional, for event sources (GPIO edges): wait up to timeout_ms for
	 * an event; 1 with values filled, 0 on timeout, -errno on failure.
	 */
	int (*wait_event)(struct sgw_sensor *s, int timeout_ms, int32_t *values, uint32_t *valid);
	void (*close)(struct sgw_sensor *s);			/* may be NULL */

	/*
	 * I2C chips only (NULL otherwise), as Linux's struct i2c_driver
	 * has them (address_list, detect); `scan` and the `address` key
	 * use them.
	 *
	 * i2c_addrs: the addresses the chip can have, 0-terminated; the
	 * first is the default of `address`.
	 *
	 * i2c_probe: is this driver's chip at ADDR, an address that
	 * acknowledged sgw_i2c_probe()?  Reads as little as identifies the
	 * chip (an ID register, a CRC-checked answer) and leaves it as it
	 * was.  1: yes, 0: no (a NAK or an answer of another chip),
	 * -errno: the bus failed.  `scan` names a chip after the first
	 * driver in registry order whose list holds the address and whose
	 * probe says 1; where a probe can say 1 to another driver's chip
	 * too, the registry lists the pickier driver first.
	 */
	const uint16_t *i2c_addrs;
	int (*i2c_probe)(struct sgw_i2c *i2c, uint16_t addr);
};

/* NULL-terminated table of all drivers (drivers/registry.c). */
extern const struct sgw_driver *const sgw_drivers[];
const struct sgw_driver *sgw_driver_find(const char *name);
/* 1 when ADDR is in DRV's i2c_addrs, 0 when not (or DRV is no I2C chip). */
int sgw_driver_has_i2c_addr(const struct sgw_driver *drv, uint16_t addr);

#endif
