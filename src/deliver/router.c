/* SPDX-License-Identifier: MIT */
/* Store and forward's one owner; the contract is in router.h. */
#include "router.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "announce.h"
#include "message/payload.h"
#include "outage.h"
#include "routes.h"
#include "tag.h"
#include "util/clock.h"
#include "util/log.h"

/*
 * Messages an uplink may hold in memory: waiting for room in its in-flight
 * window (then they move to disk), or, without a disk queue, while offline.
 */
#define MAX_PENDING_SPOOL 1024
#define MAX_PENDING_MEMORY 100000

struct link {
	struct sgw_router *r;
	struct sgw_uplink *u;
	struct sgw_outbox *ob;
	struct sgw_spool_cursor *sc;	/* NULL without a disk queue */
	struct sgw_outage outage;	/* what the log says about the connection */
	struct sgw_announce *ha;	/* Home Assistant's discovery, or NULL */
};

struct sgw_router {
	const struct sgw_config *cfg;
	struct sgw_router_opts o;
	struct sgw_routes *routes;	/* which uplinks carry which message */
	struct sgw_spool *spool;	/* NULL: memory only */
	uint64_t spool_errors;		/* appends the disk refused */
	bool stopping;			/* the uplinks are being stopped: not an error */
	sgw_router_command_fn *command;	/* messages for the actuators, or NULL */
	void *command_arg;
	size_t nlinks;
	struct link links[SGW_MAX_UPLINKS];
};

/* ------------------------------------------------------------ uplink events */

/*
 * Store M on disk for this link's uplink alone (spilling memory).  The
 * uplink's handler runs with the link.
 */
static int store_for_link(void *arg, const struct sgw_msg *m)
{
	struct link *l = arg;

	return sgw_spool_cursor_append(l->sc, m);
}

/* What memory holds for L goes to disk, oldest first, as far as the disk takes it. */
static void spill(struct link *l)
{
	if (l->sc)
		sgw_outbox_spill(l->ob, store_for_link, l);
}

static void on_connected(void *arg, struct sgw_uplink *u)
{
	struct link *l = arg;
	uint64_t attempts;
	int64_t down_ns;
	char dur[32];

	if (sgw_outage_up(&l->outage, sgw_mono_ns(), &down_ns, &attempts))
		log_info("[mqtt %s] connected to %s after %s down (%" PRIu64 " attempt%s)",
			 sgw_uplink_name(u), sgw_uplink_server(u),
			 sgw_outage_duration(dur, sizeof(dur), down_ns), attempts, attempts == 1 ? "" : "s");
	else
		log_info("[mqtt %s] connected to %s", sgw_uplink_name(u), sgw_uplink_server(u));
	/* Discovery first: Home Assistant then knows what the readings are. */
	if (l->ha)
		sgw_announce_start(l->ha);
	sgw_outbox_pump(l->ob);
	if (l->r->o.connected)
		l->r->o.connected(l->r->o.arg, sgw_uplink_name(u));
}

/*
 * Said once per outage and reason (outage.h): a broker that stays away
 * does not fill the log, and a new reason is told at once.
 */
static void on_connect_failed(void *arg, struct sgw_uplink *u, const char *why)
{
	struct link *l = arg;
	int64_t now = sgw_mono_ns(), in = sgw_uplink_next_deadline(u) - now;
	char next[32], down[32];
	uint64_t unsaid;

	sgw_outage_duration(next, sizeof(next), in);
	switch (sgw_outage_failed(&l->outage, why, now, sgw_real_ms(), &unsaid)) {
	case SGW_OUTAGE_FIRST:
	case SGW_OUTAGE_CHANGED:
		log_warnx("[mqtt %s] cannot connect to %s: %s; next attempt in %s", sgw_uplink_name(u),
			  sgw_uplink_server(u), why, next);
		break;
	case SGW_OUTAGE_STILL:
		log_warnx("[mqtt %s] still cannot connect to %s: %s (%" PRIu64 " more attempt%s, "
			  "down for %s); next attempt in %s", sgw_uplink_name(u), sgw_uplink_server(u),
			  why, unsaid, unsaid == 1 ? "" : "s",
			  sgw_outage_duration(down, sizeof(down), now - l->outage.since_ns), next);
		break;
	case SGW_OUTAGE_QUIET:
		log_debug("[mqtt %s] cannot connect to %s: %s; next attempt in %s", sgw_uplink_name(u),
			  sgw_uplink_server(u), why, next);
		break;
	}
}

/*
 * The uplink has already failed what was in flight (on_fail): what was
 * read from disk is read again later, and what memory holds moves to disk
 * before any newer message is stored there.
 */
