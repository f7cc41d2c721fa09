/* SPDX-License-Identifier: MIT */
#include "outbox.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "rate.h"
#include "spool.h"
#include "tag.h"
#include "util/clock.h"
#include "util/log.h"

struct sgw_outbox {
	struct sgw_uplink *u;
	struct sgw_spool_cursor *sc;	/* NULL: memory only */
	size_t max_pending;
	/* Waiting messages: a ring, oldest at head. */
	struct sgw_msg **ring;
	size_t rcap, rhead, rlen;
	/* Lost with a connection, to be sent before the ring; sorted by seq. */
	struct sgw_msg **retry;
	size_t nretry, capretry;
	/* In flight: open addressing on the delivery tag, linear probing. */
	struct sgw_msg **tab;
	size_t tcap, tlen;
	/* max_rate: the pump stopped for it (held); the next message counted. */
	struct sgw_rate rate;
	int64_t (*now)(void);
	bool held, counted;
	struct sgw_outbox_stats st;
};

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

static int tab_put(struct sgw_outbox *ob, struct sgw_msg *m)
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

static struct sgw_msg *tab_take(struct sgw_outbox *ob, uint64_t tag)
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
static bool rate_allows(struct sgw_outbox *ob)
{
	ob->held = sgw_rate_limited(&ob->rate) && !sgw_rate_ready(&ob->rate, ob->now());
	if (ob->held && !ob->counted) {
		ob->st.rate_limited++;
		ob->counted = true;
	}
	return !ob->held;
}

/* A message left: it takes its turn, and the next one is not counted yet. */
static void rate_sent(struct sgw_outbox *ob)
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
	if (!ob->held || !sgw_uplink_connected(ob->u))
		return INT64_MAX;
	return sgw_rate_next(&ob->rate, INT64_MIN);
}

static struct sgw_msg *ring_pop(struct sgw_outbox *ob)
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
		sgw_msg_unref(ring_pop(ob));
	for (size_t i = 0; i < ob->nretry; i++)
		sgw_msg_unref(ob->retry[i]);
	for (size_t i = 0; i < ob->tcap; i++)
		sgw_msg_unref(ob->tab[i]);
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
static struct sgw_msg *retry_pop(struct sgw_outbox *ob)
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
		sgw_msg_unref(retry_pop(ob));
	}
	while (ob->rlen) {
		err = store(arg, ob->ring[ob->rhead]);
		if (err < 0)
			return err;
		sgw_msg_unref(ring_pop(ob));
	}
	return 0;
}

int sgw_outbox_push(struct sgw_outbox *ob, struct sgw_msg *m)
{
	if (ob->rlen >= ob->max_pending) {
		sgw_msg_unref(ring_pop(ob));
		ob->st.dropped++;
	}
	if (ring_push(ob, m) < 0)
		return -ENOMEM;
	sgw_msg_ref(m);
	sgw_outbox_pump(ob);
	return 0;
}


/*
 * A publish error that no retry can cure: the message itself is refused.
 * Anything else (no room, no connection, a passing Paho failure) is tried
 * again at the next pump.
 */
static bool refused_for_good(int err)
{
	return err == -EINVAL || err == -EMSGSIZE;
}

static bool from_disk(const struct sgw_msg *m)
{
	return sgw_tag_kind(m->tag) == SGW_TAG_SPOOL;
}

void sgw_outbox_lost(struct sgw_outbox *ob)
{
	/* Normally none left: the uplink failed them all before. */
	for (size_t i = 0; i < ob->tcap; i++) {
		struct sgw_msg *m = ob->tab[i];

		if (m && from_disk(m)) {
			tab_take(ob, m->tag);
			sgw_msg_unref(m);
			i--;	/* backward shift may have moved another entry here */
		}
	}
	if (ob->sc)
		sgw_spool_rewind(ob->sc);
}

/* Send the disk backlog; true when it is all sent. */
static bool pump_spool(struct sgw_outbox *ob)
{
	struct sgw_msg *m;
	int err;

	while ((err = sgw_spool_peek(ob->sc, &m)) == 0) {
		if (!rate_allows(ob) || tab_put(ob, m) < 0)
			return false;
		err = sgw_uplink_publish_ex(ob->u, sgw_msg_topic(m), sgw_msg_payload(m),
					    m->payload_len, sgw_msg_qos(m, sgw_uplink_qos(ob->u)),
					    sgw_msg_retain(m, sgw_uplink_retain(ob->u)), m->tag);
		if (err < 0 && !refused_for_good(err)) {
			tab_take(ob, m->tag);
			return false;
		}
		sgw_spool_take(ob->sc);	/* the reference now belongs to the table */
		if (err == 0)
			rate_sent(ob);
		if (err < 0) {
			tab_take(ob, m->tag);
			log_warnx("[mqtt %s] dropping stored message %" PRIu64 " to %s: %s",
				  sgw_uplink_name(ob->u), m->seq, sgw_msg_topic(m), strerror(-err));
			sgw_spool_ack(ob->sc, m->tag);
			sgw_msg_unref(m);
			ob->st.dropped++;
		}
	}
	if (err != -ENODATA) {
		log_warnx("[mqtt %s] reading the disk queue: %s", sgw_uplink_name(ob->u),
			  strerror(-err));
		return false;
	}
	return true;
}

