/* SPDX-License-Identifier: MIT */
#include "i2c_testutil.h"

#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "hal/i2c.h"
#include "hal/i2c_sim.h"
#include "i2c_shim.h"

static char sysroot[256];

const char *tu_sysroot(void)
{
	return sysroot;
}

void tu_setup(enum tu_backend b)
{
	const char *tmp = getenv("TMPDIR");
	char dev[300];

	snprintf(sysroot, sizeof(sysroot), "%s/sgw-i2c-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(sysroot));
	snprintf(dev, sizeof(dev), "%s/dev", sysroot);
	ck_assert_int_eq(mkdir(dev, 0700), 0);
	ck_assert_int_eq(setenv("SENSORGW_SYSROOT", sysroot, 1), 0);
	sgw_i2c_sim_reset();
	i2c_shim_reset();
	sgw_i2c_set_backend(b == TU_LINUX ? &sgw_i2c_linux_ops : &sgw_i2c_sim_ops);
}

void tu_setup_sim(void)
{
	tu_setup(TU_SIM);
}

void tu_setup_linux(void)
{
	tu_setup(TU_LINUX);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

void tu_teardown(void)
{
	sgw_i2c_sim_reset();
	if (sysroot[0])
		nftw(sysroot, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	sysroot[0] = '\0';
	unsetenv("SENSORGW_SYSROOT");
}

void tu_mkfile(const char *rel, const char *text)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", sysroot, rel);
	for (char *p = path + strlen(sysroot) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		ck_assert(mkdir(path, 0700) == 0 || errno == EEXIST);
		*p = '/';
	}
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

int tu_configure(struct tu_sensor *t, const char *driver, const char *const *kv)
{
	struct sgw_opt **tail;
	struct sgw_diag d = { .file = "test.ini" };
	int ret;

	memset(t, 0, sizeof(*t));
	t->sc.name = strdup("test");
	t->sc.line = 1;
	t->sc.bus = strdup("sensor:test");	/* config.c's value when `bus` is absent */
	t->sc.timeout_ms = 1000;
	t->sc.interval_ms = 10000;
	t->sc.driver = sgw_driver_find(driver);
	ck_assert_msg(t->sc.driver != NULL, "no driver %s", driver);
	tail = &t->sc.opts;
	for (int i = 0; kv && kv[i]; i++) {
		struct sgw_opt *o = calloc(1, sizeof(*o));
		const char *eq = strchr(kv[i], '=');

		ck_assert_ptr_nonnull(o);
		ck_assert_ptr_nonnull(eq);
		if (strncmp(kv[i], "bus=", 4) == 0) {
			/* a core key: config.c keeps it in sc->bus */
			free(t->sc.bus);
			t->sc.bus = strdup(eq + 1);
			free(o);
			continue;
		}
		o->key = strndup(kv[i], (size_t)(eq - kv[i]));
		o->value = strdup(eq + 1);
		o->line = 2 + i;
		*tail = o;
		tail = &o->next;
	}
	d.out = fmemopen(t->err, sizeof(t->err) - 1, "w");
	ck_assert_ptr_nonnull(d.out);
	ret = t->sc.driver->configure(&t->sc, &d);
	fclose(d.out);
	if (ret == 0) {
		ck_assert_int_eq(d.errors, 0);
		/* every key given must have been read */
		for (struct sgw_opt *o = t->sc.opts; o; o = o->next)
			ck_assert_msg(o->used, "key %s not used", o->key);
	} else {
		ck_assert_int_gt(d.errors, 0);
	}
	t->s.cfg = &t->sc;
	return ret;
}

int tu_open(struct tu_sensor *t)
{
	int ret = t->sc.driver->open(&t->s);

	t->opened = ret == 0;
	return ret;
}

void tu_start(struct tu_sensor *t, const char *driver, const char *const *kv,
	      uint32_t timeout_ms)
{
	ck_assert_int_eq(tu_configure(t, driver, kv), 0);
	t->sc.timeout_ms = timeout_ms;
	ck_assert_int_eq(tu_open(t), 0);
}

int tu_read(struct tu_sensor *t, int32_t *values, uint32_t *valid)
{
	*valid = 0;
	return t->sc.driver->read(&t->s, values, valid);
}

void tu_free(struct tu_sensor *t)
{
	struct sgw_opt *o, *next;

	if (t->opened && t->sc.driver->close)
		t->sc.driver->close(&t->s);
	if (t->sc.priv && t->sc.driver->free_config)
		t->sc.driver->free_config(&t->sc);
	for (size_t i = 0; i < t->sc.nchannels; i++) {
		free(t->sc.ch[i].name);
		free(t->sc.ch[i].unit);
		free(t->sc.ch[i].topic);
		free(t->sc.ch[i].filter);
	}
	for (o = t->sc.opts; o; o = next) {
		next = o->next;
		free(o->key);
		free(o->value);
		free(o);
	}
	free(t->sc.bus);
	free(t->sc.name);
	memset(t, 0, sizeof(*t));
}

void tu_check_bus_faults(struct tu_sensor *t, int bus, uint16_t addr)
{
	static const struct { int err; unsigned int hang_ms; } faults[] = {
		{ -ENXIO, 0 }, { -EIO, 0 }, { 0, 5000 },
	};
	int32_t v[SGW_MAX_CHANNELS];
	uint32_t valid;

	ck_assert_uint_le(t->sc.timeout_ms, 500);
	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		int64_t t0 = tu_now_ms();

		ck_assert_int_eq(sgw_i2c_sim_fault(bus, addr, faults[i].err, faults[i].hang_ms, 1), 0);
		ck_assert_int_eq(tu_read(t, v, &valid), faults[i].err ? faults[i].err : -ETIMEDOUT);
		ck_assert_uint_eq(valid, 0);
		ck_assert_int_lt(tu_now_ms() - t0, 2500);
		ck_assert_int_eq(tu_read(t, v, &valid), 0);
		ck_assert_uint_ne(valid, 0);
	}
}

int64_t tu_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void add_tests(TCase *tc, const TTest *const *tests)
{
	for (size_t i = 0; tests && tests[i]; i++)
		tcase_add_test(tc, tests[i]);
}

int tu_run_suite(const char *name, const TTest *const *chip, const TTest *const *bus,
		 const TTest *const *linux_only)
{
	Suite *s = suite_create(name);
	TCase *tc;
	SRunner *sr;
	int failed;

	if (chip) {
		tc = tcase_create("chip");
		add_tests(tc, chip);
		suite_add_tcase(s, tc);
	}
	tc = tcase_create("sim");
	tcase_add_checked_fixture(tc, tu_setup_sim, tu_teardown);
	tcase_set_timeout(tc, 60);
	add_tests(tc, bus);
	suite_add_tcase(s, tc);
	tc = tcase_create("linux");
	tcase_add_checked_fixture(tc, tu_setup_linux, tu_teardown);
	tcase_set_timeout(tc, 60);
	add_tests(tc, bus);
	add_tests(tc, linux_only);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
