/* SPDX-License-Identifier: MIT */
/*
 * Test fixture for drivers: a sensor configured from "key=value" strings
 * through the driver's own configure(), and a private fake sysroot
 * (SENSORGW_SYSROOT) that tests fill with sysfs files.
 */
#ifndef SGW_TEST_DRV_FIXTURE_H
#define SGW_TEST_DRV_FIXTURE_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

#include "sensor.h"	/* and src/config.h: plain "config.h" is autoconf's here */

struct fx_sensor {
	struct sgw_sensor_config sc;
	struct sgw_sensor s;
	struct sgw_diag diag;
	char *msgs;		/* what configure() reported */
	size_t msgs_len;
	FILE *msgs_out;
	int configured;		/* configure() returned 0 */
	int opened;
};

/*
 * Configure a sensor NAME of DRIVER with keys KV ("key=value", NULL-ended),
 * interval and timeout in ms.  Returns configure()'s result; the messages
 * are in fx->msgs.  Fails the test if the driver is unknown.
 */
int fx_configure(struct fx_sensor *fx, const char *driver, const char *const *kv,
		 uint32_t interval_ms, uint32_t timeout_ms);
/* Keys configure() left unread (the core would call them unknown). */
int fx_unused_keys(const struct fx_sensor *fx);
/* open() the configured sensor; its result. */
int fx_open(struct fx_sensor *fx);
/*
 * fx_configure() and fx_open() for a test that needs an open sensor:
 * fails the test unless both return 0 and every key in KV was read.
 */
void fx_start(struct fx_sensor *fx, const char *driver, const char *const *kv,
	      uint32_t interval_ms, uint32_t timeout_ms);
int fx_read(struct fx_sensor *fx, int32_t *values, uint32_t *valid);
/* close() if opened, free_config(), free everything. */
void fx_free(struct fx_sensor *fx);

/*
 * The process's fake sysroot: created on first use (mkdtemp) and exported
 * as SENSORGW_SYSROOT, removed at exit.  One per process, in case the core
 * reads the variable only once.  Call it from main() before running the
 * suite (it aborts rather than asserts, so it works outside a test).
 */
const char *fx_sysroot(void);
/* Create REL (e.g. "/sys/bus/w1/devices/28-x/w1_slave") under the sysroot with CONTENT. */
void fx_write(const char *rel, const char *content);
/* mkdir -p REL under the sysroot. */
void fx_mkdir(const char *rel);
/* Empty the sysroot (between test cases). */
void fx_clear(void);
/* CLOCK_MONOTONIC in ms. */
int64_t fx_now_ms(void);

/*
 * Run suite NAME as one test case TCASE holding TESTS (NULL-ended), each
 * between SETUP and TEARDOWN (either may be NULL) and given TIMEOUT_S
 * seconds.  Returns the exit status for main().
 */
int fx_run_suite(const char *name, const char *tcase, SFun setup, SFun teardown,
		 double timeout_s, const TTest *const *tests);

#endif
