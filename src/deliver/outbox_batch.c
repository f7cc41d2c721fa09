/* SPDX-License-Identifier: MIT */
/*
 * The outbox's batches (outbox.h, batch = yes): formed at send time from
 * the sending order, published with their first reading's tag, and the
 * flights that map that tag to the readings in the in-flight table.
 */
#include "outbox_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "spool.h"
#include "util/log.h"

int sgw_outbox_set_batch(struct sgw_outbox *ob, size_t bytes, size_t readings,
			 uint32_t wait_ms, const char *topic)
{
	struct sgw_batch *b = sgw_batch_new(bytes, readings);
	char *t = strdup(topic);

	if (!b || !t) {
		sgw_batch_free(b);
		free(t);
		return -ENOMEM;
	}
	sgw_batch_free(ob->batch);
	free(ob->batch_topic);
	ob->batch = b;
	ob->batch_topic = t;
	ob->batch_wait_ns = (int64_t)wait_ms * 1000000;
	return 0;
}

/* When the batch in the making goes, full or not. */
int64_t sgw_outbox_batch_due(const struct sgw_outbox *ob)
{
	return ob->batch_since + ob->batch_wait_ns;
}

/* ------------------------------------------------------------ batches in flight */

static int flight_add(struct sgw_outbox *ob, struct sgw_msg *const *m, size_t n)
{
	struct flight *f;

	if (ob->nflights == ob->capflights) {
		size_t ncap = ob->capflights ? ob->capflights * 2 : 16;
		struct flight *nf = realloc(ob->flights, ncap * sizeof(*nf));

		if (!nf)
			return -ENOMEM;
		ob->flights = nf;
		ob->capflights = ncap;
	}
	f = &ob->flights[ob->nflights];
	f->tags = malloc(n * sizeof(*f->tags));
	if (!f->tags)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		f->tags[i] = m[i]->tag;
	f->tag = m[0]->tag;
	f->n = n;
	ob->nflights++;
	return 0;
}

/* Take the batch in flight with delivery tag TAG into *F; false when none is. */
bool sgw_outbox_flight_take(struct sgw_outbox *ob, uint64_t tag, struct flight *f)
{
	/* A window's worth at most: a scan is enough. */
	for (size_t i = 0; i < ob->nflights; i++) {
		if (ob->flights[i].tag != tag)
			continue;
		*f = ob->flights[i];
		ob->flights[i] = ob->flights[--ob->nflights];
		return true;
	}
	return false;
}

/*
 * The batch in the making goes back where it came from: its readings held
 * in memory to the resend list, those read from disk are read again after
 * the cursor's rewind.
 */
void sgw_outbox_unstage(struct sgw_outbox *ob)
{
	struct sgw_msg *const *m = sgw_batch_msgs(ob->batch);
	size_t n = sgw_batch_count(ob->batch);

	for (size_t i = 0; i < n; i++) {
		if (sgw_outbox_from_disk(m[i]))
			sgw_msg_unref(m[i]);
		else
			sgw_outbox_retry_insert(ob, m[i]);
	}
	sgw_batch_clear(ob->batch, false);
	ob->nstaged_memory = 0;
}

/*
 * Publish the batch in the making, one message with its first reading's
 * tag; true when it left: sent (the table holds its readings, a flight
 * maps the tag to them) or refused for good (its readings dropped).  False:
 * it stays, to be tried at the next pump.
 */
