/* SPDX-License-Identifier: MIT */
/*
 * The statistics: queue depth, the oldest reading's age, drops and
 * corruption, per-uplink delivery and the failing sensors, retained on
 * <status topic>/stats and in the status file that `sensorgw status` prints.
 */
#include "daemon_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "statusfile.h"
#include "util/clock.h"
#include "util/log.h"

#define J(...) do { \
		int n_ = snprintf(buf + len, sizeof(buf) - len, __VA_ARGS__); \
		if (n_ < 0 || (size_t)n_ >= sizeof(buf) - len) \
			return; \
		len += (size_t)n_; \
	} while (0)

void sgw_stats_soon(void *arg, const char *uplink)
{
	struct sgw_daemon *d = arg;

	d->next_stats_ns = 0;
	(void)uplink;
}

void sgw_stats_publish(struct sgw_daemon *d)
{
	char buf[4096], topic[1024];
	size_t len = 0;
	int64_t now = sgw_real_ms();
	struct sgw_queue_stats q;
	int err;

	J("{\"ts\":%" PRId64 ",\"uptime_s\":%" PRId64 ",\"sensors\":%zu,\"sensors_failing\":%zu",
	  now, (int64_t)((sgw_mono_ns() - d->start_ns) / SGW_NS_PER_S), d->cfg->nsensors,
	  sgw_health_failing(d->health));
	if (sgw_router_queue_stats(d->router, &q)) {
		J(",\"queue\":{\"depth\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"segments\":%" PRIu64,
		  q.depth, q.bytes, q.segments);
		if (q.oldest_ts_ms != SGW_QUEUE_TS_NONE)
			J(",\"oldest_age_ms\":%" PRId64, now - q.oldest_ts_ms);
		J(",\"dropped\":%" PRIu64 ",\"refused\":%" PRIu64 ",\"corrupt\":%" PRIu64
		  ",\"torn_bytes\":%" PRIu64 ",\"fsyncs\":%" PRIu64 ",\"io_errors\":%" PRIu64 "}",
		  q.dropped, q.refused, q.corrupt, q.torn_bytes, q.fsyncs, q.io_errors);
	} else {
		J(",\"queue\":null");
	}
	J(",\"uplinks\":[");
	for (size_t i = 0; i < sgw_router_nlinks(d->router); i++) {
		struct sgw_router_link_stats ls;

		sgw_router_link_stats(d->router, i, &ls);
		J("%s{\"name\":\"%s\",\"connected\":%s,\"inflight\":%zu,\"pending\":%zu,"
		  "\"delivered\":%" PRIu64 ",\"resent\":%" PRIu64 ",\"dropped\":%" PRIu64
		  ",\"connects\":%" PRIu64,
		  i ? "," : "", ls.name, ls.connected ? "true" : "false",
		  ls.outbox.inflight, ls.outbox.pending, ls.outbox.delivered, ls.outbox.resent,
		  ls.outbox.dropped, ls.uplink.connects);
		if (ls.oldest_memory_ts_ms != INT64_MIN)
			J(",\"oldest_memory_age_ms\":%" PRId64, now - ls.oldest_memory_ts_ms);
		J("}");
	}
	J("]}");
	if (snprintf(topic, sizeof(topic), "%s/stats", d->cfg->gw.status_topic) < (int)sizeof(topic))
		sgw_router_publish_status(d->router, topic, buf, len);
	if (d->status_path && (err = sgw_statusfile_write(d->status_path, buf, len)) < 0) {
		log_debug("%s: %s; no status file", d->status_path, strerror(-err));
		free(d->status_path);
		d->status_path = NULL;
	}
}
#undef J
