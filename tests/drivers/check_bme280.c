/* SPDX-License-Identifier: MIT */
/* BME280 / BMP280: Bosch's compensation against the datasheet numbers, and
 * the driver against the emulator through both I2C backends. */
#include <check.h>
#include <errno.h>
#include <linux/i2c.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/bme280.h"
#include "drivers/hal/i2c.h"
#include "drivers/hal/i2c_sim.h"
#include "drivers/i2c_sensor.h"
#include "tests/emul/bme280_emul.h"
#include "tests/fixtures/i2c_testutil.h"
#include "tests/mocks/i2c_shim.h"

static const struct sgw_bme280_calib *ds = &bme280_emul_datasheet_calib;

/* BME280 datasheet 4.2.3 / BMP280 datasheet 3.12: adc_T = 519888 with
 * dig_T1..3 = 27504, 26435, -1000 gives 25.08 °C, t_fine = 128422. */
START_TEST(test_compensate_t_datasheet)
{
	int32_t t_fine;

	ck_assert_int_eq(sgw_bme280_compensate_t(ds, 519888, &t_fine), 2508);
	ck_assert_int_eq(t_fine, 128422);
}
END_TEST

/* BMP280 datasheet 3.12: adc_P = 415148 gives 100653.27 Pa (floating
 * point).  Bosch's 64-bit integer code gives 25767233 / 256 = 100653.25 Pa
 * (value of a line-by-line transcription of 4.2.3 with unbounded integers). */
START_TEST(test_compensate_p_datasheet)
{
	int32_t t_fine;
	uint32_t p;

	sgw_bme280_compensate_t(ds, 519888, &t_fine);
	p = sgw_bme280_compensate_p(ds, 415148, t_fine);
	ck_assert_uint_eq(p, 25767233);
	ck_assert(fabs(p / 256.0 - 100653.27) < 0.05);
}
END_TEST

/* No published humidity example: the integer code must agree with the
 * datasheet's floating-point formula (8.1) to 1/1024 %RH plus rounding. */
START_TEST(test_compensate_h_vs_float)
{
	static const int32_t adc_t[] = { 400000, 519888, 600000 };

	for (size_t i = 0; i < 3; i++) {
		int32_t tf;
		double tfd;

		sgw_bme280_compensate_t(ds, adc_t[i], &tf);
		bme280_emul_t(ds, adc_t[i], &tfd);
		for (int32_t adc_h = 20000; adc_h <= 40000; adc_h += 500) {
			double want = bme280_emul_h(ds, adc_h, tfd);
			double got = sgw_bme280_compensate_h(ds, adc_h, tf) / 1024.0;

			ck_assert_msg(fabs(got - want) < 0.01, "adc_h %d: %f vs %f", adc_h, got, want);
		}
	}
}
END_TEST

/* Compensation never overflows into undefined behaviour (the sanitizer
 * build aborts on that), whatever the calibration words. */
START_TEST(test_compensate_garbage_calib)
{
	struct sgw_bme280_calib c;
	int32_t tf;

	memset(&c, 0xff, sizeof(c));
	c.t1 = 65535;
	c.t2 = c.p2 = c.p4 = c.p5 = c.h4 = c.h5 = -32768;
	sgw_bme280_compensate_t(&c, 0xfffff, &tf);
	sgw_bme280_compensate_p(&c, 0, tf);
	ck_assert_uint_le(sgw_bme280_compensate_h(&c, 0xffff, tf), 100 * 1024);
	memset(&c, 0, sizeof(c));
	ck_assert_uint_eq(sgw_bme280_compensate_p(&c, 415148, 0), 0);	/* p1 = 0: no division by zero */
}
END_TEST