static bool send_batch(struct sgw_outbox *ob)
{
	struct sgw_msg *const *m = sgw_batch_msgs(ob->batch);
	size_t n = sgw_batch_count(ob->batch), k = 0, len;
	uint64_t tag = m[0]->tag;
	const char *text;
	struct flight f;
	bool tried = false;
	int err = 0;

	if (!sgw_outbox_rate_allows(ob))
		return false;
	text = sgw_batch_text(ob->batch, &len);
	while (text && k < n && sgw_outbox_tab_put(ob, m[k]) == 0)
		k++;
	if (k == n && flight_add(ob, m, n) == 0) {
		tried = true;
		err = sgw_uplink_publish(ob->u, ob->batch_topic, text, len, tag);
		if (err == 0) {
			sgw_outbox_rate_sent(ob);
			ob->st.batches++;
			ob->st.batched_readings += n;
			sgw_batch_clear(ob->batch, false);	/* the references are the table's */
			ob->nstaged_memory = 0;
			return true;
		}
		sgw_outbox_flight_take(ob, tag, &f);
		free(f.tags);
	}
	while (k > 0)
		sgw_outbox_tab_take(ob, m[--k]->tag);
	if (!tried || !sgw_outbox_refused_for_good(err)) {
		ob->batch_stuck = true;
		return false;
	}
	log_warnx("[mqtt %s] dropping a batch of %zu readings (%" PRIu64 "..%" PRIu64 "): %s",
		  sgw_uplink_name(ob->u), n, m[0]->seq, m[n - 1]->seq, strerror(-err));
	for (size_t i = 0; i < n; i++)
		if (ob->sc && sgw_outbox_from_disk(m[i]))
			sgw_spool_ack(ob->sc, m[i]->tag);
	ob->st.dropped += n;
	sgw_batch_clear(ob->batch, true);
	ob->nstaged_memory = 0;
	return true;
}

enum source { SRC_NONE, SRC_ERROR, SRC_SPOOL, SRC_RETRY, SRC_RING };

/* The next message in sending order (borrowed) and where it is. */
static enum source next_msg(struct sgw_outbox *ob, struct sgw_msg **m)
{
	int err;

	if (ob->sc) {
		err = sgw_spool_peek(ob->sc, m);
		if (err == 0)
			return SRC_SPOOL;
		if (err != -ENODATA) {
			sgw_outbox_spool_error(ob, err);
			return SRC_ERROR;
		}
	}
	if (ob->nretry) {
		*m = ob->retry[0];
		return SRC_RETRY;
	}
	if (ob->rlen) {
		*m = ob->ring[ob->rhead];
		return SRC_RING;
	}
	return SRC_NONE;
}

/* The message next_msg() gave leaves its source; UNREF: its reference goes with it. */
static void next_taken(struct sgw_outbox *ob, enum source s, bool unref)
{
	struct sgw_msg *m = NULL;

	if (s == SRC_SPOOL) {
		m = sgw_spool_take(ob->sc);
	} else if (s == SRC_RETRY) {
		m = sgw_outbox_retry_pop(ob);
		ob->st.resent++;
	} else if (s == SRC_RING) {
		m = sgw_outbox_ring_pop(ob);
	}
	if (unref)
		sgw_msg_unref(m);
}

/*
 * batch = yes: readings join the batch in sending order; it goes when the
 * next would not fit, when it is full, when a message that is not a
 * reading, or a reading with its sensor's own qos or retain, comes (that
 * one goes alone, after it), and when its first reading
 * has waited batch_wait with nothing more to come.
 */
void sgw_outbox_pump_batched(struct sgw_outbox *ob)
{
	struct sgw_batch *b = ob->batch;
	struct sgw_msg *m;
	enum source s;
	int ret;

	while ((s = next_msg(ob, &m)) != SRC_NONE) {
		if (s == SRC_ERROR)
			return;
		/* A sensor's own qos or retain is a promise about its own message. */
		if (!m->reading || m->qos >= 0 || m->retain >= 0) {
			if (sgw_batch_count(b)) {
				if (!send_batch(ob))
					return;
				continue;
			}
			if (!(s == SRC_SPOOL ? sgw_outbox_send_spool(ob, m) : sgw_outbox_send_memory(ob, m)))
				return;
			if (s != SRC_SPOOL)
				next_taken(ob, s, false);	/* the table's now, or dropped */
			continue;
		}
		ret = sgw_batch_add(b, m);
		if (ret < 0)
			return;
		if (ret == 0) {
			if (!send_batch(ob))
				return;
			continue;
		}
		if (sgw_batch_count(b) == 1)
			ob->batch_since = ob->now();
		if (s != SRC_SPOOL)
			ob->nstaged_memory++;
		next_taken(ob, s, true);
		if (sgw_batch_full(b) && !send_batch(ob))
			return;
	}
	if (sgw_batch_count(b) && ob->now() >= sgw_outbox_batch_due(ob))
		send_batch(ob);
}
