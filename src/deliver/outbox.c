/* SPDX-License-Identifier: MIT */
#include "outbox.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "outbox_int.h"
#include "spool.h"
#include "util/clock.h"
#include "util/log.h"

static size_t tab_slot(const struct sgw_outbox *ob, uint64_t tag)
{
	/* Fibonacci hashing spreads consecutive numbers. */
	return (size_t)((tag * 0x9E3779B97F4A7C15ull) >> 20) & (ob->tcap - 1);
}

static int tab_grow(struct sgw_outbox *ob)
{
	size_t ncap = ob->tcap ? ob->tcap * 2 : 64;
	struct sgw_msg **nt = calloc(ncap, sizeof(*nt));
	struct sgw_msg **old = ob->tab;
	size_t ocap = ob->tcap;

	if (!nt)
		return -ENOMEM;
	ob->tab = nt;
	ob->tcap = ncap;
	for (size_t i = 0; i < ocap; i++) {
		if (!old[i])
			continue;
		size_t j = tab_slot(ob, old[i]->tag);

		while (nt[j])
			j = (j + 1) & (ncap - 1);
		nt[j] = old[i];
	}
	free(old);
	return 0;
}

int sgw_outbox_tab_put(struct sgw_outbox *ob, struct sgw_msg *m)
{
	size_t j;

	if ((ob->tlen + 1) * 2 > ob->tcap && tab_grow(ob) < 0)
		return -ENOMEM;
	j = tab_slot(ob, m->tag);
	while (ob->tab[j])
		j = (j + 1) & (ob->tcap - 1);
	ob->tab[j] = m;
	ob->tlen++;
	return 0;
}

struct sgw_msg *sgw_outbox_tab_take(struct sgw_outbox *ob, uint64_t tag)
{
	size_t mask = ob->tcap - 1, j, k;
	struct sgw_msg *m;

	if (!ob->tcap)
		return NULL;
	for (j = tab_slot(ob, tag); ob->tab[j]; j = (j + 1) & mask)
		if (ob->tab[j]->tag == tag)
			break;
	m = ob->tab[j];
	if (!m)
		return NULL;
	ob->tab[j] = NULL;
	ob->tlen--;
	/* Backward-shift deletion keeps every probe chain unbroken. */
	for (k = (j + 1) & mask; ob->tab[k]; k = (k + 1) & mask) {
		size_t home = tab_slot(ob, ob->tab[k]->tag);

		if (((k - home) & mask) >= ((k - j) & mask)) {
			ob->tab[j] = ob->tab[k];
			ob->tab[k] = NULL;
			j = k;
		}
	}
	return m;
}

struct sgw_outbox *sgw_outbox_new(struct sgw_uplink *u, size_t max_pending,
				  struct sgw_spool_cursor *sc)
{
	struct sgw_outbox *ob = calloc(1, sizeof(*ob));

	if (!ob)
		return NULL;
	ob->u = u;
	ob->sc = sc;
	ob->max_pending = max_pending ? max_pending : 1;
	ob->now = sgw_mono_ns;
	sgw_rate_init(&ob->rate, 0);
	return ob;
}

void sgw_outbox_set_rate(struct sgw_outbox *ob, uint32_t per_s, int64_t (*now)(void))
{
	sgw_rate_init(&ob->rate, per_s);
	ob->now = now ? now : sgw_mono_ns;
}

/*
 * Whether the rate limit lets one more message leave now.  The first time
 * it does not for the next message, that message is counted.
 */
bool sgw_outbox_rate_allows(struct sgw_outbox *ob)
{
	ob->held = sgw_rate_limited(&ob->rate) && !sgw_rate_ready(&ob->rate, ob->now());
	if (ob->held && !ob->counted) {
		ob->st.rate_limited++;
		ob->counted = true;
	}
	return !ob->held;
}

/* A message left: it takes its turn, and the next one is not counted yet. */
void sgw_outbox_rate_sent(struct sgw_outbox *ob)
{
	if (sgw_rate_limited(&ob->rate))
		sgw_rate_charge(&ob->rate, ob->now());
	ob->counted = false;
}

