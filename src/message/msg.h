/* SPDX-License-Identifier: MIT */
/*
 * An outgoing MQTT message: topic, payload, the gateway sequence number and
 * the sample time, and the delivery tag that the store-and-forward layer
 * gives it (src/deliver/tag.h).  Reference counted (main thread only) so
 * that one reading can wait in several uplinks' outboxes.
 *
 * A reading's message also remembers what its payload was made of (the
 * value and the payload form), so that the disk queue can store those few
 * bytes instead of the payload and make the same payload again later, and
 * so that a reading taken before the clock was synchronised can get its
 * wall time once it is (sgw_msg_restamp()).
 *
 * QoS and retain flag are the uplink's unless the message sets its own
 * (a sensor's qos and retain keys): each uplink that carries it publishes
 * it with sgw_msg_qos() and sgw_msg_retain() of its own defaults.
 */
#ifndef SGW_MSG_H
#define SGW_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "payload.h"
#include "util/clock.h"

struct sgw_msg {
	uint64_t seq;		/* the gateway's number, as the payload shows it */
	uint64_t tag;		/* delivery tag; 0 until delivery gives it one */
	struct sgw_stamp ts;	/* the sample time */
	uint32_t refs;
	uint32_t topic_len;
	uint32_t payload_len;
	uint32_t payload_room;	/* bytes the payload may take (sgw_msg_restamp()) */
	uint32_t unit_len;
	int32_t value;		/* a reading's: the value it was rendered from */
	int8_t qos;		/* 0..2; -1 (as made): the uplink's */
	int8_t retain;		/* 0, 1; -1 (as made): the uplink's */
	bool reading;		/* the payload is sgw_payload_render() of value */
	uint8_t fmt, scale, precision;
	char data[];		/* topic, NUL, unit, NUL, payload, NUL (and room) */
};

/*
 * A message with any payload, sample time TS.  NULL+errno on failure; one
 * reference.  Its payload is as given, even when TS is unsynchronised.
 */
struct sgw_msg *sgw_msg_new(uint64_t seq, const struct sgw_stamp *ts, const char *topic,
			    size_t topic_len, const void *payload, size_t payload_len);
/*
 * A reading's message: the payload is rendered from VALUE in form F, with
 * sample time TS made right first if it can be (sgw_clock_fix()).  NULL+errno
 * (EMSGSIZE when the payload does not fit SGW_PAYLOAD_MAX).
 */
struct sgw_msg *sgw_msg_new_reading(uint64_t seq, const struct sgw_stamp *ts, const char *topic,
				    size_t topic_len, const struct sgw_payload_form *f,
				    int32_t value);
/*
 * A reading's message whose sample time was unsynchronised and can be made
 * right now (sgw_clock_fix()): it gets its wall time and its payload is
 * rendered again, in place (M keeps room for it).  True when so.
 */
bool sgw_msg_restamp(struct sgw_msg *m);
static inline const char *sgw_msg_topic(const struct sgw_msg *m) { return m->data; }
static inline const char *sgw_msg_payload(const struct sgw_msg *m)
{
	return m->data + m->topic_len + 1 + m->unit_len + 1;
}
/* A reading's payload form (unit points into M).  False for other messages. */
bool sgw_msg_form(const struct sgw_msg *m, struct sgw_payload_form *f);
/* The QoS and retain flag M goes out with on an uplink whose own are DEF. */
static inline int sgw_msg_qos(const struct sgw_msg *m, int def)
{
	return m->qos >= 0 ? m->qos : def;
}
static inline bool sgw_msg_retain(const struct sgw_msg *m, bool def)
{
	return m->retain >= 0 ? m->retain != 0 : def;
}
static inline struct sgw_msg *sgw_msg_ref(struct sgw_msg *m) { m->refs++; return m; }
void sgw_msg_unref(struct sgw_msg *m);
/* qsort() comparator of (struct sgw_msg *) elements: by sequence number. */
int sgw_msg_cmp_seq(const void *a, const void *b);

#endif
