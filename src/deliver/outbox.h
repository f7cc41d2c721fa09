/* SPDX-License-Identifier: MIT */
/*
 * The delivery window of one uplink: messages waiting in memory to be sent
 * (in sequence order), the disk backlog read through the uplink's spool
 * cursor, and the messages in flight until the broker acknowledges them.
 *
 * A message leaves the outbox only on its acknowledgement; one lost with
 * the connection is sent again: from memory it goes back in front of the
 * waiting ones, from disk it is read again after the cursor's rewind (so a
 * subscriber may see a duplicate around a reconnect, never a gap).  Sending
 * order: the disk backlog, then the messages to resend, then the waiting.
 *
 * Where a new message is kept (memory or disk) is not decided here but by
 * the router (deliver/router.h), which also moves messages from memory to
 * disk with sgw_outbox_spill().  The waiting list is bounded: past
 * max_pending the oldest waiting message is dropped and counted.
 *
 * A rate limit (sgw_outbox_set_rate()) holds publishes back as a full
 * window does: what may not leave yet waits where it is (in memory, or on
 * disk), and sgw_outbox_next_deadline() says when the pump may go on.
 */
#ifndef SGW_OUTBOX_H
#define SGW_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "message/msg.h"
#include "mqtt/uplink.h"
#include "spool.h"

struct sgw_outbox;

struct sgw_outbox_stats {
	size_t pending;		/* in memory, waiting to be sent */
	size_t inflight;	/* sent, not acknowledged */
	uint64_t delivered;	/* acknowledged */
	uint64_t dropped;	/* lost to the max_pending bound, or refused for good */
	uint64_t resent;	/* sent again after a lost connection */
	uint64_t rate_limited;	/* messages the rate limit held back (each counted once) */
	uint64_t batches;	/* batches published (batch = yes) */
	uint64_t batched_readings;	/* readings they carried */
};

/* SC: the uplink's disk queue cursor, or NULL without a disk queue. */
struct sgw_outbox *sgw_outbox_new(struct sgw_uplink *u, size_t max_pending,
				  struct sgw_spool_cursor *sc);
void sgw_outbox_free(struct sgw_outbox *ob);

/*
 * At most PER_S publishes a second leave (deliver/rate.h); 0: no limit
 * (the default).  NOW gives CLOCK_MONOTONIC ns; NULL: sgw_mono_ns() (tests
 * pass their own).
 */
void sgw_outbox_set_rate(struct sgw_outbox *ob, uint32_t per_s, int64_t (*now)(void));
/*
 * When the pump, held back by the rate limit, may send again, or when the
 * batch in the making is due (CLOCK_MONOTONIC ns); INT64_MAX when neither
 * waits or the uplink is offline.
 */
int64_t sgw_outbox_next_deadline(const struct sgw_outbox *ob);
/*
 * batch = yes: readings go out as JSON arrays on TOPIC (deliver/batch.h),
 * of at most BYTES bytes and READINGS readings, the first waiting WAIT_MS
 * at most for others (the clock of sgw_outbox_set_rate()); call it before
 * the first push.  The batches are formed when they are sent, from the
 * sending order above, also from the disk backlog; messages that are not
 * readings go alone, in their place.  A batch is published with its first
 * reading's delivery tag: its acknowledgement acknowledges every reading
 * in it (on disk too), its failure has every one sent again.  The rate
 * limit counts a batch as one publish.  0 or -ENOMEM.
 */
int sgw_outbox_set_batch(struct sgw_outbox *ob, size_t bytes, size_t readings,
			 uint32_t wait_ms, const char *topic);
/* A publish of the uplink's own that the outbox did not send (status) takes its turn. */
void sgw_outbox_charge(struct sgw_outbox *ob);

/* Keep M in memory (takes a reference) and try to send.  0 or -ENOMEM. */
int sgw_outbox_push(struct sgw_outbox *ob, struct sgw_msg *m);
/* Send while the uplink is connected and its window has room. */
void sgw_outbox_pump(struct sgw_outbox *ob);
/* The uplink's on_ack / on_fail for the message with delivery tag TAG. */
void sgw_outbox_ack(struct sgw_outbox *ob, uint64_t tag);
void sgw_outbox_fail(struct sgw_outbox *ob, uint64_t tag);
/*
 * The connection is gone (after the uplink failed what was in flight):
 * what was read from disk is read again from the oldest unacknowledged
 * record when the uplink is back.
 */
void sgw_outbox_lost(struct sgw_outbox *ob);

/* Messages in memory not yet sent (to resend, waiting, in the batch in the making). */
size_t sgw_outbox_waiting(const struct sgw_outbox *ob);
/* Nothing waits: in memory, in flight, or on disk for this uplink. */
bool sgw_outbox_idle(const struct sgw_outbox *ob);

/*
 * Hand the messages waiting in memory, oldest first, to STORE until it
 * refuses one (returns < 0); those handed over leave the outbox, the rest
 * stay.  Returns STORE's error, or 0 when all went.
 */
int sgw_outbox_spill(struct sgw_outbox *ob, int (*store)(void *arg, const struct sgw_msg *m),
		     void *arg);

/*
 * Hand every message held in memory and not acknowledged (waiting, to
 * resend, in flight), oldest first, to FN (which may take a reference),
 * then empty the outbox.  Messages read from disk stay there.
 */
void sgw_outbox_drain(struct sgw_outbox *ob, void (*fn)(void *arg, struct sgw_msg *m), void *arg);

/*
 * The clock was found synchronised: the messages held in memory (waiting,
 * to resend, in flight) get their wall time if they can (sgw_msg_restamp()).
 * Returns how many did.
 */
size_t sgw_outbox_restamp(struct sgw_outbox *ob);

/* Oldest message not yet acknowledged (waiting or in flight), or NULL. */
const struct sgw_msg *sgw_outbox_oldest(const struct sgw_outbox *ob);
void sgw_outbox_get_stats(const struct sgw_outbox *ob, struct sgw_outbox_stats *st);

#endif
