/* SPDX-License-Identifier: MIT */
/*
 * BME280 / BMP280 emulator (tests/emul/emul.h): the register map of
 * datasheet section 5.3, a power-on reset (0xE0 := 0xB6), forced and
 * normal mode, oversampling (a skipped quantity reads 0x80000, resolution
 * 16 + osrs - 1 bits), a status register that shows "measuring" for a
 * while.  Physical values are encoded into raw ADC values by searching the
 * datasheet's floating-point compensation (8.1), independent of the
 * driver's integer code.  Powers up at 20 °C, 1013.25 hPa, 50 %RH with
 * the datasheet's calibration.
 *
 * Quantities: temperature °C, pressure hPa, humidity % (BME280 only).
 * The register failed by emul_fail_reg() is any of a burst that covers it.
 */
#ifndef SGW_TEST_BME280_EMUL_H
#define SGW_TEST_BME280_EMUL_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/bme280.h"
#include "emul.h"

struct bme280_emul {
	struct emul base;
	uint8_t regs[256];
	uint8_t ptr;
	struct sgw_bme280_calib calib;
	bool humidity;		/* BME280 (else BMP280) */
	double t, p, h;		/* °C, hPa, %RH: what emul_set_value() set */
	int32_t adc_t, adc_p, adc_h;	/* what the next measurement yields */
	unsigned int busy_reads;	/* status reads showing "measuring" after a trigger */
	unsigned int busy_left;
	unsigned int measurements;
	uint8_t last_ctrl_meas, last_ctrl_hum;	/* as written by the last trigger */
};

/* Chip ID 0x60 and 0x58. */
extern const struct emul_ops bme280_emul_ops;
extern const struct emul_ops bmp280_emul_ops;

/* Bosch's datasheet examples: T (BME280 4.2.3 / BMP280 3.12) and P
 * (BMP280 3.12), and typical humidity words of a real BME280. */
extern const struct sgw_bme280_calib bme280_emul_datasheet_calib;

/* Put calibration C into the NVM image registers (and re-encode the values). */
void bme280_emul_set_calib(struct bme280_emul *e, const struct sgw_bme280_calib *c);
/* The next measurements yield these raw values, until a value is set. */
void bme280_emul_set_raw(struct bme280_emul *e, int32_t adc_t, int32_t adc_p, int32_t adc_h);

/* Datasheet 8.1 floating-point compensation (Pa), for the tests' expectations. */
double bme280_emul_t(const struct sgw_bme280_calib *c, int32_t adc_t, double *t_fine);
double bme280_emul_p(const struct sgw_bme280_calib *c, int32_t adc_p, double t_fine);
double bme280_emul_h(const struct sgw_bme280_calib *c, int32_t adc_h, double t_fine);

#endif
