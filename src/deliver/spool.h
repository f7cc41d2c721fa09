/* SPDX-License-Identifier: MIT */
/*
 * Store-and-forward for the daemon: the disk queue (src/queue/queue.h) holding
 * encoded messages, one cursor per uplink.
 *
 * A record is one byte naming the uplinks that need it (bit i: uplink i),
 * then the message (src/deliver/qmsg.h: sample time, gateway sequence number,
 * topic, payload).  One reading that two offline uplinks need is stored
 * once; a cursor steps over records not meant for it, acknowledging them.
 *
 * A reading whose (topic, payload form) is in the queue's form table
 * (src/deliver/formtab.h, the file "forms" beside the segments) is stored as the
 * entry's number and the value (src/deliver/qmsg.h, version 2); other messages are
 * stored whole.  sgw_spool_set_forms() numbers the configured channels'
 * forms up front, so that appending does not wait for the table file.
 *
 * Messages read back keep the gateway's sequence number (msg->seq, the one
 * their payload shows) and carry the record number as their delivery tag
 * (SGW_TAG_SPOOL, deliver/tag.h), which sgw_spool_ack() takes back.
 *
 * A reading stored before the clock was synchronised keeps its boot time
 * (deliver/qmsg.h); read back once the clock is, its payload is rendered
 * with its wall time (message/msg.h), also after a reboot when its boot's
 * clock was synchronised before it (deliver/clocknote.h, the file "clock"
 * beside the segments).  One stored whole goes out as it was made,
 * "sync":false in its payload, and so does one of a boot whose clock was
 * never synchronised.
 */
#ifndef SGW_SPOOL_H
#define SGW_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/types.h"
#include "formtab.h"
#include "message/msg.h"
#include "queue/queue.h"

#define SGW_SPOOL_MAX_CURSORS 8

struct sgw_spool;
struct sgw_spool_cursor;

/*
 * Open (create) the queue in DIR with QC's settings; OPS NULL means the
 * real system calls (tests pass a fault-injecting table).  NULL+errno.
 */
struct sgw_spool *sgw_spool_open(const char *dir, const struct sgw_queue_config *qc,
				 const struct sgw_queue_ops *ops);
/*
 * How loading the form table went: 0, or -EBADMSG/-errno when it was corrupt
 * or unreadable; readings queued with it cannot be sent and are counted in
 * stats.corrupt when read.
 */
int sgw_spool_forms_error(const struct sgw_spool *sp);
/*
 * Number the N forms E (the configured channels') in the form table, after
 * the cursors are set up.  When nothing queued is unacknowledged, forms no
 * longer in use are forgotten.  Returns 0 or -errno (the readings of forms
 * left out are then stored whole).
 */
int sgw_spool_set_forms(struct sgw_spool *sp, const struct sgw_formtab_entry *e, size_t n);
/* Make everything durable and close.  Returns 0 or -errno. */
int sgw_spool_close(struct sgw_spool *sp);

/*
 * The cursor of uplink BIT (0..7), named NAME in the queue's state.  A new
 * cursor starts at the oldest record stored, so that a reading kept for a
 * renamed uplink is not lost.  NULL+errno.
 */
struct sgw_spool_cursor *sgw_spool_cursor(struct sgw_spool *sp, const char *name, unsigned bit);

/*
 * Forget the cursors of uplinks that are no longer configured (they would
 * keep segments from being deleted).  Returns how many were removed.
 */
int sgw_spool_forget_others(struct sgw_spool *sp);

/*
 * Store M for the uplinks in MASK.  Returns 0 when it was appended (a sync
 * that failed after it is counted in stats.io_errors), or the queue's
 * -errno when it was not: the caller still holds the only copy.
 */
int sgw_spool_append(struct sgw_spool *sp, const struct sgw_msg *m, uint32_t mask);
/* Store M for this cursor's uplink only. */
int sgw_spool_cursor_append(struct sgw_spool_cursor *c, const struct sgw_msg *m);

/*
 * The next message for the cursor, without taking it: 0 and *M (borrowed,
 * valid until sgw_spool_take() or a rewind), -ENODATA when the cursor has
 * nothing left (it is caught up), other -errno on a read error.
 */
int sgw_spool_peek(struct sgw_spool_cursor *c, struct sgw_msg **m);
/* The peeked message was sent: move on.  Returns it (a new reference). */
struct sgw_msg *sgw_spool_take(struct sgw_spool_cursor *c);
/*
 * The clock was found synchronised: it is noted for after a reboot, and the
 * messages peeked and not taken get their wall time (sgw_msg_restamp()).
 * Returns how many did.
 */
size_t sgw_spool_restamp(struct sgw_spool *sp);
/* Nothing stored for this uplink beyond what it has read. */
bool sgw_spool_caught_up(const struct sgw_spool_cursor *c);
/* The broker acknowledged the message read with delivery tag TAG. */
int sgw_spool_ack(struct sgw_spool_cursor *c, uint64_t tag);
/* The connection was lost: read again from the oldest unacknowledged record. */
void sgw_spool_rewind(struct sgw_spool_cursor *c);

/* Group commit: see sgw_queue_next_sync_deadline()/sgw_queue_sync_if_due(). */
int64_t sgw_spool_next_deadline(const struct sgw_spool *sp);
int sgw_spool_sync_if_due(struct sgw_spool *sp, int64_t now_ns);

void sgw_spool_get_stats(struct sgw_spool *sp, struct sgw_queue_stats *st);

#endif
