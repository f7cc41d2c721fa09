/* SPDX-License-Identifier: MIT */
/* SHT3x / SHT4x: CRC and conversions against the datasheet, the drivers
 * against the emulator through both I2C backends. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/hal/i2c_sim.h"
#include "drivers/i2c_sensor.h"
#include "drivers/sht3x.h"
#include "tests/emul/sht3x_emul.h"
#include "tests/fixtures/i2c_testutil.h"

/* SHT3x datasheet 4.12, table 19: CRC of 0xBEEF is 0x92 */
START_TEST(test_crc_datasheet)
{
	static const uint8_t beef[2] = { 0xbe, 0xef };
	static const uint8_t zero[2] = { 0x00, 0x00 };

	ck_assert_uint_eq(sgw_sht_crc8(beef, 2), 0x92);
	ck_assert_uint_eq(sgw_sht_crc8(zero, 2), 0x81);
}
END_TEST

START_TEST(test_words_crc_checked)
{
	uint8_t buf[6] = { 0xbe, 0xef, 0x92, 0x00, 0x00, 0x81 };
	uint16_t w[2];

	ck_assert_int_eq(sgw_sht_words(buf, 2, w), 0);
	ck_assert_uint_eq(w[0], 0xbeef);
	ck_assert_uint_eq(w[1], 0);
	buf[5] = 0x80;
	ck_assert_int_eq(sgw_sht_words(buf, 2, w), -EBADMSG);
}
END_TEST

/* SHT3x 4.13 / SHT4x 4.6 conversion formulas at their end points */
START_TEST(test_conversions)
{
	ck_assert_int_eq(sgw_sht_temperature(0), -4500);		/* -45.00 °C */
	ck_assert_int_eq(sgw_sht_temperature(65535), 13000);		/* 130.00 °C */
	ck_assert_int_eq(sgw_sht_temperature(26214), 2500);		/* 24.9996 °C */
	ck_assert_int_eq(sgw_sht3x_humidity(0), 0);
	ck_assert_int_eq(sgw_sht3x_humidity(65535), 10000);		/* 100.00 % */
	ck_assert_int_eq(sgw_sht3x_humidity(32768), 5000);		/* 50.0008 % */
	ck_assert_int_eq(sgw_sht4x_humidity(0), 0);			/* -6 %, cropped */
	ck_assert_int_eq(sgw_sht4x_humidity(65535), 10000);		/* 119 %, cropped */
	ck_assert_int_eq(sgw_sht4x_humidity(29360), 5000);		/* -6 + 125 * 0.448 = 50.0 % */
}
END_TEST

static struct sht_emul emu;

static void set_t_rh(int32_t t, int32_t rh)	/* 0.01 °C, 0.01 %RH */
{
	ck_assert_int_eq(emul_set_value(&emu.base, "temperature", t, 2), 0);
	ck_assert_int_eq(emul_set_value(&emu.base, "humidity", rh, 2), 0);
}

static void run_driver(const char *driver, const struct emul_ops *chip, uint16_t addr, const char *addr_kv)
{
	const char *kv[] = { addr_kv, NULL };
	struct tu_sensor t;
	int32_t v[SGW_MAX_CHANNELS];
	uint32_t valid;

	emul_init(&emu.base, chip);
	emu.busy_reads = 2;	/* the first two polls are NAKed: still measuring */
	ck_assert_int_eq(emul_attach(&emu.base, 1, addr), 0);
	ck_assert_int_eq(tu_configure(&t, driver, kv), 0);
	ck_assert_str_eq(t.sc.bus, "i2c-1");
	ck_assert_uint_eq(t.sc.nchannels, 2);
	ck_assert_str_eq(t.sc.ch[0].name, "temperature");
	ck_assert_str_eq(t.sc.ch[1].name, "humidity");
	ck_assert_int_eq(tu_open(&t), 0);
	set_t_rh(2508, 4633);
	ck_assert_int_eq(tu_read(&t, v, &valid), 0);
	ck_assert_uint_eq(valid, 3);
	ck_assert_int_le(abs(v[0] - 2508), 1);
	ck_assert_int_le(abs(v[1] - 4633), 1);
	set_t_rh(-2050, 300);
	ck_assert_int_eq(tu_read(&t, v, &valid), 0);
	ck_assert_int_le(abs(v[0] + 2050), 1);
	ck_assert_int_le(abs(v[1] - 300), 1);
	ck_assert_uint_eq(emu.measurements, 2);
	tu_free(&t);
}

