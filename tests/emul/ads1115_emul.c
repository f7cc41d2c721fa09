/* SPDX-License-Identifier: MIT */
#include "ads1115_emul.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "drivers/hal/i2c_sim.h"

void ads1115_emul_init(struct ads1115_emul *e)
{
	memset(e, 0, sizeof(*e));
	e->config = 0x8583;	/* 9.6.3: reset value */
	e->lo = 0x8000;
	e->hi = 0x7fff;
	e->busy_reads = 2;
}

static void start(struct ads1115_emul *e)
{
	static const double fsr[8] = { 6.144, 4.096, 2.048, 1.024, 0.512, 0.256, 0.256, 0.256 };
	unsigned int mux = (e->config >> 12) & 7, pga = (e->config >> 9) & 7;
	double v = mux >= 4 ? e->volts[mux - 4] : 0.0;	/* differential inputs: not emulated */
	long code = lround(v * 32768.0 / fsr[pga]);

	e->pending = (int16_t)(code > 32767 ? 32767 : code < -32768 ? -32768 : code);
	e->busy_left = e->busy_reads;
	e->conversions++;
	if (e->busy_left == 0)
		e->conv = e->pending;
}

static int emul_write(void *ctx, const uint8_t *buf, size_t len)
{
	struct ads1115_emul *e = ctx;
	uint16_t v;

	if (len == 0)
		return 0;
	if (len != 1 && len != 3)
		return -ENXIO;
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

static int emul_read(void *ctx, uint8_t *buf, size_t len)
{
	struct ads1115_emul *e = ctx;
	uint16_t v;

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

static const struct sgw_i2c_sim_dev_ops ads1115_emul_ops = { emul_write, emul_read };

int ads1115_emul_attach(struct ads1115_emul *e, int bus, uint16_t addr)
{
	return sgw_i2c_sim_attach(bus, addr, &ads1115_emul_ops, e);
}
