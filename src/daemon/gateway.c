/* SPDX-License-Identifier: MIT */
#include "gateway.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "util/backoff.h"
#include "util/clock.h"
#include "util/log.h"
#include "deliver/outbox.h"
#include "load/load.h"
#include "mqtt/paho.h"
#include "sense/pipeline.h"
#include "sense/scheduler.h"
#include "drivers/driver.h"
#include "deliver/seqstore.h"
#include "deliver/spool.h"
#include "statusfile.h"
#include "mqtt/uplink.h"
#include "sense/worker.h"

#define BATCH_MAX 256
/*
 * Messages an uplink may hold in memory: waiting for room in its in-flight
 * window (then they move to disk), or, without a disk queue, while offline.
 */
#define OUTBOX_MAX_PENDING_SPOOL 1024
#define OUTBOX_MAX_PENDING_MEMORY 100000
/* How long shutdown waits for in-flight messages and a stuck driver. */
#define STOP_FLUSH_MS 3000
#define STOP_WORKERS_MS 2000
/* Tag of the stats message: never a reading's sequence number or spool tag. */
#define STATS_TAG (1ull << 63)
/* A failing sensor is retried after a backoff from its interval up to this. */
#define SENSOR_BACKOFF_MAX_MS 300000

struct gw;

struct link {
	struct gw *g;
	struct sgw_uplink *u;
	struct sgw_outbox *ob;
	struct sgw_spool_cursor *sc;	/* NULL without a disk queue */
};

struct sensor_rt {
	int64_t deadline_ns;	/* of the outstanding request; 0: none */
	int64_t retry_ns;	/* quarantined until */
	bool late;		/* a timed-out request is still with the worker */
	struct sgw_backoff bo;
	uint64_t samples, failures, skipped;
	uint32_t consecutive;
	int last_err;
};

struct gw {
	struct sgw_config *cfg;
	const struct sgw_gateway_opts *opts;
	struct sgw_workers *workers;
	struct sgw_pipeline *pipe;
	struct sgw_sched sched;
	struct sensor_rt *rt;
	size_t nlinks;
	struct link links[SGW_MAX_UPLINKS];
	int tfd, sfd;
	struct sgw_seqstore seq;
	struct sgw_spool *spool;	/* NULL: memory only */
	uint64_t spool_errors;
	int64_t start_ns, next_stats_ns;
	char *status_path;	/* NULL: no status file */
	bool stop, reload;
	/* --once */
	size_t once_waiting;	/* sensors whose sample has not come back */
	int64_t once_deadline_ns;
	int once_failed;
};

/* Publish the statistics at the next turn of the loop (after a connect). */
static void stats_soon(struct gw *g)
{
	g->next_stats_ns = 0;
}

/* ------------------------------------------------------------ uplinks */

static void on_connected(void *arg, struct sgw_uplink *u)
{
	struct link *l = arg;

	log_info("[mqtt %s] connected to %s", sgw_uplink_name(u), sgw_uplink_server(u));
	sgw_outbox_pump(l->ob);
	stats_soon(l->g);
}

static void on_connect_failed(void *arg, struct sgw_uplink *u, const char *why)
{
	int64_t in = sgw_uplink_next_deadline(u) - sgw_mono_ns();

	log_debug("[mqtt %s] connecting to %s: %s; again in %lld ms", sgw_uplink_name(u),
		  sgw_uplink_server(u), why, (long long)(in > 0 ? in / SGW_NS_PER_MS : 0));
	(void)arg;
}

/*
 * The uplink logs it and has already handed back what was in flight
 * (on_fail): the outbox now moves what memory holds to disk, before any
 * newer reading is stored there.
 */
static void on_disconnected(void *arg, struct sgw_uplink *u, const char *why)
{
	struct link *l = arg;

	log_info("[mqtt %s] disconnected from %s: %s", sgw_uplink_name(u), sgw_uplink_server(u), why);
	sgw_outbox_pump(l->ob);
}

static void on_ack(void *arg, struct sgw_uplink *u, uint64_t tag)
{
	struct link *l = arg;

	sgw_outbox_ack(l->ob, tag);
	sgw_outbox_pump(l->ob);
	(void)u;
}