START_TEST(test_sht3x_driver)
{
	run_driver("sht3x", &sht3x_emul_ops, 0x44, NULL);
	run_driver("sht3x", &sht3x_emul_ops, 0x45, "address=0x45");
}
END_TEST

START_TEST(test_sht4x_driver)
{
	run_driver("sht4x", &sht4x_emul_ops, 0x44, NULL);
	run_driver("sht4x", &sht4x_emul_ops, 0x46, "address=0x46");
}
END_TEST

START_TEST(test_config)
{
	struct tu_sensor t;

	ck_assert_int_eq(tu_configure(&t, "sht3x", (const char *const[]){ "address=0x46", NULL }), -EINVAL);
	tu_free(&t);
	ck_assert_int_eq(tu_configure(&t, "sht3x", (const char *const[]){ "bus=0", NULL }), 0);
	ck_assert_str_eq(t.sc.bus, "i2c-0");
	tu_free(&t);
	ck_assert_int_eq(tu_configure(&t, "sht3x", (const char *const[]){ "bus=i2c-11", NULL }), 0);
	ck_assert_str_eq(t.sc.bus, "i2c-11");
	ck_assert_uint_eq(((const struct sgw_i2c_sensor_cfg *)t.sc.priv)->bus, 11);
	tu_free(&t);
	ck_assert_int_eq(tu_configure(&t, "sht3x", (const char *const[]){ "bus=i2c1", NULL }), -EINVAL);
	ck_assert_ptr_nonnull(strstr(t.err, "bus: 'i2c1'"));
	tu_free(&t);
}
END_TEST

/* an SHT4x where an SHT3x was configured: the 2-byte command is NAKed */
START_TEST(test_wrong_chip)
{
	struct tu_sensor t;

	emul_init(&emu.base, &sht4x_emul_ops);
	ck_assert_int_eq(emul_attach(&emu.base, 1, 0x44), 0);
	ck_assert_int_eq(tu_configure(&t, "sht3x", NULL), 0);
	ck_assert_int_eq(tu_open(&t), -ENXIO);
	tu_free(&t);
}
END_TEST

START_TEST(test_faults)
{
	struct tu_sensor t;
	int32_t v[SGW_MAX_CHANNELS];
	uint32_t valid;

	emul_init(&emu.base, &sht3x_emul_ops);
	ck_assert_int_eq(emul_attach(&emu.base, 1, 0x44), 0);
	tu_start(&t, "sht3x", NULL, 100);
	set_t_rh(2000, 5000);

	emu.corrupt_crc = true;
	ck_assert_int_eq(tu_read(&t, v, &valid), -EBADMSG);
	ck_assert_uint_eq(valid, 0);
	emu.corrupt_crc = false;
	ck_assert_int_eq(tu_read(&t, v, &valid), 0);

	tu_check_bus_faults(&t, 1, 0x44);

	/* a measurement that never completes: NAKs until the driver gives up */
	emu.busy_reads = 1000;
	ck_assert_int_eq(tu_read(&t, v, &valid), -ENXIO);
	emu.busy_reads = 0;
	ck_assert_int_eq(tu_read(&t, v, &valid), 0);
	ck_assert_int_le(abs(v[0] - 2000), 1);
	tu_free(&t);
}
END_TEST

int main(void)
{
	const TTest *chip[] = { test_crc_datasheet, test_words_crc_checked, test_conversions, NULL };
	const TTest *bus[] = { test_sht3x_driver, test_sht4x_driver, test_config, test_wrong_chip,
			       test_faults, NULL };

	return tu_run_suite("sht3x", chip, bus, NULL);
}
