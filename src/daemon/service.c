/* SPDX-License-Identifier: MIT */
/*
 * What the daemon tells the service manager (systemd's Type=notify):
 * READY=1 once started and again after a reload, RELOADING=1 at SIGHUP,
 * STOPPING=1, a STATUS= line kept current, and WATCHDOG=1 from the poll
 * loop itself, so that a loop that hangs stops feeding the watchdog and
 * gets restarted.  Without $NOTIFY_SOCKET, and with --once, nothing.
 */
#include "daemon_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "notify.h"
#include "util/clock.h"
#include "util/log.h"

/* STATUS= is looked at, and sent when it changed, at most this often. */
#define STATUS_EVERY_NS SGW_NS_PER_S

/* Say once when notifications start failing, and when they go through again. */
static void sent(struct sgw_daemon *d, int err)
{
	if (!d->notify)
		return;
	if (err < 0 && !d->notify_failing)
		log_warnx("NOTIFY_SOCKET=%s: %s; notifications to the service manager are lost",
			  sgw_notify_name(d->notify), strerror(-err));
	else if (err == 0 && d->notify_failing)
		log_info("NOTIFY_SOCKET=%s: notifications go through again", sgw_notify_name(d->notify));
	d->notify_failing = err < 0;
}

void sgw_service_open(struct sgw_daemon *d)
{
	uint64_t usec;

	if (d->opts->once)
		return;
	d->notify = sgw_notify_open();
	if (!d->notify) {
		if (errno)
			log_warnx("NOTIFY_SOCKET=%s: %s; not notifying the service manager",
				  getenv("NOTIFY_SOCKET"), strerror(errno));
		return;
	}
	usec = sgw_notify_watchdog_usec();
	if (usec) {
		/* Half the timeout, as sd_watchdog_enabled(3) asks; never a busy loop. */
		d->keepalive_ns = (int64_t)usec * 1000 / 2;
		if (d->keepalive_ns < SGW_NS_PER_MS)
			d->keepalive_ns = SGW_NS_PER_MS;
		d->next_keepalive_ns = sgw_mono_ns();
		log_info("watchdog: a keep-alive every %lld ms (timeout %llu ms)",
			 (long long)(d->keepalive_ns / SGW_NS_PER_MS), (unsigned long long)(usec / 1000));
	}
}

void sgw_service_close(struct sgw_daemon *d)
{
	sgw_notify_close(d->notify);
	d->notify = NULL;
}

void sgw_service_ready(struct sgw_daemon *d)
{
	if (!d->notify)
		return;
	sgw_stats_line(d, d->status, sizeof(d->status));
	sent(d, sgw_notify_sendf(d->notify, "READY=1\nSTATUS=%s", d->status));
	d->next_status_ns = sgw_mono_ns() + STATUS_EVERY_NS;
}

void sgw_service_reloading(struct sgw_daemon *d)
{
	/* MONOTONIC_USEC= ties this RELOADING=1 to the SIGHUP (Type=notify-reload). */
	sent(d, sgw_notify_sendf(d->notify, "RELOADING=1\nMONOTONIC_USEC=%lld\nSTATUS=reloading %s",
				 (long long)(sgw_mono_ns() / 1000), d->cfg->path));
}

void sgw_service_stopping(struct sgw_daemon *d)
{
	sent(d, sgw_notify_send(d->notify, "STOPPING=1\nSTATUS=stopping: delivering what is in flight"));
}

/* Send STATUS= when the summary changed. */
static void status_update(struct sgw_daemon *d)
{
	char line[sizeof(d->status)];
	int err;

	sgw_stats_line(d, line, sizeof(line));
	if (strcmp(line, d->status) == 0)
		return;
	err = sgw_notify_sendf(d->notify, "STATUS=%s", line);
	sent(d, err);
	if (err == 0)
		memcpy(d->status, line, sizeof(line));
}

int64_t sgw_service_due(struct sgw_daemon *d, int64_t now_ns)
{
	int64_t next = INT64_MAX;

	if (!d->notify)
		return INT64_MAX;
	if (d->keepalive_ns) {
		if (now_ns >= d->next_keepalive_ns) {
			sent(d, sgw_notify_send(d->notify, "WATCHDOG=1"));
			d->next_keepalive_ns = now_ns + d->keepalive_ns;
		}
		next = d->next_keepalive_ns;
	}
	/*
	 * The loop woke: something may have changed.  Look now, or, when the
	 * last look was less than a second ago, once that second is over.
	 * An idle loop is not woken for it.
	 */
	if (now_ns >= d->next_status_ns) {
		status_update(d);
		d->next_status_ns = now_ns + STATUS_EVERY_NS;
	} else if (d->next_status_ns < next) {
		next = d->next_status_ns;
	}
	return next;
}