static void on_disconnected(void *arg, struct sgw_uplink *u, const char *why)
{
	struct link *l = arg;

	log_info("[mqtt %s] disconnected from %s: %s", sgw_uplink_name(u), sgw_uplink_server(u),
		 why);
	if (!l->r->stopping)
		sgw_outage_lost(&l->outage, why, sgw_mono_ns(), sgw_real_ms());
	sgw_outbox_lost(l->ob);
	spill(l);
}

static void on_ack(void *arg, struct sgw_uplink *u, uint64_t tag)
{
	struct link *l = arg;

	if (sgw_tag_kind(tag) == SGW_TAG_ANNOUNCE) {
		if (l->ha)
			sgw_announce_ack(l->ha, tag);
	} else {
		sgw_outbox_ack(l->ob, tag);
	}
	if (l->ha)
		sgw_announce_pump(l->ha);
	sgw_outbox_pump(l->ob);
	(void)u;
}

/* A discovery message lost with the connection goes again with the next one's round. */
static void on_fail(void *arg, struct sgw_uplink *u, uint64_t tag)
{
	struct link *l = arg;

	if (sgw_tag_kind(tag) != SGW_TAG_ANNOUNCE)
		sgw_outbox_fail(l->ob, tag);
	(void)u;
}

static void on_message(void *arg, struct sgw_uplink *u, const char *topic, const void *payload,
		       size_t len, bool retained)
{
	struct link *l = arg;
	size_t i = (size_t)(l - l->r->links);

	if (l->ha && sgw_announce_message(l->ha, topic, payload, len, retained))
		return;
	if (l->r->command && l->r->cfg->uplinks[i].commands)
		l->r->command(l->r->command_arg, i, topic, payload, len, retained);
	else
		log_debug("[mqtt %s] message on %s ignored", sgw_uplink_name(u), topic);
}

static const struct sgw_uplink_handler link_handler = {
	.on_connected = on_connected,
	.on_connect_failed = on_connect_failed,
	.on_disconnected = on_disconnected,
	.on_ack = on_ack,
	.on_fail = on_fail,
	.on_message = on_message,
};

/* ------------------------------------------------------------ the disk queue */

/* Number every channel's (topic, payload form) for compact queue records. */
static void spool_forms(struct sgw_router *r)
{
	const struct sgw_config *cfg = r->cfg;
	struct sgw_formtab_entry *e;
	size_t n = 0;
	int err;

	e = calloc(cfg->nsensors * SGW_MAX_CHANNELS + 1, sizeof(*e));
	if (!e)
		return;
	for (size_t i = 0; i < cfg->nsensors; i++) {
		const struct sgw_sensor_config *sc = &cfg->sensors[i];

		for (size_t c = 0; c < sc->nchannels; c++, n++) {
			e[n].topic = sc->ch[c].topic;
			e[n].topic_len = strlen(sc->ch[c].topic);
			sgw_payload_form_of(&e[n].form, sc->format, &sc->ch[c]);
		}
	}
	err = sgw_spool_set_forms(r->spool, e, n);
	if (err < 0)
		log_warnx("disk queue: form table: %s; the readings left out are queued whole",
			  strerror(-err));
	free(e);
}

static void spool_open(struct sgw_router *r)
{
	const struct sgw_config *cfg = r->cfg;
	char *dir;

	if (cfg->queue.mode == SGW_QUEUE_MODE_OFF)
		return;
	if (mkdir(cfg->gw.state_dir, 0750) < 0 && errno != EEXIST) {
		log_warn("%s: cannot create; readings are kept in memory only", cfg->gw.state_dir);
		return;
	}
	if (asprintf(&dir, "%s/queue", cfg->gw.state_dir) < 0)
		return;
	r->spool = sgw_spool_open(dir, &cfg->queue, r->o.queue_ops);
	if (!r->spool)
		log_warn("%s: disk queue unavailable; readings are kept in memory only", dir);
	else if (sgw_spool_forms_error(r->spool) < 0)
		log_warnx("%s/forms: %s: the readings queued before cannot be sent (counted as corrupt)",
			  dir, strerror(-sgw_spool_forms_error(r->spool)));
	free(dir);
}

static void spool_close(struct sgw_router *r)
{
	int err = sgw_spool_close(r->spool);

	if (err < 0)
		log_warnx("disk queue: closing: %s", strerror(-err));
	r->spool = NULL;
}

/* ------------------------------------------------------------ life cycle */

