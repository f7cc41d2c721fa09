/* SPDX-License-Identifier: MIT */
/*
 * Payload of one reading:
 *   plain  the value with the channel's precision: 23.46
 *   json   {"value":23.46,"unit":"°C","ts":1700000000123,"seq":42}
 *          ts = sample time in ms since the epoch, seq = gateway sequence.
 * A sample time read before the gateway's clock was synchronised, and not
 * worked out since (util/clock.h), is the clock's reading as it was, and
 * "sync":false follows "seq" to say so:
 *          {"value":23.46,"unit":"°C","ts":1510000004321,"seq":42,"sync":false}
 * Readings in JSON can also carry their topic, which then comes first:
 *          {"topic":"casa/sala/temperatura","value":23.46,"unit":"°C",...}
 * and a batch of them is a JSON array of such objects: [{...},{...}].
 * No spaces anywhere; the value is printed with sgw_fmt_fixed() (the form's
 * scale and precision), topic and unit are escaped as json.h says.
 */
#ifndef SGW_PAYLOAD_H
#define SGW_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/types.h"
#include "json.h"
#include "util/clock.h"

#define SGW_PAYLOAD_MAX 256

/*
 * Everything a reading's payload is made of besides the value, the sample
 * time and the sequence number.  The disk queue keeps a reading as its form
 * and value (src/deliver/formtab.h) and renders the payload again when it sends it.
 */
struct sgw_payload_form {
	enum sgw_format fmt;
	uint8_t scale;		/* fraction digits of the value, 0..9 */
	uint8_t precision;	/* fraction digits printed, 0..9 */
	const char *unit;	/* NULL means "" */
};

/* The form of channel CH's payloads in format FMT. */
void sgw_payload_form_of(struct sgw_payload_form *f, enum sgw_format fmt,
			 const struct sgw_channel_config *ch);

/* Returns the length written to DST (no NUL), or -ENOSPC.  TS: the sample time. */
int sgw_payload_render(char *dst, size_t cap, const struct sgw_payload_form *f,
		       int32_t value, const struct sgw_stamp *ts, uint64_t seq);

/* A reading as a JSON object of its own, for batches. */
struct sgw_payload_reading {
	const char *topic;	/* NULL: no "topic" key */
	size_t topic_len;
	const struct sgw_payload_form *form;	/* its fmt is not looked at */
	int32_t value;
	int64_t ts_ms;
	uint64_t seq;
	bool unsynced;		/* TS_MS was read before the clock was synchronised */
};

/* R's JSON object, as the next value of W. */
void sgw_payload_json(struct sgw_json *w, const struct sgw_payload_reading *r);

/*
 * The JSON array of the N readings R, with sgw_json_finish()'s size
 * contract (json.h), written by the batch packer (sgw_pack_batch() of
 * asm/sgw_kernels.h): the same text as sgw_payload_json() gives each
 * reading, comma-separated in brackets (the packer knows no "sync" key: an
 * unsynced reading is written by the JSON writer).  -ENOMEM only when CAP
 * is too small for the whole array, a reading's topic and unit together
 * are longer than about 320 bytes and memory runs out.
 */
ssize_t sgw_payload_json_batch(char *dst, size_t cap, const struct sgw_payload_reading *r,
			       size_t n);

#endif
