/* SPDX-License-Identifier: MIT */
/*
 * Every I2C driver of the registry against its chip's emulator, the same
 * way: configured with the defaults, each channel's quantity set across its
 * range and read back within the chip's resolution; a failing register or
 * transfer fails one sample and the next (the driver opened afresh, as the
 * bus worker does) reads again; the driver's probe recognises its chip at
 * each of its addresses, and not the other chips that can sit there.
 * Through the sim backend and the Linux one (tests/mocks/i2c_shim.c).
 *
 * A driver with I2C addresses but no emulator in the table below fails
 * the suite: a new chip brings its emulator (tests/emul/emul.h).
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/driver.h"
#include "drivers/hal/i2c.h"
#include "tests/emul/ads1115_emul.h"
#include "tests/emul/bh1750_emul.h"
#include "tests/emul/bme280_emul.h"
#include "tests/emul/emul.h"
#include "tests/emul/sht3x_emul.h"
#include "tests/fixtures/i2c_testutil.h"

static const struct {
	const char *driver;
	const struct emul_ops *emul;
} chips[] = {
	{ "bme280", &bme280_emul_ops },
	{ "bmp280", &bmp280_emul_ops },
	{ "sht3x", &sht3x_emul_ops },
	{ "sht4x", &sht4x_emul_ops },
	{ "bh1750", &bh1750_emul_ops },
	{ "ads1115", &ads1115_emul_ops },
};

#define NCHIPS (sizeof(chips) / sizeof(chips[0]))
/* Values set per quantity: its minimum, its maximum and five between. */
#define STEPS 6
#define BUS 1

static const struct emul_ops *emul_of(const struct sgw_driver *drv)
{
	for (size_t i = 0; i < NCHIPS; i++)
		if (strcmp(chips[i].driver, drv->name) == 0)
			return chips[i].emul;
	return NULL;
}

/* The next I2C driver of the registry from *I on, with its emulator;
 * NULL at the end.  Fails the test for a driver without one. */
static const struct sgw_driver *next_i2c_driver(size_t *i, const struct emul_ops **ops)
{
	for (; sgw_drivers[*i]; (*i)++) {
		const struct sgw_driver *drv = sgw_drivers[*i];

		if (!drv->i2c_addrs)
			continue;
		*ops = emul_of(drv);
		ck_assert_msg(*ops != NULL, "I2C driver %s has no emulator in the table of chips",
			      drv->name);
		(*i)++;
		return drv;
	}
	return NULL;
}

#define FOR_EACH_I2C_DRIVER(i, drv, ops) \
	for (size_t i = 0; ((drv) = next_i2c_driver(&(i), &(ops))) != NULL;)

/* Every I2C driver has its addresses, a probe and an emulator here; every
 * emulator here serves an I2C driver of the registry. */
START_TEST(test_registry)
{
	const struct sgw_driver *drv;
	const struct emul_ops *ops;
	size_t n = 0;

	FOR_EACH_I2C_DRIVER(i, drv, ops) {
		ck_assert_msg(drv->i2c_addrs[0] != 0, "%s: no address", drv->name);
		ck_assert_msg(drv->i2c_probe != NULL, "%s: addresses but no probe", drv->name);
		ck_assert_ptr_nonnull(ops->quantities[0].name);
		n++;
	}
	for (size_t i = 0; sgw_drivers[i]; i++)
		ck_assert_msg(sgw_drivers[i]->i2c_addrs || !sgw_drivers[i]->i2c_probe,
			      "%s: a probe but no addresses", sgw_drivers[i]->name);
	for (size_t i = 0; i < NCHIPS; i++) {
		drv = sgw_driver_find(chips[i].driver);
		ck_assert_msg(drv && drv->i2c_addrs, "%s is no I2C driver of the registry",
			      chips[i].driver);
	}
	ck_assert_uint_eq(n, NCHIPS);
}
END_TEST

