/* SPDX-License-Identifier: MIT */
#include "sht3x_emul.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "drivers/hal/i2c_sim.h"
#include "drivers/sht3x.h"

void sht_emul_init(struct sht_emul *e, enum sht_emul_family family)
{
	memset(e, 0, sizeof(*e));
	e->family = family;
	e->status = 0x8010;	/* SHT3x 4.11: alert pending, reset detected after power-up */
	e->serial = 0x0badcafe;
	e->busy_reads = 1;
}

void sht_emul_set(struct sht_emul *e, double t, double rh)
{
	e->raw_t = (uint16_t)lround((t + 45.0) * 65535.0 / 175.0);
	if (e->family == SHT_EMUL_3X)
		e->raw_rh = (uint16_t)lround(rh * 65535.0 / 100.0);
	else
		e->raw_rh = (uint16_t)lround((rh + 6.0) * 65535.0 / 125.0);
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

static int emul_write(void *ctx, const uint8_t *buf, size_t len)
{
	struct sht_emul *e = ctx;
	uint16_t w[2] = { e->raw_t, e->raw_rh };
	unsigned int cmd;

	if (len == 0)
		return 0;	/* address only: a probe */
	if (len != (e->family == SHT_EMUL_3X ? 2u : 1u))
		return -ENXIO;
	cmd = e->family == SHT_EMUL_3X ? (unsigned int)(buf[0] << 8 | buf[1]) : buf[0];
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

static int emul_read(void *ctx, uint8_t *buf, size_t len)
{
	struct sht_emul *e = ctx;

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

static const struct sgw_i2c_sim_dev_ops sht_emul_ops = { emul_write, emul_read };

int sht_emul_attach(struct sht_emul *e, int bus, uint16_t addr)
{
	return sgw_i2c_sim_attach(bus, addr, &sht_emul_ops, e);
}
