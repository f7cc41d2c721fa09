/* SPDX-License-Identifier: MIT */
/*
 * An outgoing MQTT message: topic, payload, the gateway sequence number and
 * the sample time.  Reference counted (main thread only) so that one reading
 * can wait in several uplinks' outboxes.
 */
#ifndef SGW_MSG_H
#define SGW_MSG_H

#include <stddef.h>
#include <stdint.h>

struct sgw_msg {
	uint64_t seq;
	int64_t ts_ms;
	uint32_t refs;
	uint32_t topic_len;
	uint32_t payload_len;
	char data[];		/* topic, NUL, payload, NUL */
};

/* NULL+errno on failure; one reference. */
struct sgw_msg *sgw_msg_new(uint64_t seq, int64_t ts_ms, const char *topic, size_t topic_len,
			    const void *payload, size_t payload_len);
static inline const char *sgw_msg_topic(const struct sgw_msg *m) { return m->data; }
static inline const char *sgw_msg_payload(const struct sgw_msg *m) { return m->data + m->topic_len + 1; }
static inline struct sgw_msg *sgw_msg_ref(struct sgw_msg *m) { m->refs++; return m; }
void sgw_msg_unref(struct sgw_msg *m);

#endif
