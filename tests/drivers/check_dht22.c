/* SPDX-License-Identifier: MIT */
/* dht22 driver against fake /sys/bus/iio trees, with errors injected through the sysfs seam. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/hal/sysfs.h"
#include "tests/fixtures/drv_fixture.h"

#define IIO "/sys/bus/iio/devices/"

static void iio_dev(int n, const char *name, long milli_c, long milli_rh)
{
	char rel[128], text[32];

	snprintf(rel, sizeof(rel), IIO "iio:device%d/name", n);
	snprintf(text, sizeof(text), "%s\n", name);
	fx_write(rel, text);
	snprintf(rel, sizeof(rel), IIO "iio:device%d/in_temp_input", n);
	snprintf(text, sizeof(text), "%ld\n", milli_c);
	fx_write(rel, text);
	snprintf(rel, sizeof(rel), IIO "iio:device%d/in_humidityrelative_input", n);
	snprintf(text, sizeof(text), "%ld\n", milli_rh);
	fx_write(rel, text);
}

/* Seam: the first `fail` reads of files ending in `suffix` return `err`. */
struct inject {
	const char *suffix;
	int fail, err;
	int calls;		/* reads of matching files */
};

static ssize_t inject_read(void *arg, const char *path, char *buf, size_t size)
{
	struct inject *in = arg;
	size_t pl = strlen(path), sl = strlen(in->suffix);

	if (pl >= sl && strcmp(path + pl - sl, in->suffix) == 0) {
		if (in->calls++ < in->fail)
			return in->err;
	}
	return sgw_sysfs_read_file(path, buf, size);
}

static void setup(void)
{
	fx_clear();
	sgw_sysfs_set_ops(NULL);
}

static void teardown(void)
{
	sgw_sysfs_set_ops(NULL);
}

START_TEST(configure_keys)
{
	const char *dev[] = { "device=iio:device3", NULL };
	const char *both[] = { "device=iio:device3", "name=dht11", NULL };
	const char *bad[] = { "device=iio:dev3", NULL };
	struct fx_sensor fx;

	ck_assert_int_eq(fx_configure(&fx, "dht22", NULL, 10000, 2000), 0);
	ck_assert_str_eq(fx.sc.bus, "iio");
	ck_assert_uint_eq(fx.sc.nchannels, 2);
	ck_assert_str_eq(fx.sc.ch[0].name, "temperature");
	ck_assert_str_eq(fx.sc.ch[1].name, "humidity");
	ck_assert_str_eq(fx.sc.ch[1].unit, "%");
	ck_assert_int_eq(fx.sc.ch[1].scale, 3);
	ck_assert_int_eq(fx.sc.ch[1].precision, 1);
	ck_assert_int_eq(fx.diag.warnings, 0);
	fx_free(&fx);

	ck_assert_int_eq(fx_configure(&fx, "dht22", dev, 10000, 2000), 0);
	ck_assert_int_eq(fx_unused_keys(&fx), 0);
	fx_free(&fx);

	ck_assert_int_eq(fx_configure(&fx, "dht22", both, 10000, 2000), -EINVAL);
	fx_free(&fx);
	ck_assert_int_eq(fx_configure(&fx, "dht22", bad, 10000, 2000), -EINVAL);
	ck_assert_ptr_nonnull(strstr(fx.msgs, "iio:dev3"));
	fx_free(&fx);

	/* faster than the chip can measure: accepted with a warning */
	ck_assert_int_eq(fx_configure(&fx, "dht22", NULL, 1000, 900), 0);
	ck_assert_int_eq(fx.diag.warnings, 1);
	fx_free(&fx);
}
END_TEST

START_TEST(good_values)
{
	struct fx_sensor fx;
	int32_t v[2];
	uint32_t valid;

	iio_dev(0, "dht11", 21300, 45600);
	fx_start(&fx, "dht22", NULL, 10000, 2000);
	ck_assert_int_eq(fx_read(&fx, v, &valid), 0);
	ck_assert_uint_eq(valid, 3);
	ck_assert_int_eq(v[0], 21300);
	ck_assert_int_eq(v[1], 45600);

	iio_dev(0, "dht11", -3500, 99900);
	ck_assert_int_eq(fx_read(&fx, v, &valid), 0);
	ck_assert_int_eq(v[0], -3500);
	ck_assert_int_eq(v[1], 99900);
	fx_free(&fx);
}
END_TEST

START_TEST(lookup)
{
	const char *dev1[] = { "device=iio:device1", NULL };
	const char *other[] = { "name=am2302", NULL };
	struct fx_sensor fx;
	int32_t v[2];
	uint32_t valid;

	/* an ADC first, the DHT second: found by its name file */
	iio_dev(0, "ads1015", 1, 1);
	iio_dev(1, "dht11", 22000, 50000);
	fx_mkdir(IIO "trigger0");
	fx_start(&fx, "dht22", NULL, 10000, 2000);
	ck_assert_int_eq(fx_read(&fx, v, &valid), 0);
	ck_assert_int_eq(v[0], 22000);
	fx_free(&fx);

	ck_assert_int_eq(fx_configure(&fx, "dht22", other, 10000, 2000), 0);
	ck_assert_int_eq(fx_open(&fx), -ENOENT);
	fx_free(&fx);

	/* two DHTs: the name no longer says which */
	iio_dev(2, "dht11", 18000, 60000);
	ck_assert_int_eq(fx_configure(&fx, "dht22", NULL, 10000, 2000), 0);
	ck_assert_int_eq(fx_open(&fx), -ENOTUNIQ);
	fx_free(&fx);
	fx_start(&fx, "dht22", dev1, 10000, 2000);
	ck_assert_int_eq(fx_read(&fx, v, &valid), 0);
	ck_assert_int_eq(v[1], 50000);
	fx_free(&fx);
}
END_TEST

