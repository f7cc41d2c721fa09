/* SPDX-License-Identifier: MIT */
#include "sht3x_emul.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "drivers/sht3x.h"

enum { Q_TEMPERATURE, Q_HUMIDITY };

/* SHT3x 4.13 / SHT4x 4.6, inverted: the raw word of a physical value,
 * rounded to nearest and held to what 16 bits can say. */
static uint16_t word(double v, double offset, double span)
{
	long raw = lround((v - offset) * 65535.0 / span);

	return (uint16_t)(raw < 0 ? 0 : raw > 65535 ? 65535 : raw);
}

static void set_value(struct emul *base, unsigned int q, double v)
{
	struct sht_emul *e = (struct sht_emul *)base;

	if (q == Q_TEMPERATURE)
		e->raw_t = word(v, -45.0, 175.0);
	else if (e->family == SHT_EMUL_3X)
		e->raw_rh = word(v, 0.0, 100.0);
	else
		e->raw_rh = word(v, -6.0, 125.0);
}

/* Both datasheets specify the chips over -40..125 °C and 0..100 %RH; the
 * step is one count of the 16-bit word in the conversion formula. */
static void get_range(const struct emul *base, unsigned int q, struct emul_range *r)
{
	const struct sht_emul *e = (const struct sht_emul *)base;

	if (q == Q_TEMPERATURE)
		*r = (struct emul_range){ -40.0, 125.0, 175.0 / 65535.0 };
	else
		*r = (struct emul_range){ 0.0, 100.0,
					  (e->family == SHT_EMUL_3X ? 100.0 : 125.0) / 65535.0 };
}

static void respond(struct sht_emul *e, const uint16_t *words, unsigned int n, unsigned int busy)
{
	for (unsigned int i = 0; i < n; i++) {
		e->out[3 * i] = (uint8_t)(words[i] >> 8);
		e->out[3 * i + 1] = (uint8_t)words[i];
		e->out[3 * i + 2] = sgw_sht_crc8(&e->out[3 * i], 2);
	}
	if (e->corrupt_crc)
		e->out[2] ^= 0x01;
	e->out_len = 3 * n;
	e->busy_left = busy;
}

static int emul_write(struct emul *base, const uint8_t *buf, size_t len)
{
	struct sht_emul *e = (struct sht_emul *)base;
	uint16_t w[2] = { e->raw_t, e->raw_rh };
	unsigned int cmd;
	int ret;

	if (len == 0)
		return 0;	/* address only: a probe */
	if (len != (e->family == SHT_EMUL_3X ? 2u : 1u))
		return -ENXIO;
	cmd = e->family == SHT_EMUL_3X ? (unsigned int)(buf[0] << 8 | buf[1]) : buf[0];
	ret = emul_reg_fault(base, cmd, 1);
	if (ret < 0)
		return ret;
	e->out_len = 0;
	switch (cmd) {
	case 0x2400:
	case 0xfd:
		e->measurements++;
		respond(e, w, 2, e->busy_reads);
		return 0;
	case 0xf32d:
		respond(e, &e->status, 1, 0);
		return 0;
	case 0x89:
		w[0] = (uint16_t)(e->serial >> 16);
		w[1] = (uint16_t)e->serial;
		respond(e, w, 2, 0);
		return 0;
	case 0x30a2:
	case 0x94:
		return 0;
	default:
		return -ENXIO;
	}
}

static int emul_read(struct emul *base, uint8_t *buf, size_t len)
{
	struct sht_emul *e = (struct sht_emul *)base;

	/* SHT3x 4.4: no data ready (or none asked for): NAK the read header */
	if (e->out_len == 0)
		return -ENXIO;
	if (e->busy_left > 0) {
		e->busy_left--;
		return -ENXIO;
	}
	memset(buf, 0xff, len);
	memcpy(buf, e->out, len < e->out_len ? len : e->out_len);
	e->out_len = 0;
	return 0;
}

static void power_on(struct sht_emul *e, enum sht_emul_family family)
{
	e->family = family;
	e->status = 0x8010;	/* SHT3x 4.11: alert pending, reset detected after power-up */
	e->serial = 0x0badcafe;
	e->busy_reads = 1;
	set_value(&e->base, Q_TEMPERATURE, 20.0);
	set_value(&e->base, Q_HUMIDITY, 50.0);
}

static void sht3x_init(struct emul *base)
{
	power_on((struct sht_emul *)base, SHT_EMUL_3X);
}

static void sht4x_init(struct emul *base)
{
	power_on((struct sht_emul *)base, SHT_EMUL_4X);
}

static const struct emul_quantity quantities[] = {
	[Q_TEMPERATURE] = { "temperature", "°C" },
	[Q_HUMIDITY] = { "humidity", "%" },
	{ NULL, NULL },
};

const struct emul_ops sht3x_emul_ops = {
	.chip = "sht3x",
	.size = sizeof(struct sht_emul),
	.quantities = quantities,
	.sample_reg = 0x2400,	/* single shot, high repeatability */
	.init = sht3x_init,
	.write = emul_write,
	.read = emul_read,
	.set_value = set_value,
	.get_range = get_range,
};

const struct emul_ops sht4x_emul_ops = {
	.chip = "sht4x",
	.size = sizeof(struct sht_emul),
	.quantities = quantities,
	.sample_reg = 0xfd,	/* measure with high precision */
	.init = sht4x_init,
	.write = emul_write,
	.read = emul_read,
	.set_value = set_value,
	.get_range = get_range,
};
