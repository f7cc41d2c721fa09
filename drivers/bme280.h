/* SPDX-License-Identifier: MIT */
/*
 * Bosch BME280 (temperature, pressure, humidity) and BMP280 (temperature,
 * pressure): chip logic shared by the drivers and the tests.
 * Section numbers refer to the BME280 datasheet BST-BME280-DS002.
 */
#ifndef SGW_BME280_H
#define SGW_BME280_H

#include <stdint.h>

#include "drivers/hal/i2c.h"

/* 5.4.1: chip_id register 0xD0 */
#define SGW_BME280_REG_ID	0xd0
#define SGW_BME280_ID_BME280	0x60
#define SGW_BME280_ID_BMP280	0x58	/* mass production */
#define SGW_BME280_ID_BMP280_SAMPLE0	0x56	/* BMP280 engineering samples */
#define SGW_BME280_ID_BMP280_SAMPLE1	0x57

/* 6.2: SDO to GND selects 0x76, to VDDIO 0x77 */
#define SGW_BME280_ADDR_LOW	0x76
#define SGW_BME280_ADDR_HIGH	0x77

/* 4.2.2, table 16: trimming parameters, little-endian words */
struct sgw_bme280_calib {
	uint16_t t1;
	int16_t t2, t3;
	uint16_t p1;
	int16_t p2, p3, p4, p5, p6, p7, p8, p9;
	uint8_t h1;
	int16_t h2;
	uint8_t h3;
	int16_t h4, h5;		/* 12-bit signed, packed across 0xE4..0xE6 */
	int8_t h6;
};

/* Calibration block sizes: 0x88..0xA1 and 0xE1..0xE7 */
#define SGW_BME280_CALIB_TP_LEN 26
#define SGW_BME280_CALIB_H_LEN 7

/* Decode the registers 0x88..0xA1 (TP) and 0xE1..0xE7 (H, NULL for a BMP280). */
void sgw_bme280_calib_parse(const uint8_t *tp, const uint8_t *h, struct sgw_bme280_calib *c);

/*
 * Bosch's integer compensation (4.2.3), with wider intermediates and range
 * checks so that a garbage calibration cannot overflow (identical results
 * otherwise).
 *   compensate_t: 0.01 °C (5123 = 51.23 °C); stores t_fine for the others.
 *   compensate_p: Pa as unsigned Q24.8 (24674867 = 96386.2 Pa); 0 when the
 *                 calibration is unusable (division by zero).
 *   compensate_h: %RH as unsigned Q22.10 (47445 = 46.333 %RH), 0..100 %;
 *                 t_fine is taken within the operating range -40..85 °C.
 */
int32_t sgw_bme280_compensate_t(const struct sgw_bme280_calib *c, int32_t adc_t, int32_t *t_fine);
uint32_t sgw_bme280_compensate_p(const struct sgw_bme280_calib *c, int32_t adc_p, int32_t t_fine);
uint32_t sgw_bme280_compensate_h(const struct sgw_bme280_calib *c, int32_t adc_h, int32_t t_fine);

/* Read the chip ID at ADDR: the ID byte (0..255) or -errno. */
int sgw_bme280_read_id(struct sgw_i2c *i2c, uint16_t addr);

#endif