void sgw_outbox_charge(struct sgw_outbox *ob)
{
	if (sgw_rate_limited(&ob->rate))
		sgw_rate_charge(&ob->rate, ob->now());
}

int64_t sgw_outbox_next_deadline(const struct sgw_outbox *ob)
{
	if (!sgw_uplink_connected(ob->u))
		return INT64_MAX;
	if (ob->held)
		return sgw_rate_next(&ob->rate, INT64_MIN);
	/* A batch that could not go (a full window) goes on the next acknowledgement. */
	if (ob->batch && sgw_batch_count(ob->batch) && !ob->batch_stuck)
		return sgw_outbox_batch_due(ob);
	return INT64_MAX;
}

struct sgw_msg *sgw_outbox_ring_pop(struct sgw_outbox *ob)
{
	struct sgw_msg *m = ob->ring[ob->rhead];

	ob->rhead = (ob->rhead + 1) & (ob->rcap - 1);
	ob->rlen--;
	return m;
}

void sgw_outbox_free(struct sgw_outbox *ob)
{
	if (!ob)
		return;
	while (ob->rlen)
		sgw_msg_unref(sgw_outbox_ring_pop(ob));
	for (size_t i = 0; i < ob->nretry; i++)
		sgw_msg_unref(ob->retry[i]);
	for (size_t i = 0; i < ob->tcap; i++)
		sgw_msg_unref(ob->tab[i]);
	for (size_t i = 0; i < ob->nflights; i++)
		free(ob->flights[i].tags);
	free(ob->flights);
	sgw_batch_free(ob->batch);
	free(ob->batch_topic);
	free(ob->ring);
	free(ob->retry);
	free(ob->tab);
	free(ob);
}

static int ring_push(struct sgw_outbox *ob, struct sgw_msg *m)
{
	if (ob->rlen == ob->rcap) {
		size_t ncap = ob->rcap ? ob->rcap * 2 : 64;
		struct sgw_msg **nr = malloc(ncap * sizeof(*nr));

		if (!nr)
			return -ENOMEM;
		for (size_t i = 0; i < ob->rlen; i++)
			nr[i] = ob->ring[(ob->rhead + i) & (ob->rcap - 1)];
		free(ob->ring);
		ob->ring = nr;
		ob->rcap = ncap;
		ob->rhead = 0;
	}
	ob->ring[(ob->rhead + ob->rlen) & (ob->rcap - 1)] = m;
	ob->rlen++;
	return 0;
}

/* Take the first message to resend. */
struct sgw_msg *sgw_outbox_retry_pop(struct sgw_outbox *ob)
{
	struct sgw_msg *m = ob->retry[0];

	memmove(ob->retry, ob->retry + 1, (ob->nretry - 1) * sizeof(*ob->retry));
	ob->nretry--;
	return m;
}

int sgw_outbox_spill(struct sgw_outbox *ob, int (*store)(void *arg, const struct sgw_msg *m),
		     void *arg)
{
	int err;

	while (ob->nretry) {
		err = store(arg, ob->retry[0]);
		if (err < 0)
			return err;
		sgw_msg_unref(sgw_outbox_retry_pop(ob));
	}
	while (ob->rlen) {
		err = store(arg, ob->ring[ob->rhead]);
		if (err < 0)
			return err;
		sgw_msg_unref(sgw_outbox_ring_pop(ob));
	}
	return 0;
}

int sgw_outbox_push(struct sgw_outbox *ob, struct sgw_msg *m)
{
	if (ob->rlen >= ob->max_pending) {
		sgw_msg_unref(sgw_outbox_ring_pop(ob));
		ob->st.dropped++;
	}
	if (ring_push(ob, m) < 0)
		return -ENOMEM;
	sgw_msg_ref(m);
	sgw_outbox_pump(ob);
	return 0;
}


/* ------------------------------------------------------------ resend list */