/* 0xE4..0xE6 pack two signed 12-bit words */
START_TEST(test_calib_parse_h4_h5)
{
	struct sgw_bme280_calib c = *ds, got;
	struct bme280_emul e;

	c.h4 = -123;
	c.h5 = -1000;
	c.h6 = -7;
	emul_init(&e.base, &bme280_emul_ops);
	bme280_emul_set_calib(&e, &c);
	sgw_bme280_calib_parse(&e.regs[0x88], &e.regs[0xe1], &got);
	ck_assert_int_eq(got.h4, -123);
	ck_assert_int_eq(got.h5, -1000);
	ck_assert_int_eq(got.h6, -7);
	ck_assert_int_eq(got.h2, 362);
	ck_assert_int_eq(got.p9, 6000);
	ck_assert_int_eq(got.t3, -1000);
	ck_assert_uint_eq(got.h1, 75);
}
END_TEST

/* ------------------------------------------------------------ the driver */

static struct bme280_emul emu;

static void attach(const struct emul_ops *chip, int bus, uint16_t addr)
{
	emul_init(&emu.base, chip);
	ck_assert_int_eq(emul_attach(&emu.base, bus, addr), 0);
}

/* Temperature in 0.01 °C, pressure in 0.01 Pa (0.0001 hPa), humidity in 0.01 %RH. */
static void set_tph(int32_t t, int32_t p, int32_t h)
{
	ck_assert_int_eq(emul_set_value(&emu.base, "temperature", t, 2), 0);
	ck_assert_int_eq(emul_set_value(&emu.base, "pressure", p, 4), 0);
	ck_assert_int_eq(emul_set_value(&emu.base, "humidity", h, 2), 0);
}

START_TEST(test_driver_datasheet_raw)
{
	/* x16: full 20-bit resolution, so the raw values pass unchanged */
	static const char *const kv[] = { "address=0x77", "oversampling=16", NULL };
	struct tu_sensor t;
	int32_t v[SGW_MAX_CHANNELS], tf;
	uint32_t valid;

	attach(&bme280_emul_ops, 1, 0x77);
	ck_assert_int_eq(tu_configure(&t, "bme280", kv), 0);
	ck_assert_str_eq(t.sc.bus, "i2c-1");
	ck_assert_uint_eq(t.sc.nchannels, 3);
	ck_assert_str_eq(t.sc.ch[0].name, "temperature");
	ck_assert_int_eq(t.sc.ch[0].scale, 2);
	ck_assert_str_eq(t.sc.ch[1].name, "pressure");
	ck_assert_str_eq(t.sc.ch[1].unit, "hPa");
	ck_assert_str_eq(t.sc.ch[2].name, "humidity");
	ck_assert_int_eq(tu_open(&t), 0);
	bme280_emul_set_raw(&emu, 519888, 415148, 30000);
	ck_assert_int_eq(tu_read(&t, v, &valid), 0);
	ck_assert_uint_eq(valid, 7);
	ck_assert_int_eq(v[0], 2508);		/* 25.08 °C */
	ck_assert_int_eq(v[1], 100653);		/* 1006.53 hPa = 25767233 / 256 Pa, rounded */
	sgw_bme280_compensate_t(ds, 519888, &tf);
	ck_assert_int_eq(v[2], (int32_t)((sgw_bme280_compensate_h(ds, 30000, tf) * 100 + 512) / 1024));
	ck_assert_uint_eq(emu.measurements, 1);
	tu_free(&t);
}
END_TEST

START_TEST(test_driver_physical)
{
	struct tu_sensor t;
	int32_t v[SGW_MAX_CHANNELS];
	uint32_t valid;

	attach(&bme280_emul_ops, 1, 0x76);
	ck_assert_int_eq(tu_configure(&t, "bme280", (const char *const[]){ "oversampling=16", NULL }), 0);
	ck_assert_int_eq(tu_open(&t), 0);
	set_tph(2508, 9876543, 4633);
	ck_assert_int_eq(tu_read(&t, v, &valid), 0);
	ck_assert_uint_eq(valid, 7);
	ck_assert_int_le(abs(v[0] - 2508), 1);		/* °C * 100 */
	ck_assert_int_le(abs(v[1] - 98765), 1);		/* Pa */
	ck_assert_int_le(abs(v[2] - 4633), 2);		/* %RH * 100 */
	set_tph(-1250, 7000000, 9000);
	ck_assert_int_eq(tu_read(&t, v, &valid), 0);
	ck_assert_int_le(abs(v[0] + 1250), 1);
	ck_assert_int_le(abs(v[1] - 70000), 1);
	ck_assert_int_le(abs(v[2] - 9000), 2);
	ck_assert_uint_eq(emu.measurements, 2);
	tu_free(&t);
}
END_TEST

