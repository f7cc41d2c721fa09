/* SPDX-License-Identifier: MIT */
/*
 * BME280 / BMP280 drivers: one forced-mode measurement per read.
 * Datasheet: Bosch BST-BME280-DS002 (section numbers below).
 *
 * Channels: temperature °C scale 2 (2508 = 25.08 °C), pressure hPa scale 2
 * (100653 = 1006.53 hPa, i.e. whole pascals), humidity % scale 2
 * (4633 = 46.33 %RH, BME280 only).
 */
#include "bme280.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "driver.h"
#include "drivers/hal/i2c.h"
#include "i2c_sensor.h"

/* 5.3, table 18: memory map */
#define REG_CALIB_TP	0x88	/* ..0xA1 */
#define REG_RESET	0xe0	/* write 0xB6: power-on reset */
#define RESET_WORD	0xb6
#define REG_CALIB_H	0xe1	/* ..0xE7 */
#define REG_CTRL_HUM	0xf2	/* osrs_h[2:0]; takes effect at the next ctrl_meas write */
#define REG_STATUS	0xf3
#define STATUS_MEASURING 0x08	/* bit 3: conversion running */
#define STATUS_IM_UPDATE 0x01	/* bit 0: NVM being copied to the image registers */
#define REG_CTRL_MEAS	0xf4	/* osrs_t[7:5] osrs_p[4:2] mode[1:0] */
#define MODE_FORCED	0x01
#define REG_CONFIG	0xf5	/* t_sb[7:5] filter[4:2] spi3w_en[0] */
#define REG_DATA	0xf7	/* press[3] temp[3] hum[2], big-endian, 20/20/16 bit */
#define ADC_SKIPPED	0x80000	/* 5.4.7: value of a skipped (or never run) measurement */

/* 1.1 / 3.1: start-up time 2 ms after power-on or reset */
#define STARTUP_MS	2
#define STATUS_POLLS	25
#define POLL_MS		2

enum { CH_TEMPERATURE, CH_PRESSURE, CH_HUMIDITY };

struct bme280_cfg {
	struct sgw_i2c_sensor_cfg dev;
	bool humidity;		/* BME280: measure humidity too */
	uint8_t osrs_t, osrs_p, osrs_h;	/* 5.4.3/5.4.5 codes: 1 = x1 .. 5 = x16 */
};

struct bme280_state {
	struct sgw_i2c *i2c;
	struct sgw_bme280_calib calib;
};

/* ------------------------------------------------------------ chip logic */

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

void sgw_bme280_calib_parse(const uint8_t *tp, const uint8_t *h, struct sgw_bme280_calib *c)
{
	*c = (struct sgw_bme280_calib){
		.t1 = le16(tp + 0), .t2 = (int16_t)le16(tp + 2), .t3 = (int16_t)le16(tp + 4),
		.p1 = le16(tp + 6), .p2 = (int16_t)le16(tp + 8), .p3 = (int16_t)le16(tp + 10),
		.p4 = (int16_t)le16(tp + 12), .p5 = (int16_t)le16(tp + 14),
		.p6 = (int16_t)le16(tp + 16), .p7 = (int16_t)le16(tp + 18),
		.p8 = (int16_t)le16(tp + 20), .p9 = (int16_t)le16(tp + 22),
		.h1 = tp[25],	/* 0xA1; 0xA0 is unused */
	};
	if (!h)
		return;
	c->h2 = (int16_t)le16(h + 0);
	c->h3 = h[2];
	/* 0xE4 = H4[11:4], 0xE5[3:0] = H4[3:0], 0xE5[7:4] = H5[3:0],
	 * 0xE6 = H5[11:4]; the upper bytes carry the sign. */
	c->h4 = (int16_t)((int8_t)h[3] * 16 | (h[4] & 0x0f));
	c->h5 = (int16_t)((int8_t)h[5] * 16 | (h[4] >> 4));
	c->h6 = (int8_t)h[6];
}

/*
 * The shifts of Bosch's code on signed values are kept where they shift
 * right (arithmetic shift, as Bosch assumes); left shifts of values that
 * may be negative are written as multiplications (C leaves those undefined).
 * With sane calibration words every intermediate fits the types Bosch
 * chose; the wider types and range checks here only keep a corrupt
 * calibration (a flaky bus at open) from overflowing.
 */
