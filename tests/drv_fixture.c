/* SPDX-License-Identifier: MIT */
/* Driver test fixture (see drv_fixture.h). */
#include "drv_fixture.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char sysroot[PATH_MAX];
static pid_t sysroot_owner;

int fx_configure(struct fx_sensor *fx, const char *driver, const char *const *kv,
		 uint32_t interval_ms, uint32_t timeout_ms)
{
	struct sgw_opt **tail;
	int ret;

	memset(fx, 0, sizeof(*fx));
	fx->sc.name = strdup("test");
	fx->sc.line = 1;
	fx->sc.driver = sgw_driver_find(driver);
	ck_assert_msg(fx->sc.driver != NULL, "driver %s not registered", driver);
	fx->sc.interval_ms = interval_ms;
	fx->sc.timeout_ms = timeout_ms;
	tail = &fx->sc.opts;
	for (int i = 0; kv && kv[i]; i++) {
		struct sgw_opt *o = calloc(1, sizeof(*o));
		const char *eq = strchr(kv[i], '=');

		ck_assert_ptr_nonnull(o);
		ck_assert_ptr_nonnull(eq);
		o->key = strndup(kv[i], (size_t)(eq - kv[i]));
		o->value = strdup(eq + 1);
		o->line = i + 2;
		*tail = o;
		tail = &o->next;
	}
	fx->msgs_out = open_memstream(&fx->msgs, &fx->msgs_len);
	ck_assert_ptr_nonnull(fx->msgs_out);
	fx->diag.file = "test.ini";
	fx->diag.out = fx->msgs_out;
	ret = fx->sc.driver->configure(&fx->sc, &fx->diag);
	fflush(fx->msgs_out);
	fx->configured = ret == 0;
	fx->s.cfg = &fx->sc;
	if (ret == 0)
		ck_assert_int_eq(fx->diag.errors, 0);
	else
		ck_assert_int_gt(fx->diag.errors, 0);	/* -EINVAL comes with a message */
	return ret;
}

int fx_unused_keys(const struct fx_sensor *fx)
{
	int n = 0;

	for (const struct sgw_opt *o = fx->sc.opts; o; o = o->next)
		n += !o->used;
	return n;
}

int fx_open(struct fx_sensor *fx)
{
	int ret = 0;

	ck_assert(fx->configured);
	if (fx->sc.driver->open)
		ret = fx->sc.driver->open(&fx->s);
	fx->opened = ret == 0;
	return ret;
}

void fx_start(struct fx_sensor *fx, const char *driver, const char *const *kv,
	      uint32_t interval_ms, uint32_t timeout_ms)
{
	ck_assert_int_eq(fx_configure(fx, driver, kv, interval_ms, timeout_ms), 0);
	ck_assert_int_eq(fx_unused_keys(fx), 0);
	ck_assert_int_eq(fx_open(fx), 0);
}

int fx_read(struct fx_sensor *fx, int32_t *values, uint32_t *valid)
{
	*valid = 0;
	return fx->sc.driver->read(&fx->s, values, valid);
}

void fx_free(struct fx_sensor *fx)
{
	struct sgw_opt *o, *next;

	if (fx->opened && fx->sc.driver->close)
		fx->sc.driver->close(&fx->s);
	if (fx->configured && fx->sc.driver->free_config)
		fx->sc.driver->free_config(&fx->sc);
	for (o = fx->sc.opts; o; o = next) {
		next = o->next;
		free(o->key);
		free(o->value);
		free(o);
	}
	for (size_t i = 0; i < fx->sc.nchannels; i++) {
		free(fx->sc.ch[i].name);
		free(fx->sc.ch[i].unit);
		free(fx->sc.ch[i].topic);
		free(fx->sc.ch[i].filter);
	}
	free(fx->sc.bus);
	free(fx->sc.name);
	if (fx->msgs_out)
		fclose(fx->msgs_out);
	free(fx->msgs);
	memset(fx, 0, sizeof(*fx));
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	if (ftw->level > 0)
		remove(path);
	return 0;
}

void fx_clear(void)
{
	nftw(fx_sysroot(), rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void sysroot_remove(void)
{
	/* Check's forked test cases exit too: only the creator removes it */
	if (getpid() != sysroot_owner)
		return;
	fx_clear();
	rmdir(sysroot);
}

const char *fx_sysroot(void)
{
	if (!sysroot[0]) {
		const char *tmp = getenv("TMPDIR");

		snprintf(sysroot, sizeof(sysroot), "%s/sgw-sysroot-XXXXXX", tmp ? tmp : "/tmp");
		if (!mkdtemp(sysroot)) {
			perror(sysroot);
			abort();
		}
		setenv("SENSORGW_SYSROOT", sysroot, 1);
		sysroot_owner = getpid();
		atexit(sysroot_remove);
	}
	return sysroot;
}

void fx_mkdir(const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s%s", fx_sysroot(), rel);
	for (char *p = path + strlen(fx_sysroot()) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		ck_assert_msg(mkdir(path, 0755) == 0 || errno == EEXIST, "mkdir %s", path);
		*p = '/';
	}
	ck_assert_msg(mkdir(path, 0755) == 0 || errno == EEXIST, "mkdir %s", path);
}

void fx_write(const char *rel, const char *content)
{
	char dir[PATH_MAX], path[PATH_MAX];
	char *slash;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s", rel);
	slash = strrchr(dir, '/');
	ck_assert_ptr_nonnull(slash);
	*slash = '\0';
	if (dir[0])
		fx_mkdir(dir);
	snprintf(path, sizeof(path), "%s%s", fx_sysroot(), rel);
	f = fopen(path, "w");
	ck_assert_msg(f != NULL, "fopen %s", path);
	ck_assert_int_eq(fputs(content, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

int64_t fx_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int fx_run_suite(const char *name, const char *tcase, SFun setup, SFun teardown,
		 double timeout_s, const TTest *const *tests)
{
	Suite *s = suite_create(name);
	TCase *tc = tcase_create(tcase);
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, timeout_s);
	for (size_t i = 0; tests[i]; i++)
		tcase_add_test(tc, tests[i]);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
