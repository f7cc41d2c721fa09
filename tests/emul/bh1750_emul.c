/* SPDX-License-Identifier: MIT */
#include "bh1750_emul.h"

#include <errno.h>
#include <math.h>

/* p. 7: one count is 1 / 1.2 lx at the default measurement time */
#define COUNTS_PER_LX 1.2

static void measure(struct bh1750_emul *e)
{
	double raw = lround(e->lux * COUNTS_PER_LX);

	e->data = (uint16_t)(raw > 65535 ? 65535 : raw < 0 ? 0 : raw);
	e->measurements++;
}

static int emul_write(struct emul *base, const uint8_t *buf, size_t len)
{
	struct bh1750_emul *e = (struct bh1750_emul *)base;
	int ret;

	if (len == 0)
		return 0;
	if (len != 1)
		return -ENXIO;
	ret = emul_reg_fault(base, buf[0], 1);
	if (ret < 0)
		return ret;
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

static int emul_read(struct emul *base, uint8_t *buf, size_t len)
{
	struct bh1750_emul *e = (struct bh1750_emul *)base;

	for (size_t i = 0; i < len; i++)
		buf[i] = i == 0 ? (uint8_t)(e->data >> 8) : i == 1 ? (uint8_t)e->data : 0xff;
	return 0;
}

static void set_value(struct emul *base, unsigned int q, double v)
{
	(void)q;
	((struct bh1750_emul *)base)->lux = v;
}

/* The 16-bit data register's range, in counts of 1 / 1.2 lx. */
static void get_range(const struct emul *base, unsigned int q, struct emul_range *r)
{
	(void)base;
	(void)q;
	*r = (struct emul_range){ 0.0, 65535 / COUNTS_PER_LX, 1 / COUNTS_PER_LX };
}

static void init(struct emul *base)
{
	(void)base;	/* powered down, data 0, dark */
}

static const struct emul_quantity quantities[] = {
	{ "illuminance", "lx" },
	{ NULL, NULL },
};

const struct emul_ops bh1750_emul_ops = {
	.chip = "bh1750",
	.size = sizeof(struct bh1750_emul),
	.quantities = quantities,
	.sample_reg = 0x20,	/* one time H-resolution */
	.init = init,
	.write = emul_write,
	.read = emul_read,
	.set_value = set_value,
	.get_range = get_range,
};
