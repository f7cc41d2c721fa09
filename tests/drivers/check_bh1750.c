/* SPDX-License-Identifier: MIT */
/* BH1750: lux conversion, the driver against the emulator through both I2C
 * backends, and recognition by behaviour. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>

#include "drivers/bh1750.h"
#include "drivers/hal/i2c.h"
#include "drivers/hal/i2c_sim.h"
#include "tests/emul/bh1750_emul.h"
#include "tests/fixtures/i2c_testutil.h"

/* datasheet p. 7: lux = raw / 1.2 (example: 0x83 0x90 = 33680 -> 28067 lx) */
START_TEST(test_lux)
{
	ck_assert_int_eq(sgw_bh1750_lux(0x8390), 2806667);	/* 28066.67 lx */
	ck_assert_int_eq(sgw_bh1750_lux(1), 83);		/* 0.83 lx */
	ck_assert_int_eq(sgw_bh1750_lux(12), 1000);		/* 10.00 lx */
	ck_assert_int_eq(sgw_bh1750_lux(65535), 5461250);	/* 54612.50 lx */
	ck_assert_int_eq(sgw_bh1750_lux(0), 0);
}
END_TEST

static struct bh1750_emul emu;

START_TEST(test_driver)
{
	struct tu_sensor t;
	int32_t v[SGW_MAX_CHANNELS];
	uint32_t valid;

	emul_init(&emu.base, &bh1750_emul_ops);
	ck_assert_int_eq(emul_attach(&emu.base, 1, 0x5c), 0);
	ck_assert_int_eq(tu_configure(&t, "bh1750", (const char *const[]){ "address=0x5c", NULL }), 0);
	ck_assert_uint_eq(t.sc.nchannels, 1);
	ck_assert_str_eq(t.sc.ch[0].name, "illuminance");
	ck_assert_str_eq(t.sc.ch[0].unit, "lx");
	ck_assert_int_eq(tu_open(&t), 0);
	ck_assert_int_eq(emul_set_value(&emu.base, "illuminance", 12345, 2), 0);	/* raw round(148.14) = 148 */
	ck_assert_int_eq(tu_read(&t, v, &valid), 0);
	ck_assert_uint_eq(valid, 1);
	ck_assert_int_eq(v[0], 12333);		/* 148 / 1.2 = 123.33 lx */
	ck_assert(!emu.powered);		/* one-time mode powers down after */
	ck_assert_int_eq(emul_set_value(&emu.base, "illuminance", 40000, 0), 0);
	ck_assert_int_eq(tu_read(&t, v, &valid), 0);
	ck_assert_int_eq(v[0], 4000000);
	ck_assert_uint_eq(emu.measurements, 2);
	tu_free(&t);
}
END_TEST

START_TEST(test_faults)
{
	struct tu_sensor t;
	int32_t v[SGW_MAX_CHANNELS];
	uint32_t valid;

	emul_init(&emu.base, &bh1750_emul_ops);
	ck_assert_int_eq(emul_attach(&emu.base, 1, 0x23), 0);
	tu_start(&t, "bh1750", NULL, 100);
	ck_assert_int_eq(emul_set_value(&emu.base, "illuminance", 500, 0), 0);
	tu_check_bus_faults(&t, 1, 0x23);
	ck_assert_int_eq(tu_read(&t, v, &valid), 0);
	ck_assert_int_eq(v[0], 50000);
	tu_free(&t);
	ck_assert_int_eq(tu_configure(&t, "bh1750", (const char *const[]){ "address=0x24", NULL }), -EINVAL);
	tu_free(&t);
}
END_TEST

START_TEST(test_probe)
{
	struct sgw_i2c *i2c;

	emul_init(&emu.base, &bh1750_emul_ops);
	ck_assert_int_eq(emul_attach(&emu.base, 1, 0x23), 0);
	ck_assert_int_eq(sgw_i2c_open(1, 100, &i2c), 0);
	ck_assert_int_eq(sgw_bh1750_probe(i2c, 0x23), 1);
	ck_assert(!emu.powered);		/* left powered down */
	ck_assert_int_eq(sgw_bh1750_probe(i2c, 0x5c), 0);	/* nobody there */
	sgw_i2c_close(i2c);
}
END_TEST

int main(void)
{
	const TTest *chip[] = { test_lux, NULL };
	const TTest *bus[] = { test_driver, test_faults, test_probe, NULL };

	return tu_run_suite("bh1750", chip, bus, NULL);
}