static void on_fail(void *arg, struct sgw_uplink *u, uint64_t tag)
{
	struct link *l = arg;

	sgw_outbox_fail(l->ob, tag);
	(void)u;
}

static const struct sgw_uplink_handler link_handler = {
	.on_connected = on_connected,
	.on_connect_failed = on_connect_failed,
	.on_disconnected = on_disconnected,
	.on_ack = on_ack,
	.on_fail = on_fail,
};

/* Number every channel's (topic, payload form) for compact queue records. */
static void spool_forms(struct gw *g)
{
	struct sgw_formtab_entry *e;
	size_t n = 0;
	int err;

	e = calloc(g->cfg->nsensors * SGW_MAX_CHANNELS + 1, sizeof(*e));
	if (!e)
		return;
	for (size_t i = 0; i < g->cfg->nsensors; i++) {
		const struct sgw_sensor_config *sc = &g->cfg->sensors[i];

		for (size_t c = 0; c < sc->nchannels; c++, n++) {
			e[n].topic = sc->ch[c].topic;
			e[n].topic_len = strlen(sc->ch[c].topic);
			sgw_payload_form_of(&e[n].form, sc->format, &sc->ch[c]);
		}
	}
	err = sgw_spool_set_forms(g->spool, e, n);
	if (err < 0)
		log_warnx("disk queue: form table: %s; the readings left out are queued whole",
			  strerror(-err));
	free(e);
}

/* Paho with TLS only when an uplink needs it: without, it maps no OpenSSL. */
static int paho_load(const struct sgw_config *cfg, char *err, size_t errlen)
{
	bool tls = false;

	for (size_t i = 0; i < cfg->nuplinks; i++)
		tls |= cfg->uplinks[i].tls;
	return sgw_paho_load(tls, err, errlen);
}

static int links_start(struct gw *g)
{
	for (size_t i = 0; i < g->cfg->nuplinks; i++) {
		struct link *l = &g->links[i];

		l->g = g;
		l->u = sgw_uplink_new(&g->cfg->uplinks[i], g->cfg->gw.status_topic, &link_handler, l);
		if (!l->u) {
			log_warn("[mqtt %s] cannot create the MQTT client", g->cfg->uplinks[i].name);
			return -1;
		}
		l->sc = NULL;
		if (g->spool) {
			l->sc = sgw_spool_cursor(g->spool, g->cfg->uplinks[i].name, (unsigned)i);
			if (!l->sc)
				log_warn("[mqtt %s] disk queue cursor; keeping its readings in memory",
					 g->cfg->uplinks[i].name);
		}
		l->ob = sgw_outbox_new(l->u, l->sc ? OUTBOX_MAX_PENDING_SPOOL : OUTBOX_MAX_PENDING_MEMORY,
				       l->sc);
		if (!l->ob) {
			log_warn("[mqtt %s] outbox", g->cfg->uplinks[i].name);
			return -1;
		}
		g->nlinks = i + 1;
		if (sgw_uplink_start(l->u) < 0)
			log_warn("[mqtt %s] connect", g->cfg->uplinks[i].name);
	}
	if (g->spool) {
		int n = sgw_spool_forget_others(g->spool);

		if (n > 0)
			log_info("disk queue: dropped the backlog of %d uplink(s) no longer configured", n);
		spool_forms(g);
	}
	return 0;
}

/* Messages carried from the old uplinks to the new ones across a reload. */
struct carry {
	struct sgw_msg **v;
	size_t n, cap;
};

static void carry_add(void *arg, struct sgw_msg *m)
{
	struct carry *c = arg;

	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 256;
		struct sgw_msg **nv = realloc(c->v, ncap * sizeof(*nv));

		if (!nv) {
			log_warnx("reading %" PRIu64 " lost: out of memory", m->seq);
			return;
		}
		c->v = nv;
		c->cap = ncap;
	}
	c->v[c->n++] = sgw_msg_ref(m);
}