int32_t sgw_bme280_compensate_t(const struct sgw_bme280_calib *c, int32_t adc_t, int32_t *t_fine)
{
	int64_t var1, var2, d, tf;

	var1 = ((int64_t)(adc_t >> 3) - ((int64_t)c->t1 * 2)) * c->t2 >> 11;
	d = (int64_t)(adc_t >> 4) - c->t1;
	var2 = ((d * d) >> 12) * c->t3 >> 14;
	tf = var1 + var2;
	if (tf > INT32_MAX / 5)
		tf = INT32_MAX / 5;
	if (tf < INT32_MIN / 5)
		tf = INT32_MIN / 5;
	*t_fine = (int32_t)tf;
	return (int32_t)((tf * 5 + 128) >> 8);
}

/* Bosch's API clamps temperatures to the operating range -40..85 °C
 * (t_fine = T * 5120); humidity is computed within it. */
#define T_FINE_MIN (-40 * 5120)
#define T_FINE_MAX (85 * 5120)

uint32_t sgw_bme280_compensate_p(const struct sgw_bme280_calib *c, int32_t adc_p, int32_t t_fine)
{
	/* 128 bits: (2^47 + var1) * dig_P1 exceeds 64 bits for extreme
	 * words.  GCC and Clang have __int128 on every 64-bit target. */
	__extension__ typedef __int128 i128;
	i128 var1, var2, p;

	var1 = (i128)t_fine - 128000;
	var2 = var1 * var1 * c->p6;
	var2 = var2 + var1 * c->p5 * 131072;		/* << 17 */
	var2 = var2 + (i128)c->p4 * 34359738368;	/* << 35 */
	var1 = ((var1 * var1 * c->p3) >> 8) + var1 * c->p2 * 4096;	/* << 12 */
	var1 = ((((i128)1) << 47) + var1) * c->p1 >> 33;
	if (var1 == 0)
		return 0;	/* avoid a division by zero */
	p = 1048576 - adc_p;
	p = ((p * 2147483648) - var2) * 3125 / var1;	/* << 31 */
	if (p < 0 || p > ((i128)1 << 40))
		return 0;	/* no pressure at all (Pa * 256 is ~2^25) */
	var1 = ((i128)c->p9 * (p >> 13) * (p >> 13)) >> 25;
	var2 = ((i128)c->p8 * p) >> 19;
	p = ((p + var1 + var2) >> 8) + (i128)c->p7 * 16;	/* << 4 */
	return p < 0 || p > UINT32_MAX ? 0 : (uint32_t)p;
}

uint32_t sgw_bme280_compensate_h(const struct sgw_bme280_calib *c, int32_t adc_h, int32_t t_fine)
{
	int64_t tf = t_fine < T_FINE_MIN ? T_FINE_MIN : t_fine > T_FINE_MAX ? T_FINE_MAX : t_fine;
	int64_t x = tf - 76800, v;

	v = ((((int64_t)adc_h * 16384) - ((int64_t)c->h4 * 1048576) - (c->h5 * x)) + 16384) >> 15;
	v = v * (((((((x * c->h6) >> 10) * (((x * c->h3) >> 11) + 32768)) >> 10) + 2097152) *
		  c->h2 + 8192) >> 14);
	v = v - (((((v >> 15) * (v >> 15)) >> 7) * c->h1) >> 4);
	if (v < 0)
		v = 0;
	if (v > 419430400)	/* 100 %RH in Q22.10, before the final >> 12 */
		v = 419430400;
	return (uint32_t)(v >> 12);
}

int sgw_bme280_read_id(struct sgw_i2c *i2c, uint16_t addr)
{
	return sgw_i2c_read_reg8(i2c, addr, SGW_BME280_REG_ID);
}

/* 9.1 (appendix B): maximum measurement time in µs, for oversampling
 * codes (1..5 = x1..x16; 0 = skipped). */
static unsigned int measure_time_us(const struct bme280_cfg *cfg)
{
	unsigned int t = 1250 + 2300 * (1u << cfg->osrs_t >> 1);

	t += 2300 * (1u << cfg->osrs_p >> 1) + 575;
	if (cfg->humidity)
		t += 2300 * (1u << cfg->osrs_h >> 1) + 575;
	return t;
}

/* ------------------------------------------------------------ driver glue */

static const uint16_t bme280_addrs[] = { SGW_BME280_ADDR_LOW, SGW_BME280_ADDR_HIGH, 0 };
static const char *const osrs_names[] = { "1", "2", "4", "8", "16", NULL };

