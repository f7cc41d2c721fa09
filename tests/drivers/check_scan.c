/* SPDX-License-Identifier: MIT */
/* `sensorgw scan` against emulated buses, 1-Wire and IIO trees in a
 * private sysroot; the output is compared with tests/data/scan-expected.ini. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drivers/hal/i2c.h"
#include "drivers/scan.h"
#include "tests/emul/ads1115_emul.h"
#include "tests/emul/bh1750_emul.h"
#include "tests/emul/bme280_emul.h"
#include "tests/emul/sht3x_emul.h"
#include "tests/fixtures/i2c_testutil.h"
#include "tests/mocks/i2c_shim.h"

static struct bme280_emul bme, bmp;
static struct sht_emul sht3, sht4;
static struct bh1750_emul light, unknown;
static struct ads1115_emul adc;

static void populate(void)
{
	tu_mkfile("dev/i2c-1", "");
	tu_mkfile("dev/i2c-3", "");
	tu_mkfile("dev/i2c-x", "");	/* not a bus */
	emul_init(&bme.base, &bme280_emul_ops);
	emul_init(&bmp.base, &bmp280_emul_ops);
	emul_init(&sht3.base, &sht3x_emul_ops);
	emul_init(&sht4.base, &sht4x_emul_ops);
	emul_init(&light.base, &bh1750_emul_ops);
	emul_init(&unknown.base, &bh1750_emul_ops);
	emul_init(&adc.base, &ads1115_emul_ops);
	ck_assert_int_eq(emul_attach(&bme.base, 1, 0x76), 0);
	ck_assert_int_eq(emul_attach(&sht3.base, 1, 0x44), 0);
	ck_assert_int_eq(emul_attach(&sht4.base, 1, 0x45), 0);
	ck_assert_int_eq(emul_attach(&light.base, 1, 0x23), 0);
	ck_assert_int_eq(emul_attach(&adc.base, 1, 0x48), 0);
	ck_assert_int_eq(emul_attach(&unknown.base, 1, 0x50), 0);	/* answers, unknown there */
	ck_assert_int_eq(emul_attach(&bmp.base, 3, 0x77), 0);
	i2c_shim_set_busy(1, 0x1a);	/* e.g. an audio codec bound to its driver */

	tu_mkfile("sys/bus/w1/devices/28-0316a2796aff/w1_slave", "");
	tu_mkfile("sys/bus/w1/devices/00-800000000000/id", "");
	tu_mkfile("sys/bus/w1/devices/w1_bus_master1/w1_master_slaves", "");
	tu_mkfile("sys/bus/iio/devices/iio:device0/name", "dht11\n");
	tu_mkfile("sys/bus/iio/devices/iio:device10/name", "bmp280\n");
	tu_mkfile("sys/bus/iio/devices/iio:device1/name", "ads1015\n");
}

/* Run sgw_scan_main() with stdout in a file; returns its exit status. */
static int run_scan(char **argv, char *out, size_t size)
{
	char path[512];
	int argc = 0, saved, fd, rc;
	ssize_t n;

	while (argv[argc])
		argc++;
	snprintf(path, sizeof(path), "%s/scan.out", tu_sysroot());
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_ge(dup2(fd, STDOUT_FILENO), 0);
	rc = sgw_scan_main(argc, argv);
	fflush(stdout);
	ck_assert_int_ge(dup2(saved, STDOUT_FILENO), 0);
	close(saved);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	n = read(fd, out, size - 1);
	ck_assert_int_ge(n, 0);
	out[n] = '\0';
	close(fd);
	return rc;
}

static void read_expected(char *buf, size_t size)
{
	const char *src = getenv("top_srcdir");
	char path[1024];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/data/scan-expected.ini", src ? src : "..");
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static char out[8192], want[8192];

/* The sim backend finds the same, except the address a kernel driver holds
 * (that answer comes from i2c-dev's I2C_SLAVE). */
START_TEST(test_scan_all)
{
	char *argv[] = { "scan", NULL };
	const char *line = "\n; 0x1a: in use by a kernel driver\n";

	populate();
	ck_assert_int_eq(run_scan(argv, out, sizeof(out)), 0);
	read_expected(want, sizeof(want));
	if (sgw_i2c_backend() == &sgw_i2c_sim_ops) {
		char *busy = strstr(want, line);

		ck_assert_ptr_nonnull(busy);
		memmove(busy, busy + strlen(line), strlen(busy + strlen(line)) + 1);
	}
	ck_assert_str_eq(out, want);
}
END_TEST

START_TEST(test_scan_one_bus)
{
	char *argv[] = { "scan", "--bus", "3", NULL }, *argv2[] = { "scan", "--bus=3", NULL };

	populate();
	ck_assert_int_eq(run_scan(argv, out, sizeof(out)), 0);
	ck_assert_ptr_nonnull(strstr(out, "\n[sensor bmp280_3_77]\ndriver = bmp280\nbus = 3\naddress = 0x77\n"));
	ck_assert_ptr_null(strstr(out, "bme280"));
	ck_assert_ptr_nonnull(strstr(out, "[sensor ds18b20_0316a2796aff]"));
	ck_assert_int_eq(run_scan(argv2, want, sizeof(want)), 0);
	ck_assert_str_eq(out, want);
}
END_TEST

START_TEST(test_scan_errors)
{
	char *missing[] = { "scan", "--bus", "7", NULL };
	char *bad[] = { "scan", "--bus", "x", NULL };
	char *range[] = { "scan", "--bus", "256", NULL };
	char *novalue[] = { "scan", "--bus", NULL };
	char *bogus[] = { "scan", "--verbose", NULL };
	char *help[] = { "scan", "--help", NULL };

	populate();
	ck_assert_int_eq(run_scan(missing, out, sizeof(out)), 1);
	ck_assert_int_eq(run_scan(bad, out, sizeof(out)), 2);
	ck_assert_int_eq(run_scan(range, out, sizeof(out)), 2);
	ck_assert_int_eq(run_scan(novalue, out, sizeof(out)), 2);
	ck_assert_int_eq(run_scan(bogus, out, sizeof(out)), 2);
	ck_assert_int_eq(run_scan(help, out, sizeof(out)), 0);
	ck_assert_ptr_nonnull(strstr(out, "usage: sensorgw scan [--bus N]"));
}
END_TEST

/* No bus at all: say so, exit 0 with whatever else was found. */
START_TEST(test_scan_no_bus)
{
	char *argv[] = { "scan", NULL };

	tu_mkfile("sys/bus/iio/devices/iio:device0/name", "dht11\n");
	ck_assert_int_eq(run_scan(argv, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "; sensorgw scan: paste the sections you want into sensorgw.ini\n"
			      "\n; IIO\n\n[sensor dht22_0]\ndriver = dht22\ndevice = iio:device0\n"
			      "interval = 30s\n");
}
END_TEST

int main(void)
{
	const TTest *bus[] = { test_scan_all, test_scan_one_bus, test_scan_errors, test_scan_no_bus, NULL };

	return tu_run_suite("scan", NULL, bus, NULL);
}
