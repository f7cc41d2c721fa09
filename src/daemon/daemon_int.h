/* SPDX-License-Identifier: MIT */
/*
 * The daemon's state, shared by its files; each calls only those below it:
 *   loop.c     the poll loop, signals, start and stop
 *   reload.c   SIGHUP: a new configuration, the readings in memory carried over
 *   stats.c    the statistics: <status topic>/stats and the status file
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
	struct sgw_seqstore seq;
	/* statistics (stats.c) */
	int64_t start_ns, next_stats_ns;
	char *status_path;		/* NULL: no status file */
	int64_t once_deadline_ns;	/* --once gives up then */
};

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
