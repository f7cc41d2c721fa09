/* SPDX-License-Identifier: MIT */
/*
 * The daemon's state, shared by its files; each calls only those below it:
 *   loop.c     the poll loop, signals, start and stop
 *   reload.c   SIGHUP: a new configuration, the readings in memory carried over
 *   actuators.c the outputs: opened, commanded, their state published, made safe
 *   service.c  the service manager: READY, RELOADING, STOPPING, STATUS, WATCHDOG
 *   stats.c    the statistics: <status topic>/stats, the status file, a summary
 *   timesync.c the wall clock: synchronised yet, readings re-stamped when it is
 *   sensors.c  the sampling side: schedule, requests, samples to the router
 *   health.c   per-sensor timeouts, backoff and error reports (health.h)
 *   notify.c   the service manager's notification socket (notify.h)
 */
#ifndef SGW_DAEMON_INT_H
#define SGW_DAEMON_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon.h"
#include "deliver/router.h"
#include "deliver/seqstore.h"
#include "health.h"
#include "notify.h"
#include "sense/pipeline.h"
#include "sense/scheduler.h"
#include "sense/worker.h"

struct sgw_daemon {
	struct sgw_config *cfg;
	const struct sgw_daemon_opts *opts;
	/* sampling (sensors.c) */
	struct sgw_workers *workers;
	struct sgw_sched sched;
	struct sgw_health *health;
	struct sgw_pipeline *pipe;
	int tfd;			/* the schedule's timerfd */
	/* delivery */
	struct sgw_router *router;
	/* the outputs (actuators.c) */
	struct sgw_daemon_actuators *actuators;
	struct sgw_seqstore seq;
	/* statistics (stats.c) */
	int64_t start_ns, next_stats_ns;
	char *status_path;		/* NULL: no status file */
	int64_t once_deadline_ns;	/* --once gives up then */
	/* the wall clock (timesync.c) */
	int64_t next_clock_ns;		/* looked at again then; INT64_MAX: right */
	/* the service manager (service.c) */
	struct sgw_notify *notify;	/* NULL: none, or --once */
	bool notify_failing;		/* the last notification could not be sent */
	int64_t keepalive_ns;		/* WATCHDOG=1 this often; 0: no watchdog */
	int64_t next_keepalive_ns;
	int64_t next_status_ns;		/* STATUS= is looked at no sooner */
	char status[512];		/* the STATUS= line last sent */
};

/* actuators.c */

/*
 * Open every actuator of d->cfg (safe state, then initial), subscribe the
 * uplinks with commands = yes to their command topics and take the
 * router's commands; d->router must exist.  0, or -errno (logged): the
 * daemon must not run without its outputs.
 */
int sgw_actuators_start(struct sgw_daemon *d);
/* Safe state, published while the uplinks are still up, then close. */
void sgw_actuators_stop(struct sgw_daemon *d);
/*
 * The router's hook: an uplink (re)connected: the statistics soon
 * (sgw_stats_soon()) and every actuator's state published on it again.
 */
void sgw_actuators_connected(void *arg, const char *uplink);
/*
 * Run what is due at NOW_NS (pulse ends, dead times, runs), publish the
 * states that changed, apply safe_on_disconnect.  The next deadline, or
 * INT64_MAX.
 */
int64_t sgw_actuators_due(struct sgw_daemon *d, int64_t now_ns);

/* timesync.c */

/*
 * Look at the wall clock, at start (say so when it is not synchronised) or
 * after a RELOAD (with [gateway] clock = rtc now, it is taken as right),
 * before any sample is taken with the configuration; d->router must exist.
 */
void sgw_timesync_start(struct sgw_daemon *d, bool reload);
/*
 * Look again when due at NOW_NS; the moment the clock is synchronised, the
 * readings in memory are re-stamped (and it is logged).  Returns the next
 * deadline, or INT64_MAX.
 */
int64_t sgw_timesync_due(struct sgw_daemon *d, int64_t now_ns);

/* sensors.c */

/* Start the workers, the schedule and health for d->cfg.  0 or -errno. */
int sgw_sensors_start(struct sgw_daemon *d);
/*
 * Stop them.  Returns -EBUSY when a driver is stuck in a call: its thread
 * still reads d->cfg, which must then be kept.
 */
int sgw_sensors_stop(struct sgw_daemon *d);
/* Ask sensor I for a sample that was due at DUE (--once asks every sensor so). */
void sgw_sensors_request(struct sgw_daemon *d, uint32_t i, int64_t due_ns, int64_t now_ns);
/* Arm the timerfd at the next due sample (disarmed with --once). */
void sgw_sensors_arm_timer(struct sgw_daemon *d);
/* The timerfd fired: request what is due. */
void sgw_sensors_on_timer(struct sgw_daemon *d);
/* The workers' fd is readable: samples through health and the pipeline to the router. */
void sgw_sensors_on_samples(struct sgw_daemon *d);
/* A message for the router (health's error reports too). */
void sgw_daemon_emit(void *arg, struct sgw_msg *m);
/* Make sure the next N sequence numbers are on disk; a failure is logged. */
void sgw_daemon_reserve_seq(struct sgw_daemon *d, uint64_t n);

/* stats.c */

/* Publish the statistics (retained) and write the status file. */
void sgw_stats_publish(struct sgw_daemon *d);
/* The router's hook: an uplink connected, publish the statistics now. */
void sgw_stats_soon(void *arg, const char *uplink);
/*
 * Their summary in one line, into BUF (CAP > 0 bytes, cut to fit): each
 * uplink's state, the queue's depth, the failing sensors.  Its length.
 */
size_t sgw_stats_line(struct sgw_daemon *d, char *buf, size_t cap);

/* service.c: each does nothing without a service manager. */

/* Find the service manager ($NOTIFY_SOCKET, $WATCHDOG_USEC); none with --once. */
void sgw_service_open(struct sgw_daemon *d);
void sgw_service_close(struct sgw_daemon *d);
/* Started, or reloaded: READY=1 with the first STATUS=. */
void sgw_service_ready(struct sgw_daemon *d);
/* SIGHUP: RELOADING=1 (sgw_service_ready() follows unless the daemon stops). */
void sgw_service_reloading(struct sgw_daemon *d);
/* The daemon is stopping: STOPPING=1. */
void sgw_service_stopping(struct sgw_daemon *d);
/*
 * The loop woke at NOW_NS: WATCHDOG=1 when its time came, STATUS= when it
 * changed (looked at no more than once a second).  The next deadline, or
 * INT64_MAX.
 */
int64_t sgw_service_due(struct sgw_daemon *d, int64_t now_ns);

/* reload.c */

/*
 * Load d->cfg->path again; on any error in it keep running as before (0).
 * -errno when the new configuration could not be started: the daemon
 * must stop.
 */
int sgw_daemon_reload(struct sgw_daemon *d);
/* Paho with TLS when an uplink of CFG needs it.  0 or -errno (sgw_paho_load()). */
int sgw_daemon_load_paho(const struct sgw_config *cfg, char *err, size_t errlen);

#endif
