/* SPDX-License-Identifier: MIT */
#include "ads1115_emul.h"

#include <errno.h>
#include <math.h>

/* 9.3.3, table 3: full-scale range of PGA codes 0..7 */
static const double fsr[8] = { 6.144, 4.096, 2.048, 1.024, 0.512, 0.256, 0.256, 0.256 };

static void start(struct ads1115_emul *e)
{
	unsigned int mux = (e->config >> 12) & 7, pga = (e->config >> 9) & 7;
	double v = mux >= 4 ? e->volts[mux - 4] : 0.0;	/* differential inputs: not emulated */
	long code = lround(v * 32768.0 / fsr[pga]);

	e->pending = (int16_t)(code > 32767 ? 32767 : code < -32768 ? -32768 : code);
	e->busy_left = e->busy_reads;
	e->conversions++;
	if (e->busy_left == 0)
		e->conv = e->pending;
}

static int emul_write(struct emul *base, const uint8_t *buf, size_t len)
{
	struct ads1115_emul *e = (struct ads1115_emul *)base;
	uint16_t v;
	int ret;

	if (len == 0)
		return 0;
	if (len != 1 && len != 3)
		return -ENXIO;
	ret = emul_reg_fault(base, buf[0] & 3, 1);
	if (ret < 0)
		return ret;
	e->ptr = buf[0] & 3;
	if (len == 1)
		return 0;
	v = (uint16_t)(buf[1] << 8 | buf[2]);
	switch (e->ptr) {
	case 1:
		e->config = v & 0x7fff;		/* OS reads back as "busy" while converting */
		if ((v & 0x8000) && (v & 0x0100))
			start(e);
		if (e->busy_left == 0)
			e->config |= 0x8000;
		break;
	case 2:
		e->lo = v;
		break;
	case 3:
		e->hi = v;
		break;
	default:
		break;		/* the conversion register is read-only */
	}
	return 0;
}

static int emul_read(struct emul *base, uint8_t *buf, size_t len)
{
	struct ads1115_emul *e = (struct ads1115_emul *)base;
	uint16_t v;
	int ret = emul_reg_fault(base, e->ptr, 1);

	if (ret < 0)
		return ret;
	switch (e->ptr) {
	case 0:
		v = (uint16_t)e->conv;
		break;
	case 1:
		v = e->config;
		if (e->busy_left > 0 && --e->busy_left == 0) {
			e->conv = e->pending;
			e->config |= 0x8000;
		}
		break;
	case 2:
		v = e->lo;
		break;
	default:
		v = e->hi;
		break;
	}
	for (size_t i = 0; i < len; i++)
		buf[i] = i == 0 ? (uint8_t)(v >> 8) : i == 1 ? (uint8_t)v : 0xff;
	return 0;
}

static void set_value(struct emul *base, unsigned int q, double v)
{
	((struct ads1115_emul *)base)->volts[q] = v;
}

/* Single ended: 0 V up to the most positive code, in steps of one code. */
static void get_range(const struct emul *base, unsigned int q, struct emul_range *r)
{
	const struct ads1115_emul *e = (const struct ads1115_emul *)base;
	double lsb = fsr[(e->config >> 9) & 7] / 32768.0;

	(void)q;
	*r = (struct emul_range){ 0.0, 32767 * lsb, lsb };
}

static void init(struct emul *base)
{
	struct ads1115_emul *e = (struct ads1115_emul *)base;

	e->config = 0x8583;	/* 9.6.3: reset value */
	e->lo = 0x8000;
	e->hi = 0x7fff;
	e->busy_reads = 2;
}

static const struct emul_quantity quantities[] = {
	{ "ain0", "V" }, { "ain1", "V" }, { "ain2", "V" }, { "ain3", "V" },
	{ NULL, NULL },
};

const struct emul_ops ads1115_emul_ops = {
	.chip = "ads1115",
	.size = sizeof(struct ads1115_emul),
	.quantities = quantities,
	.sample_reg = 0x00,	/* the conversion register */
	.init = init,
	.write = emul_write,
	.read = emul_read,
	.set_value = set_value,
	.get_range = get_range,
};
