/* SPDX-License-Identifier: MIT */
#include "payload.h"

#include <errno.h>
#include <string.h>

#include "pack_json.h"
#include "asm/sgw_kernels.h"

void sgw_payload_form_of(struct sgw_payload_form *f, enum sgw_format fmt,
			 const struct sgw_channel_config *ch)
{
	f->fmt = fmt;
	f->scale = (uint8_t)ch->scale;
	f->precision = (uint8_t)ch->precision;
	f->unit = ch->unit;
}

int sgw_payload_render(char *dst, size_t cap, const struct sgw_payload_form *f,
		       int32_t value, int64_t ts_ms, uint64_t seq)
{
	struct sgw_pack_item it = {
		.unit = f->unit, .value = value,
		.scale = f->scale, .precision = f->precision,
		.ts_ms = ts_ms, .seq = seq,
	};
	char num[SGW_FMT_FIXED_MAX];
	size_t n;

	if (f->fmt == SGW_FORMAT_PLAIN) {
		n = sgw_fmt_fixed(num, value, f->scale, f->precision);
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