static void spill_msg(void *arg, struct sgw_msg *m)
{
	struct link *l = arg;
	int err = sgw_spool_cursor_append(l->sc, m);

	if (err < 0)
		log_warnx("%s: reading %" PRIu64 " lost at exit: disk queue: %s",
			  sgw_uplink_name(l->u), m->seq, strerror(-err));
}

/*
 * Stop every uplink.  With CARRY, their undelivered messages are moved
 * there; without, connected uplinks get up to FLUSH_MS to deliver them.
 */
static void links_stop(struct gw *g, int flush_ms, struct carry *carry)
{
	int64_t until = sgw_mono_ns() + (int64_t)flush_ms * SGW_NS_PER_MS;

	while (!carry) {
		struct pollfd pfd[SGW_MAX_UPLINKS];
		size_t busy = 0;
		int64_t now = sgw_mono_ns();

		for (size_t i = 0; i < g->nlinks; i++) {
			struct sgw_outbox_stats st;

			sgw_outbox_get_stats(g->links[i].ob, &st);
			if (sgw_uplink_connected(g->links[i].u) && st.pending + st.inflight > 0)
				busy++;
			pfd[i].fd = sgw_uplink_fd(g->links[i].u);
			pfd[i].events = POLLIN;
		}
		if (!busy || now >= until)
			break;
		if (poll(pfd, g->nlinks, (int)((until - now) / SGW_NS_PER_MS) + 1) > 0)
			for (size_t i = 0; i < g->nlinks; i++)
				if (pfd[i].revents)
					sgw_uplink_dispatch(g->links[i].u);
	}
	for (size_t i = 0; i < g->nlinks; i++) {
		struct link *l = &g->links[i];
		struct sgw_outbox_stats st;

		sgw_outbox_get_stats(l->ob, &st);
		if (carry)
			sgw_outbox_drain(l->ob, carry_add, carry);
		else if (l->sc)
			sgw_outbox_drain(l->ob, spill_msg, l);
		else if (st.pending + st.inflight)
			log_warnx("%s: %zu readings not delivered at exit", sgw_uplink_name(l->u),
				  st.pending + st.inflight);
		sgw_uplink_stop(l->u, 1000);
		sgw_outbox_free(l->ob);
		sgw_uplink_free(l->u);
		l->u = NULL;
		l->ob = NULL;
	}
	g->nlinks = 0;
}

/*
 * A new message: straight to the uplinks that can take it now, to disk (one
 * record for all of them) for those that cannot, or for every uplink with
 * [queue] mode = always.
 */
static void emit(void *arg, struct sgw_msg *m)
{
	struct gw *g = arg;
	bool always = g->cfg->queue.mode == SGW_QUEUE_MODE_ALWAYS;
	uint32_t mask = 0;
	int err;

	for (size_t i = 0; i < g->nlinks; i++)
		if (sgw_outbox_wants_disk(g->links[i].ob, always))
			mask |= 1u << i;
	if (mask) {
		err = sgw_spool_append(g->spool, m, mask);
		if (err < 0) {
			/* Refused (queue full under when_full = refuse, disk full): keep it in memory. */
			if (g->spool_errors++ % 1000 == 0)
				log_warnx("disk queue: %s; keeping readings in memory (%" PRIu64 " so far)",
					  strerror(-err), g->spool_errors);
			mask = 0;
		}
	}
	for (size_t i = 0; i < g->nlinks; i++) {
		struct link *l = &g->links[i];

		if (mask & (1u << i)) {
			if (sgw_uplink_connected(l->u))
				sgw_outbox_pump(l->ob);
		} else if (sgw_outbox_push(l->ob, m) < 0) {
			log_warnx("reading %" PRIu64 " lost: out of memory", m->seq);
		}
	}
	sgw_msg_unref(m);
}

