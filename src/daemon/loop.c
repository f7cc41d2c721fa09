/* SPDX-License-Identifier: MIT */
/*
 * The poll loop: signals, the schedule's timer, the workers' samples and
 * the uplinks' events, with the deadlines of read timeouts, statistics,
 * reconnects, the disk queue's group commit, the actuators' timers, the service manager's
 * watchdog and the look at an unsynchronised clock; start and stop.
 */
#include "daemon_int.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "load/load.h"
#include "statusfile.h"
#include "util/clock.h"
#include "util/log.h"

/* How long stopping waits for in-flight messages. */
#define STOP_FLUSH_MS 3000

static int signals_open(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	/* Blocked before any thread starts, so Paho's and the workers' inherit it. */
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* Returns false on SIGTERM/SIGINT; sets *RELOAD on SIGHUP. */
static bool handle_signals(int sfd, bool *reload)
{
	struct signalfd_siginfo si;
	bool run = true;

	while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			*reload = true;
		} else {
			log_info("signal %u: stopping", si.ssi_signo);
			run = false;
		}
	}
	return run;
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* Start everything but the loop; returns 0 or logs why not and returns -1. */
static int start(struct sgw_daemon *d)
{
	struct sgw_router_opts ro = { .connected = sgw_actuators_connected, .arg = d };
	const struct sgw_config *cfg = d->cfg;
	char err[256];
	int r;

	d->start_ns = sgw_mono_ns();
	d->next_stats_ns = d->start_ns + 2 * SGW_NS_PER_S;
	d->status_path = d->opts->once ? NULL : sgw_statusfile_path(cfg);
	r = sgw_seqstore_open(&d->seq, cfg->gw.state_dir, (uint64_t)sgw_real_ms() * 1000);
	if (r < 0)
		log_warnx("%s/seq: %s; sequence numbers %s", cfg->gw.state_dir, strerror(-r),
			  r == -EBADMSG ? "restart from the clock" : "are kept in memory only");
	d->pipe = sgw_pipeline_new(cfg, err, sizeof(err));
	if (!d->pipe) {
		log_warnx("%s: %s", cfg->path, err);
		return -1;
	}
	if (sgw_daemon_load_paho(cfg, err, sizeof(err)) < 0) {
		log_warnx("%s", err);
		return -1;
	}
	d->router = sgw_router_new(cfg, &ro);
	if (!d->router) {
		log_warn("cannot start the MQTT uplinks");
		return -1;
	}
	if (sgw_actuators_start(d) < 0)
		return -1;
	sgw_timesync_start(d, false);
	r = sgw_sensors_start(d);
	if (r < 0) {
		log_warnx("cannot start the sensor workers: %s", strerror(-r));
		return -1;
	}
	log_info("started: %zu sensors, %zu actuators, %zu uplinks, status on %s", cfg->nsensors,
		 cfg->nactuators, sgw_router_nlinks(d->router), cfg->gw.status_topic);
	return 0;
}

static void stop(struct sgw_daemon *d)
{
	/* Outputs safe first, and said so before the status goes offline. */
	sgw_actuators_stop(d);
	if (sgw_sensors_stop(d) == -EBUSY)
		d->cfg = NULL;	/* a stuck driver thread still reads it */
	sgw_router_stop(d->router, STOP_FLUSH_MS);
	sgw_pipeline_free(d->pipe);
	sgw_config_free(d->cfg);
	sgw_seqstore_close(&d->seq);
	if (d->status_path)
		unlink(d->status_path);
	free(d->status_path);
}

/* --once: every sensor asked now; done when all answered and all is delivered. */
static void once_start(struct sgw_daemon *d)
{
	int64_t now = sgw_mono_ns();

	d->once_deadline_ns = now + (int64_t)d->opts->once_timeout_ms * SGW_NS_PER_MS;
	sgw_health_start_once(d->health);
	for (uint32_t i = 0; i < d->cfg->nsensors; i++)
		sgw_sensors_request(d, i, now, now);
}

