/* SPDX-License-Identifier: MIT */
/*
 * What every I2C chip driver configures the same way: the bus number and
 * the chip address, and the worker the sensor runs in ("i2c-N": all sensors
 * of one bus share one worker thread, so one bus never sees two transfers
 * at once from this process).
 */
#ifndef SGW_I2C_SENSOR_H
#define SGW_I2C_SENSOR_H

#include <stddef.h>
#include <stdint.h>

#include "driver.h"

struct sgw_i2c_sensor_cfg {
	int bus;		/* /dev/i2c-N */
	uint16_t addr;		/* 7-bit chip address */
};

/*
 * Read the bus number (the sensor's `bus` key, "1" or "i2c-1", default 1)
 * and the key `address` (one of sc->driver's i2c_addrs, as 0x76 or 118;
 * default the first) into *out, and set sc->bus to "i2c-N".  Returns 0 or
 * -EINVAL (reported through keys), -ENOMEM.
 */
int sgw_i2c_sensor_configure(struct sgw_sensor_config *sc, struct sgw_keys *keys,
			     struct sgw_i2c_sensor_cfg *out);

/* sgw_sensor_add_channel() that reports a failure through keys->d: 0 or -EINVAL. */
int sgw_i2c_sensor_add_channel(struct sgw_sensor_config *sc, struct sgw_keys *keys,
			       const char *name, const char *unit, int scale, int precision);

/* One channel a driver declares, as sgw_i2c_sensor_add_channel() takes it. */
struct sgw_i2c_channel {
	const char *name;
	const char *unit;
	int scale;
	int precision;
};

/*
 * The end of a driver's configure(): when RET (what the steps before
 * returned) is 0, declare the NCH channels CH in order and keep CFG, the
 * driver's malloc'ed settings, in sc->priv.  Otherwise, or when a channel
 * does not fit, free CFG (CH is not looked at when RET is not 0).
 * Returns 0 or the first error: RET or the channel's (-EINVAL, reported).
 */
int sgw_i2c_sensor_finish(struct sgw_sensor_config *sc, struct sgw_keys *keys, int ret, void *cfg,
			  const struct sgw_i2c_channel *ch, size_t nch);

/*
 * For drivers whose run-time state is the bus handle alone: open DEV's bus
 * with the sensor's timeout into s->state, and close it again.
 */
struct sgw_sensor;
int sgw_i2c_sensor_open(struct sgw_sensor *s, const struct sgw_i2c_sensor_cfg *dev);
void sgw_i2c_sensor_close(struct sgw_sensor *s);
/* free_config for drivers whose sc->priv is one malloc'ed block. */
void sgw_i2c_sensor_free_config(struct sgw_sensor_config *sc);

#endif
