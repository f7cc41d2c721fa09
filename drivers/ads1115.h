/* SPDX-License-Identifier: MIT */
/*
 * TI ADS1115 16-bit ADC: chip logic shared by the driver and the tests.  Datasheet: TI SBAS444D (2018), section numbers below.
 */
#ifndef SGW_ADS1115_H
#define SGW_ADS1115_H

#include <stdint.h>

#include "drivers/hal/i2c.h"

/* 9.5.1.1, table 4: the ADDR pin connected to */
#define SGW_ADS1115_ADDR_GND	0x48
#define SGW_ADS1115_ADDR_VDD	0x49
#define SGW_ADS1115_ADDR_SDA	0x4a
#define SGW_ADS1115_ADDR_SCL	0x4b

/* 9.6, table 6: register pointer */
#define SGW_ADS1115_REG_CONV	0x00
#define SGW_ADS1115_REG_CONFIG	0x01
#define SGW_ADS1115_REG_LO	0x02	/* Lo_thresh, reset 0x8000 (9.6.4) */
#define SGW_ADS1115_REG_HI	0x03	/* Hi_thresh, reset 0x7FFF */

/* 9.6.3, table 8: config register fields */
#define SGW_ADS1115_OS		0x8000	/* write: start; read: 1 = idle */
#define SGW_ADS1115_MUX_SHIFT	12	/* 100b + n: AINn against GND */
#define SGW_ADS1115_PGA_SHIFT	9	/* 000b ±6.144 V ... 101b ±0.256 V */
#define SGW_ADS1115_MODE_SINGLE	0x0100
#define SGW_ADS1115_DR_SHIFT	5	/* 000b 8 SPS ... 111b 860 SPS */
#define SGW_ADS1115_COMP_OFF	0x0003	/* COMP_QUE = 11b: comparator disabled */

/* Full-scale range of PGA code 0..5, in µV (±6.144 V = 6144000). */
int32_t sgw_ads1115_fsr_uv(unsigned int pga);
/* Conversion result (two's complement, 9.3.3) to µV at PGA code PGA,
 * rounded half away from zero: 1 LSB at ±2.048 V = 62.5 µV -> 63. */
int32_t sgw_ads1115_microvolts(int16_t raw, unsigned int pga);
/* Config word for a single-shot conversion of AIN<ch> against GND. */
uint16_t sgw_ads1115_config(unsigned int ch, unsigned int pga, unsigned int dr);

int sgw_ads1115_read_reg(struct sgw_i2c *i2c, uint16_t addr, uint8_t reg, uint16_t *val);
int sgw_ads1115_write_reg(struct sgw_i2c *i2c, uint16_t addr, uint8_t reg, uint16_t val);

/* Recognise an ADS1115 (or its 12-bit sibling ADS1015) by the reset values
 * of its threshold registers: 1 yes, 0 no, -errno on bus failure (the
 * driver's i2c_probe). */
int sgw_ads1115_probe(struct sgw_i2c *i2c, uint16_t addr);

#endif