/* The emulator's quantity for channel C of T, checked to be measured in
 * the channel's unit; its range and resolution at the channel's scale. */
static void quantity_range(struct emul *e, const struct tu_sensor *t, size_t c, int32_t *lo,
			   int32_t *hi, int32_t *res)
{
	const struct sgw_channel_config *ch = &t->sc.ch[c];
	int q = emul_quantity(e, ch->name);

	ck_assert_msg(q >= 0, "%s: the emulator has no quantity %s", t->sc.driver->name, ch->name);
	ck_assert_str_eq(e->ops->quantities[q].unit, ch->unit);
	ck_assert_int_eq(emul_get_range(e, ch->name, ch->scale, lo, hi, res), 0);
	ck_assert_int_lt(*lo, *hi);
	ck_assert_int_gt(*res, 0);
}

/* Every channel's quantity at the middle of its range. */
static void set_middles(struct emul *e, const struct tu_sensor *t, int32_t *mid)
{
	for (size_t c = 0; c < t->sc.nchannels; c++) {
		int32_t lo, hi, res;

		quantity_range(e, t, c, &lo, &hi, &res);
		mid[c] = (int32_t)(((int64_t)lo + hi) / 2);
		ck_assert_int_eq(emul_set_value(e, t->sc.ch[c].name, mid[c], t->sc.ch[c].scale), 0);
	}
}

/*
 * Take a sample and compare it with WANT: every channel valid and each
 * within its quantity's resolution (rounded up to whole units of the
 * channel, which leaves room for the driver's own rounding).
 */
static void check_sample(struct emul *e, struct tu_sensor *t, const int32_t *want)
{
	int32_t v[SGW_MAX_CHANNELS];
	uint32_t valid;
	int ret = tu_sample(t, v, &valid);

	ck_assert_msg(ret == 0, "%s: sample failed: %d", t->sc.driver->name, ret);
	ck_assert_uint_eq(valid, (1u << t->sc.nchannels) - 1);
	for (size_t c = 0; c < t->sc.nchannels; c++) {
		int32_t lo, hi, res;

		quantity_range(e, t, c, &lo, &hi, &res);
		ck_assert_msg(llabs((long long)v[c] - want[c]) <= res,
			      "%s %s: set %d, read %d (scale %d, resolution %d)", t->sc.driver->name,
			      t->sc.ch[c].name, want[c], v[c], t->sc.ch[c].scale, res);
	}
}

/* The emulator of OPS at the driver's default address, and the driver
 * configured with its defaults. */
static struct emul *start(const struct sgw_driver *drv, const struct emul_ops *ops,
			  struct tu_sensor *t)
{
	struct emul *e = emul_new(ops);

	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(emul_attach(e, BUS, drv->i2c_addrs[0]), 0);
	ck_assert_int_eq(tu_configure(t, drv->name, NULL), 0);
	ck_assert_uint_gt(t->sc.nchannels, 0);
	return e;
}

START_TEST(test_values)
{
	const struct sgw_driver *drv;
	const struct emul_ops *ops;

	FOR_EACH_I2C_DRIVER(i, drv, ops) {
		struct tu_sensor t;
		struct emul *e = start(drv, ops, &t);
		int32_t want[SGW_MAX_CHANNELS];

		set_middles(e, &t, want);
		for (size_t c = 0; c < t.sc.nchannels; c++) {
			const struct sgw_channel_config *ch = &t.sc.ch[c];
			int32_t lo, hi, res, mid = want[c];

			quantity_range(e, &t, c, &lo, &hi, &res);
			for (int k = 0; k <= STEPS; k++) {
				want[c] = (int32_t)(lo + ((int64_t)hi - lo) * k / STEPS);
				ck_assert_int_eq(emul_set_value(e, ch->name, want[c], ch->scale), 0);
				check_sample(e, &t, want);
			}
			want[c] = mid;
			ck_assert_int_eq(emul_set_value(e, ch->name, mid, ch->scale), 0);
		}
		tu_free(&t);
		emul_free(e);
	}
}
END_TEST

