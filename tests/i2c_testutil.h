/* SPDX-License-Identifier: MIT */
/* Shared set-up of the I2C driver tests: backends, sysroot, sensors. */
#ifndef SGW_TEST_I2C_TESTUTIL_H
#define SGW_TEST_I2C_TESTUTIL_H

#include <check.h>
#include <stdint.h>

#include "sensor.h"

/* Backend under test, picked by the test case's fixture. */
enum tu_backend { TU_SIM, TU_LINUX };

/*
 * Fixture: a private sysroot (mkdtemp, with dev/) in SENSORGW_SYSROOT, no
 * simulated chips, shim counters cleared, and the backend selected.
 * tu_teardown() removes the sysroot and detaches every chip.
 */
void tu_setup(enum tu_backend b);
void tu_setup_sim(void);
void tu_setup_linux(void);
void tu_teardown(void);
const char *tu_sysroot(void);
/* Create sysroot-relative file REL (and its directories) holding TEXT. */
void tu_mkfile(const char *rel, const char *text);

/* A sensor configured from "key=value" strings, as config.c would: `bus`
 * goes to sc->bus ("sensor:test" when absent), the rest to the driver. */
struct tu_sensor {
	struct sgw_sensor_config sc;
	struct sgw_sensor s;
	char err[512];		/* what configure() reported */
	int opened;
};

/* Configure; returns configure()'s result (the driver's name is DRIVER).
 * KV is NULL-terminated. */
int tu_configure(struct tu_sensor *t, const char *driver, const char *const *kv);
int tu_open(struct tu_sensor *t);
/* tu_configure() with KV, then tu_open() with a timeout of TIMEOUT_MS:
 * fails the test unless both return 0. */
void tu_start(struct tu_sensor *t, const char *driver, const char *const *kv,
	      uint32_t timeout_ms);
int tu_read(struct tu_sensor *t, int32_t *values, uint32_t *valid);
void tu_free(struct tu_sensor *t);

/*
 * Run suite NAME: the CHIP tests once without fixture, the BUS tests once
 * per backend (test cases "sim" and "linux", each test in a fresh
 * tu_setup()), the LINUX tests with the Linux backend only.  Each list is
 * NULL-terminated or NULL.  Returns the exit status for main().
 */
int tu_run_suite(const char *name, const TTest *const *chip, const TTest *const *bus,
		 const TTest *const *linux_only);

/*
 * The faults every bus can have, on opened sensor T whose chip sits at
 * (BUS, ADDR) and which was opened with a timeout of at most 500 ms: a NAK
 * reads -ENXIO, a bus error -EIO, a chip stretching the clock for 5 s
 * -ETIMEDOUT well before that; no value is marked valid; each fault hits
 * one read and the next read succeeds.
 */
void tu_check_bus_faults(struct tu_sensor *t, int bus, uint16_t addr);

/* Milliseconds on CLOCK_MONOTONIC. */
int64_t tu_now_ms(void);

#endif
