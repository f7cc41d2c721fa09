/* SPDX-License-Identifier: MIT */
/*
 * The statistics: whether the clock is synchronised, queue depth, the
 * oldest reading's age, drops and corruption, per-uplink delivery and last
 * connection error, and the failing sensors, retained on <status
 * topic>/stats and in the status file that `sensorgw status` prints; and
 * their one-line summary for the service manager.
 */
#include "daemon_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "message/json.h"
#include "statusfile.h"
#include "util/clock.h"
#include "util/log.h"

void sgw_stats_soon(void *arg, const char *uplink)
{
	struct sgw_daemon *d = arg;

	d->next_stats_ns = 0;
	(void)uplink;
}

static void queue_json(struct sgw_json *w, const struct sgw_queue_stats *q, int64_t now)
{
	sgw_json_object_begin(w);
	sgw_json_key(w, "depth");
	sgw_json_uint(w, q->depth);
	sgw_json_key(w, "bytes");
	sgw_json_uint(w, q->bytes);
	sgw_json_key(w, "segments");
	sgw_json_uint(w, q->segments);
	if (q->oldest_ts_ms != SGW_QUEUE_TS_NONE) {
		sgw_json_key(w, "oldest_age_ms");
		sgw_json_int(w, now - q->oldest_ts_ms);
	}
	sgw_json_key(w, "dropped");
	sgw_json_uint(w, q->dropped);
	sgw_json_key(w, "refused");
	sgw_json_uint(w, q->refused);
	sgw_json_key(w, "corrupt");
	sgw_json_uint(w, q->corrupt);
	sgw_json_key(w, "torn_bytes");
	sgw_json_uint(w, q->torn_bytes);
	sgw_json_key(w, "fsyncs");
	sgw_json_uint(w, q->fsyncs);
	sgw_json_key(w, "io_errors");
	sgw_json_uint(w, q->io_errors);
	sgw_json_object_end(w);
}

static void link_json(struct sgw_json *w, const struct sgw_router_link_stats *ls, int64_t now)
{
	sgw_json_object_begin(w);
	sgw_json_key(w, "name");
	sgw_json_string(w, ls->name);
	sgw_json_key(w, "connected");
	sgw_json_bool(w, ls->connected);
	sgw_json_key(w, "inflight");
	sgw_json_uint(w, ls->outbox.inflight);
	sgw_json_key(w, "pending");
	sgw_json_uint(w, ls->outbox.pending);
	sgw_json_key(w, "delivered");
	sgw_json_uint(w, ls->outbox.delivered);
	sgw_json_key(w, "resent");
	sgw_json_uint(w, ls->outbox.resent);
	sgw_json_key(w, "dropped");
	sgw_json_uint(w, ls->outbox.dropped);
	sgw_json_key(w, "rate_limited");
	sgw_json_uint(w, ls->outbox.rate_limited);
	/* batch = yes: readings per message is batched_readings / batches. */
	sgw_json_key(w, "batches");
	sgw_json_uint(w, ls->outbox.batches);
	sgw_json_key(w, "batched_readings");
	sgw_json_uint(w, ls->outbox.batched_readings);
	sgw_json_key(w, "connects");
	sgw_json_uint(w, ls->uplink.connects);
	/* Messages that came in on its subscriptions, and those the full inbox dropped. */
	sgw_json_key(w, "received");
	sgw_json_uint(w, ls->uplink.received);
	sgw_json_key(w, "dropped_in");
	sgw_json_uint(w, ls->uplink.dropped_in);
	if (ls->oldest_memory_ts_ms != INT64_MIN) {
		sgw_json_key(w, "oldest_memory_age_ms");
		sgw_json_int(w, now - ls->oldest_memory_ts_ms);
	}
	if (ls->last_error) {
		sgw_json_key(w, "last_error");
		sgw_json_string(w, ls->last_error);
		sgw_json_key(w, "last_error_age_s");
		sgw_json_int(w, (now - ls->last_error_ts_ms) / 1000);
	}
	sgw_json_object_end(w);
}