/*
 * Publish M, held in memory; true when it left the list it is on: sent
 * (the table holds the reference now) or refused for good (dropped, and
 * the caller's reference goes).  False: try again at the next pump.
 */
static bool send_memory(struct sgw_outbox *ob, struct sgw_msg *m)
{
	int err;

	if (!rate_allows(ob))
		return false;
	if (tab_put(ob, m) < 0)
		return false;	/* out of memory */
	err = sgw_uplink_publish_ex(ob->u, sgw_msg_topic(m), sgw_msg_payload(m), m->payload_len,
				    sgw_msg_qos(m, sgw_uplink_qos(ob->u)),
				    sgw_msg_retain(m, sgw_uplink_retain(ob->u)), m->tag);
	if (err == 0) {
		rate_sent(ob);
		return true;
	}
	tab_take(ob, m->tag);
	if (!refused_for_good(err))
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
	if (!sgw_uplink_connected(ob->u))
		return;
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
		if (!send_memory(ob, m))
			return;
		retry_pop(ob);
		ob->st.resent++;
	}
	while (ob->rlen) {
		m = ob->ring[ob->rhead];
		if (!send_memory(ob, m))
			return;
		ring_pop(ob);
	}
}

void sgw_outbox_ack(struct sgw_outbox *ob, uint64_t tag)
{
	struct sgw_msg *m = tab_take(ob, tag);

	if (!m)
		return;	/* not ours: an untracked message */
	if (ob->sc && from_disk(m))
		sgw_spool_ack(ob->sc, tag);
	ob->st.delivered++;
	sgw_msg_unref(m);
}

void sgw_outbox_fail(struct sgw_outbox *ob, uint64_t tag)
{
	struct sgw_msg *m = tab_take(ob, tag);
	size_t lo = 0, hi;

	if (!m)
		return;
	if (from_disk(m)) {
		/* On disk still: read again after the rewind. */
		sgw_msg_unref(m);
		return;
	}
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

size_t sgw_outbox_waiting(const struct sgw_outbox *ob)
{
	return ob->rlen + ob->nretry;
}

bool sgw_outbox_idle(const struct sgw_outbox *ob)
{
	return ob->rlen + ob->nretry + ob->tlen == 0 && (!ob->sc || sgw_spool_caught_up(ob->sc));
}

size_t sgw_outbox_restamp(struct sgw_outbox *ob)
{
	size_t n = 0;

	for (size_t i = 0; i < ob->rlen; i++)
		n += sgw_msg_restamp(ob->ring[(ob->rhead + i) & (ob->rcap - 1)]);
	for (size_t i = 0; i < ob->nretry; i++)
		n += sgw_msg_restamp(ob->retry[i]);
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
	st->pending = ob->rlen + ob->nretry;
	st->inflight = ob->tlen;
}

void sgw_outbox_drain(struct sgw_outbox *ob, void (*fn)(void *arg, struct sgw_msg *m), void *arg)
{
	size_t n = ob->tlen + ob->nretry, k = 0;
	struct sgw_msg **all = n ? malloc(n * sizeof(*all)) : NULL;

	if (n && !all) {
		/* Keep order best-effort without memory: retry, then in flight unsorted. */
		for (size_t i = 0; i < ob->nretry; i++)
			fn(arg, ob->retry[i]);
		for (size_t i = 0; i < ob->tcap; i++)
			if (ob->tab[i] && !from_disk(ob->tab[i]))
				fn(arg, ob->tab[i]);
	} else {
		for (size_t i = 0; i < ob->nretry; i++)
			all[k++] = ob->retry[i];
		for (size_t i = 0; i < ob->tcap; i++)
			if (ob->tab[i] && !from_disk(ob->tab[i]))
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
		struct sgw_msg *m = ring_pop(ob);

		fn(arg, m);
		sgw_msg_unref(m);
	}
}
