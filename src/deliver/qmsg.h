/* SPDX-License-Identifier: MIT */
/*
 * A queued MQTT message: what the daemon stores in the disk queue for each
 * reading it could not publish yet.  It keeps the reading's sample time and
 * the gateway's sequence number, so replayed data keeps its original time
 * and consumers can drop duplicates.
 *
 * Two encodings (compact: the SD card writes every byte).  Any message:
 *   u8      flags: own_retain << 7 | own_qos << 6 | 0x10 | unsynced << 3 |
 *           retain << 2 | qos                    (bits 4-5: 1, format version 1)
 *   varint  ts_ms, zigzag                 (ms since the epoch)
 *   varint  seq
 *   [time]
 *   varint  topic length, then the topic bytes
 *   the payload: the rest
 * A reading, whose topic and payload form are entry FORM of the queue's
 * form table (src/deliver/formtab.h) and whose payload is rendered from VALUE:
 *   u8      flags: own_retain << 7 | own_qos << 6 | 0x20 | unsynced << 3 |
 *           retain << 2 | qos                    (bits 4-5: 2, version 2)
 *   varint  ts_ms, zigzag
 *   varint  seq
 *   [time]
 *   varint  form
 *   varint  value, zigzag; nothing follows
 * qos and retain are the message's own only with own_qos and own_retain
 * set (a sensor's qos and retain keys); without, the uplink's apply and the
 * bits say nothing (earlier versions wrote qos 1, retain 0 and never set
 * bits 6 and 7: their records read as the uplink's).
 * [time] is there only when the unsynced bit is set: the sample time was
 * read before the clock was synchronised (util/clock.h), and the record
 * keeps what can make it right later:
 *   varint  boot_ms                       (CLOCK_BOOTTIME)
 *   u64     boot, little-endian           (sgw_clock_boot() of its boot)
 * Varints are LEB128 (7 bits a byte, low group first), at most 10 bytes.
 */
#ifndef SGW_QMSG_H
#define SGW_QMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/clock.h"

#define SGW_QMSG_TOPIC_MAX 65535u	/* MQTT's limit */

struct sgw_qmsg {
	struct sgw_stamp ts;	/* the sample time; boot_ms and boot when unsynced */
	uint64_t seq;
	const char *topic;	/* not NUL-terminated after decoding */
	size_t topic_len;
	const void *payload;
	size_t payload_len;
	uint8_t qos;		/* 0..2 */
	bool retain;
	bool own_qos, own_retain;	/* qos, retain are the message's (else the uplink's) */
	bool reading;		/* version 2: form and value, no topic or payload */
	uint32_t form;
	int32_t value;
};

/* Bytes sgw_qmsg_encode() writes for M. */
size_t sgw_qmsg_size(const struct sgw_qmsg *m);

/*
 * Encode M into BUF (CAP bytes).  Returns the length, -EINVAL (qos > 2,
 * topic of a version 1 message empty or longer than SGW_QMSG_TOPIC_MAX) or
 * -EMSGSIZE (CAP too small).
 */
long sgw_qmsg_encode(const struct sgw_qmsg *m, void *buf, size_t cap);

/*
 * Decode BUF (LEN bytes) into M; topic and payload point into BUF (for a
 * reading, they are NULL and 0).  Returns 0 or -EBADMSG.
 */
int sgw_qmsg_decode(struct sgw_qmsg *m, const void *buf, size_t len);

/* The sample time (ts.wall_ms) of an encoded message, or INT64_MIN when malformed. */
int64_t sgw_qmsg_peek_ts(const void *buf, size_t len);

#endif
