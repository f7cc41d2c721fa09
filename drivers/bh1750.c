/* SPDX-License-Identifier: MIT */
/*
 * BH1750 driver: one "one time H-resolution" measurement per read.
 * Channel: illuminance lx scale 2 (12345 = 123.45 lx).
 */
#include "bh1750.h"

#include <errno.h>
#include <stdlib.h>

#include "driver.h"
#include "drivers/hal/i2c.h"
#include "i2c_sensor.h"

/* p. 2: H-resolution mode measurement time, max 180 ms (typ. 120 ms) */
#define MEASURE_MS 180

int32_t sgw_bh1750_lux(uint16_t raw)
{
	/* raw / 1.2 lx = raw * 100 / 1.2 centilux = raw * 250 / 3 */
	return (int32_t)(((uint32_t)raw * 250 + 1) / 3);
}

static int send(struct sgw_i2c *i2c, uint16_t addr, uint8_t opcode)
{
	return sgw_i2c_write(i2c, addr, &opcode, 1);
}

int sgw_bh1750_probe(struct sgw_i2c *i2c, uint16_t addr)
{
	uint8_t buf[2];
	int ret = send(i2c, addr, SGW_BH1750_POWER_ON);

	if (ret == 0)
		ret = send(i2c, addr, SGW_BH1750_RESET);
	if (ret == 0)
		ret = sgw_i2c_read(i2c, addr, buf, 2);
	/* Leave it as it was found: powered down (its 0.01 µA state). */
	if (ret == 0)
		ret = send(i2c, addr, SGW_BH1750_POWER_DOWN);
	if (sgw_i2c_no_ack(ret))
		return 0;
	return ret < 0 ? ret : 1;
}

static const uint16_t bh1750_addrs[] = { SGW_BH1750_ADDR_LOW, SGW_BH1750_ADDR_HIGH, 0 };

static const struct sgw_i2c_channel bh1750_channel = { "illuminance", "lx", 2, 1 };

static int bh1750_configure(struct sgw_sensor_config *sc, struct sgw_keys *keys)
{
	struct sgw_i2c_sensor_cfg *cfg = calloc(1, sizeof(*cfg));
	int ret;

	if (!cfg)
		return -ENOMEM;
	ret = sgw_i2c_sensor_configure(sc, keys, cfg);
	return sgw_i2c_sensor_finish(sc, keys, ret, cfg, &bh1750_channel, 1);
}

static int bh1750_open(struct sgw_sensor *s)
{
	const struct sgw_i2c_sensor_cfg *cfg = s->cfg->priv;
	int ret = sgw_i2c_sensor_open(s, cfg);

	if (ret < 0)
		return ret;
	ret = send(s->state, cfg->addr, SGW_BH1750_POWER_ON);
	if (ret < 0)
		sgw_i2c_sensor_close(s);
	return ret;
}

static int bh1750_read(struct sgw_sensor *s, int32_t *values, uint32_t *valid)
{
	const struct sgw_i2c_sensor_cfg *cfg = s->cfg->priv;
	uint8_t raw[2];
	/* One-time mode powers the chip down after each measurement; power
	 * it on first rather than rely on the opcode waking it. */
	int ret = send(s->state, cfg->addr, SGW_BH1750_POWER_ON);

	if (ret == 0)
		ret = send(s->state, cfg->addr, SGW_BH1750_ONE_TIME_H);
	if (ret < 0)
		return ret;
	sgw_i2c_sleep_ms(MEASURE_MS);
	ret = sgw_i2c_read(s->state, cfg->addr, raw, 2);
	if (ret < 0)
		return ret;
	values[0] = sgw_bh1750_lux((uint16_t)(raw[0] << 8 | raw[1]));
	*valid = 1;
	return 0;
}

const struct sgw_driver sgw_driver_bh1750 = {
	.name = "bh1750",
	.summary = "ROHM BH1750 ambient light (I2C)",
	.configure = bh1750_configure,
	.free_config = sgw_i2c_sensor_free_config,
	.open = bh1750_open,
	.read = bh1750_read,
	.close = sgw_i2c_sensor_close,
	.i2c_addrs = bh1750_addrs,
	.i2c_probe = sgw_bh1750_probe,
};
