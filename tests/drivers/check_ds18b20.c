/* SPDX-License-Identifier: MIT */
/* ds18b20 driver against fake /sys/bus/w1 trees. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tests/fixtures/drv_fixture.h"

#define DEV "/sys/bus/w1/devices/"
#define ID_A "28-0316a2796aff"
#define ID_B "28-000005e2fdc3"

static void w1_write(const char *id, const char *crc_verdict, long milli)
{
	char rel[128], text[256];

	snprintf(rel, sizeof(rel), DEV "%s/w1_slave", id);
	snprintf(text, sizeof(text),
		 "72 01 4b 46 7f ff 0e 10 57 : crc=57 %s\n72 01 4b 46 7f ff 0e 10 57 t=%ld\n",
		 crc_verdict, milli);
	fx_write(rel, text);
}

static void setup(void)
{
	fx_clear();
	/* the w1 core lists its bus master next to the slaves */
	fx_mkdir(DEV "w1_bus_master1");
}

static int read_one(struct fx_sensor *fx, int32_t *v)
{
	uint32_t valid;
	int ret = fx_read(fx, v, &valid);

	ck_assert_uint_eq(valid, ret == 0 ? 1u : 0u);
	return ret;
}

START_TEST(configure_defaults)
{
	struct fx_sensor fx;

	ck_assert_int_eq(fx_configure(&fx, "ds18b20", NULL, 10000, 2000), 0);
	ck_assert_str_eq(fx.sc.bus, "w1");
	ck_assert_uint_eq(fx.sc.nchannels, 1);
	ck_assert_str_eq(fx.sc.ch[0].name, "temperature");
	ck_assert_str_eq(fx.sc.ch[0].unit, "°C");
	ck_assert_int_eq(fx.sc.ch[0].scale, 3);
	ck_assert_int_eq(fx.sc.ch[0].precision, 1);
	fx_free(&fx);
}
END_TEST

START_TEST(configure_ids)
{
	const char *upper[] = { "id=28-0316A2796AFF", NULL };
	const char *alias[] = { "device=" ID_B, NULL };
	const char *bad[] = { "id=28-0316a2796af", NULL };
	const char *both[] = { "id=" ID_A, "device=" ID_B, NULL };
	struct fx_sensor fx;

	ck_assert_int_eq(fx_configure(&fx, "ds18b20", upper, 10000, 2000), 0);
	ck_assert_int_eq(fx_unused_keys(&fx), 0);
	w1_write(ID_A, "YES", 21000);
	ck_assert_int_eq(fx_open(&fx), 0);	/* found under its lower-case name */
	fx_free(&fx);

	ck_assert_int_eq(fx_configure(&fx, "ds18b20", alias, 10000, 2000), 0);
	ck_assert_int_eq(fx_unused_keys(&fx), 0);
	fx_free(&fx);

	ck_assert_int_eq(fx_configure(&fx, "ds18b20", bad, 10000, 2000), -EINVAL);
	ck_assert_ptr_nonnull(strstr(fx.msgs, "test.ini:2:"));
	ck_assert_ptr_nonnull(strstr(fx.msgs, "28-0316a2796af"));
	fx_free(&fx);

	ck_assert_int_eq(fx_configure(&fx, "ds18b20", both, 10000, 2000), -EINVAL);
	ck_assert_ptr_nonnull(strstr(fx.msgs, "device"));
	fx_free(&fx);
}
END_TEST

START_TEST(crc_yes_and_no)
{
	struct fx_sensor fx;
	int32_t v;

	w1_write(ID_A, "YES", 23125);
	fx_start(&fx, "ds18b20", NULL, 10000, 2000);
	ck_assert_int_eq(read_one(&fx, &v), 0);
	ck_assert_int_eq(v, 23125);

	w1_write(ID_A, "NO", 23250);
	ck_assert_int_eq(read_one(&fx, &v), -EIO);

	/* the next good conversion reads fine again */
	w1_write(ID_A, "YES", -10062);
	ck_assert_int_eq(read_one(&fx, &v), 0);
	ck_assert_int_eq(v, -10062);
	fx_free(&fx);
}
END_TEST

START_TEST(bad_contents)
{
	struct fx_sensor fx;
	int32_t v;

	ck_assert_int_eq(fx_configure(&fx, "ds18b20", NULL, 10000, 2000), 0);
	w1_write(ID_A, "YES", 20000);
	ck_assert_int_eq(fx_open(&fx), 0);

	/* open data line: all-zero scratchpad whose CRC (0) passes */
	fx_write(DEV ID_A "/w1_slave",
		 "00 00 00 00 00 00 00 00 00 : crc=00 YES\n00 00 00 00 00 00 00 00 00 t=0\n");
	ck_assert_int_eq(read_one(&fx, &v), -EIO);

	fx_write(DEV ID_A "/w1_slave", "72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n");
	ck_assert_int_eq(read_one(&fx, &v), -EBADMSG);
	fx_write(DEV ID_A "/w1_slave", "");
	ck_assert_int_eq(read_one(&fx, &v), -EBADMSG);
	fx_write(DEV ID_A "/w1_slave",
		 "72 01 4b 46 7f ff 0e 10 57 : crc=57 MAYBE\n72 01 4b 46 7f ff 0e 10 57 t=1\n");
	ck_assert_int_eq(read_one(&fx, &v), -EBADMSG);
	fx_write(DEV ID_A "/w1_slave",
		 "72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n72 01 4b 46 7f ff 0e 10 57 t=12x\n");
	ck_assert_int_eq(read_one(&fx, &v), -EBADMSG);
	w1_write(ID_A, "YES", 126000);
	ck_assert_int_eq(read_one(&fx, &v), -ERANGE);
	fx_free(&fx);
}
END_TEST

