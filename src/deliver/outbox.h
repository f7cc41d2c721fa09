/* SPDX-License-Identifier: MIT */
/*
 * Delivery state of one uplink: messages waiting to be sent (in sequence
 * order), and messages in flight until the broker acknowledges them.  A
 * message leaves the outbox only on its acknowledgement; one lost with the
 * connection goes back in front of the waiting ones and is sent again (so
 * a subscriber may see a duplicate around a reconnect, never a gap).
 *
 * The waiting list is bounded: past max_pending the oldest message is
 * dropped and counted.
 */
#ifndef SGW_OUTBOX_H
#define SGW_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "message/msg.h"
#include "spool.h"
#include "mqtt/uplink.h"

struct sgw_outbox;

struct sgw_outbox_stats {
	size_t pending;		/* waiting to be sent */
	size_t inflight;	/* sent, not acknowledged */
	uint64_t delivered;	/* acknowledged */
	uint64_t dropped;	/* lost to the max_pending bound */
	uint64_t resent;	/* sent again after a lost connection */
};

/*
 * With SC (a disk queue cursor for this uplink), messages the uplink cannot
 * take go to disk instead of memory: see sgw_outbox_wants_disk(); when the
 * connection drops, what memory holds moves to disk, and on reconnect the
 * disk backlog goes out first, oldest first.  Without SC, memory only.
 */
struct sgw_outbox *sgw_outbox_new(struct sgw_uplink *u, size_t max_pending,
				  struct sgw_spool_cursor *sc);
void sgw_outbox_free(struct sgw_outbox *ob);

/*
 * True when a new message for this uplink belongs on disk: with ALWAYS
 * ([queue] mode = always), or when the uplink is offline, or older messages
 * for it wait on disk.  Never while older messages wait in memory (ones the
 * disk refused): the new one queues behind them, and the next pump moves
 * them all to disk in order once it takes them.
 */
bool sgw_outbox_wants_disk(const struct sgw_outbox *ob, bool always);

/* Queue M in memory (takes a reference) and try to send. Returns 0 or -ENOMEM. */
int sgw_outbox_push(struct sgw_outbox *ob, struct sgw_msg *m);
/* Send waiting messages while the uplink is connected and its window has room. */
void sgw_outbox_pump(struct sgw_outbox *ob);
/* The uplink's on_ack / on_fail for the message whose seq is TAG. */
void sgw_outbox_ack(struct sgw_outbox *ob, uint64_t tag);
void sgw_outbox_fail(struct sgw_outbox *ob, uint64_t tag);

/* Nothing waits: in memory, in flight, or on disk for this uplink. */
bool sgw_outbox_idle(const struct sgw_outbox *ob);

/* Oldest message not yet acknowledged (waiting or in flight), or NULL. */
const struct sgw_msg *sgw_outbox_oldest(const struct sgw_outbox *ob);
void sgw_outbox_get_stats(const struct sgw_outbox *ob, struct sgw_outbox_stats *st);

/*
 * Hand every unacknowledged message held in memory, oldest first, to FN
 * (which may take a reference), then empty the outbox.  Used at shutdown
 * and reload; messages read from disk stay there.
 */
void sgw_outbox_drain(struct sgw_outbox *ob, void (*fn)(void *arg, struct sgw_msg *m), void *arg);

#endif