static int links_start(struct sgw_router *r)
{
	const struct sgw_config *cfg = r->cfg;

	for (size_t i = 0; i < cfg->nuplinks; i++) {
		const struct sgw_uplink_config *uc = &cfg->uplinks[i];
		struct link *l = &r->links[i];

		l->r = r;
		sgw_outage_init(&l->outage, sgw_mono_ns());
		l->u = sgw_uplink_new(uc, cfg->gw.status_topic, &link_handler, l);
		if (!l->u) {
			log_warn("[mqtt %s] cannot create the MQTT client", uc->name);
			return -1;
		}
		l->sc = NULL;
		if (r->spool) {
			l->sc = sgw_spool_cursor(r->spool, uc->name, (unsigned)i);
			if (!l->sc)
				log_warn("[mqtt %s] disk queue cursor; keeping its readings in memory",
					 uc->name);
		}
		l->ob = sgw_outbox_new(l->u, l->sc ? MAX_PENDING_SPOOL : MAX_PENDING_MEMORY, l->sc);
		if (!l->ob) {
			log_warn("[mqtt %s] outbox", uc->name);
			sgw_uplink_free(l->u);
			return -1;
		}
		sgw_outbox_set_rate(l->ob, uc->max_rate, NULL);
		if (uc->batch && sgw_outbox_set_batch(l->ob, uc->batch_bytes, uc->batch_readings,
						      uc->batch_wait_ms, uc->batch_topic) < 0)
			log_warn("[mqtt %s] batches; sending one message a reading", uc->name);
		r->nlinks = i + 1;
		if (uc->homeassistant && !(l->ha = sgw_announce_new(cfg, uc, l->u)))
			log_warn("[mqtt %s] Home Assistant discovery", uc->name);
		if (sgw_uplink_start(l->u) < 0)
			log_warn("[mqtt %s] connect", uc->name);
	}
	if (r->spool) {
		int n = sgw_spool_forget_others(r->spool);

		if (n > 0)
			log_info("disk queue: dropped the backlog of %d uplink(s) no longer configured", n);
		spool_forms(r);
	}
	return 0;
}

/* EXITING: the process ends next, and the uplinks' MQTT clients with it. */
static void links_free(struct sgw_router *r, bool exiting)
{
	r->stopping = true;
	for (size_t i = 0; i < r->nlinks; i++) {
		struct link *l = &r->links[i];

		sgw_uplink_stop(l->u, 1000);
		sgw_outbox_free(l->ob);
		sgw_announce_free(l->ha);
		if (exiting)
			sgw_uplink_exit(l->u);
		else
			sgw_uplink_free(l->u);
	}
	r->nlinks = 0;
	if (r->spool)
		spool_close(r);
	sgw_routes_free(r->routes);
	free(r);
}

struct sgw_router *sgw_router_new(const struct sgw_config *cfg, const struct sgw_router_opts *o)
{
	struct sgw_router *r = calloc(1, sizeof(*r));
	int err;

	if (!r)
		return NULL;
	r->cfg = cfg;
	if (o)
		r->o = *o;
	r->routes = sgw_routes_new(cfg);
	if (!r->routes) {
		free(r);
		return NULL;
	}
	spool_open(r);
	if (links_start(r) < 0) {
		err = errno ? errno : ENOMEM;
		links_free(r, false);
		errno = err;
		return NULL;
	}
	return r;
}

static bool busy(const struct sgw_router *r)
{
	for (size_t i = 0; i < r->nlinks; i++) {
		struct sgw_outbox_stats st;

		sgw_outbox_get_stats(r->links[i].ob, &st);
		if (sgw_uplink_connected(r->links[i].u) && st.pending + st.inflight > 0)
			return true;
	}
	return false;
}

static void spill_at_exit(void *arg, struct sgw_msg *m)
{
	struct link *l = arg;
	int err = sgw_spool_cursor_append(l->sc, m);

	if (err < 0)
		log_warnx("[mqtt %s] reading %" PRIu64 " lost at exit: disk queue: %s",
			  sgw_uplink_name(l->u), m->seq, strerror(-err));
}

void sgw_router_stop(struct sgw_router *r, int flush_ms)
{
	int64_t until = sgw_mono_ns() + (int64_t)flush_ms * SGW_NS_PER_MS;

	if (!r)
		return;
	while (busy(r)) {
		struct pollfd pfd[SGW_MAX_UPLINKS];
		size_t n = sgw_router_pollfds(r, pfd, SGW_MAX_UPLINKS);
		int64_t now = sgw_mono_ns();

		if (now >= until)
			break;
		if (poll(pfd, n, (int)((until - now) / SGW_NS_PER_MS) + 1) > 0)
			sgw_router_dispatch(r, pfd, n);
	}
	for (size_t i = 0; i < r->nlinks; i++) {
		struct link *l = &r->links[i];
		struct sgw_outbox_stats st;

		sgw_outbox_get_stats(l->ob, &st);
		if (l->sc)
			sgw_outbox_drain(l->ob, spill_at_exit, l);
		else if (st.pending + st.inflight)
			log_warnx("[mqtt %s] %zu readings not delivered at exit", sgw_uplink_name(l->u),
				  st.pending + st.inflight);
	}
	links_free(r, true);
}

