/* SPDX-License-Identifier: MIT */
#include "bme280_emul.h"

#include <string.h>

const struct sgw_bme280_calib bme280_emul_datasheet_calib = {
	.t1 = 27504, .t2 = 26435, .t3 = -1000,
	.p1 = 36477, .p2 = -10685, .p3 = 3024, .p4 = 2855, .p5 = 140,
	.p6 = -7, .p7 = 15500, .p8 = -14600, .p9 = 6000,
	.h1 = 75, .h2 = 362, .h3 = 0, .h4 = 313, .h5 = 50, .h6 = 30,
};

double bme280_emul_t(const struct sgw_bme280_calib *c, int32_t adc_t, double *t_fine)
{
	double v1 = (adc_t / 16384.0 - c->t1 / 1024.0) * c->t2;
	double d = adc_t / 131072.0 - c->t1 / 8192.0;
	double v2 = d * d * c->t3;

	*t_fine = v1 + v2;
	return (v1 + v2) / 5120.0;
}

double bme280_emul_p(const struct sgw_bme280_calib *c, int32_t adc_p, double t_fine)
{
	double v1 = t_fine / 2.0 - 64000.0, v2, p;

	v2 = v1 * v1 * c->p6 / 32768.0;
	v2 = v2 + v1 * c->p5 * 2.0;
	v2 = v2 / 4.0 + c->p4 * 65536.0;
	v1 = (c->p3 * v1 * v1 / 524288.0 + c->p2 * v1) / 524288.0;
	v1 = (1.0 + v1 / 32768.0) * c->p1;
	if (v1 == 0.0)
		return 0;
	p = 1048576.0 - adc_p;
	p = (p - v2 / 4096.0) * 6250.0 / v1;
	v1 = c->p9 * p * p / 2147483648.0;
	v2 = p * c->p8 / 32768.0;
	return p + (v1 + v2 + c->p7) / 16.0;
}

double bme280_emul_h(const struct sgw_bme280_calib *c, int32_t adc_h, double t_fine)
{
	double h = t_fine - 76800.0;

	h = (adc_h - (c->h4 * 64.0 + c->h5 / 16384.0 * h)) *
	    (c->h2 / 65536.0 * (1.0 + c->h6 / 67108864.0 * h * (1.0 + c->h3 / 67108864.0 * h)));
	h = h * (1.0 - c->h1 * h / 524288.0);
	return h < 0 ? 0 : h > 100 ? 100 : h;
}

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* 5.4.7-5.4.9: data registers after reset: 0x80000 / 0x8000 */
static void reset(struct bme280_emul *e)
{
	static const uint8_t data_reset[8] = { 0x80, 0, 0, 0x80, 0, 0, 0x80, 0 };

	e->regs[0xf2] = e->regs[0xf3] = e->regs[0xf4] = e->regs[0xf5] = 0;
	memcpy(&e->regs[0xf7], data_reset, e->humidity ? 8 : 6);
	e->busy_left = 0;
}

/* Smallest raw value in [0, 2^bits) whose compensation reaches TARGET
 * (increasing functions) or, with DOWN, falls to it. */