START_TEST(missing_device)
{
	const char *id[] = { "id=" ID_B, NULL };
	struct fx_sensor fx;
	char path[PATH_MAX];
	int32_t v;

	/* no w1 bus at all (overlay not loaded) */
	fx_clear();
	ck_assert_int_eq(fx_configure(&fx, "ds18b20", NULL, 10000, 2000), 0);
	ck_assert_int_eq(fx_open(&fx), -ENOENT);
	fx_free(&fx);

	/* a bus without thermometers */
	fx_mkdir(DEV "w1_bus_master1");
	fx_mkdir(DEV "10-000802b4ba0d");	/* a DS18S20: not picked by default */
	ck_assert_int_eq(fx_configure(&fx, "ds18b20", NULL, 10000, 2000), 0);
	ck_assert_int_eq(fx_open(&fx), -ENOENT);
	fx_free(&fx);

	/* the id asked for is absent */
	w1_write(ID_A, "YES", 20000);
	ck_assert_int_eq(fx_configure(&fx, "ds18b20", id, 10000, 2000), 0);
	ck_assert_int_eq(fx_open(&fx), -ENOENT);
	fx_free(&fx);

	/* the sensor goes away after open */
	fx_start(&fx, "ds18b20", NULL, 10000, 2000);
	ck_assert_int_eq(read_one(&fx, &v), 0);
	snprintf(path, sizeof(path), "%s" DEV ID_A "/w1_slave", fx_sysroot());
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(read_one(&fx, &v), -ENOENT);
	fx_free(&fx);
}
END_TEST

START_TEST(several_devices)
{
	const char *pick_b[] = { "id=" ID_B, NULL };
	struct fx_sensor fx;
	int32_t v;

	w1_write(ID_A, "YES", 21000);
	w1_write(ID_B, "YES", 22000);
	ck_assert_int_eq(fx_configure(&fx, "ds18b20", NULL, 10000, 2000), 0);
	ck_assert_int_eq(fx_open(&fx), -ENOTUNIQ);
	fx_free(&fx);

	fx_start(&fx, "ds18b20", pick_b, 10000, 2000);
	ck_assert_int_eq(read_one(&fx, &v), 0);
	ck_assert_int_eq(v, 22000);
	fx_free(&fx);
}
END_TEST

START_TEST(power_on_reset_value)
{
	struct fx_sensor fx;
	int32_t v;

	w1_write(ID_A, "YES", 85000);
	fx_start(&fx, "ds18b20", NULL, 10000, 2000);
	/* first reading 85 °C: the reset value, not a measurement */
	ck_assert_int_eq(read_one(&fx, &v), -EAGAIN);
	w1_write(ID_A, "YES", 23000);
	ck_assert_int_eq(read_one(&fx, &v), 0);
	/* a jump from 23 °C to exactly 85 °C: the sensor was reset */
	w1_write(ID_A, "YES", 85000);
	ck_assert_int_eq(read_one(&fx, &v), -EAGAIN);
	/* reached gradually, 85 °C is real */
	w1_write(ID_A, "YES", 84000);
	ck_assert_int_eq(read_one(&fx, &v), 0);
	w1_write(ID_A, "YES", 85000);
	ck_assert_int_eq(read_one(&fx, &v), 0);
	ck_assert_int_eq(v, 85000);
	fx_free(&fx);
}
END_TEST

/* A w1_slave that hands its text out in pieces, as a slow conversion does. */
static void *slow_writer(void *arg)
{
	static const char *const parts[] = {
		"72 01 4b 46 7f ff 0e 10 57 : cr", "c=57 YES\n72 01 4b 46 7f ff",
		" 0e 10 57 t=19", "937\n",
	};
	const char *path = arg;
	int fd = open(path, O_WRONLY);	/* blocks until the driver opens it */

	if (fd < 0)
		return NULL;
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (write(fd, parts[i], strlen(parts[i])) < 0)
			break;
		nanosleep(&(struct timespec){ 0, 30 * 1000000 }, NULL);
	}
	close(fd);
	return NULL;
}

START_TEST(slow_w1_slave)
{
	static char path[PATH_MAX];
	struct fx_sensor fx;
	pthread_t writer;
	int32_t v;

	fx_mkdir(DEV ID_A);
	snprintf(path, sizeof(path), "%s" DEV ID_A "/w1_slave", fx_sysroot());
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	fx_start(&fx, "ds18b20", NULL, 10000, 2000);
	ck_assert_int_eq(pthread_create(&writer, NULL, slow_writer, path), 0);
	ck_assert_int_eq(read_one(&fx, &v), 0);
	ck_assert_int_eq(pthread_join(writer, NULL), 0);
	ck_assert_int_eq(v, 19937);
	fx_free(&fx);
}
END_TEST

int main(void)
{
	const TTest *tests[] = {
		configure_defaults, configure_ids, crc_yes_and_no, bad_contents, missing_device,
		several_devices, power_on_reset_value, slow_w1_slave, NULL,
	};

	fx_sysroot();
	return fx_run_suite("ds18b20", "w1", setup, NULL, 30, tests);
}