START_TEST(missing)
{
	const char *dev[] = { "device=iio:device4", NULL };
	struct inject count = { "/in_humidityrelative_input", 0, 0, 0 };
	struct sgw_sysfs_ops ops = { inject_read, &count };
	struct fx_sensor fx;
	char path[512];
	int32_t v[2];
	uint32_t valid;

	/* no IIO at all (overlay not loaded) */
	ck_assert_int_eq(fx_configure(&fx, "dht22", NULL, 10000, 2000), 0);
	ck_assert_int_eq(fx_open(&fx), -ENOENT);
	fx_free(&fx);
	iio_dev(0, "dht11", 21000, 40000);
	ck_assert_int_eq(fx_configure(&fx, "dht22", dev, 10000, 2000), 0);
	ck_assert_int_eq(fx_open(&fx), -ENOENT);
	fx_free(&fx);

	/* a missing file is no glitch: failed at once, not retried */
	fx_start(&fx, "dht22", NULL, 10000, 2000);
	snprintf(path, sizeof(path), "%s" IIO "iio:device0/in_humidityrelative_input",
		 fx_sysroot());
	ck_assert_int_eq(remove(path), 0);
	sgw_sysfs_set_ops(&ops);
	ck_assert_int_eq(fx_read(&fx, v, &valid), -ENOENT);
	ck_assert_uint_eq(valid, 0);
	ck_assert_int_eq(count.calls, 1);
	fx_free(&fx);
}
END_TEST

START_TEST(eio_then_success)
{
	struct inject in = { "/in_temp_input", 2, -EIO, 0 };
	struct sgw_sysfs_ops ops = { inject_read, &in };
	struct fx_sensor fx;
	int32_t v[2];
	uint32_t valid;

	iio_dev(0, "dht11", 23400, 51200);
	fx_start(&fx, "dht22", NULL, 10000, 5000);
	sgw_sysfs_set_ops(&ops);
	ck_assert_int_eq(fx_read(&fx, v, &valid), 0);
	ck_assert_int_eq(in.calls, 3);
	ck_assert_uint_eq(valid, 3);
	ck_assert_int_eq(v[0], 23400);
	ck_assert_int_eq(v[1], 51200);

	/* the humidity file fails the same way */
	in = (struct inject){ "/in_humidityrelative_input", 1, -ETIMEDOUT, 0 };
	ck_assert_int_eq(fx_read(&fx, v, &valid), 0);
	ck_assert_int_eq(in.calls, 2);
	ck_assert_int_eq(v[1], 51200);
	fx_free(&fx);
}
END_TEST

START_TEST(timeout_spent)
{
	struct inject in = { "/in_temp_input", 1000000, -ETIMEDOUT, 0 };
	struct sgw_sysfs_ops ops = { inject_read, &in };
	struct fx_sensor fx;
	int32_t v[2];
	uint32_t valid;
	int64_t t0;

	iio_dev(0, "dht11", 23400, 51200);
	fx_start(&fx, "dht22", NULL, 10000, 1500);
	sgw_sysfs_set_ops(&ops);
	t0 = fx_now_ms();
	ck_assert_int_eq(fx_read(&fx, v, &valid), -ETIMEDOUT);
	/* retried within the timeout, and gave up close to it */
	ck_assert_int_ge(in.calls, 2);
	ck_assert_int_lt(fx_now_ms() - t0, 1500 + 2000);
	ck_assert_uint_eq(valid, 0);
	fx_free(&fx);
}
END_TEST

START_TEST(bad_values)
{
	struct fx_sensor fx;
	int32_t v[2];
	uint32_t valid;

	iio_dev(0, "dht11", 23400, 151200);	/* a frame decoded as the wrong chip */
	fx_start(&fx, "dht22", NULL, 10000, 300);
	ck_assert_int_eq(fx_read(&fx, v, &valid), -EIO);
	fx_write(IIO "iio:device0/in_humidityrelative_input", "forty\n");
	ck_assert_int_eq(fx_read(&fx, v, &valid), -EINVAL);
	fx_write(IIO "iio:device0/in_humidityrelative_input", "");
	ck_assert_int_eq(fx_read(&fx, v, &valid), -EINVAL);
	ck_assert_uint_eq(valid, 0);
	fx_free(&fx);
}
END_TEST

int main(void)
{
	const TTest *tests[] = {
		configure_keys, good_values, lookup, missing, eio_then_success, timeout_spent,
		bad_values, NULL,
	};

	fx_sysroot();
	return fx_run_suite("dht22", "iio", setup, teardown, 30, tests);
}
