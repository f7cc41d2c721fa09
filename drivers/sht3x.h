/* SPDX-License-Identifier: MIT */
/*
 * Sensirion SHT3x-DIS and SHT4x humidity and temperature sensors: chip
 * logic shared by the drivers and the tests.  Both answer a measurement
 * with two words, each followed by its CRC-8.
 */
#ifndef SGW_SHT3X_H
#define SGW_SHT3X_H

#include <stddef.h>
#include <stdint.h>

#include "drivers/hal/i2c.h"

/* SHT3x 2.2: ADDR pin low / high */
#define SGW_SHT3X_ADDR_LOW	0x44
#define SGW_SHT3X_ADDR_HIGH	0x45
/* SHT4x 2.1: by part number (SHT4x-A..., -B..., -C...) */
#define SGW_SHT4X_ADDR_A	0x44
#define SGW_SHT4X_ADDR_B	0x45
#define SGW_SHT4X_ADDR_C	0x46

/* SHT3x datasheet 4.12: CRC-8, polynomial 0x31 (x^8 + x^5 + x^4 + 1),
 * initial value 0xFF, no reflection, no final XOR: 0xBEEF -> 0x92. */
uint8_t sgw_sht_crc8(const uint8_t *data, size_t len);

/* Check the CRC of each of the NWORDS (word, crc) triplets in BUF and
 * store the words; 0 or -EBADMSG. */
int sgw_sht_words(const uint8_t *buf, size_t nwords, uint16_t *words);

/* SHT3x 4.13 and SHT4x 4.6: T = -45 + 175 * S / 65535 °C, in 0.01 °C,
 * rounded to nearest (0 -> -4500, 65535 -> 13000). */
int32_t sgw_sht_temperature(uint16_t raw);
/* SHT3x 4.13: RH = 100 * S / 65535 %, in 0.01 %. */
int32_t sgw_sht3x_humidity(uint16_t raw);
/* SHT4x 4.6: RH = -6 + 125 * S / 65535 %, in 0.01 %, cropped to 0..100 %. */
int32_t sgw_sht4x_humidity(uint16_t raw);

/* Read the SHT3x status register (command 0xF32D), CRC checked. */
int sgw_sht3x_read_status(struct sgw_i2c *i2c, uint16_t addr, uint16_t *status);
/* Read the SHT4x serial number (command 0x89), CRC checked. */
int sgw_sht4x_read_serial(struct sgw_i2c *i2c, uint16_t addr, uint32_t *serial);

#endif
