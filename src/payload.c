/* SPDX-License-Identifier: MIT */
#include "payload.h"

#include <errno.h>
#include <string.h>

#include "pack_json.h"
#include "sgw_kernels.h"

int sgw_payload_format(char *dst, size_t cap, enum sgw_format fmt,
		       const struct sgw_channel_config *ch, int32_t value,
		       int64_t ts_ms, uint64_t seq)
{
	struct sgw_pack_item it = {
		.unit = ch->unit, .value = value,
		.scale = (uint8_t)ch->scale, .precision = (uint8_t)ch->precision,
		.ts_ms = ts_ms, .seq = seq,
	};
	char num[SGW_FMT_FIXED_MAX];
	size_t n;

	if (fmt == SGW_FORMAT_PLAIN) {
		n = sgw_fmt_fixed(num, value, (unsigned)ch->scale, (unsigned)ch->precision);
		if (n > cap)
			return -ENOSPC;
		memcpy(dst, num, n);
		return (int)n;
	}
	n = sgw_pack_json_reading(dst, cap, &it);
	if (n >= cap)
		return -ENOSPC;
	return (int)n;
}
