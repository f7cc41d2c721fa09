/* SPDX-License-Identifier: MIT */
/*
 * Inside the outbox (outbox.h), shared by its two files: outbox.c (the
 * lists, the window, one message at a time) and outbox_batch.c (batch =
 * yes: batches formed at send time, and their flights).  Nothing else
 * includes it.
 */
#ifndef SGW_OUTBOX_INT_H
#define SGW_OUTBOX_INT_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "batch.h"
#include "outbox.h"
#include "rate.h"
#include "tag.h"

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
	/* batch = yes: the batch in the making, its wait, the batches in flight. */
	struct sgw_batch *batch;
	char *batch_topic;
	int64_t batch_wait_ns;
	int64_t batch_since;	/* when its first reading joined */
	bool batch_stuck;	/* its publish failed in this pump: wait for an ack */
	size_t nstaged_memory;	/* its readings held in memory (not read from disk) */
	struct flight *flights;
	size_t nflights, capflights;
	struct sgw_outbox_stats st;
};

/*
 * A batch in flight: published with the delivery tag of its first reading;
 * the readings themselves are in the table, each under its own tag.
 */
struct flight {
	uint64_t tag;
	size_t n;
	uint64_t *tags;
};

/*
 * A publish error that no retry can cure: the message itself is refused.
 * Anything else (no room, no connection, a passing Paho failure) is tried
 * again at the next pump.
 */
static inline bool sgw_outbox_refused_for_good(int err)
{
	return err == -EINVAL || err == -EMSGSIZE;
}

static inline bool sgw_outbox_from_disk(const struct sgw_msg *m)
{
	return sgw_tag_kind(m->tag) == SGW_TAG_SPOOL;
}

/* outbox.c: the in-flight table (by delivery tag), the lists, sending one message. */
int sgw_outbox_tab_put(struct sgw_outbox *ob, struct sgw_msg *m);
struct sgw_msg *sgw_outbox_tab_take(struct sgw_outbox *ob, uint64_t tag);
bool sgw_outbox_rate_allows(struct sgw_outbox *ob);
void sgw_outbox_rate_sent(struct sgw_outbox *ob);
struct sgw_msg *sgw_outbox_ring_pop(struct sgw_outbox *ob);
struct sgw_msg *sgw_outbox_retry_pop(struct sgw_outbox *ob);
void sgw_outbox_retry_insert(struct sgw_outbox *ob, struct sgw_msg *m);
bool sgw_outbox_send_spool(struct sgw_outbox *ob, struct sgw_msg *m);
bool sgw_outbox_send_memory(struct sgw_outbox *ob, struct sgw_msg *m);
void sgw_outbox_spool_error(struct sgw_outbox *ob, int err);

/* outbox_batch.c */
int64_t sgw_outbox_batch_due(const struct sgw_outbox *ob);
bool sgw_outbox_flight_take(struct sgw_outbox *ob, uint64_t tag, struct flight *f);
void sgw_outbox_unstage(struct sgw_outbox *ob);
void sgw_outbox_pump_batched(struct sgw_outbox *ob);

#endif
