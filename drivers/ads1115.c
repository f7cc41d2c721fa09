/* SPDX-License-Identifier: MIT */
/*
 * ADS1115 driver: single-ended inputs, one single-shot conversion each per
 * read, completion by polling the OS bit.
 * Channels: ain0..ain3 in V, scale 6 (1234567 = 1.234567 V).
 */
#include "ads1115.h"

#include <errno.h>
#include <stdlib.h>

#include "driver.h"
#include "drivers/hal/i2c.h"
#include "i2c_sensor.h"

#define NINPUTS 4
#define OS_POLLS 10
#define OS_POLL_MS 1

/* 9.6.3, table 8: PGA and DR codes, by their names in the INI */
static const char *const pga_names[] = { "6.144", "4.096", "2.048", "1.024", "0.512", "0.256", NULL };
#define PGA_DEFAULT 2	/* ±2.048 V, the reset value */
static const char *const rate_names[] = { "8", "16", "32", "64", "128", "250", "475", "860", NULL };
static const unsigned int rate_sps[] = { 8, 16, 32, 64, 128, 250, 475, 860 };
#define RATE_DEFAULT 4	/* 128 SPS, the reset value */

struct ads1115_cfg {
	struct sgw_i2c_sensor_cfg dev;
	unsigned int pga, dr;
	unsigned int ninputs;
	uint8_t inputs[NINPUTS];	/* AIN numbers, in channel order */
};

/* ------------------------------------------------------------ chip logic */

int32_t sgw_ads1115_fsr_uv(unsigned int pga)
{
	static const int32_t fsr[] = { 6144000, 4096000, 2048000, 1024000, 512000, 256000 };

	return fsr[pga < 6 ? pga : 5];
}

int32_t sgw_ads1115_microvolts(int16_t raw, unsigned int pga)
{
	int64_t v = (int64_t)raw * sgw_ads1115_fsr_uv(pga);	/* µV * 32768 */

	return (int32_t)(v >= 0 ? (v + 16384) / 32768 : -((-v + 16384) / 32768));
}

uint16_t sgw_ads1115_config(unsigned int ch, unsigned int pga, unsigned int dr)
{
	return (uint16_t)(SGW_ADS1115_OS | (4u + ch) << SGW_ADS1115_MUX_SHIFT |
			  pga << SGW_ADS1115_PGA_SHIFT | SGW_ADS1115_MODE_SINGLE |
			  dr << SGW_ADS1115_DR_SHIFT | SGW_ADS1115_COMP_OFF);
}

/* 9.5.3: registers are 16 bits, most significant byte first */
int sgw_ads1115_read_reg(struct sgw_i2c *i2c, uint16_t addr, uint8_t reg, uint16_t *val)
{
	uint8_t b[2];
	int ret = sgw_i2c_read_regs(i2c, addr, reg, b, 2);

	if (ret == 0)
		*val = (uint16_t)(b[0] << 8 | b[1]);
	return ret;
}

int sgw_ads1115_write_reg(struct sgw_i2c *i2c, uint16_t addr, uint8_t reg, uint16_t val)
{
	uint8_t b[3] = { reg, (uint8_t)(val >> 8), (uint8_t)val };

	return sgw_i2c_write(i2c, addr, b, 3);
}

int sgw_ads1115_probe(struct sgw_i2c *i2c, uint16_t addr)
{
	uint16_t lo = 0, hi = 0;
	int ret = sgw_ads1115_read_reg(i2c, addr, SGW_ADS1115_REG_LO, &lo);

	if (ret == 0)
		ret = sgw_ads1115_read_reg(i2c, addr, SGW_ADS1115_REG_HI, &hi);
	if (sgw_i2c_no_ack(ret))
		return 0;
	return ret < 0 ? ret : lo == 0x8000 && hi == 0x7fff;
}

/* ------------------------------------------------------------ driver glue */

static const uint16_t ads1115_addrs[] = {
	SGW_ADS1115_ADDR_GND, SGW_ADS1115_ADDR_VDD, SGW_ADS1115_ADDR_SDA, SGW_ADS1115_ADDR_SCL, 0
};

/* "0, 2,3": distinct input numbers 0..3, separated by commas. */
static int parse_inputs(const char *s, struct ads1115_cfg *cfg)
{
	unsigned int seen = 0;

	cfg->ninputs = 0;
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s < '0' || *s > '3' || (seen & 1u << (*s - '0')))
			return -EINVAL;
		seen |= 1u << (*s - '0');
		cfg->inputs[cfg->ninputs++] = (uint8_t)(*s++ - '0');
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			return 0;
		if (*s++ != ',')
			return -EINVAL;
	}
}

