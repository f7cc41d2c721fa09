/* SPDX-License-Identifier: MIT */
/*
 * JSON payloads of readings, without printf and without floats.
 *
 * One reading, keys in this order, no spaces:
 *     {"value":23.46,"unit":"°C","ts":1700000000123,"seq":42}
 * and with a topic (item->topic != NULL) the topic comes first:
 *     {"topic":"casa/sala/temperatura","value":23.46,"unit":"°C","ts":...,"seq":...}
 * A batch is a JSON array of such objects, no spaces: [{...},{...}].
 *
 * value is printed with sgw_fmt_fixed() (the item's scale and precision);
 * topic and unit are JSON strings escaped as RFC 8259 requires ('"', '\\'
 * and the control characters U+0000..U+001F; \b \f \n \r \t where they
 * exist, \u00XX otherwise).  Other bytes, UTF-8 included, pass unchanged:
 * the caller hands in valid UTF-8.
 *
 * Size contract, as snprintf: the functions return the length of the whole
 * payload (without the NUL).  When that is < CAP the payload and a NUL are
 * in DST; otherwise DST holds an unspecified prefix and the caller may retry
 * with a buffer of at least return + 1 bytes.  Nothing is ever written at or
 * beyond DST + CAP (CAP may be 0, DST then may be NULL).
 */
#ifndef SGW_PACK_JSON_H
#define SGW_PACK_JSON_H

#include <stddef.h>
#include <stdint.h>

struct sgw_pack_item {
	const char *topic;	/* NULL: no "topic" key */
	const char *unit;	/* NULL is written as "" */
	int32_t value;		/* fixed point with SCALE fraction digits */
	uint8_t scale;		/* 0..9 */
	uint8_t precision;	/* fraction digits printed, 0..9 */
	int64_t ts_ms;		/* sample time, ms since the epoch */
	uint64_t seq;		/* per-gateway sequence number */
};

size_t sgw_pack_json_reading(char *dst, size_t cap, const struct sgw_pack_item *it);
size_t sgw_pack_json_batch(char *dst, size_t cap, const struct sgw_pack_item *items, size_t n);

/* The escaped form of S (without quotes); same size contract. */
size_t sgw_pack_json_escape(char *dst, size_t cap, const char *s);

#endif
