/* SPDX-License-Identifier: MIT */
/*
 * ROHM BH1750FVI ambient light sensor: chip logic shared by the driver
 * and the tests.  Datasheet: ROHM BH1750FVI, rev. D (2011).
 */
#ifndef SGW_BH1750_H
#define SGW_BH1750_H

#include <stdint.h>

#include "drivers/hal/i2c.h"

/* p. 10: ADDR pin low 0x23, high 0x5C */
#define SGW_BH1750_ADDR_LOW	0x23
#define SGW_BH1750_ADDR_HIGH	0x5c

/* p. 5 "instruction set architecture": opcodes */
#define SGW_BH1750_POWER_DOWN	0x00
#define SGW_BH1750_POWER_ON	0x01
#define SGW_BH1750_RESET	0x07	/* clears the data register; only when powered on */
#define SGW_BH1750_ONE_TIME_H	0x20	/* one measurement at 1 lx resolution, then power down */

/* p. 7: lux = raw / 1.2 at the default measurement time (MTreg = 69);
 * returned in 0.01 lx, rounded (raw 1 -> 83 = 0.83 lx, 65535 -> 5461250). */
int32_t sgw_bh1750_lux(uint16_t raw);

/*
 * The BH1750 has no ID register; this recognises one by behaviour: it
 * accepts the power-on and reset opcodes and then reads back 2 bytes.
 * 1 when it behaves so, 0 when not, -errno on bus failure (the driver's
 * i2c_probe).
 */
int sgw_bh1750_probe(struct sgw_i2c *i2c, uint16_t addr);

#endif