static bool once_done(struct sgw_daemon *d)
{
	return sgw_health_once_waiting(d->health) == 0 && sgw_router_idle(d->router);
}

/* Run what is due now; returns the next deadline. */
static int64_t run_due(struct sgw_daemon *d)
{
	int64_t now = sgw_mono_ns(), next;

	next = sgw_health_check(d->health, now);
	if (!d->opts->once) {
		if (now >= d->next_stats_ns) {
			sgw_stats_publish(d);
			d->next_stats_ns = now + (int64_t)d->cfg->gw.stats_interval_ms * SGW_NS_PER_MS;
		}
		next = min64(next, d->next_stats_ns);
	}
	next = min64(next, sgw_timesync_due(d, now));
	now = sgw_mono_ns();
	if (sgw_router_next_deadline(d->router) <= now)
		sgw_router_tick(d->router, now);
	next = min64(next, sgw_router_next_deadline(d->router));
	next = min64(next, sgw_actuators_due(d, sgw_mono_ns()));
	/* Fed here, in the loop itself: a loop that hangs stops the keep-alives. */
	return min64(next, sgw_service_due(d, sgw_mono_ns()));
}

int sgw_daemon_run(struct sgw_config *cfg, const struct sgw_daemon_opts *o)
{
	struct sgw_daemon d = { .cfg = cfg, .opts = o, .tfd = -1 };
	struct pollfd pfd[3 + SGW_MAX_UPLINKS];
	bool reload = false;
	int status = 0, sfd;

	sfd = signals_open();
	d.tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (sfd < 0 || d.tfd < 0) {
		log_warn("signalfd/timerfd");
		status = 1;
		goto out_close;
	}
	if (start(&d) < 0) {
		status = 1;
		goto out_stop;
	}
	if (o->once)
		once_start(&d);
	sgw_sensors_arm_timer(&d);
	sgw_service_open(&d);
	sgw_service_ready(&d);

	for (;;) {
		int64_t now, next;
		size_t n = 0;
		int timeout;

		if (reload) {
			reload = false;
			sgw_service_reloading(&d);
			if (sgw_daemon_reload(&d) < 0) {
				status = 1;
				break;
			}
			sgw_service_ready(&d);
		}
		next = run_due(&d);
		if (o->once) {
			if (once_done(&d))
				break;
			if (sgw_mono_ns() >= d.once_deadline_ns) {
				log_warnx("--once: gave up after %d ms", o->once_timeout_ms);
				status = 1;
				break;
			}
			next = min64(next, d.once_deadline_ns);
		}
		now = sgw_mono_ns();
		timeout = next == INT64_MAX ? -1 : (int)((next - now + SGW_NS_PER_MS - 1) / SGW_NS_PER_MS);
		if (next != INT64_MAX && timeout < 0)
			timeout = 0;

		pfd[n++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = d.tfd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = sgw_workers_fd(d.workers), .events = POLLIN };
		n += sgw_router_pollfds(d.router, pfd + n, SGW_MAX_UPLINKS);
		if (poll(pfd, n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			log_warn("poll");
			status = 1;
			break;
		}
		if (pfd[0].revents && !handle_signals(sfd, &reload))
			break;
		if (pfd[1].revents)
			sgw_sensors_on_timer(&d);
		if (pfd[2].revents)
			sgw_sensors_on_samples(&d);
		sgw_router_dispatch(d.router, pfd + 3, n - 3);
	}
	sgw_service_stopping(&d);
	if (o->once && d.health && sgw_health_once_failed(d.health)) {
		log_warnx("--once: %zu sensor(s) failed", sgw_health_once_failed(d.health));
		status = 1;
	}
out_stop:
	stop(&d);
	sgw_service_close(&d);
out_close:
	if (d.tfd >= 0)
		close(d.tfd);
	if (sfd >= 0)
		close(sfd);
	return status;
}
