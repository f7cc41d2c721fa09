/* SPDX-License-Identifier: MIT */
/*
 * One uplink's batch in the making ([mqtt NAME] batch = yes): readings
 * gathered in sending order until the next would not fit, sent as one
 * JSON array (message/payload.h: [{"topic":...,"value":...,"unit":...,
 * "ts":...,"seq":...},...]).
 *
 * A batch holds at most READINGS readings and its text at most BYTES
 * bytes; a reading is never split, and one whose object alone is longer
 * than BYTES makes a batch of its own.  Only readings (msg->reading) join:
 * any other message goes alone.  The batch keeps a reference to each
 * reading until it is emptied; what happens to a batch once sent (its
 * delivery tag, acknowledgement, resend) is the outbox's (outbox.h).
 *
 * Readings render into the text as they join, so the size is known at each
 * step.  One that joined with an unsynchronised sample time may have got
 * its wall time since (sgw_msg_restamp(): the object can only get
 * shorter): sgw_batch_text() renders the batch again then.
 */
#ifndef SGW_BATCH_H
#define SGW_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "message/msg.h"

struct sgw_batch;

/* Limits: BYTES (>= 2) of text, READINGS (>= 1) readings.  NULL+errno. */
struct sgw_batch *sgw_batch_new(size_t bytes, size_t readings);
/* Drops the references it holds. */
void sgw_batch_free(struct sgw_batch *b);

/*
 * Add reading M (takes a reference).  Returns 1 when it joined, 0 when it
 * does not fit (send the batch first; an empty batch takes any reading),
 * -ENOMEM.
 */
int sgw_batch_add(struct sgw_batch *b, struct sgw_msg *m);
size_t sgw_batch_count(const struct sgw_batch *b);
/* READINGS reached: nothing more can join. */
bool sgw_batch_full(const struct sgw_batch *b);
/* The readings, in the order they joined (COUNT of them). */
struct sgw_msg *const *sgw_batch_msgs(const struct sgw_batch *b);

/*
 * The JSON array (*LEN bytes, NUL-terminated), valid until the batch
 * changes; NULL+errno (ENOMEM, or ENODATA when empty).
 */
const char *sgw_batch_text(struct sgw_batch *b, size_t *len);

/*
 * Empty the batch.  UNREF: drop its references; else the caller has taken
 * them over (sgw_batch_msgs() before).
 */
void sgw_batch_clear(struct sgw_batch *b, bool unref);

#endif