static int configure_osrs(struct sgw_sensor_config *sc, struct sgw_keys *keys, const char *key,
			  int def, uint8_t *out)
{
	int idx, ret;

	ret = sgw_keys_enum(keys, key, osrs_names, def, &idx);
	if (ret < 0)
		return ret;
	*out = (uint8_t)(idx + 1);	/* "1" -> code 1 (x1) ... "16" -> code 5 */
	return 0;
}

/* The BMP280 has the first two. */
static const struct sgw_i2c_channel bme280_channels[] = {
	{ "temperature", "°C", 2, 2 },
	{ "pressure", "hPa", 2, 2 },
	{ "humidity", "%", 2, 1 },
};

static int bme280_configure_common(struct sgw_sensor_config *sc, struct sgw_keys *keys,
				   bool humidity)
{
	struct bme280_cfg *cfg;
	uint8_t all;
	int ret;

	cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		return -ENOMEM;
	cfg->humidity = humidity;
	ret = sgw_i2c_sensor_configure(sc, keys, &cfg->dev);
	if (ret == 0)
		ret = configure_osrs(sc, keys, "oversampling", 0, &all);
	if (ret == 0)
		ret = configure_osrs(sc, keys, "oversampling.temperature", all - 1, &cfg->osrs_t);
	if (ret == 0)
		ret = configure_osrs(sc, keys, "oversampling.pressure", all - 1, &cfg->osrs_p);
	if (ret == 0 && humidity)
		ret = configure_osrs(sc, keys, "oversampling.humidity", all - 1, &cfg->osrs_h);
	return sgw_i2c_sensor_finish(sc, keys, ret, cfg, bme280_channels, humidity ? 3 : 2);
}

static int bme280_configure(struct sgw_sensor_config *sc, struct sgw_keys *keys)
{
	return bme280_configure_common(sc, keys, true);
}

static int bmp280_configure(struct sgw_sensor_config *sc, struct sgw_keys *keys)
{
	return bme280_configure_common(sc, keys, false);
}

static int wait_status_clear(struct sgw_i2c *i2c, uint16_t addr, uint8_t mask)
{
	for (int i = 0; i < STATUS_POLLS; i++) {
		int st = sgw_i2c_read_reg8(i2c, addr, REG_STATUS);

		if (st < 0)
			return st;
		if (!(st & mask))
			return 0;
		sgw_i2c_sleep_ms(POLL_MS);
	}
	return -ETIMEDOUT;
}

static bool is_bmp280(int id)
{
	return id == SGW_BME280_ID_BMP280 || id == SGW_BME280_ID_BMP280_SAMPLE0 ||
	       id == SGW_BME280_ID_BMP280_SAMPLE1;
}

static int chip_matches(int id, bool humidity)
{
	if (id == SGW_BME280_ID_BME280)
		return 1;
	/* A BMP280 (often sold as a "BME280") has no humidity sensor. */
	return !humidity && is_bmp280(id);
}

/* Each driver recognises its own chip only, although bmp280 reads a
 * BME280 too: scan is to name the chip that is there. */
static int probe_id(struct sgw_i2c *i2c, uint16_t addr, bool bme)
{
	int id = sgw_bme280_read_id(i2c, addr);

	if (id < 0)
		return sgw_i2c_no_ack(id) ? 0 : id;
	return bme ? id == SGW_BME280_ID_BME280 : is_bmp280(id);
}

static int bme280_probe(struct sgw_i2c *i2c, uint16_t addr)
{
	return probe_id(i2c, addr, true);
}

static int bmp280_probe(struct sgw_i2c *i2c, uint16_t addr)
{
	return probe_id(i2c, addr, false);
}

static int bme280_open(struct sgw_sensor *s)
{
	const struct bme280_cfg *cfg = s->cfg->priv;
	struct bme280_state *st;
	uint8_t tp[SGW_BME280_CALIB_TP_LEN], h[SGW_BME280_CALIB_H_LEN];
	uint16_t a = cfg->dev.addr;
	int ret;

	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	ret = sgw_i2c_open(cfg->dev.bus, (int)s->cfg->timeout_ms, &st->i2c);
	if (ret < 0)
		goto free_st;
	ret = sgw_bme280_read_id(st->i2c, a);
	if (ret >= 0 && !chip_matches(ret, cfg->humidity))
		ret = -ENODEV;
	if (ret < 0)
		goto close_bus;
	/* A reset puts the chip in sleep mode with known settings, whatever
	 * an earlier run left behind; then wait for the NVM copy (5.4.4). */
	ret = sgw_i2c_write_reg8(st->i2c, a, REG_RESET, RESET_WORD);
	if (ret < 0)
		goto close_bus;
	sgw_i2c_sleep_ms(STARTUP_MS);
	ret = wait_status_clear(st->i2c, a, STATUS_IM_UPDATE);
	if (ret == 0)
		ret = sgw_i2c_read_regs(st->i2c, a, REG_CALIB_TP, tp, sizeof(tp));
	if (ret == 0 && cfg->humidity)
		ret = sgw_i2c_read_regs(st->i2c, a, REG_CALIB_H, h, sizeof(h));
	/* Filter off, no standby timing: forced mode takes one raw sample. */
	if (ret == 0)
		ret = sgw_i2c_write_reg8(st->i2c, a, REG_CONFIG, 0);
	if (ret < 0)
		goto close_bus;
	sgw_bme280_calib_parse(tp, cfg->humidity ? h : NULL, &st->calib);
	s->state = st;
	return 0;

close_bus:
	sgw_i2c_close(st->i2c);
free_st:
	free(st);
	return ret;
}