START_TEST(test_driver_oversampling)
{
	static const char *const kv[] = { "oversampling=4", "oversampling.pressure=16",
					  "oversampling.humidity=1", NULL };
	struct tu_sensor t;
	int32_t v[SGW_MAX_CHANNELS];
	uint32_t valid;

	attach(&bme280_emul_ops, 1, 0x76);
	ck_assert_int_eq(tu_configure(&t, "bme280", kv), 0);
	ck_assert_int_eq(tu_open(&t), 0);
	set_tph(2000, 10000000, 5000);
	ck_assert_int_eq(tu_read(&t, v, &valid), 0);
	/* 5.4.5: osrs_t = 011 (x4), osrs_p = 101 (x16), mode = 01 (forced) */
	ck_assert_uint_eq(emu.last_ctrl_meas, 3 << 5 | 5 << 2 | 1);
	ck_assert_uint_eq(emu.last_ctrl_hum, 1);
	ck_assert_uint_eq(emu.regs[0xf4] & 3, 0);	/* back to sleep */
	tu_free(&t);

	ck_assert_int_eq(tu_configure(&t, "bme280", NULL), 0);
	ck_assert_int_eq(tu_open(&t), 0);
	ck_assert_int_eq(tu_read(&t, v, &valid), 0);
	ck_assert_uint_eq(emu.last_ctrl_meas, 1 << 5 | 1 << 2 | 1);	/* default x1 */
	tu_free(&t);
}
END_TEST

START_TEST(test_driver_bmp280)
{
	struct tu_sensor t;
	int32_t v[SGW_MAX_CHANNELS];
	uint32_t valid;

	attach(&bmp280_emul_ops, 2, 0x76);
	/* driver bme280 on a BMP280: no humidity sensor, refuse */
	ck_assert_int_eq(tu_configure(&t, "bme280", (const char *const[]){ "bus=2", NULL }), 0);
	ck_assert_int_eq(tu_open(&t), -ENODEV);
	tu_free(&t);

	ck_assert_int_eq(tu_configure(&t, "bmp280", (const char *const[]){ "bus=2", "oversampling=16", NULL }), 0);
	ck_assert_str_eq(t.sc.bus, "i2c-2");
	ck_assert_uint_eq(t.sc.nchannels, 2);
	ck_assert_int_eq(tu_open(&t), 0);
	bme280_emul_set_raw(&emu, 519888, 415148, 0);
	ck_assert_int_eq(tu_read(&t, v, &valid), 0);
	ck_assert_uint_eq(valid, 3);
	ck_assert_int_eq(v[0], 2508);
	ck_assert_int_eq(v[1], 100653);
	tu_free(&t);
}
END_TEST