/* The statistics document into BUF: its length, or -1 when it did not fit. */
static ssize_t stats_json(struct sgw_daemon *d, char *buf, size_t cap)
{
	int64_t now = sgw_real_ms();
	struct sgw_queue_stats q;
	struct sgw_json w;
	ssize_t n;

	sgw_json_init(&w, buf, cap);
	sgw_json_object_begin(&w);
	sgw_json_key(&w, "ts");
	sgw_json_int(&w, now);
	sgw_json_key(&w, "uptime_s");
	sgw_json_int(&w, (sgw_mono_ns() - d->start_ns) / SGW_NS_PER_S);
	sgw_json_key(&w, "clock_synced");
	sgw_json_bool(&w, sgw_clock_synced());
	sgw_json_key(&w, "sensors");
	sgw_json_uint(&w, d->cfg->nsensors);
	sgw_json_key(&w, "sensors_failing");
	sgw_json_uint(&w, sgw_health_failing(d->health));
	sgw_json_key(&w, "queue");
	if (sgw_router_queue_stats(d->router, &q))
		queue_json(&w, &q, now);
	else
		sgw_json_null(&w);
	sgw_json_key(&w, "uplinks");
	sgw_json_array_begin(&w);
	for (size_t i = 0; i < sgw_router_nlinks(d->router); i++) {
		struct sgw_router_link_stats ls;

		sgw_router_link_stats(d->router, i, &ls);
		link_json(&w, &ls, now);
	}
	sgw_json_array_end(&w);
	sgw_json_object_end(&w);
	n = sgw_json_finish(&w);
	return n < 0 || (size_t)n >= cap ? -1 : n;
}

void sgw_stats_publish(struct sgw_daemon *d)
{
	/* Room for every uplink's last error, escaped. */
	char buf[8192], topic[1024];
	ssize_t len = stats_json(d, buf, sizeof(buf));
	int err;

	if (len < 0) {
		log_debug("statistics: larger than %zu bytes; not published", sizeof(buf));
		return;
	}
	if (snprintf(topic, sizeof(topic), "%s/stats", d->cfg->gw.status_topic) < (int)sizeof(topic))
		sgw_router_publish_status(d->router, topic, buf, (size_t)len);
	if (d->status_path && (err = sgw_statusfile_write(d->status_path, buf, (size_t)len)) < 0) {
		log_debug("%s: %s; no status file", d->status_path, strerror(-err));
		free(d->status_path);
		d->status_path = NULL;
	}
}

/* Append to the line in BUF (CAP bytes, *LEN used); what does not fit is cut. */
__attribute__((format(printf, 4, 5)))
static void line_add(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len + 1 >= cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *len, cap - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len = *len + (size_t)n < cap ? *len + (size_t)n : cap - 1;
}

size_t sgw_stats_line(struct sgw_daemon *d, char *buf, size_t cap)
{
	size_t n = sgw_router_nlinks(d->router), len = 0, memory = 0;
	struct sgw_queue_stats q;

	buf[0] = '\0';
	for (size_t i = 0; i < n && i < d->cfg->nuplinks; i++) {
		struct sgw_router_link_stats ls;

		sgw_router_link_stats(d->router, i, &ls);
		if (ls.outbox.pending + ls.outbox.inflight > memory)
			memory = ls.outbox.pending + ls.outbox.inflight;
		line_add(buf, cap, &len, "%s%s%s%s to %s", i ? ", " : "", n > 1 ? ls.name : "",
			 n > 1 ? " " : "",
			 ls.connected ? "connected" : ls.uplink.connects ? "reconnecting" : "connecting",
			 d->cfg->uplinks[i].uri);
	}
	if (sgw_router_queue_stats(d->router, &q))
		line_add(buf, cap, &len, "; queue depth %llu", (unsigned long long)q.depth);
	else
		line_add(buf, cap, &len, "; no disk queue, %zu in memory", memory);
	line_add(buf, cap, &len, "; %zu of %zu sensors failing", sgw_health_failing(d->health),
		 d->cfg->nsensors);
	return len;
}