static int spool_start(struct gw *g)
{
	char *dir;

	if (g->cfg->queue.mode == SGW_QUEUE_MODE_OFF)
		return 0;
	if (mkdir(g->cfg->gw.state_dir, 0750) < 0 && errno != EEXIST) {
		log_warn("%s: cannot create; readings are kept in memory only", g->cfg->gw.state_dir);
		return -1;
	}
	if (asprintf(&dir, "%s/queue", g->cfg->gw.state_dir) < 0)
		return -1;
	g->spool = sgw_spool_open(dir, &g->cfg->queue, NULL);
	if (!g->spool)
		log_warn("%s: disk queue unavailable; readings are kept in memory only", dir);
	else if (sgw_spool_forms_error(g->spool) < 0)
		log_warnx("%s/forms: %s: the readings queued before cannot be sent (counted as corrupt)",
			  dir, strerror(-sgw_spool_forms_error(g->spool)));
	free(dir);
	return g->spool ? 0 : -1;
}

static void spool_stop(struct gw *g)
{
	int err = sgw_spool_close(g->spool);

	if (err < 0)
		log_warnx("disk queue: closing: %s", strerror(-err));
	g->spool = NULL;
}

/* ------------------------------------------------------------ sensors */

static int sensors_start(struct gw *g)
{
	struct sgw_config *cfg = g->cfg;
	uint32_t *periods = calloc(cfg->nsensors ? cfg->nsensors : 1, sizeof(*periods));
	int err;

	g->rt = calloc(cfg->nsensors ? cfg->nsensors : 1, sizeof(*g->rt));
	if (!periods || !g->rt) {
		free(periods);
		return -ENOMEM;
	}
	for (size_t i = 0; i < cfg->nsensors; i++) {
		uint32_t min = cfg->sensors[i].interval_ms;

		periods[i] = cfg->sensors[i].interval_ms;
		sgw_backoff_init(&g->rt[i].bo, min, min > SENSOR_BACKOFF_MAX_MS ? min : SENSOR_BACKOFF_MAX_MS,
				 (uint64_t)sgw_mono_ns() ^ (i * 0x9E3779B97F4A7C15ull));
	}
	err = sgw_sched_init(&g->sched, cfg->nsensors, periods, sgw_mono_ns());
	free(periods);
	if (err < 0)
		return err;
	g->workers = sgw_workers_new(cfg);
	if (!g->workers)
		return -errno;
	return 0;
}

/* Returns -EBUSY when a driver is stuck: the configuration must then be kept. */
static int sensors_stop(struct gw *g)
{
	int err = sgw_workers_free(g->workers, STOP_WORKERS_MS);

	if (err == -EBUSY)
		log_warnx("a sensor driver did not return within %d ms; leaving it behind",
			  STOP_WORKERS_MS);
	g->workers = NULL;
	sgw_sched_free(&g->sched);
	free(g->rt);
	g->rt = NULL;
	return err;
}

static void reserve_seq(struct gw *g, uint64_t count)
{
	int err = sgw_seqstore_reserve(&g->seq, count);

	if (err < 0)
		log_warnx("%s: cannot store the sequence number: %s", g->seq.path ? g->seq.path : "seq",
			  strerror(-err));
}

/*
 * A sensor's health goes to "<topic>/error" of each of its quantities when
 * it changes: the error text when reads start failing, "ok" when they work
 * again (JSON sensors get {"error":…,"failures":…,"ts":…,"seq":…}).
 */
static void publish_health(struct gw *g, uint32_t i, int err)
{
	const struct sgw_sensor_config *sc = &g->cfg->sensors[i];
	int64_t ts = sgw_real_ms();
	char topic[512], payload[256];
	int tlen, plen;

	reserve_seq(g, sc->nchannels);
	for (size_t c = 0; c < sc->nchannels; c++) {
		struct sgw_msg *m;

		tlen = snprintf(topic, sizeof(topic), "%s/error", sc->ch[c].topic);
		if (tlen < 0 || (size_t)tlen >= sizeof(topic))
			continue;	/* a very long topic: the log has it */
		if (sc->format == SGW_FORMAT_JSON)
			plen = snprintf(payload, sizeof(payload),
					"{\"error\":%s%s%s,\"failures\":%" PRIu64 ",\"ts\":%" PRId64 ",\"seq\":%" PRIu64 "}",
					err ? "\"" : "", err ? strerror(-err) : "null", err ? "\"" : "",
					g->rt[i].failures, ts, g->seq.next);
		else
			plen = snprintf(payload, sizeof(payload), "%s", err ? strerror(-err) : "ok");
		if (plen < 0 || (size_t)plen >= sizeof(payload))
			continue;
		m = sgw_msg_new(g->seq.next, ts, topic, (size_t)tlen, payload, (size_t)plen);
		if (!m)
			continue;
		g->seq.next++;
		emit(g, m);
	}
}

