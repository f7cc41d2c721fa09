/* SPDX-License-Identifier: MIT */
/*
 * An uplink's in-flight table: the messages handed to Paho whose completion
 * (PUBACK, PUBCOMP, or their loss) has not come back, in publish order.
 *
 * A ring: acknowledgements come in order, so they are found at its head,
 * and losses are reported oldest first.  An entry taken out of order leaves
 * a hole that is skipped once the entries before it are gone.
 *
 * An entry is matched by Paho's token, the connection generation it was
 * sent on and a stamp taken before the send (mqtt/uplink.c explains why
 * tokens alone are not enough).  Main thread only.
 */
#ifndef SGW_INFLIGHT_H
#define SGW_INFLIGHT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sgw_inflight_entry {
	uint64_t tag;		/* the caller's delivery tag */
	uint64_t stamp;		/* sends begun before this one, plus one */
	uint32_t gen;		/* connection generation */
	int token;		/* Paho's */
	bool live;		/* false: a hole left by an out-of-order completion */
	bool counted;		/* occupies the caller's window (QoS > 0) */
	bool broker_ack;	/* QoS > 0: completed by the broker's acknowledgement */
	bool own;		/* the uplink's status message: not reported */
};

struct sgw_inflight {
	struct sgw_inflight_entry *ring;
	size_t cap, first, used;
	size_t live;		/* entries that are not holes */
	size_t counted;		/* live entries with counted set */
};

/* Room for CAP entries to begin with.  0 or -ENOMEM. */
int sgw_inflight_init(struct sgw_inflight *t, size_t cap);
void sgw_inflight_free(struct sgw_inflight *t);

/* Make room for one more entry (before handing a message to Paho). */
int sgw_inflight_reserve(struct sgw_inflight *t);
/* Append E (after sgw_inflight_reserve()); E->live is set. */
void sgw_inflight_push(struct sgw_inflight *t, const struct sgw_inflight_entry *e);

/*
 * The live entry with TOKEN and GEN whose stamp is at most STAMP (a
 * completion can only be of a message whose send began before it was
 * posted).  Its index (0 = oldest) in *IDX.
 */
bool sgw_inflight_find(const struct sgw_inflight *t, int token, uint32_t gen, uint64_t stamp,
		       size_t *idx);

/* The entry at index I (0 = oldest, I < used), a hole or not. */
const struct sgw_inflight_entry *sgw_inflight_get(const struct sgw_inflight *t, size_t i);

/* Remove the entry at index I; returns a copy of it. */
struct sgw_inflight_entry sgw_inflight_take(struct sgw_inflight *t, size_t i);

/* Remove the oldest entry (a hole or not); returns a copy.  T must not be empty. */
struct sgw_inflight_entry sgw_inflight_pop(struct sgw_inflight *t);

#endif