static int32_t search(double (*f)(const struct sgw_bme280_calib *, int32_t, double),
		      const struct sgw_bme280_calib *c, double t_fine, double target, int bits, int down)
{
	int32_t lo = 0, hi = (1 << bits) - 1;

	while (lo < hi) {
		int32_t mid = lo + (hi - lo) / 2;
		double v = f(c, mid, t_fine);

		if (down ? v > target : v < target)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static double t_of(const struct sgw_bme280_calib *c, int32_t adc, double unused)
{
	double tf;

	return bme280_emul_t(c, adc, &tf);
}

/* The raw values of the physical ones, with the T the chip measures. */
static void encode(struct bme280_emul *e)
{
	double tf;

	e->adc_t = search(t_of, &e->calib, 0, e->t, 20, 0);
	bme280_emul_t(&e->calib, e->adc_t, &tf);
	e->adc_p = search(bme280_emul_p, &e->calib, tf, e->p * 100.0, 20, 1);
	e->adc_h = search(bme280_emul_h, &e->calib, tf, e->h, 16, 0);
}

void bme280_emul_set_calib(struct bme280_emul *e, const struct sgw_bme280_calib *c)
{
	uint8_t *h = &e->regs[0xe1];

	e->calib = *c;
	put_le16(&e->regs[0x88], c->t1);
	put_le16(&e->regs[0x8a], (uint16_t)c->t2);
	put_le16(&e->regs[0x8c], (uint16_t)c->t3);
	put_le16(&e->regs[0x8e], c->p1);
	put_le16(&e->regs[0x90], (uint16_t)c->p2);
	put_le16(&e->regs[0x92], (uint16_t)c->p3);
	put_le16(&e->regs[0x94], (uint16_t)c->p4);
	put_le16(&e->regs[0x96], (uint16_t)c->p5);
	put_le16(&e->regs[0x98], (uint16_t)c->p6);
	put_le16(&e->regs[0x9a], (uint16_t)c->p7);
	put_le16(&e->regs[0x9c], (uint16_t)c->p8);
	put_le16(&e->regs[0x9e], (uint16_t)c->p9);
	if (e->humidity) {
		e->regs[0xa1] = c->h1;
		put_le16(h, (uint16_t)c->h2);
		h[2] = c->h3;
		h[3] = (uint8_t)(c->h4 >> 4);
		h[4] = (uint8_t)((c->h4 & 0x0f) | (c->h5 & 0x0f) << 4);
		h[5] = (uint8_t)(c->h5 >> 4);
		h[6] = (uint8_t)c->h6;
	}
	encode(e);
}

void bme280_emul_set_raw(struct bme280_emul *e, int32_t adc_t, int32_t adc_p, int32_t adc_h)
{
	e->adc_t = adc_t;
	e->adc_p = adc_p;
	e->adc_h = adc_h;
}

static void put_adc20(uint8_t *p, int32_t v)
{
	p[0] = (uint8_t)(v >> 12);
	p[1] = (uint8_t)(v >> 4);
	p[2] = (uint8_t)((v & 0x0f) << 4);
}

/* 3.4 / 3.5: a 20-bit result has 16 + (osrs - 1) significant bits */
static int32_t resolution(int32_t v, unsigned int osrs)
{
	unsigned int bits = osrs >= 5 ? 20 : 16 + osrs - 1;

	return osrs == 0 ? 0x80000 : v & ~((1 << (20 - bits)) - 1);
}

static void measure(struct bme280_emul *e, uint8_t ctrl_meas)
{
	unsigned int osrs_t = ctrl_meas >> 5, osrs_p = (ctrl_meas >> 2) & 7, osrs_h = e->regs[0xf2] & 7;

	put_adc20(&e->regs[0xf7], resolution(e->adc_p, osrs_p > 5 ? 5 : osrs_p));
	put_adc20(&e->regs[0xfa], resolution(e->adc_t, osrs_t > 5 ? 5 : osrs_t));
	if (e->humidity) {
		int32_t h = osrs_h ? e->adc_h : 0x8000;

		e->regs[0xfd] = (uint8_t)(h >> 8);
		e->regs[0xfe] = (uint8_t)h;
	}
	e->measurements++;
	e->last_ctrl_meas = ctrl_meas;
	e->last_ctrl_hum = e->regs[0xf2];
	e->busy_left = e->busy_reads;
}

static void write_reg(struct bme280_emul *e, uint8_t reg, uint8_t val)
{
	switch (reg) {
	case 0xe0:
		if (val == 0xb6)
			reset(e);
		break;
	case 0xf2:
		if (e->humidity)
			e->regs[0xf2] = val & 7;
		break;
	case 0xf4:
		/* forced mode (01 or 10) measures once and returns to sleep */
		if ((val & 3) == 1 || (val & 3) == 2) {
			measure(e, val);
			val &= (uint8_t)~3;
		} else if ((val & 3) == 3) {
			measure(e, val);
		}
		e->regs[0xf4] = val;
		break;
	case 0xf5:
		e->regs[0xf5] = val;
		break;
	default:
		break;		/* read-only */
	}
}

/* 6.2.1: a write is the register address, then (data, address) pairs */
static int emul_write(struct emul *base, const uint8_t *buf, size_t len)
{
	struct bme280_emul *e = (struct bme280_emul *)base;
	size_t i;
	int ret;

	for (i = 0; i + 1 < len; i += 2) {
		ret = emul_reg_fault(base, buf[i], 1);
		if (ret < 0)
			return ret;
		write_reg(e, buf[i], buf[i + 1]);
	}
	if (i < len) {
		ret = emul_reg_fault(base, buf[i], 1);
		if (ret < 0)
			return ret;
		e->ptr = buf[i];	/* a lone address byte sets the read pointer */
	}
	return 0;
}

/* 6.2.2: reads auto-increment from the register pointer */
static int emul_read(struct emul *base, uint8_t *buf, size_t len)
{
	struct bme280_emul *e = (struct bme280_emul *)base;
	int ret = emul_reg_fault(base, e->ptr, (unsigned int)len);

	if (ret < 0)
		return ret;
	for (size_t i = 0; i < len; i++) {
		uint8_t r = e->ptr++;

		buf[i] = e->regs[r];
		if (r == 0xf3 && e->busy_left > 0) {
			buf[i] |= 0x08;
			e->busy_left--;
		}
	}
	return 0;
}

enum { Q_TEMPERATURE, Q_PRESSURE, Q_HUMIDITY };

static void set_value(struct emul *base, unsigned int q, double v)
{
	struct bme280_emul *e = (struct bme280_emul *)base;

	if (q == Q_TEMPERATURE)
		e->t = v;
	else if (q == Q_PRESSURE)
		e->p = v;
	else
		e->h = v;
	encode(e);
}

/*
 * Datasheet section 1, tables 1-3: operating range -40..85 °C,
 * 300..1100 hPa, 0..100 %RH.  3.4: the steps at x1 oversampling (16-bit
 * results), the coarsest: 0.005 °C, 2.62 Pa; humidity 0.008 %RH.
 */
static void get_range(const struct emul *base, unsigned int q, struct emul_range *r)
{
	static const struct emul_range ranges[] = {
		[Q_TEMPERATURE] = { -40.0, 85.0, 0.005 },
		[Q_PRESSURE] = { 300.0, 1100.0, 0.0262 },
		[Q_HUMIDITY] = { 0.0, 100.0, 0.008 },
	};

	(void)base;
	*r = ranges[q];
}

static void power_on(struct bme280_emul *e, uint8_t chip_id)
{
	e->humidity = chip_id == SGW_BME280_ID_BME280;
	e->regs[0xd0] = chip_id;
	e->busy_reads = 1;
	e->t = 20.0;
	e->p = 1013.25;
	e->h = 50.0;
	bme280_emul_set_calib(e, &bme280_emul_datasheet_calib);
	reset(e);
}

static void bme280_init(struct emul *base)
{
	power_on((struct bme280_emul *)base, SGW_BME280_ID_BME280);
}

static void bmp280_init(struct emul *base)
{
	power_on((struct bme280_emul *)base, SGW_BME280_ID_BMP280);
}

static const struct emul_quantity quantities[] = {
	[Q_TEMPERATURE] = { "temperature", "°C" },
	[Q_PRESSURE] = { "pressure", "hPa" },
	[Q_HUMIDITY] = { "humidity", "%" },
	{ NULL, NULL },
};

/* The BMP280 has the first two. */
static const struct emul_quantity bmp280_quantities[] = {
	[Q_TEMPERATURE] = { "temperature", "°C" },
	[Q_PRESSURE] = { "pressure", "hPa" },
	{ NULL, NULL },
};

const struct emul_ops bme280_emul_ops = {
	.chip = "bme280",
	.size = sizeof(struct bme280_emul),
	.quantities = quantities,
	.sample_reg = 0xf7,	/* press_msb, where the data burst starts */
	.init = bme280_init,
	.write = emul_write,
	.read = emul_read,
	.set_value = set_value,
	.get_range = get_range,
};

const struct emul_ops bmp280_emul_ops = {
	.chip = "bmp280",
	.size = sizeof(struct bme280_emul),
	.quantities = bmp280_quantities,
	.sample_reg = 0xf7,
	.init = bmp280_init,
	.write = emul_write,
	.read = emul_read,
	.set_value = set_value,
	.get_range = get_range,
};
