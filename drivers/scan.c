/* SPDX-License-Identifier: MIT */
#include "scan.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "drivers/hal/i2c.h"
#include "drivers/hal/sysroot.h"
#include "util/parse.h"

/* i2cdetect's default range: 0x00..0x07 and 0x78..0x7f are reserved */
#define ADDR_FIRST 0x08
#define ADDR_LAST 0x77
#define SCAN_TIMEOUT_MS 200

static void usage(void)
{
	fputs("usage: sensorgw scan [--bus N]\n", stderr);
}

/*
 * The driver of the chip at ADDR, or NULL when none recognises it: the
 * first in registry order whose chip can have the address and whose probe
 * says it is there.  A probe that fails on the bus counts as a no, as a
 * NAK does: the next driver may still know the chip.
 */
static const struct sgw_driver *identify(struct sgw_i2c *i2c, uint16_t addr)
{
	for (size_t i = 0; sgw_drivers[i]; i++) {
		const struct sgw_driver *drv = sgw_drivers[i];

		if (drv->i2c_probe && sgw_driver_has_i2c_addr(drv, addr) &&
		    drv->i2c_probe(i2c, addr) == 1)
			return drv;
	}
	return NULL;
}

static int scan_bus(int bus)
{
	struct sgw_i2c *i2c;
	int ret = sgw_i2c_open(bus, SCAN_TIMEOUT_MS, &i2c);

	if (ret < 0) {
		fprintf(stderr, "sensorgw scan: %s/dev/i2c-%d: %s\n", sgw_sysroot(), bus, strerror(-ret));
		return 1;
	}
	printf("\n; I2C bus %d\n", bus);
	for (uint16_t a = ADDR_FIRST; a <= ADDR_LAST; a++) {
		const struct sgw_driver *drv;
		const char *name;

		ret = sgw_i2c_probe(i2c, a);
		if (ret == -EBUSY) {
			printf("\n; 0x%02x: in use by a kernel driver\n", a);
			continue;
		}
		if (ret < 0) {
			fprintf(stderr, "sensorgw scan: i2c-%d at 0x%02x: %s\n", bus, a, strerror(-ret));
			sgw_i2c_close(i2c);
			return 1;
		}
		if (ret == 0)
			continue;
		drv = identify(i2c, a);
		if (!drv) {
			printf("\n; 0x%02x: a chip answers; not one sensorgw knows\n", a);
			continue;
		}
		name = drv->name;
		if (bus == 1)
			printf("\n[sensor %s_%02x]\n", name, a);
		else
			printf("\n[sensor %s_%d_%02x]\n", name, bus, a);
		printf("driver = %s\nbus = %d\naddress = 0x%02x\ninterval = 10s\n", name, bus, a);
	}
	sgw_i2c_close(i2c);
	return 0;
}

static int is_i2c_dev(const struct dirent *e)
{
	long n;

	return strncmp(e->d_name, "i2c-", 4) == 0 && sgw_parse_long(e->d_name + 4, 0, 255, &n) == 0;
}

static int is_w1_thermometer(const struct dirent *e)
{
	return strncmp(e->d_name, "28-", 3) == 0;	/* family code 0x28: DS18B20 */
}

static int is_iio_device(const struct dirent *e)
{
	return strncmp(e->d_name, "iio:device", 10) == 0;
}

/* Entries of sysroot + DIR accepted by FILTER, in version order (2 < 10);
 * returns their number, 0 (and *out NULL) when the directory is missing. */
static int list_dir(const char *dir, int (*filter)(const struct dirent *), struct dirent ***out)
{
	char path[4096];
	int n;

	snprintf(path, sizeof(path), "%s%s", sgw_sysroot(), dir);
	n = scandir(path, out, filter, versionsort);
	if (n < 0) {
		*out = NULL;
		return 0;
	}
	return n;
}

static int scan_all_i2c(void)
{
	struct dirent **e;
	int n = list_dir("/dev", is_i2c_dev, &e), rc = 0;

	if (n == 0)
		fprintf(stderr, "sensorgw scan: no I2C bus in %s/dev (dtparam=i2c_arm=on?)\n", sgw_sysroot());
	for (int i = 0; i < n; i++) {
		if (scan_bus((int)strtol(e[i]->d_name + 4, NULL, 10)))
			rc = 1;
		free(e[i]);
	}
	free(e);
	return rc;
}

static void scan_w1(void)
{
	struct dirent **e;
	int n = list_dir("/sys/bus/w1/devices", is_w1_thermometer, &e);

	if (n > 0)
		printf("\n; 1-Wire\n");
	for (int i = 0; i < n; i++) {
		printf("\n[sensor ds18b20_%s]\ndriver = ds18b20\nid = %s\ninterval = 30s\n",
		       e[i]->d_name + 3, e[i]->d_name);
		free(e[i]);
	}
	free(e);
}

static void scan_iio(void)
{
	struct dirent **e;
	int n = list_dir("/sys/bus/iio/devices", is_iio_device, &e);

	if (n > 0)
		printf("\n; IIO\n");
	for (int i = 0; i < n; i++) {
		char path[4096], name[64] = "";
		FILE *f;

		snprintf(path, sizeof(path), "%s/sys/bus/iio/devices/%s/name", sgw_sysroot(), e[i]->d_name);
		f = fopen(path, "re");
		if (f) {
			if (fgets(name, sizeof(name), f))
				name[strcspn(name, "\n")] = '\0';
			fclose(f);
		}
		/* The dht11 overlay's driver reads DHT11 and DHT22 alike. */
		if (strcmp(name, "dht11") == 0)
			printf("\n[sensor dht22_%s]\ndriver = dht22\ndevice = %s\ninterval = 30s\n",
			       e[i]->d_name + 10, e[i]->d_name);
		else
			printf("\n; %s: %s (no sensorgw driver)\n", e[i]->d_name, name[0] ? name : "?");
		free(e[i]);
	}
	free(e);
}

int sgw_scan_main(int argc, char **argv)
{
	long bus = -1;
	int rc;

	for (int i = 1; i < argc; i++) {
		const char *v = NULL;

		if (strcmp(argv[i], "--bus") == 0 || strcmp(argv[i], "-b") == 0) {
			v = i + 1 < argc ? argv[++i] : NULL;
		} else if (strncmp(argv[i], "--bus=", 6) == 0) {
			v = argv[i] + 6;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs("usage: sensorgw scan [--bus N]\n"
			      "Print INI sections for the sensors found on I2C bus N (default: all),\n"
			      "1-Wire and IIO.\n", stdout);
			return 0;
		} else {
			fprintf(stderr, "sensorgw scan: unknown argument '%s'\n", argv[i]);
			usage();
			return 2;
		}
		if (!v || sgw_parse_long(v, 0, 255, &bus) < 0) {
			fprintf(stderr, "sensorgw scan: --bus wants a bus number 0..255\n");
			usage();
			return 2;
		}
	}
	printf("; sensorgw scan: paste the sections you want into sensorgw.ini\n");
	rc = bus >= 0 ? scan_bus((int)bus) : scan_all_i2c();
	scan_w1();
	scan_iio();
	fflush(stdout);
	return rc;
}
