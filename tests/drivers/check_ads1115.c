/* SPDX-License-Identifier: MIT */
/* ADS1115: config word and scaling against the datasheet, the driver
 * against the emulator through both I2C backends. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>

#include "drivers/ads1115.h"
#include "drivers/hal/i2c.h"
#include "drivers/hal/i2c_sim.h"
#include "tests/emul/ads1115_emul.h"
#include "tests/fixtures/i2c_testutil.h"

/* 9.6.3: OS=1, MUX=100 (AIN0/GND), PGA=010, MODE=1, DR=100, COMP_QUE=11 */
START_TEST(test_config_word)
{
	ck_assert_uint_eq(sgw_ads1115_config(0, 2, 4), 0xc583);
	ck_assert_uint_eq(sgw_ads1115_config(3, 0, 7), 0xf1e3);	/* AIN3, ±6.144 V, 860 SPS */
}
END_TEST

/* 9.3.3, table 3: FSR / 2^15 per LSB */
START_TEST(test_scaling)
{
	ck_assert_int_eq(sgw_ads1115_microvolts(1, 2), 63);		/* 62.5 µV */
	ck_assert_int_eq(sgw_ads1115_microvolts(-1, 2), -63);
	ck_assert_int_eq(sgw_ads1115_microvolts(32767, 2), 2047938);	/* 2.047937 V */
	ck_assert_int_eq(sgw_ads1115_microvolts(-32768, 2), -2048000);
	ck_assert_int_eq(sgw_ads1115_microvolts(32767, 0), 6143813);	/* 6143812.5 µV */
	ck_assert_int_eq(sgw_ads1115_microvolts(1, 5), 8);		/* 7.8125 µV */
	ck_assert_int_eq(sgw_ads1115_microvolts(0, 5), 0);
}
END_TEST

static struct ads1115_emul emu;

/* AIN<n> at UV microvolts */
static void set_volts(int n, int32_t uv)
{
	char name[] = "ain0";

	name[3] = (char)('0' + n);
	ck_assert_int_eq(emul_set_value(&emu.base, name, uv, 6), 0);
}

START_TEST(test_driver)
{
	static const char *const kv[] = { "address=0x49", "inputs=3, 0", "pga=4.096", "rate=860", NULL };
	struct tu_sensor t;
	int32_t v[SGW_MAX_CHANNELS];
	uint32_t valid;

	emul_init(&emu.base, &ads1115_emul_ops);
	emu.busy_reads = 3;	/* OS reads "busy" three times per conversion */
	ck_assert_int_eq(emul_attach(&emu.base, 1, 0x49), 0);
	ck_assert_int_eq(tu_configure(&t, "ads1115", kv), 0);
	ck_assert_uint_eq(t.sc.nchannels, 2);
	ck_assert_str_eq(t.sc.ch[0].name, "ain3");
	ck_assert_str_eq(t.sc.ch[1].name, "ain0");
	ck_assert_str_eq(t.sc.ch[0].unit, "V");
	ck_assert_int_eq(t.sc.ch[0].scale, 6);
	ck_assert_int_eq(tu_open(&t), 0);
	set_volts(0, 1234567);
	set_volts(3, 3300000);
	ck_assert_int_eq(tu_read(&t, v, &valid), 0);
	ck_assert_uint_eq(valid, 3);
	ck_assert_int_le(abs(v[0] - 3300000), 63);	/* half an LSB at ±4.096 V: 62.5 µV */
	ck_assert_int_le(abs(v[1] - 1234567), 63);
	ck_assert_uint_eq(emu.conversions, 2);
	ck_assert_uint_eq(emu.config & 0x7fff, 0xc3e3 & 0x7fff);	/* AIN0, PGA 001, 860 SPS */
	set_volts(0, -100000);	/* below GND: negative codes */
	set_volts(3, 5000000);	/* above the range: the code saturates */
	ck_assert_int_eq(tu_read(&t, v, &valid), 0);
	ck_assert_int_eq(v[0], sgw_ads1115_microvolts(32767, 1));
	ck_assert_int_le(abs(v[1] + 100000), 63);
	tu_free(&t);
}
END_TEST

START_TEST(test_config)
{
	static const char *const bad[][2] = {
		{ "inputs=0,0", NULL }, { "inputs=4", NULL }, { "inputs=", NULL }, { "inputs=0,", NULL },
		{ "pga=3.3", NULL }, { "rate=100", NULL }, { "address=0x4c", NULL },
	};
	struct tu_sensor t;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(tu_configure(&t, "ads1115", bad[i]) == -EINVAL, "%s", bad[i][0]);
		tu_free(&t);
	}
	ck_assert_int_eq(tu_configure(&t, "ads1115", (const char *const[]){ "inputs=0,1,2,3", NULL }), 0);
	ck_assert_uint_eq(t.sc.nchannels, 4);
	ck_assert_str_eq(t.sc.ch[2].name, "ain2");
	tu_free(&t);
	ck_assert_int_eq(tu_configure(&t, "ads1115", NULL), 0);	/* default: ain0 */
	ck_assert_uint_eq(t.sc.nchannels, 1);
	ck_assert_str_eq(t.sc.ch[0].name, "ain0");
	tu_free(&t);
}
END_TEST

START_TEST(test_faults)
{
	struct tu_sensor t;
	int32_t v[SGW_MAX_CHANNELS];
	uint32_t valid;

	emul_init(&emu.base, &ads1115_emul_ops);
	ck_assert_int_eq(emul_attach(&emu.base, 1, 0x48), 0);
	tu_start(&t, "ads1115", NULL, 100);
	emu.busy_reads = 1000;	/* a conversion that never ends */
	ck_assert_int_eq(tu_read(&t, v, &valid), -ETIMEDOUT);
	emu.busy_reads = 1;
	tu_check_bus_faults(&t, 1, 0x48);
	set_volts(0, 1000000);
	ck_assert_int_eq(tu_read(&t, v, &valid), 0);
	ck_assert_int_le(abs(v[0] - 1000000), 32);	/* half an LSB at ±2.048 V */
	tu_free(&t);
}
END_TEST

START_TEST(test_probe)
{
	struct sgw_i2c *i2c;

	emul_init(&emu.base, &ads1115_emul_ops);
	ck_assert_int_eq(emul_attach(&emu.base, 1, 0x4b), 0);
	ck_assert_int_eq(sgw_i2c_open(1, 100, &i2c), 0);
	ck_assert_int_eq(sgw_ads1115_probe(i2c, 0x4b), 1);
	ck_assert_int_eq(sgw_ads1115_probe(i2c, 0x4a), 0);
	emu.lo = 0;	/* thresholds changed since power-up: no longer recognised */
	ck_assert_int_eq(sgw_ads1115_probe(i2c, 0x4b), 0);
	sgw_i2c_close(i2c);
}
END_TEST

int main(void)
{
	const TTest *chip[] = { test_config_word, test_scaling, NULL };
	const TTest *bus[] = { test_driver, test_config, test_faults, test_probe, NULL };

	return tu_run_suite("ads1115", chip, bus, NULL);
}
