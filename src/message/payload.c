/* SPDX-License-Identifier: MIT */
#include "payload.h"

#include <errno.h>
#include <string.h>

#include "asm/sgw_kernels.h"

void sgw_payload_form_of(struct sgw_payload_form *f, enum sgw_format fmt,
			 const struct sgw_channel_config *ch)
{
	f->fmt = fmt;
	f->scale = (uint8_t)ch->scale;
	f->precision = (uint8_t)ch->precision;
	f->unit = ch->unit;
}

void sgw_payload_json(struct sgw_json *w, const struct sgw_payload_reading *r)
{
	const struct sgw_payload_form *f = r->form;

	sgw_json_object_begin(w);
	if (r->topic) {
		sgw_json_key(w, "topic");
		sgw_json_string_len(w, r->topic, r->topic_len);
	}
	sgw_json_key(w, "value");
	sgw_json_fixed(w, r->value, f->scale, f->precision);
	sgw_json_key(w, "unit");
	sgw_json_string(w, f->unit ? f->unit : "");
	sgw_json_key(w, "ts");
	sgw_json_int(w, r->ts_ms);
	sgw_json_key(w, "seq");
	sgw_json_uint(w, r->seq);
	sgw_json_object_end(w);
}

ssize_t sgw_payload_json_batch(char *dst, size_t cap, const struct sgw_payload_reading *r,
			       size_t n)
{
	struct sgw_json w;

	sgw_json_init(&w, dst, cap);
	sgw_json_array_begin(&w);
	for (size_t i = 0; i < n; i++)
		sgw_payload_json(&w, &r[i]);
	sgw_json_array_end(&w);
	return sgw_json_finish(&w);
}

int sgw_payload_render(char *dst, size_t cap, const struct sgw_payload_form *f,
		       int32_t value, int64_t ts_ms, uint64_t seq)
{
	struct sgw_payload_reading r = { .form = f, .value = value, .ts_ms = ts_ms, .seq = seq };
	char num[SGW_FMT_FIXED_MAX];
	struct sgw_json w;
	ssize_t n;

	if (f->fmt == SGW_FORMAT_PLAIN) {
		size_t len = sgw_fmt_fixed(num, value, f->scale, f->precision);

		if (len > cap)
			return -ENOSPC;
		memcpy(dst, num, len);
		return (int)len;
	}
	sgw_json_init(&w, dst, cap);
	sgw_payload_json(&w, &r);
	n = sgw_json_finish(&w);
	if (n < 0 || (size_t)n >= cap)
		return -ENOSPC;
	return (int)n;
}
