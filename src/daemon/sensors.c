/* SPDX-License-Identifier: MIT */
/*
 * The sampling side of the daemon: the schedule's timerfd asks the bus
 * workers for samples, and the samples that come back go through health
 * (deadlines, failures) and the pipeline (filters, payloads) to the router.
 */
#include "daemon_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/log.h"

/* Sensors taken from the schedule, or samples from the workers, at a time. */
#define BATCH_MAX 256
/* How long stopping waits for a driver stuck in a call. */
#define STOP_WORKERS_MS 2000

void sgw_daemon_emit(void *arg, struct sgw_msg *m)
{
	struct sgw_daemon *d = arg;

	sgw_router_emit(d->router, m);
}

void sgw_daemon_reserve_seq(struct sgw_daemon *d, uint64_t n)
{
	int err = sgw_seqstore_reserve(&d->seq, n);

	if (err < 0)
		log_warnx("%s: cannot store the sequence number: %s",
			  d->seq.path ? d->seq.path : "seq", strerror(-err));
}

static uint64_t take_seq(void *arg)
{
	struct sgw_daemon *d = arg;

	sgw_daemon_reserve_seq(d, 1);
	return d->seq.next++;
}

int sgw_sensors_start(struct sgw_daemon *d)
{
	const struct sgw_config *cfg = d->cfg;
	struct sgw_health_sink sink = { .take_seq = take_seq, .emit = sgw_daemon_emit, .arg = d };
	uint32_t *periods = calloc(cfg->nsensors ? cfg->nsensors : 1, sizeof(*periods));
	int64_t now = sgw_mono_ns();
	int err;

	if (!periods)
		return -ENOMEM;
	for (size_t i = 0; i < cfg->nsensors; i++)
		periods[i] = cfg->sensors[i].interval_ms;
	err = sgw_sched_init(&d->sched, cfg->nsensors, periods, now);
	free(periods);
	if (err < 0)
		return err;
	d->health = sgw_health_new(cfg, &sink, now);
	if (!d->health)
		return -ENOMEM;
	d->workers = sgw_workers_new(cfg);
	if (!d->workers)
		return -errno;
	return 0;
}

int sgw_sensors_stop(struct sgw_daemon *d)
{
	int err = sgw_workers_free(d->workers, STOP_WORKERS_MS);

	if (err == -EBUSY)
		log_warnx("a sensor driver did not return within %d ms; leaving it behind",
			  STOP_WORKERS_MS);
	d->workers = NULL;
	sgw_sched_free(&d->sched);
	sgw_health_free(d->health);
	d->health = NULL;
	return err;
}

void sgw_sensors_request(struct sgw_daemon *d, uint32_t i, int64_t due_ns, int64_t now_ns)
{
	if (!sgw_health_may_request(d->health, i, now_ns))
		return;
	if (sgw_workers_request(d->workers, i, due_ns) == -EBUSY) {
		/* The previous read is still running (a hung bus): skip this one. */
		sgw_health_skipped(d->health, i);
		return;
	}
	sgw_health_requested(d->health, i, now_ns);
}

void sgw_sensors_arm_timer(struct sgw_daemon *d)
{
	int64_t next = sgw_sched_next_due(&d->sched);
	struct itimerspec its = { 0 };

	if (next == INT64_MAX || d->opts->once) {
		timerfd_settime(d->tfd, 0, &its, NULL);	/* disarm */
		return;
	}
	if (next <= 0)
		next = 1;
	its.it_value.tv_sec = next / SGW_NS_PER_S;
	its.it_value.tv_nsec = next % SGW_NS_PER_S;
	timerfd_settime(d->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

void sgw_sensors_on_timer(struct sgw_daemon *d)
{
	uint32_t idx[BATCH_MAX];
	int64_t due[BATCH_MAX];
	uint64_t ticks;
	int64_t now = sgw_mono_ns();
	size_t n;

	if (read(d->tfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		log_warn("timerfd");
	do {
		n = sgw_sched_take_due(&d->sched, now, idx, due, BATCH_MAX);
		for (size_t k = 0; k < n; k++)
			sgw_sensors_request(d, idx[k], due[k], now);
	} while (n == BATCH_MAX);
	sgw_sensors_arm_timer(d);
}

void sgw_sensors_on_samples(struct sgw_daemon *d)
{
	struct sgw_sample batch[BATCH_MAX];
	int64_t now = sgw_mono_ns();
	size_t n, k;

	while ((n = sgw_workers_collect(d->workers, batch, BATCH_MAX)) > 0) {
		k = 0;
		for (size_t i = 0; i < n; i++)
			if (sgw_health_result(d->health, &batch[i], now))
				batch[k++] = batch[i];
		sgw_daemon_reserve_seq(d, (uint64_t)k * SGW_MAX_CHANNELS);
		sgw_pipeline_run(d->pipe, batch, k, &d->seq.next, sgw_daemon_emit, d);
	}
}
