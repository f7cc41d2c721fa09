/* SPDX-License-Identifier: MIT */
/*
 * Payload of one reading:
 *   plain  the value with the channel's precision: 23.46
 *   json   {"value":23.46,"unit":"°C","ts":1700000000123,"seq":42}
 *          ts = sample time in ms since the epoch, seq = gateway sequence.
 */
#ifndef SGW_PAYLOAD_H
#define SGW_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define SGW_PAYLOAD_MAX 256

/* Returns the length written to DST (no NUL), or -ENOSPC. */
int sgw_payload_format(char *dst, size_t cap, enum sgw_format fmt,
		       const struct sgw_channel_config *ch, int32_t value,
		       int64_t ts_ms, uint64_t seq);

#endif