static int ads1115_configure(struct sgw_sensor_config *sc, struct sgw_keys *keys)
{
	struct ads1115_cfg *cfg = calloc(1, sizeof(*cfg));
	char names[NINPUTS][5] = { "ain0", "ain0", "ain0", "ain0" };
	struct sgw_i2c_channel ch[NINPUTS];
	const char *inputs;
	int pga, dr, ret;

	if (!cfg)
		return -ENOMEM;
	ret = sgw_i2c_sensor_configure(sc, keys, &cfg->dev);
	/* The getters return 1 for a key given: only an error stops here. */
	if (ret == 0 && sgw_keys_enum(keys, "pga", pga_names, PGA_DEFAULT, &pga) < 0)
		ret = -EINVAL;
	if (ret == 0 && sgw_keys_enum(keys, "rate", rate_names, RATE_DEFAULT, &dr) < 0)
		ret = -EINVAL;
	if (ret == 0 && sgw_keys_str(keys, "inputs", "0", &inputs) < 0)
		ret = -EINVAL;
	if (ret == 0 && parse_inputs(inputs, cfg) < 0) {
		const struct sgw_opt *o = sgw_keys_find(keys, "inputs");

		sgw_diag_error(keys->d, o ? o->line : sc->line,
			       "inputs: '%s' is not a list of distinct inputs 0..3", inputs);
		ret = -EINVAL;
	}
	if (ret == 0) {
		cfg->pga = (unsigned int)pga;
		cfg->dr = (unsigned int)dr;
		for (unsigned int i = 0; i < cfg->ninputs; i++) {
			names[i][3] = (char)('0' + cfg->inputs[i]);
			ch[i] = (struct sgw_i2c_channel){ names[i], "V", 6, 4 };
		}
	}
	return sgw_i2c_sensor_finish(sc, keys, ret, cfg, ch, cfg->ninputs);
}

static int ads1115_open(struct sgw_sensor *s)
{
	const struct ads1115_cfg *cfg = s->cfg->priv;
	uint16_t conf;
	int ret = sgw_i2c_sensor_open(s, &cfg->dev);

	if (ret < 0)
		return ret;
	ret = sgw_ads1115_read_reg(s->state, cfg->dev.addr, SGW_ADS1115_REG_CONFIG, &conf);
	if (ret < 0)
		sgw_i2c_sensor_close(s);
	return ret;
}

static int convert(struct sgw_i2c *i2c, const struct ads1115_cfg *cfg, unsigned int ch, int16_t *raw)
{
	uint16_t a = cfg->dev.addr, conf, conv;
	/* One conversion lasts 1/DR; the oscillator may run 10 % slow (7.5). */
	unsigned int ms = (1100 + rate_sps[cfg->dr] - 1) / rate_sps[cfg->dr];
	int ret = sgw_ads1115_write_reg(i2c, a, SGW_ADS1115_REG_CONFIG,
					sgw_ads1115_config(ch, cfg->pga, cfg->dr));

	if (ret < 0)
		return ret;
	sgw_i2c_sleep_ms(ms);
	for (int i = 0;; i++) {
		ret = sgw_ads1115_read_reg(i2c, a, SGW_ADS1115_REG_CONFIG, &conf);
		if (ret < 0)
			return ret;
		if (conf & SGW_ADS1115_OS)
			break;
		if (i == OS_POLLS)
			return -ETIMEDOUT;
		sgw_i2c_sleep_ms(OS_POLL_MS);
	}
	ret = sgw_ads1115_read_reg(i2c, a, SGW_ADS1115_REG_CONV, &conv);
	if (ret == 0)
		*raw = (int16_t)conv;
	return ret;
}

static int ads1115_read(struct sgw_sensor *s, int32_t *values, uint32_t *valid)
{
	const struct ads1115_cfg *cfg = s->cfg->priv;
	int16_t raw = 0;

	for (unsigned int i = 0; i < cfg->ninputs; i++) {
		int ret = convert(s->state, cfg, cfg->inputs[i], &raw);

		if (ret < 0)
			return ret;
		values[i] = sgw_ads1115_microvolts(raw, cfg->pga);
	}
	*valid = (1u << cfg->ninputs) - 1;
	return 0;
}

const struct sgw_driver sgw_driver_ads1115 = {
	.name = "ads1115",
	.summary = "TI ADS1115 16-bit ADC, single-ended inputs (I2C)",
	.configure = ads1115_configure,
	.free_config = sgw_i2c_sensor_free_config,
	.open = ads1115_open,
	.read = ads1115_read,
	.close = sgw_i2c_sensor_close,
	.i2c_addrs = ads1115_addrs,
	.i2c_probe = sgw_ads1115_probe,
};
