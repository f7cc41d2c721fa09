/* SPDX-License-Identifier: MIT */
/*
 * Fake sensor drivers for the bus workers' tests: they record which thread
 * called them and in what order, and the test can hold a read, fail reads
 * and opens, or raise an event.  All state is under fake_lock; every change
 * is broadcast on fake_cond (CLOCK_MONOTONIC), so that a test waits for a
 * condition with AWAIT() instead of sleeping.
 */
#ifndef SGW_FAKE_DRIVER_H
#define SGW_FAKE_DRIVER_H

#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "conf/types.h"

/* Every wait's deadline: generous, for loaded machines, ASan and qemu-user. */
#define DEADLINE_S 10
#define FAKE_MAX 8

struct fake {
	int id;
	/* Behaviour, set by the test. */
	bool hold;		/* read() waits until the test clears it */
	int fail_reads;		/* this many reads fail with -EIO */
	int fail_opens;		/* this many opens fail with -ENODEV */
	bool event_pending;	/* wait_event() reports one event */
	int32_t value;		/* read(): values {value, -value}; an event: {value} */
	/* What happened. */
	int opens, reads, closes, events;
	bool opened, in_read;
	bool read_unopened;	/* read() called without a successful open() */
	int others_reading;	/* reads in progress elsewhere when the last one began */
	pthread_t open_thread, read_thread, close_thread;
};

extern pthread_mutex_t fake_lock;
extern pthread_cond_t fake_cond;
extern struct fake fakes[FAKE_MAX];
extern int fake_log[64];	/* sensor of each read, in call order */
extern size_t fake_nlog;
/* The configuration fake_add_sensor() fills. */
extern struct sgw_config fake_cfg;

/* open, read, close: only what the workers call (configure is the loader's). */
extern const struct sgw_driver fake_drv;
/* The same with wait_event: an event source. */
extern const struct sgw_driver fake_event_drv;

/* Once, before any test: makes fake_cond. */
void fake_init(void);
/* An empty fake_cfg and fresh fakes; no thread may be using them. */
void fake_reset(void);
/* Sensor number fake_cfg.nsensors, on BUS, driven by the fake of that number. */
uint32_t fake_add_sensor(char *bus, const struct sgw_driver *drv, bool inline_io);
/* A copy of fake F, taken under the lock, to assert on without holding it. */
struct fake fake_peek(const struct fake *f);
/* Now plus MS on CLOCK_MONOTONIC, for fake_cond. */
struct timespec fake_deadline(int64_t ms);

/* Wait until EXPR (read under fake_lock) holds; fail the case after DEADLINE_S. */
#define AWAIT(expr)								\
	do {									\
		struct timespec dl_ = fake_deadline(DEADLINE_S * 1000);		\
		bool ok_;							\
										\
		pthread_mutex_lock(&fake_lock);					\
		while (!(expr))							\
			if (pthread_cond_timedwait(&fake_cond, &fake_lock, &dl_) == ETIMEDOUT) \
				break;						\
		ok_ = (expr);							\
		pthread_mutex_unlock(&fake_lock);				\
		ck_assert_msg(ok_, "no %s within %d s", #expr, DEADLINE_S);	\
	} while (0)

/* Run STMT under fake_lock and wake the drivers. */
#define LOCKED(stmt)								\
	do {									\
		pthread_mutex_lock(&fake_lock);					\
		stmt;								\
		pthread_cond_broadcast(&fake_cond);				\
		pthread_mutex_unlock(&fake_lock);				\
	} while (0)

#endif