START_TEST(test_config_errors)
{
	struct tu_sensor t;

	ck_assert_int_eq(tu_configure(&t, "bme280", (const char *const[]){ "address=0x78", NULL }), -EINVAL);
	ck_assert_ptr_nonnull(strstr(t.err, "test.ini:2: address: '0x78'"));
	tu_free(&t);
	ck_assert_int_eq(tu_configure(&t, "bme280", (const char *const[]){ "address=0x76x", NULL }), -EINVAL);
	tu_free(&t);
	ck_assert_int_eq(tu_configure(&t, "bme280", (const char *const[]){ "address=0166", NULL }), -EINVAL);
	tu_free(&t);	/* 0166 would be 0x76 in octal: not taken as such */
	ck_assert_int_eq(tu_configure(&t, "bme280", (const char *const[]){ "address=0x-76", NULL }), -EINVAL);
	tu_free(&t);
	ck_assert_int_eq(tu_configure(&t, "bme280", (const char *const[]){ "address=0X77", NULL }), 0);
	tu_free(&t);
	ck_assert_int_eq(tu_configure(&t, "bme280", (const char *const[]){ "oversampling=3", NULL }), -EINVAL);
	tu_free(&t);
	ck_assert_int_eq(tu_configure(&t, "bme280", (const char *const[]){ "bus=256", NULL }), -EINVAL);
	tu_free(&t);
	ck_assert_int_eq(tu_configure(&t, "bme280", (const char *const[]){ "address=119", NULL }), 0);
	ck_assert_uint_eq(((const struct sgw_i2c_sensor_cfg *)t.sc.priv)->addr, 0x77);	/* first member */
	tu_free(&t);
}
END_TEST

START_TEST(test_driver_faults)
{
	struct tu_sensor t;
	int32_t v[SGW_MAX_CHANNELS];
	uint32_t valid;

	attach(&bme280_emul_ops, 1, 0x76);
	tu_start(&t, "bme280", NULL, 100);
	set_tph(2100, 10000000, 4000);

	tu_check_bus_faults(&t, 1, 0x76);
	ck_assert_int_eq(sgw_i2c_sim_fault(1, 0x76, -ENXIO, 0, -1), 0);	/* NAK for good */
	ck_assert_int_eq(tu_read(&t, v, &valid), -ENXIO);
	ck_assert_int_eq(tu_read(&t, v, &valid), -ENXIO);
	ck_assert_int_eq(sgw_i2c_sim_fault(1, 0x76, 0, 0, 0), 0);

	/* a skipped conversion (reset behind the driver's back) reads 0x80000 */
	bme280_emul_set_raw(&emu, 0x80000, 0x80000, 0x8000);
	ck_assert_int_eq(tu_read(&t, v, &valid), -EIO);

	/* "measuring" that never ends */
	set_tph(2100, 10000000, 4000);
	emu.busy_reads = 1000;
	ck_assert_int_eq(tu_read(&t, v, &valid), -ETIMEDOUT);
	emu.busy_reads = 1;
	ck_assert_int_eq(tu_read(&t, v, &valid), 0);
	tu_free(&t);

	/* no chip at all */
	ck_assert_int_eq(tu_configure(&t, "bme280", (const char *const[]){ "address=0x77", NULL }), 0);
	ck_assert_int_eq(tu_open(&t), -ENXIO);
	tu_free(&t);
	/* no bus */
	ck_assert_int_eq(tu_configure(&t, "bme280", (const char *const[]){ "bus=9", NULL }), 0);
	ck_assert_int_eq(tu_open(&t), -ENOENT);
	tu_free(&t);
}
END_TEST

/* Each driver recognises its own chip by its ID, the BMP280 samples' too. */
START_TEST(test_probe)
{
	static const struct { uint8_t id; int bme280, bmp280; } ids[] = {
		{ SGW_BME280_ID_BME280, 1, 0 }, { SGW_BME280_ID_BMP280, 0, 1 },
		{ SGW_BME280_ID_BMP280_SAMPLE0, 0, 1 }, { SGW_BME280_ID_BMP280_SAMPLE1, 0, 1 },
		{ 0x55, 0, 0 }, { 0x61, 0, 0 },
	};
	const struct sgw_driver *bme = sgw_driver_find("bme280"), *bmp = sgw_driver_find("bmp280");
	struct sgw_i2c *i2c;

	attach(&bme280_emul_ops, 1, 0x76);
	ck_assert_int_eq(sgw_i2c_open(1, 100, &i2c), 0);
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		emu.regs[SGW_BME280_REG_ID] = ids[i].id;
		ck_assert_int_eq(bme->i2c_probe(i2c, 0x76), ids[i].bme280);
		ck_assert_int_eq(bmp->i2c_probe(i2c, 0x76), ids[i].bmp280);
	}
	ck_assert_int_eq(bme->i2c_probe(i2c, 0x77), 0);	/* nobody there: a NAK */
	ck_assert_int_eq(emul_fail_transfers(&emu.base, 1), 0);
	ck_assert_int_eq(bmp->i2c_probe(i2c, 0x76), 0);	/* -EIO, as some adapters NAK */
	sgw_i2c_close(i2c);
}
END_TEST

