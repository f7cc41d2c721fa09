/* SPDX-License-Identifier: MIT */
#include "payload.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
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
	if (r->unsynced) {
		sgw_json_key(w, "sync");
		sgw_json_bool(w, false);
	}
	sgw_json_object_end(w);
}

/* Readings handed to the packer at once: their items and ends are on the stack. */
#define PACK_CHUNK 16
/*
 * Where one reading is packed when DST has no room for its bound (the
 * array is cut short there): enough for a topic and unit of 320 bytes.
 */
#define PACK_SCRATCH 2048

static void pack_item_of(struct sgw_pack_item *it, const struct sgw_payload_reading *r)
{
	const struct sgw_payload_form *f = r->form;

	*it = (struct sgw_pack_item){
		.topic = r->topic, .topic_len = r->topic ? r->topic_len : 0,
		.unit = f->unit, .unit_len = f->unit ? strlen(f->unit) : 0,
		.ts_ms = r->ts_ms, .seq = r->seq,
		.value = r->value, .scale = f->scale, .precision = f->precision,
	};
}

/* The N bytes at S at DST + *LEN, as far as CAP allows; *LEN counts them all. */
static void put(char *dst, size_t cap, size_t *len, const char *s, size_t n)
{
	if (*len < cap)
		memcpy(dst + *len, s, n < cap - *len ? n : cap - *len);
	*len += n;
}

/*
 * IT's objects, comma-separated, where DST has no room for their bound:
 * each packed on its own into scratch space and copied as far as it fits.
 */
static int pack_cut(char *dst, size_t cap, size_t *len, const struct sgw_pack_item *it,
		    size_t n)
{
	char scratch[PACK_SCRATCH];

	for (size_t i = 0; i < n; i++) {
		size_t bound = sgw_pack_bound(&it[i], 1), end;
		char *buf = bound <= sizeof(scratch) ? scratch : malloc(bound);

		if (!buf)
			return -ENOMEM;
		sgw_pack_batch(buf, &it[i], 1, SIZE_MAX, &end);
		if (i > 0)
			put(dst, cap, len, ",", 1);
		put(dst, cap, len, buf, end);
		if (buf != scratch)
			free(buf);
	}
	return 0;
}

/* R's object by the JSON writer at DST + *LEN, as far as CAP allows; *LEN counts it all. */
static void put_json(char *dst, size_t cap, size_t *len, const struct sgw_payload_reading *r)
{
	struct sgw_json w;
	ssize_t n;

	/* Cut short, the writer ends with a NUL at CAP - 1: where the batch's goes. */
	sgw_json_init(&w, *len < cap ? dst + *len : NULL, *len < cap ? cap - *len : 0);
	sgw_payload_json(&w, r);
	n = sgw_json_finish(&w);
	*len += n > 0 ? (size_t)n : 0;
}

ssize_t sgw_payload_json_batch(char *dst, size_t cap, const struct sgw_payload_reading *r,
			       size_t n)
{
	struct sgw_pack_item it[PACK_CHUNK];
	size_t ends[PACK_CHUNK], len = 0, k;
	int err;

	put(dst, cap, &len, "[", 1);
	for (size_t i = 0; i < n; i += k) {
		size_t bound;

		if (i > 0)
			put(dst, cap, &len, ",", 1);
		if (r[i].unsynced) {
			put_json(dst, cap, &len, &r[i]);
			k = 1;
			continue;
		}
		/* A run of synchronised readings for the packer. */
		for (k = 0; k < PACK_CHUNK && i + k < n && !r[i + k].unsynced; k++)
			pack_item_of(&it[k], &r[i + k]);
		bound = sgw_pack_bound(it, k);
		if (len < cap && cap - len >= bound) {
			/* the common case: straight into DST */
			sgw_pack_batch(dst + len, it, k, SIZE_MAX, ends);
			len += ends[k - 1];
		} else {
			err = pack_cut(dst, cap, &len, it, k);
			if (err < 0)
				return err;
		}
	}
	put(dst, cap, &len, "]", 1);
	if (cap)
		dst[len < cap ? len : cap - 1] = '\0';
	return len <= SSIZE_MAX ? (ssize_t)len : -EOVERFLOW;
}

int sgw_payload_render(char *dst, size_t cap, const struct sgw_payload_form *f,
		       int32_t value, const struct sgw_stamp *ts, uint64_t seq)
{
	struct sgw_payload_reading r = {
		.form = f, .value = value, .ts_ms = ts->wall_ms, .seq = seq, .unsynced = ts->unsynced,
	};
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