/* Messages carried from one router to the next across a reload. */
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

struct sgw_msg **sgw_router_release(struct sgw_router *r, size_t *n)
{
	struct carry c = { 0 };
	size_t k = 0;

	for (size_t i = 0; i < r->nlinks; i++)
		sgw_outbox_drain(r->links[i].ob, carry_add, &c);
	links_free(r, false);
	/* One reading may wait in several outboxes: keep it once, in order. */
	if (c.n)
		qsort(c.v, c.n, sizeof(*c.v), sgw_msg_cmp_seq);
	for (size_t i = 0; i < c.n; i++) {
		if (k && c.v[k - 1] == c.v[i])
			sgw_msg_unref(c.v[i]);
		else
			c.v[k++] = c.v[i];
	}
	*n = k;
	return c.v;
}

/* ------------------------------------------------------------ messages */

/*
 * Messages waiting in memory for L that belong on disk: the disk refused
 * them before (and the uplink is offline, or [queue] mode = always), or
 * the broker is slow to acknowledge and the waiting list is full.  Try to
 * move them there, in order, before a newer message is stored.
 */
static void spill_if_due(struct link *l, bool always)
{
	size_t waiting = sgw_outbox_waiting(l->ob);

	if (l->sc && waiting &&
	    (always || !sgw_uplink_connected(l->u) || waiting >= MAX_PENDING_SPOOL))
		spill(l);
}

/*
 * True when a new message for L belongs on disk: with [queue] mode =
 * always, or when the uplink is offline, or older messages for it wait on
 * disk.  Never while older messages wait in memory (ones the disk
 * refused): the new one queues behind them.
 */
static bool wants_disk(const struct link *l, bool always)
{
	if (!l->sc || sgw_outbox_waiting(l->ob))
		return false;
	return always || !sgw_uplink_connected(l->u) || !sgw_spool_caught_up(l->sc);
}

void sgw_router_emit(struct sgw_router *r, struct sgw_msg *m)
{
	bool always = r->cfg->queue.mode == SGW_QUEUE_MODE_ALWAYS;
	uint32_t want = sgw_routes_mask(r->routes, sgw_msg_topic(m)), mask = 0;
	int err;

	m->tag = sgw_tag_make(SGW_TAG_MEMORY, m->seq);
	for (size_t i = 0; i < r->nlinks; i++) {
		if (!(want & (1u << i)))
			continue;
		spill_if_due(&r->links[i], always);
		if (wants_disk(&r->links[i], always))
			mask |= 1u << i;
	}
	if (mask) {
		/* One record for every uplink that needs it. */
		err = sgw_spool_append(r->spool, m, mask);
		if (err < 0) {
			/* Refused (full under when_full = refuse, disk full): keep it in memory. */
			if (r->spool_errors++ % 1000 == 0)
				log_warnx("disk queue: %s; keeping readings in memory (%" PRIu64 " so far)",
					  strerror(-err), r->spool_errors);
			mask = 0;
		}
	}
	for (size_t i = 0; i < r->nlinks; i++) {
		struct link *l = &r->links[i];

		if (!(want & (1u << i)))
			continue;
		if (mask & (1u << i)) {
			if (sgw_uplink_connected(l->u))
				sgw_outbox_pump(l->ob);
			continue;
		}
		if (sgw_outbox_push(l->ob, m) < 0)
			log_warnx("[mqtt %s] reading %" PRIu64 " lost: out of memory",
				  sgw_uplink_name(l->u), m->seq);
	}
	sgw_msg_unref(m);
}

void sgw_router_publish_status(struct sgw_router *r, const char *topic, const void *payload,
			       size_t len)
{
	for (size_t i = 0; i < r->nlinks; i++) {
		if (!sgw_uplink_connected(r->links[i].u))
			continue;
		/* Not held back (nothing would send it later), but counted in max_rate. */
		sgw_outbox_charge(r->links[i].ob);
		sgw_uplink_publish_ex(r->links[i].u, topic, payload, len, 0, true,
				      sgw_tag_make(SGW_TAG_UNTRACKED, 0));
	}
}

void sgw_router_set_command_handler(struct sgw_router *r, sgw_router_command_fn *fn, void *arg)
{
	r->command = fn;
	r->command_arg = arg;
}