/* Keep M (the caller's reference) to be sent again, in sequence order. */
void sgw_outbox_retry_insert(struct sgw_outbox *ob, struct sgw_msg *m)
{
	size_t lo = 0, hi;

	if (ob->nretry == ob->capretry) {
		size_t ncap = ob->capretry ? ob->capretry * 2 : 32;
		struct sgw_msg **nr = realloc(ob->retry, ncap * sizeof(*nr));

		if (!nr) {
			/* Cannot keep it: count it as dropped rather than crash. */
			ob->st.dropped++;
			sgw_msg_unref(m);
			return;
		}
		ob->retry = nr;
		ob->capretry = ncap;
	}
	hi = ob->nretry;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (ob->retry[mid]->seq < m->seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(ob->retry + lo + 1, ob->retry + lo, (ob->nretry - lo) * sizeof(*ob->retry));
	ob->retry[lo] = m;
	ob->nretry++;
}

static void fail_one(struct sgw_outbox *ob, uint64_t tag)
{
	struct sgw_msg *m = sgw_outbox_tab_take(ob, tag);

	if (!m)
		return;
	if (sgw_outbox_from_disk(m)) {
		/* On disk still: read again after the rewind. */
		sgw_msg_unref(m);
		return;
	}
	sgw_outbox_retry_insert(ob, m);
}

void sgw_outbox_lost(struct sgw_outbox *ob)
{
	struct flight f;

	/* Normally none left: the uplink failed them all before. */
	while (ob->nflights && sgw_outbox_flight_take(ob, ob->flights[0].tag, &f)) {
		for (size_t i = 0; i < f.n; i++)
			fail_one(ob, f.tags[i]);
		free(f.tags);
	}
	if (ob->batch)
		sgw_outbox_unstage(ob);
	for (size_t i = 0; i < ob->tcap; i++) {
		struct sgw_msg *m = ob->tab[i];

		if (m && sgw_outbox_from_disk(m)) {
			sgw_outbox_tab_take(ob, m->tag);
			sgw_msg_unref(m);
			i--;	/* backward shift may have moved another entry here */
		}
	}
	if (ob->sc)
		sgw_spool_rewind(ob->sc);
}

/* ------------------------------------------------------------ sending */

/*
 * Publish M, peeked from disk; true when the cursor moved past it: sent
 * (the table holds it now) or refused for good (dropped and acknowledged).
 * False: try again at the next pump.
 */
/* M as one publish, with its own qos and retain or else the uplink's. */
static int publish_one(struct sgw_outbox *ob, const struct sgw_msg *m)
{
	return sgw_uplink_publish_ex(ob->u, sgw_msg_topic(m), sgw_msg_payload(m), m->payload_len,
				     sgw_msg_qos(m, sgw_uplink_qos(ob->u)),
				     sgw_msg_retain(m, sgw_uplink_retain(ob->u)), m->tag);
}

bool sgw_outbox_send_spool(struct sgw_outbox *ob, struct sgw_msg *m)
{
	int err;

	if (!sgw_outbox_rate_allows(ob) || sgw_outbox_tab_put(ob, m) < 0)
		return false;
	err = publish_one(ob, m);
	if (err < 0 && !sgw_outbox_refused_for_good(err)) {
		sgw_outbox_tab_take(ob, m->tag);
		return false;
	}
	sgw_spool_take(ob->sc);	/* the reference now belongs to the table */
	if (err == 0) {
		sgw_outbox_rate_sent(ob);
		return true;
	}
	sgw_outbox_tab_take(ob, m->tag);
	log_warnx("[mqtt %s] dropping stored message %" PRIu64 " to %s: %s",
		  sgw_uplink_name(ob->u), m->seq, sgw_msg_topic(m), strerror(-err));
	sgw_spool_ack(ob->sc, m->tag);
	sgw_msg_unref(m);
	ob->st.dropped++;
	return true;
}

/* The disk cursor's read error (not the end of the backlog), told. */
void sgw_outbox_spool_error(struct sgw_outbox *ob, int err)
{
	log_warnx("[mqtt %s] reading the disk queue: %s", sgw_uplink_name(ob->u), strerror(-err));
}

/* Send the disk backlog; true when it is all sent. */
static bool pump_spool(struct sgw_outbox *ob)
{
	struct sgw_msg *m;
	int err;

	while ((err = sgw_spool_peek(ob->sc, &m)) == 0)
		if (!sgw_outbox_send_spool(ob, m))
			return false;
	if (err != -ENODATA) {
		sgw_outbox_spool_error(ob, err);
		return false;
	}
	return true;
}

/*
 * Publish M, held in memory; true when it left the list it is on: sent
 * (the table holds the reference now) or refused for good (dropped, and
 * the caller's reference goes).  False: try again at the next pump.
 */
bool sgw_outbox_send_memory(struct sgw_outbox *ob, struct sgw_msg *m)
{
	int err;

	if (!sgw_outbox_rate_allows(ob))
		return false;
	if (sgw_outbox_tab_put(ob, m) < 0)
		return false;	/* out of memory */
	err = publish_one(ob, m);
	if (err == 0) {
		sgw_outbox_rate_sent(ob);
		return true;
	}
	sgw_outbox_tab_take(ob, m->tag);
	if (!sgw_outbox_refused_for_good(err))
		return false;
	/* Refused for good (too large for Paho): drop it, say so. */
	log_warnx("[mqtt %s] dropping message %" PRIu64 " to %s: %s", sgw_uplink_name(ob->u),
		  m->seq, sgw_msg_topic(m), strerror(-err));
	ob->st.dropped++;
	sgw_msg_unref(m);
	return true;
}

void sgw_outbox_pump(struct sgw_outbox *ob)
{
	struct sgw_msg *m;

	ob->held = false;	/* until the rate limit stops this pump */
	ob->batch_stuck = false;
	if (!sgw_uplink_connected(ob->u))
		return;
	if (ob->batch) {
		sgw_outbox_pump_batched(ob);
		return;
	}
	/*
	 * The disk first: a message goes to memory only while nothing newer
	 * than it is on disk for this uplink (deliver/router.c), so whatever
	 * is there is older.  Then the messages lost with a connection, older
	 * than those waiting.
	 */
	if (ob->sc && !pump_spool(ob))
		return;
	while (ob->nretry) {
		m = ob->retry[0];
		if (!sgw_outbox_send_memory(ob, m))
			return;
		sgw_outbox_retry_pop(ob);
		ob->st.resent++;
	}
	while (ob->rlen) {
		m = ob->ring[ob->rhead];
		if (!sgw_outbox_send_memory(ob, m))
			return;
		sgw_outbox_ring_pop(ob);
	}
}

/* ------------------------------------------------------------ acknowledgements */

static void ack_one(struct sgw_outbox *ob, uint64_t tag)
{
	struct sgw_msg *m = sgw_outbox_tab_take(ob, tag);

	if (!m)
		return;	/* not ours: an untracked message */
	if (ob->sc && sgw_outbox_from_disk(m))
		sgw_spool_ack(ob->sc, tag);
	ob->st.delivered++;
	sgw_msg_unref(m);
}

void sgw_outbox_ack(struct sgw_outbox *ob, uint64_t tag)
{
	struct flight f;

	if (!sgw_outbox_flight_take(ob, tag, &f)) {
		ack_one(ob, tag);
		return;
	}
	for (size_t i = 0; i < f.n; i++)
		ack_one(ob, f.tags[i]);
	free(f.tags);
}

void sgw_outbox_fail(struct sgw_outbox *ob, uint64_t tag)
{
	struct flight f;

	if (!sgw_outbox_flight_take(ob, tag, &f)) {
		fail_one(ob, tag);
		return;
	}
	for (size_t i = 0; i < f.n; i++)
		fail_one(ob, f.tags[i]);
	free(f.tags);
}

size_t sgw_outbox_waiting(const struct sgw_outbox *ob)
{
	return ob->rlen + ob->nretry + ob->nstaged_memory;
}

bool sgw_outbox_idle(const struct sgw_outbox *ob)
{
	return ob->rlen + ob->nretry + ob->tlen == 0 && (!ob->batch || !sgw_batch_count(ob->batch)) &&
	       (!ob->sc || sgw_spool_caught_up(ob->sc));
}

size_t sgw_outbox_restamp(struct sgw_outbox *ob)
{
	size_t n = 0;

	for (size_t i = 0; i < ob->rlen; i++)
		n += sgw_msg_restamp(ob->ring[(ob->rhead + i) & (ob->rcap - 1)]);
	for (size_t i = 0; i < ob->nretry; i++)
		n += sgw_msg_restamp(ob->retry[i]);
	for (size_t i = 0; ob->batch && i < sgw_batch_count(ob->batch); i++)
		n += sgw_msg_restamp(sgw_batch_msgs(ob->batch)[i]);
	/* In flight: sent as they were; made right for a resend. */
	for (size_t i = 0; i < ob->tcap; i++)
		if (ob->tab[i])
			n += sgw_msg_restamp(ob->tab[i]);
	return n;
}

const struct sgw_msg *sgw_outbox_oldest(const struct sgw_outbox *ob)
{
	const struct sgw_msg *best = NULL;

	if (ob->nretry)
		best = ob->retry[0];
	/* The batch in the making: older than the waiting ones, maybe than those to resend. */
	if (ob->batch && sgw_batch_count(ob->batch) &&
	    (!best || sgw_batch_msgs(ob->batch)[0]->seq < best->seq))
		best = sgw_batch_msgs(ob->batch)[0];
	for (size_t i = 0; i < ob->tcap; i++)
		if (ob->tab[i] && (!best || ob->tab[i]->seq < best->seq))
			best = ob->tab[i];
	if (!best && ob->rlen)
		best = ob->ring[ob->rhead];
	return best;
}

void sgw_outbox_get_stats(const struct sgw_outbox *ob, struct sgw_outbox_stats *st)
{
	*st = ob->st;
	st->pending = ob->rlen + ob->nretry + ob->nstaged_memory;
	st->inflight = ob->tlen;
}

void sgw_outbox_drain(struct sgw_outbox *ob, void (*fn)(void *arg, struct sgw_msg *m), void *arg)
{
	size_t n, k = 0;
	struct sgw_msg **all;

	/* The batch in the making joins those to resend; the flights go with the table. */
	if (ob->batch)
		sgw_outbox_unstage(ob);
	for (size_t i = 0; i < ob->nflights; i++)
		free(ob->flights[i].tags);
	ob->nflights = 0;
	n = ob->tlen + ob->nretry;
	all = n ? malloc(n * sizeof(*all)) : NULL;

	if (n && !all) {
		/* Keep order best-effort without memory: retry, then in flight unsorted. */
		for (size_t i = 0; i < ob->nretry; i++)
			fn(arg, ob->retry[i]);
		for (size_t i = 0; i < ob->tcap; i++)
			if (ob->tab[i] && !sgw_outbox_from_disk(ob->tab[i]))
				fn(arg, ob->tab[i]);
	} else {
		for (size_t i = 0; i < ob->nretry; i++)
			all[k++] = ob->retry[i];
		for (size_t i = 0; i < ob->tcap; i++)
			if (ob->tab[i] && !sgw_outbox_from_disk(ob->tab[i]))
				all[k++] = ob->tab[i];
		if (k)
			qsort(all, k, sizeof(*all), sgw_msg_cmp_seq);
		for (size_t i = 0; i < k; i++)
			fn(arg, all[i]);
		free(all);
	}
	for (size_t i = 0; i < ob->nretry; i++)
		sgw_msg_unref(ob->retry[i]);
	ob->nretry = 0;
	for (size_t i = 0; i < ob->tcap; i++) {
		sgw_msg_unref(ob->tab[i]);
		ob->tab[i] = NULL;
	}
	ob->tlen = 0;
	while (ob->rlen) {
		struct sgw_msg *m = sgw_outbox_ring_pop(ob);

		fn(arg, m);
		sgw_msg_unref(m);
	}
}