static void sensor_failed(struct gw *g, uint32_t i, int err, int64_t now)
{
	struct sensor_rt *rt = &g->rt[i];
	const struct sgw_sensor_config *sc = &g->cfg->sensors[i];
	uint32_t delay = sgw_backoff_next(&rt->bo);

	rt->failures++;
	rt->consecutive++;
	rt->retry_ns = now + (int64_t)delay * SGW_NS_PER_MS;
	if (rt->consecutive == 1 || err != rt->last_err) {
		log_warnx("[sensor %s] %s: %s; retrying in %u ms", sc->name, sc->driver->name,
			  strerror(-err), delay);
		publish_health(g, i, err);
	}
	rt->last_err = err;
	if (g->opts->once && g->once_waiting) {
		g->once_waiting--;
		g->once_failed++;
	}
}

static void sensor_ok(struct gw *g, uint32_t i)
{
	struct sensor_rt *rt = &g->rt[i];

	if (rt->consecutive) {
		log_info("[sensor %s] recovered after %u failed reads", g->cfg->sensors[i].name,
			 rt->consecutive);
		publish_health(g, i, 0);
	}
	rt->consecutive = 0;
	rt->last_err = 0;
	rt->samples++;
	sgw_backoff_reset(&rt->bo);
	if (g->opts->once && g->once_waiting)
		g->once_waiting--;
}

static void request_sample(struct gw *g, uint32_t i, int64_t due, int64_t now)
{
	struct sensor_rt *rt = &g->rt[i];
	int err;

	if (now < rt->retry_ns) {
		rt->skipped++;
		return;
	}
	err = sgw_workers_request(g->workers, i, due);
	if (err == -EBUSY) {
		/* The previous read is still running (a hung bus): skip this one. */
		rt->skipped++;
		return;
	}
	rt->deadline_ns = now + (int64_t)g->cfg->sensors[i].timeout_ms * SGW_NS_PER_MS;
}