int sgw_router_subscribe(struct sgw_router *r, size_t link, const char *filter)
{
	return link < r->nlinks ? sgw_uplink_subscribe(r->links[link].u, filter) : -EINVAL;
}

int sgw_router_publish_on(struct sgw_router *r, size_t link, const char *topic,
			  const void *payload, size_t len, int qos, bool retain)
{
	if (link >= r->nlinks || !sgw_uplink_connected(r->links[link].u))
		return -ENOTCONN;
	sgw_outbox_charge(r->links[link].ob);
	return sgw_uplink_publish_ex(r->links[link].u, topic, payload, len, qos, retain,
				     sgw_tag_make(SGW_TAG_UNTRACKED, 0));
}

bool sgw_router_link_connected(const struct sgw_router *r, size_t link)
{
	return link < r->nlinks && sgw_uplink_connected(r->links[link].u);
}

/* ------------------------------------------------------------ the loop */

size_t sgw_router_pollfds(const struct sgw_router *r, struct pollfd *pfd, size_t max)
{
	size_t n = r->nlinks < max ? r->nlinks : max;

	for (size_t i = 0; i < n; i++)
		pfd[i] = (struct pollfd){ .fd = sgw_uplink_fd(r->links[i].u), .events = POLLIN };
	return n;
}

void sgw_router_dispatch(struct sgw_router *r, const struct pollfd *pfd, size_t n)
{
	for (size_t i = 0; i < n && i < r->nlinks; i++)
		if (pfd[i].revents)
			sgw_uplink_dispatch(r->links[i].u);
}

int64_t sgw_router_next_deadline(const struct sgw_router *r)
{
	int64_t next = r->spool ? sgw_spool_next_deadline(r->spool) : INT64_MAX;

	for (size_t i = 0; i < r->nlinks; i++) {
		int64_t d = sgw_uplink_next_deadline(r->links[i].u);
		int64_t p = sgw_outbox_next_deadline(r->links[i].ob);

		if (d < next)
			next = d;
		if (p < next)
			next = p;
	}
	return next;
}

void sgw_router_tick(struct sgw_router *r, int64_t now_ns)
{
	int err;

	if (r->spool && sgw_spool_next_deadline(r->spool) <= now_ns &&
	    (err = sgw_spool_sync_if_due(r->spool, now_ns)) < 0)
		log_warnx("disk queue: sync: %s", strerror(-err));
	for (size_t i = 0; i < r->nlinks; i++) {
		if (sgw_uplink_next_deadline(r->links[i].u) <= now_ns)
			sgw_uplink_tick(r->links[i].u, now_ns);
		/* The rate limit lets the next publishes go. */
		if (sgw_outbox_next_deadline(r->links[i].ob) <= now_ns)
			sgw_outbox_pump(r->links[i].ob);
	}
}

size_t sgw_router_restamp(struct sgw_router *r)
{
	size_t n = r->spool ? sgw_spool_restamp(r->spool) : 0;

	/* A reading in several outboxes is one message: made right once. */
	for (size_t i = 0; i < r->nlinks; i++)
		n += sgw_outbox_restamp(r->links[i].ob);
	return n;
}

bool sgw_router_idle(const struct sgw_router *r)
{
	for (size_t i = 0; i < r->nlinks; i++)
		if (!sgw_outbox_idle(r->links[i].ob))
			return false;
	return true;
}

/* ------------------------------------------------------------ statistics */

size_t sgw_router_nlinks(const struct sgw_router *r)
{
	return r->nlinks;
}

void sgw_router_link_stats(const struct sgw_router *r, size_t i, struct sgw_router_link_stats *st)
{
	const struct link *l = &r->links[i];
	const struct sgw_msg *old = sgw_outbox_oldest(l->ob);

	st->name = sgw_uplink_name(l->u);
	st->connected = sgw_uplink_connected(l->u);
	sgw_outbox_get_stats(l->ob, &st->outbox);
	sgw_uplink_get_stats(l->u, &st->uplink);
	st->oldest_memory_ts_ms = INT64_MIN;
	if (old && sgw_tag_kind(old->tag) == SGW_TAG_MEMORY)
		st->oldest_memory_ts_ms = old->ts.wall_ms;
	st->last_error = l->outage.last_error[0] ? l->outage.last_error : NULL;
	st->last_error_ts_ms = l->outage.last_error_ms;
}

bool sgw_router_queue_stats(struct sgw_router *r, struct sgw_queue_stats *st)
{
	if (!r->spool)
		return false;
	sgw_spool_get_stats(r->spool, st);
	return true;
}
