/* SPDX-License-Identifier: MIT */
/*
 * SHT3x and SHT4x drivers: one single-shot, high-repeatability measurement
 * per read, CRC checked.  Datasheets: Sensirion SHT3x-DIS (v6, 2019) and
 * SHT4x (v6.6, 2023); section numbers below.
 *
 * Channels: temperature °C scale 2 (2508 = 25.08 °C), humidity % scale 2
 * (4633 = 46.33 %RH).
 */
#include "sht3x.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "driver.h"
#include "drivers/hal/i2c.h"
#include "i2c_sensor.h"

/* SHT3x 4.3, table 9: single shot, high repeatability, clock stretching
 * disabled (a stretched clock would hold the bus for 15 ms) */
static const uint8_t SHT3X_MEASURE[2] = { 0x24, 0x00 };
#define SHT3X_MEASURE_MS 15	/* table 4: t_MEAS high repeatability, max 15 ms */
/* SHT3x 4.11: read status register */
static const uint8_t SHT3X_STATUS[2] = { 0xf3, 0x2d };
/* SHT4x 4.5: measure T & RH with high precision, max 8.3 ms (table 5) */
#define SHT4X_MEASURE 0xfd
#define SHT4X_MEASURE_MS 9
#define SHT4X_SERIAL 0x89	/* read serial number: 2 words + CRCs */

/* A chip still measuring NAKs its read header (SHT3x 4.4): poll again. */
#define BUSY_POLLS 5
#define BUSY_POLL_MS 2

#define CRC8_POLY 0x31
#define CRC8_INIT 0xff

enum { CH_TEMPERATURE, CH_HUMIDITY };

enum sht_family { SHT3X, SHT4X };

struct sht_cfg {
	struct sgw_i2c_sensor_cfg dev;
	enum sht_family family;
};

/* ------------------------------------------------------------ chip logic */

uint8_t sgw_sht_crc8(const uint8_t *data, size_t len)
{
	uint8_t crc = CRC8_INIT;

	for (size_t i = 0; i < len; i++) {
		crc ^= data[i];
		for (int b = 0; b < 8; b++)
			crc = (uint8_t)(crc & 0x80 ? (crc << 1) ^ CRC8_POLY : crc << 1);
	}
	return crc;
}

int sgw_sht_words(const uint8_t *buf, size_t nwords, uint16_t *words)
{
	for (size_t i = 0; i < nwords; i++, buf += 3) {
		if (sgw_sht_crc8(buf, 2) != buf[2])
			return -EBADMSG;
		words[i] = (uint16_t)(buf[0] << 8 | buf[1]);
	}
	return 0;
}

int32_t sgw_sht_temperature(uint16_t raw)
{
	return -4500 + (int32_t)((17500u * raw + 32767) / 65535);
}

int32_t sgw_sht3x_humidity(uint16_t raw)
{
	return (int32_t)((10000u * raw + 32767) / 65535);
}

int32_t sgw_sht4x_humidity(uint16_t raw)
{
	int32_t rh = -600 + (int32_t)((12500u * raw + 32767) / 65535);

	/* 4.6: values outside 0..100 % are not physical; crop them */
	return rh < 0 ? 0 : rh > 10000 ? 10000 : rh;
}

/* Read NWORDS CRC-checked words, polling while the chip NAKs (busy). */
static int read_words(struct sgw_i2c *i2c, uint16_t addr, size_t nwords, uint16_t *words)
{
	uint8_t buf[6];
	int ret;

	for (int i = 0;; i++) {
		ret = sgw_i2c_read(i2c, addr, buf, nwords * 3);
		if (ret == 0 || (ret != -ENXIO && ret != -EREMOTEIO) || i == BUSY_POLLS)
			break;
		sgw_i2c_sleep_ms(BUSY_POLL_MS);
	}
	return ret < 0 ? ret : sgw_sht_words(buf, nwords, words);
}

int sgw_sht3x_read_status(struct sgw_i2c *i2c, uint16_t addr, uint16_t *status)
{
	int ret = sgw_i2c_write(i2c, addr, SHT3X_STATUS, sizeof(SHT3X_STATUS));

	return ret < 0 ? ret : read_words(i2c, addr, 1, status);
}

int sgw_sht4x_read_serial(struct sgw_i2c *i2c, uint16_t addr, uint32_t *serial)
{
	static const uint8_t cmd = SHT4X_SERIAL;
	uint16_t w[2];
	int ret = sgw_i2c_write(i2c, addr, &cmd, 1);

	if (ret == 0) {
		sgw_i2c_sleep_ms(1);	/* 4.5: serial number read takes up to 1 ms */
		ret = read_words(i2c, addr, 2, w);
	}
	if (ret == 0)
		*serial = (uint32_t)w[0] << 16 | w[1];
	return ret;
}

