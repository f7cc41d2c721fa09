/* SPDX-License-Identifier: MIT */
#include "emul.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/hal/i2c_sim.h"

/* Channels carry at most 9 decimals in an int32_t. */
#define SCALE_MAX 9

void emul_init(struct emul *e, const struct emul_ops *ops)
{
	memset(e, 0, ops->size);
	e->ops = ops;
	e->bus = -1;
	e->fail_reg = -1;
	ops->init(e);
}

struct emul *emul_new(const struct emul_ops *ops)
{
	struct emul *e = malloc(ops->size);

	if (e)
		emul_init(e, ops);
	return e;
}

void emul_free(struct emul *e)
{
	if (!e)
		return;
	emul_detach(e);
	free(e);
}

static int bus_write(void *ctx, const uint8_t *buf, size_t len)
{
	struct emul *e = ctx;

	return e->ops->write(e, buf, len);
}

static int bus_read(void *ctx, uint8_t *buf, size_t len)
{
	struct emul *e = ctx;

	return e->ops->read(e, buf, len);
}

static const struct sgw_i2c_sim_dev_ops emul_bus_ops = { bus_write, bus_read };

int emul_attach(struct emul *e, int bus, uint16_t addr)
{
	int ret = sgw_i2c_sim_attach(bus, addr, &emul_bus_ops, e);

	if (ret == 0) {
		e->bus = bus;
		e->addr = addr;
	}
	return ret;
}

void emul_detach(struct emul *e)
{
	if (e->bus < 0)
		return;
	sgw_i2c_sim_detach(e->bus, e->addr);
	e->bus = -1;
}

int emul_quantity(const struct emul *e, const char *name)
{
	for (int i = 0; e->ops->quantities[i].name; i++)
		if (strcmp(e->ops->quantities[i].name, name) == 0)
			return i;
	return -ENOENT;
}

static double pow10i(int scale)
{
	double f = 1.0;

	while (scale-- > 0)
		f *= 10.0;
	return f;
}

int emul_set_value(struct emul *e, const char *name, int32_t value, int scale)
{
	int q = emul_quantity(e, name);

	if (q < 0)
		return q;
	if (scale < 0 || scale > SCALE_MAX)
		return -EINVAL;
	e->ops->set_value(e, (unsigned int)q, value / pow10i(scale));
	return 0;
}

/* X in fixed point; the slack keeps 2.048 * 10^6 = 2048000.0000000002
 * from rounding outwards. */
static int to_fixed(double x, int up, int32_t *out)
{
	double v = up ? ceil(x - 1e-6) : floor(x + 1e-6);

	if (v < INT32_MIN || v > INT32_MAX)
		return -ERANGE;
	*out = (int32_t)v;
	return 0;
}

int emul_get_range(const struct emul *e, const char *name, int scale, int32_t *min,
		   int32_t *max, int32_t *resolution)
{
	struct emul_range r;
	double f;
	int q = emul_quantity(e, name);

	if (q < 0)
		return q;
	if (scale < 0 || scale > SCALE_MAX)
		return -EINVAL;
	f = pow10i(scale);
	e->ops->get_range(e, (unsigned int)q, &r);
	if (to_fixed(r.min * f, 1, min) < 0 || to_fixed(r.max * f, 0, max) < 0 ||
	    to_fixed(r.resolution * f, 1, resolution) < 0)
		return -ERANGE;
	return 0;
}

void emul_fail_reg(struct emul *e, unsigned int reg, int count)
{
	e->fail_reg = count ? (int)reg : -1;
	e->fail_count = count;
}

int emul_fail_transfers(struct emul *e, int count)
{
	if (e->bus < 0)
		return -ENOENT;
	return sgw_i2c_sim_fault(e->bus, e->addr, -EIO, 0, count);
}

int emul_reg_fault(struct emul *e, unsigned int first, unsigned int n)
{
	if (e->fail_reg < 0 || (unsigned int)e->fail_reg < first ||
	    (unsigned int)e->fail_reg - first >= n)
		return 0;
	if (e->fail_count > 0 && --e->fail_count == 0)
		e->fail_reg = -1;
	e->failed++;
	return -EIO;
}