/* A sample that must fail with -EIO, leaving the sensor closed. */
static void check_fails(struct tu_sensor *t)
{
	int32_t v[SGW_MAX_CHANNELS];
	uint32_t valid;
	int ret = tu_sample(t, v, &valid);

	ck_assert_msg(ret == -EIO, "%s: sample returned %d, not -EIO", t->sc.driver->name, ret);
	ck_assert_uint_eq(valid, 0);
	ck_assert(!t->opened);
}

START_TEST(test_faults)
{
	const struct sgw_driver *drv;
	const struct emul_ops *ops;

	FOR_EACH_I2C_DRIVER(i, drv, ops) {
		struct tu_sensor t;
		struct emul *e = start(drv, ops, &t);
		int32_t want[SGW_MAX_CHANNELS];

		set_middles(e, &t, want);
		check_sample(e, &t, want);

		/* The register every measurement goes through, once. */
		emul_fail_reg(e, ops->sample_reg, 1);
		check_fails(&t);
		ck_assert_uint_eq(e->failed, 1);
		check_sample(e, &t, want);

		/* For good: every sample fails, open or not, until it heals. */
		emul_fail_reg(e, ops->sample_reg, -1);
		check_fails(&t);
		check_fails(&t);
		emul_fail_reg(e, ops->sample_reg, 0);
		check_sample(e, &t, want);

		/* The next transfer, whatever it does. */
		ck_assert_int_eq(emul_fail_transfers(e, 1), 0);
		check_fails(&t);
		check_sample(e, &t, want);
		tu_free(&t);
		emul_free(e);
	}
}
END_TEST

/* Probe on a bus handle while E (or nothing) sits at ADDR. */
static int probe(const struct sgw_driver *drv, struct emul *e, uint16_t addr)
{
	struct sgw_i2c *i2c;
	int ret;

	if (e)
		ck_assert_int_eq(emul_attach(e, BUS, addr), 0);
	ck_assert_int_eq(sgw_i2c_open(BUS, 100, &i2c), 0);
	ret = drv->i2c_probe(i2c, addr);
	sgw_i2c_close(i2c);
	if (e)
		emul_detach(e);
	return ret;
}

START_TEST(test_probe)
{
	const struct sgw_driver *drv, *other;
	const struct emul_ops *ops, *other_ops;
	/* the sim bus exists while a chip sits on it */
	struct emul *bystander = emul_new(&bh1750_emul_ops);

	ck_assert_ptr_nonnull(bystander);
	ck_assert_int_eq(emul_attach(bystander, BUS, 0x08), 0);
	FOR_EACH_I2C_DRIVER(i, drv, ops) {
		for (const uint16_t *a = drv->i2c_addrs; *a; a++) {
			struct emul *e = emul_new(ops);

			ck_assert_ptr_nonnull(e);
			ck_assert_msg(probe(drv, e, *a) == 1, "%s: its chip at 0x%02x not recognised",
				      drv->name, *a);
			ck_assert_msg(probe(drv, NULL, *a) == 0, "%s: no chip at 0x%02x recognised",
				      drv->name, *a);
			emul_free(e);
			FOR_EACH_I2C_DRIVER(j, other, other_ops) {
				if (other_ops == ops || !sgw_driver_has_i2c_addr(other, *a))
					continue;
				e = emul_new(other_ops);
				ck_assert_ptr_nonnull(e);
				ck_assert_msg(probe(drv, e, *a) == 0, "%s: the %s at 0x%02x taken for its chip",
					      drv->name, other_ops->chip, *a);
				emul_free(e);
			}
		}
	}
	emul_free(bystander);
}
END_TEST

int main(void)
{
	const TTest *chip[] = { test_registry, NULL };
	const TTest *bus[] = { test_values, test_faults, test_probe, NULL };

	return tu_run_suite("i2c_conformance", chip, bus, NULL);
}