/* ------------------------------------------------------------ driver glue */

static const uint16_t sht3x_addrs[] = { SGW_SHT3X_ADDR_LOW, SGW_SHT3X_ADDR_HIGH, 0 };
static const uint16_t sht4x_addrs[] = { SGW_SHT4X_ADDR_A, SGW_SHT4X_ADDR_B, SGW_SHT4X_ADDR_C, 0 };

static const struct sgw_i2c_channel sht_channels[] = {
	{ "temperature", "°C", 2, 2 },
	{ "humidity", "%", 2, 1 },
};

static int sht_configure(struct sgw_sensor_config *sc, struct sgw_keys *keys, enum sht_family fam)
{
	struct sht_cfg *cfg = calloc(1, sizeof(*cfg));
	int ret;

	if (!cfg)
		return -ENOMEM;
	cfg->family = fam;
	ret = sgw_i2c_sensor_configure(sc, keys, &cfg->dev);
	return sgw_i2c_sensor_finish(sc, keys, ret, cfg, sht_channels, 2);
}

static int sht3x_configure(struct sgw_sensor_config *sc, struct sgw_keys *keys)
{
	return sht_configure(sc, keys, SHT3X);
}

static int sht4x_configure(struct sgw_sensor_config *sc, struct sgw_keys *keys)
{
	return sht_configure(sc, keys, SHT4X);
}

/* A NAK, or an answer whose CRC does not match: not this chip. */
static int probe_result(int ret)
{
	if (ret == -EBADMSG || sgw_i2c_no_ack(ret))
		return 0;
	return ret < 0 ? ret : 1;
}

static int sht3x_probe(struct sgw_i2c *i2c, uint16_t addr)
{
	uint16_t status;

	return probe_result(sgw_sht3x_read_status(i2c, addr, &status));
}

static int sht4x_probe(struct sgw_i2c *i2c, uint16_t addr)
{
	uint32_t serial;

	return probe_result(sgw_sht4x_read_serial(i2c, addr, &serial));
}

static int sht_open(struct sgw_sensor *s)
{
	const struct sht_cfg *cfg = s->cfg->priv;
	uint16_t status;
	uint32_t serial;
	int ret = sgw_i2c_sensor_open(s, &cfg->dev);

	if (ret < 0)
		return ret;
	/* Talk to the chip once, so that a wrong address or chip shows at
	 * open rather than as failing reads. */
	ret = cfg->family == SHT3X ? sgw_sht3x_read_status(s->state, cfg->dev.addr, &status)
				   : sgw_sht4x_read_serial(s->state, cfg->dev.addr, &serial);
	if (ret < 0)
		sgw_i2c_sensor_close(s);
	return ret;
}

static int sht_read(struct sgw_sensor *s, int32_t *values, uint32_t *valid)
{
	const struct sht_cfg *cfg = s->cfg->priv;
	static const uint8_t sht4x_cmd = SHT4X_MEASURE;
	uint16_t w[2];
	int ret;

	if (cfg->family == SHT3X)
		ret = sgw_i2c_write(s->state, cfg->dev.addr, SHT3X_MEASURE, sizeof(SHT3X_MEASURE));
	else
		ret = sgw_i2c_write(s->state, cfg->dev.addr, &sht4x_cmd, 1);
	if (ret < 0)
		return ret;
	sgw_i2c_sleep_ms(cfg->family == SHT3X ? SHT3X_MEASURE_MS : SHT4X_MEASURE_MS);
	ret = read_words(s->state, cfg->dev.addr, 2, w);
	if (ret < 0)
		return ret;
	values[CH_TEMPERATURE] = sgw_sht_temperature(w[0]);
	values[CH_HUMIDITY] = cfg->family == SHT3X ? sgw_sht3x_humidity(w[1]) : sgw_sht4x_humidity(w[1]);
	*valid = 1u << CH_TEMPERATURE | 1u << CH_HUMIDITY;
	return 0;
}

const struct sgw_driver sgw_driver_sht3x = {
	.name = "sht3x",
	.summary = "Sensirion SHT30/31/35 temperature, humidity (I2C)",
	.configure = sht3x_configure,
	.free_config = sgw_i2c_sensor_free_config,
	.open = sht_open,
	.read = sht_read,
	.close = sgw_i2c_sensor_close,
	.i2c_addrs = sht3x_addrs,
	.i2c_probe = sht3x_probe,
};

const struct sgw_driver sgw_driver_sht4x = {
	.name = "sht4x",
	.summary = "Sensirion SHT40/41/45 temperature, humidity (I2C)",
	.configure = sht4x_configure,
	.free_config = sgw_i2c_sensor_free_config,
	.open = sht_open,
	.read = sht_read,
	.close = sgw_i2c_sensor_close,
	.i2c_addrs = sht4x_addrs,
	.i2c_probe = sht4x_probe,
};
