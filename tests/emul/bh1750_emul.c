/* SPDX-License-Identifier: MIT */
#include "bh1750_emul.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "drivers/hal/i2c_sim.h"

void bh1750_emul_init(struct bh1750_emul *e)
{
	memset(e, 0, sizeof(*e));
}

void bh1750_emul_set_lux(struct bh1750_emul *e, double lux)
{
	e->lux = lux;
}

static void measure(struct bh1750_emul *e)
{
	double raw = lround(e->lux * 1.2);

	e->data = (uint16_t)(raw > 65535 ? 65535 : raw < 0 ? 0 : raw);
	e->measurements++;
}

static int emul_write(void *ctx, const uint8_t *buf, size_t len)
{
	struct bh1750_emul *e = ctx;

	if (len == 0)
		return 0;
	if (len != 1)
		return -ENXIO;
	switch (buf[0]) {
	case 0x00:
		e->powered = false;
		break;
	case 0x01:
		e->powered = true;
		break;
	case 0x07:		/* reset: only in power-on state */
		if (e->powered)
			e->data = 0;
		break;
	case 0x10:		/* continuous H-resolution */
		if (e->powered)
			measure(e);
		break;
	case 0x20:		/* one time H-resolution, then power down */
		if (e->powered)
			measure(e);
		e->powered = false;
		break;
	default:
		return -ENXIO;
	}
	return 0;
}

static int emul_read(void *ctx, uint8_t *buf, size_t len)
{
	struct bh1750_emul *e = ctx;

	for (size_t i = 0; i < len; i++)
		buf[i] = i == 0 ? (uint8_t)(e->data >> 8) : i == 1 ? (uint8_t)e->data : 0xff;
	return 0;
}

static const struct sgw_i2c_sim_dev_ops bh1750_emul_ops = { emul_write, emul_read };

int bh1750_emul_attach(struct bh1750_emul *e, int bus, uint16_t addr)
{
	return sgw_i2c_sim_attach(bus, addr, &bh1750_emul_ops, e);
}