static int bme280_read(struct sgw_sensor *s, int32_t *values, uint32_t *valid)
{
	const struct bme280_cfg *cfg = s->cfg->priv;
	struct bme280_state *st = s->state;
	uint16_t a = cfg->dev.addr;
	uint8_t raw[8];
	int32_t adc_t, adc_p, t_fine;
	uint32_t p;
	int ret = 0;

	if (cfg->humidity)
		ret = sgw_i2c_write_reg8(st->i2c, a, REG_CTRL_HUM, cfg->osrs_h);
	if (ret == 0)
		ret = sgw_i2c_write_reg8(st->i2c, a, REG_CTRL_MEAS,
					 (uint8_t)(cfg->osrs_t << 5 | cfg->osrs_p << 2 | MODE_FORCED));
	if (ret < 0)
		return ret;
	sgw_i2c_sleep_ms((measure_time_us(cfg) + 999) / 1000);
	ret = wait_status_clear(st->i2c, a, STATUS_MEASURING);
	if (ret == 0)
		ret = sgw_i2c_read_regs(st->i2c, a, REG_DATA, raw, cfg->humidity ? 8 : 6);
	if (ret < 0)
		return ret;

	adc_p = raw[0] << 12 | raw[1] << 4 | raw[2] >> 4;
	adc_t = raw[3] << 12 | raw[4] << 4 | raw[5] >> 4;
	/* A skipped conversion: the chip was reset behind our back. */
	if (adc_t == ADC_SKIPPED || adc_p == ADC_SKIPPED)
		return -EIO;
	values[CH_TEMPERATURE] = sgw_bme280_compensate_t(&st->calib, adc_t, &t_fine);
	p = sgw_bme280_compensate_p(&st->calib, adc_p, t_fine);
	if (p == 0)
		return -EIO;	/* calibration words unusable */
	values[CH_PRESSURE] = (int32_t)((p + 128) >> 8);	/* Q24.8 Pa -> Pa = 0.01 hPa */
	*valid = 1u << CH_TEMPERATURE | 1u << CH_PRESSURE;
	if (cfg->humidity) {
		int32_t adc_h = raw[6] << 8 | raw[7];
		uint32_t h = sgw_bme280_compensate_h(&st->calib, adc_h, t_fine);

		/* Q22.10 %RH -> 0.01 %RH, rounded */
		values[CH_HUMIDITY] = (int32_t)(((uint64_t)h * 100 + 512) >> 10);
		*valid |= 1u << CH_HUMIDITY;
	}
	return 0;
}

static void bme280_close(struct sgw_sensor *s)
{
	struct bme280_state *st = s->state;

	if (!st)
		return;
	sgw_i2c_close(st->i2c);
	free(st);
	s->state = NULL;
}

const struct sgw_driver sgw_driver_bme280 = {
	.name = "bme280",
	.summary = "Bosch BME280 temperature, pressure, humidity (I2C)",
	.configure = bme280_configure,
	.free_config = sgw_i2c_sensor_free_config,
	.open = bme280_open,
	.read = bme280_read,
	.close = bme280_close,
	.i2c_addrs = bme280_addrs,
	.i2c_probe = bme280_probe,
};

const struct sgw_driver sgw_driver_bmp280 = {
	.name = "bmp280",
	.summary = "Bosch BMP280 temperature, pressure (I2C; also reads a BME280)",
	.configure = bmp280_configure,
	.free_config = sgw_i2c_sensor_free_config,
	.open = bme280_open,
	.read = bme280_read,
	.close = bme280_close,
	.i2c_addrs = bme280_addrs,
	.i2c_probe = bmp280_probe,
};