static void arm_timer(struct gw *g)
{
	int64_t next = sgw_sched_next_due(&g->sched);
	struct itimerspec its = { 0 };

	if (next == INT64_MAX || g->opts->once) {
		timerfd_settime(g->tfd, 0, &its, NULL);	/* disarm */
		return;
	}
	if (next <= 0)
		next = 1;
	its.it_value.tv_sec = next / SGW_NS_PER_S;
	its.it_value.tv_nsec = next % SGW_NS_PER_S;
	timerfd_settime(g->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void handle_timer(struct gw *g)
{
	uint32_t idx[BATCH_MAX];
	int64_t due[BATCH_MAX];
	uint64_t ticks;
	int64_t now = sgw_mono_ns();
	size_t n;

	if (read(g->tfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		log_warn("timerfd");
	do {
		n = sgw_sched_take_due(&g->sched, now, idx, due, BATCH_MAX);
		for (size_t k = 0; k < n; k++)
			request_sample(g, idx[k], due[k], now);
	} while (n == BATCH_MAX);
	arm_timer(g);
}

static void handle_samples(struct gw *g)
{
	struct sgw_sample batch[BATCH_MAX];
	int64_t now = sgw_mono_ns();
	size_t n, k;

	while ((n = sgw_workers_collect(g->workers, batch, BATCH_MAX)) > 0) {
		k = 0;
		for (size_t i = 0; i < n; i++) {
			uint32_t s = batch[i].sensor;
			struct sensor_rt *rt = &g->rt[s];

			if (batch[i].due_ns != 0) {
				/* Answer to a request. */
				if (rt->late) {
					rt->late = false;	/* already counted as timed out */
					continue;
				}
				rt->deadline_ns = 0;
			}
			if (batch[i].err) {
				sensor_failed(g, s, batch[i].err, now);
				continue;
			}
			sensor_ok(g, s);
			batch[k++] = batch[i];
		}
		reserve_seq(g, (uint64_t)k * SGW_MAX_CHANNELS);
		sgw_pipeline_run(g->pipe, batch, k, &g->seq.next, emit, g);
	}
}

static int64_t check_deadlines(struct gw *g)
{
	int64_t now = sgw_mono_ns(), next = INT64_MAX;

	for (uint32_t i = 0; i < g->cfg->nsensors; i++) {
		struct sensor_rt *rt = &g->rt[i];

		if (!rt->deadline_ns)
			continue;
		if (rt->deadline_ns <= now) {
			rt->deadline_ns = 0;
			rt->late = true;
			sensor_failed(g, i, -ETIMEDOUT, now);
		} else if (rt->deadline_ns < next) {
			next = rt->deadline_ns;
		}
	}
	return next;
}

/* ------------------------------------------------------------ statistics */

#define J(...) do { \
		int n_ = snprintf(buf + len, sizeof(buf) - len, __VA_ARGS__); \
		if (n_ < 0 || (size_t)n_ >= sizeof(buf) - len) \
			return; \
		len += (size_t)n_; \
	} while (0)

/*
 * Queue depth, oldest reading's age, drops and corruption, per-uplink
 * delivery and failing sensors: retained on <status topic>/stats and in the
 * status file that `sensorgw status` prints.
 */
static void stats_publish(struct gw *g)
{
	char buf[4096], topic[1024];
	size_t len = 0, failing = 0;
	int64_t now = sgw_real_ms();
	int err;

	for (size_t i = 0; i < g->cfg->nsensors; i++)
		if (g->rt[i].consecutive)
			failing++;
	J("{\"ts\":%" PRId64 ",\"uptime_s\":%" PRId64 ",\"sensors\":%zu,\"sensors_failing\":%zu",
	  now, (int64_t)((sgw_mono_ns() - g->start_ns) / SGW_NS_PER_S), g->cfg->nsensors, failing);
	if (g->spool) {
		struct sgw_queue_stats q;

		sgw_spool_get_stats(g->spool, &q);
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
	for (size_t i = 0; i < g->nlinks; i++) {
		struct sgw_outbox_stats ob;
		struct sgw_uplink_stats us;
		const struct sgw_msg *old = sgw_outbox_oldest(g->links[i].ob);

		sgw_outbox_get_stats(g->links[i].ob, &ob);
		sgw_uplink_get_stats(g->links[i].u, &us);
		J("%s{\"name\":\"%s\",\"connected\":%s,\"inflight\":%zu,\"pending\":%zu,"
		  "\"delivered\":%" PRIu64 ",\"resent\":%" PRIu64 ",\"dropped\":%" PRIu64
		  ",\"connects\":%" PRIu64,
		  i ? "," : "", sgw_uplink_name(g->links[i].u),
		  sgw_uplink_connected(g->links[i].u) ? "true" : "false",
		  ob.inflight, ob.pending, ob.delivered, ob.resent, ob.dropped, us.connects);
		if (old && !(old->seq & SGW_SPOOL_TAG))
			J(",\"oldest_memory_age_ms\":%" PRId64, now - old->ts_ms);
		J("}");
	}
	J("]}");
	for (size_t i = 0; i < g->nlinks; i++)
		if (sgw_uplink_connected(g->links[i].u) &&
		    snprintf(topic, sizeof(topic), "%s/stats", g->cfg->gw.status_topic) < (int)sizeof(topic))
			sgw_uplink_publish_ex(g->links[i].u, topic, buf, len, 0, true, STATS_TAG);
	if (g->status_path && (err = sgw_statusfile_write(g->status_path, buf, len)) < 0) {
		log_debug("%s: %s; no status file", g->status_path, strerror(-err));
		free(g->status_path);
		g->status_path = NULL;
	}
}
#undef J

/* ------------------------------------------------------------ reload */

static struct sgw_config *load_new_config(const char *path)
{
	struct sgw_diag d = { .file = path, .out = stderr };
	struct sgw_config *cfg = NULL;

	if (sgw_config_load(path, &d, &cfg) < 0) {
		log_warnx("%s: %d error(s); keeping the running configuration", path, d.errors);
		return NULL;
	}
	return cfg;
}

static int cmp_msg_seq(const void *a, const void *b)
{
	const struct sgw_msg *x = *(struct sgw_msg *const *)a, *y = *(struct sgw_msg *const *)b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void reload(struct gw *g)
{
	struct sgw_config *ncfg = load_new_config(g->cfg->path);
	struct sgw_config *old = g->cfg;
	struct carry carry = { 0 };
	struct sgw_pipeline *np;
	char err[256];
	bool stuck;
	int r;

	if (!ncfg)
		return;
	r = paho_load(ncfg, err, sizeof(err));
	if (r < 0) {
		log_warnx("%s: %s%s; keeping the running configuration", ncfg->path,
			  r == -EEXIST ? "mqtts:// added on reload needs a restart: " : "", err);
		sgw_config_free(ncfg);
		return;
	}
	np = sgw_pipeline_new(ncfg, err, sizeof(err));
	if (!np) {
		log_warnx("%s: %s; keeping the running configuration", ncfg->path, err);
		sgw_config_free(ncfg);
		return;
	}
	links_stop(g, 0, &carry);
	spool_stop(g);
	stuck = sensors_stop(g) == -EBUSY;
	sgw_pipeline_free(g->pipe);
	g->pipe = np;
	g->cfg = ncfg;
	if (!stuck)
		sgw_config_free(old);
	spool_start(g);
	if (sensors_start(g) < 0 || links_start(g) < 0)
		fatalx("%s: cannot start with the new configuration", ncfg->path);
	/* Every new uplink gets each carried message once, in order. */
	if (carry.n)
		qsort(carry.v, carry.n, sizeof(*carry.v), cmp_msg_seq);
	for (size_t i = 0; i < carry.n; i++) {
		if (i == 0 || carry.v[i]->seq != carry.v[i - 1]->seq)
			emit(g, sgw_msg_ref(carry.v[i]));
		sgw_msg_unref(carry.v[i]);
	}
	free(carry.v);
	if (g->status_path) {
		unlink(g->status_path);
		free(g->status_path);
		g->status_path = sgw_statusfile_path(g->cfg);
	}
	arm_timer(g);
	log_info("%s: configuration reloaded (%zu sensors)", g->cfg->path, g->cfg->nsensors);
}

/* ------------------------------------------------------------ main loop */

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

static void handle_signal(struct gw *g)
{
	struct signalfd_siginfo si;

	while (read(g->sfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			g->reload = true;
		} else {
			log_info("signal %u: stopping", si.ssi_signo);
			g->stop = true;
		}
	}
}

static bool once_done(struct gw *g)
{
	if (g->once_waiting)
		return false;
	for (size_t i = 0; i < g->nlinks; i++)
		if (!sgw_outbox_idle(g->links[i].ob))
			return false;
	return true;
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

int sgw_gateway_run(struct sgw_config *cfg, const struct sgw_gateway_opts *o)
{
	struct gw g = { .cfg = cfg, .opts = o, .tfd = -1, .sfd = -1 };
	struct pollfd pfd[3 + SGW_MAX_UPLINKS];
	char err[256];
	int status = 0, ret;

	g.sfd = signals_open();
	g.tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (g.sfd < 0 || g.tfd < 0)
		fatal("signalfd/timerfd");
	g.start_ns = sgw_mono_ns();
	g.next_stats_ns = g.start_ns + 2 * SGW_NS_PER_S;
	g.status_path = o->once ? NULL : sgw_statusfile_path(cfg);
	ret = sgw_seqstore_open(&g.seq, cfg->gw.state_dir, (uint64_t)sgw_real_ms() * 1000);
	if (ret < 0)
		log_warnx("%s/seq: %s; sequence numbers %s", cfg->gw.state_dir, strerror(-ret),
			  ret == -EBADMSG ? "restart from the clock" : "are kept in memory only");
	g.pipe = sgw_pipeline_new(cfg, err, sizeof(err));
	if (!g.pipe)
		fatalx("%s: %s", cfg->path, err);
	if (paho_load(cfg, err, sizeof(err)) < 0)
		fatalx("%s", err);
	spool_start(&g);
	if (sensors_start(&g) < 0)
		fatal("cannot start the sensor workers");
	if (links_start(&g) < 0)
		fatalx("cannot start the MQTT uplinks");
	log_info("started: %zu sensors, %zu uplinks, status on %s", cfg->nsensors, g.nlinks,
		 cfg->gw.status_topic);
	if (o->once) {
		int64_t now = sgw_mono_ns();

		g.once_deadline_ns = now + (int64_t)o->once_timeout_ms * SGW_NS_PER_MS;
		g.once_waiting = cfg->nsensors;
		for (uint32_t i = 0; i < cfg->nsensors; i++)
			request_sample(&g, i, now, now);
	}
	arm_timer(&g);

	while (!g.stop) {
		int64_t now, next = INT64_MAX;
		size_t n = 0;
		int timeout;

		if (g.reload) {
			g.reload = false;
			reload(&g);
		}
		next = check_deadlines(&g);
		if (!o->once) {
			now = sgw_mono_ns();
			if (now >= g.next_stats_ns) {
				stats_publish(&g);
				g.next_stats_ns = now + (int64_t)g.cfg->gw.stats_interval_ms * SGW_NS_PER_MS;
			}
			next = min64(next, g.next_stats_ns);
		}
		if (g.spool) {
			now = sgw_mono_ns();
			if (sgw_spool_next_deadline(g.spool) <= now &&
			    (ret = sgw_spool_sync_if_due(g.spool, now)) < 0)
				log_warnx("disk queue: sync: %s", strerror(-ret));
			next = min64(next, sgw_spool_next_deadline(g.spool));
		}
		for (size_t i = 0; i < g.nlinks; i++) {
			int64_t d = sgw_uplink_next_deadline(g.links[i].u);

			now = sgw_mono_ns();
			if (d <= now) {
				sgw_uplink_tick(g.links[i].u, now);
				d = sgw_uplink_next_deadline(g.links[i].u);
			}
			next = min64(next, d);
		}
		if (o->once) {
			if (once_done(&g))
				break;
			if (sgw_mono_ns() >= g.once_deadline_ns) {
				log_warnx("--once: gave up after %d ms", o->once_timeout_ms);
				status = 1;
				break;
			}
			next = min64(next, g.once_deadline_ns);
		}
		now = sgw_mono_ns();
		timeout = next == INT64_MAX ? -1 : (int)((next - now + SGW_NS_PER_MS - 1) / SGW_NS_PER_MS);
		if (next != INT64_MAX && timeout < 0)
			timeout = 0;

		pfd[n++] = (struct pollfd){ .fd = g.sfd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = g.tfd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = sgw_workers_fd(g.workers), .events = POLLIN };
		for (size_t i = 0; i < g.nlinks; i++)
			pfd[n++] = (struct pollfd){ .fd = sgw_uplink_fd(g.links[i].u), .events = POLLIN };
		if (poll(pfd, n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (pfd[0].revents)
			handle_signal(&g);
		if (pfd[1].revents)
			handle_timer(&g);
		if (pfd[2].revents)
			handle_samples(&g);
		for (size_t i = 0; i < g.nlinks; i++)
			if (pfd[3 + i].revents)
				sgw_uplink_dispatch(g.links[i].u);
	}

	if (o->once && g.once_failed) {
		log_warnx("--once: %d sensor(s) failed", g.once_failed);
		status = 1;
	}
	if (sensors_stop(&g) == -EBUSY)
		g.cfg = NULL;	/* a stuck driver thread still reads it */
	links_stop(&g, STOP_FLUSH_MS, NULL);
	spool_stop(&g);
	sgw_pipeline_free(g.pipe);
	sgw_config_free(g.cfg);
	sgw_seqstore_close(&g.seq);
	if (g.status_path)
		unlink(g.status_path);
	free(g.status_path);
	close(g.tfd);
	close(g.sfd);
	return status;
}