/* The Linux backend really went through i2c-dev's ioctls. */
START_TEST(test_linux_ioctls)
{
	struct tu_sensor t;
	struct i2c_shim_stats st;
	int32_t v[SGW_MAX_CHANNELS];
	uint32_t valid;

	attach(&bme280_emul_ops, 1, 0x76);
	tu_start(&t, "bme280", NULL, 250);
	set_tph(2200, 10132500, 5500);
	ck_assert_int_eq(tu_read(&t, v, &valid), 0);
	ck_assert_int_le(abs(v[1] - 101325), 3);	/* x1: 16-bit ADC, ~2.6 Pa steps */
	i2c_shim_stats(&st);
	ck_assert_uint_eq(st.opens, 1);
	ck_assert_uint_eq(st.open_fds, 1);
	ck_assert_uint_eq(st.funcs, 1);
	ck_assert_uint_eq(st.last_timeout, 25);		/* 250 ms in 10 ms units */
	ck_assert_uint_eq(st.last_retries, 2);
	ck_assert_uint_ge(st.rdwr, 3);		/* id, calibration x2, data */
	ck_assert_uint_ge(st.smbus, 3);		/* reset, config, ctrl_hum, ctrl_meas */
	ck_assert_uint_ge(st.slave, 1);
	tu_free(&t);
	i2c_shim_stats(&st);
	ck_assert_uint_eq(st.open_fds, 0);
}
END_TEST

/* On an adapter without I2C_RDWR (the kernel's i2c-stub, PC SMBus
 * controllers) the driver reads through SMBus commands alone. */
START_TEST(test_linux_smbus_only)
{
	static const char *const kv[] = { "oversampling=16", NULL };
	struct tu_sensor t;
	struct i2c_shim_stats st;
	int32_t v[SGW_MAX_CHANNELS];
	uint32_t valid;

	i2c_shim_set_funcs(I2C_FUNC_SMBUS_QUICK | I2C_FUNC_SMBUS_BYTE | I2C_FUNC_SMBUS_BYTE_DATA |
			   I2C_FUNC_SMBUS_WORD_DATA | I2C_FUNC_SMBUS_I2C_BLOCK);
	attach(&bme280_emul_ops, 1, 0x76);
	tu_start(&t, "bme280", kv, 250);
	bme280_emul_set_raw(&emu, 519888, 415148, 0x7000);
	ck_assert_int_eq(tu_read(&t, v, &valid), 0);
	ck_assert_int_eq(v[0], 2508);		/* the datasheet's 25.08 °C */
	ck_assert_int_eq(v[1], 100653);		/* and 1006.53 hPa */
	ck_assert_int_eq(v[2], 4760);		/* 47.60 %RH */
	i2c_shim_stats(&st);
	ck_assert_uint_eq(st.rdwr, 0);
	tu_free(&t);
}
END_TEST

int main(void)
{
	const TTest *chip[] = { test_compensate_t_datasheet, test_compensate_p_datasheet,
				test_compensate_h_vs_float, test_compensate_garbage_calib,
				test_calib_parse_h4_h5, NULL };
	const TTest *bus[] = { test_driver_datasheet_raw, test_driver_physical,
			       test_driver_oversampling, test_driver_bmp280, test_config_errors,
			       test_driver_faults, test_probe, NULL };
	const TTest *linux_only[] = { test_linux_ioctls, test_linux_smbus_only, NULL };

	return tu_run_suite("bme280", chip, bus, linux_only);
}
