/* SPDX-License-Identifier: MIT */
/* JSON payloads of readings (pack_json.h). */
#include <string.h>

#include "pack_json.h"
#include "asm/sgw_kernels.h"

/* A bounded writer that keeps counting past the end, for the needed size. */
struct out {
	char *p;
	size_t cap, len;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->len < o->cap) {
		size_t room = o->cap - o->len;

		memcpy(o->p + o->len, s, n < room ? n : room);
	}
	o->len += n;
}

static void put_str(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void put_escaped(struct out *o, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = s;

	if (!s)
		return;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[6] = { '\\', 0, '0', '0', 0, 0 };
		size_t elen = 2;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		put(o, run, (size_t)(s - run));
		run = s + 1;
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			esc[1] = 'u';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			elen = 6;
		}
		put(o, esc, elen);
	}
	put(o, run, (size_t)(s - run));
}

static void put_u64(struct out *o, uint64_t v)
{
	char tmp[20];
	size_t n = sizeof(tmp);

	do {
		tmp[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(o, tmp + n, sizeof(tmp) - n);
}

static void put_i64(struct out *o, int64_t v)
{
	if (v < 0) {
		put(o, "-", 1);
		put_u64(o, -(uint64_t)v);
	} else {
		put_u64(o, (uint64_t)v);
	}
}

static void put_item(struct out *o, const struct sgw_pack_item *it)
{
	char num[SGW_FMT_FIXED_MAX];

	if (it->topic) {
		put_str(o, "{\"topic\":\"");
		put_escaped(o, it->topic);
		put_str(o, "\",\"value\":");
	} else {
		put_str(o, "{\"value\":");
	}
	put(o, num, sgw_fmt_fixed(num, it->value, it->scale, it->precision));
	put_str(o, ",\"unit\":\"");
	put_escaped(o, it->unit);
	put_str(o, "\",\"ts\":");
	put_i64(o, it->ts_ms);
	put_str(o, ",\"seq\":");
	put_u64(o, it->seq);
	put(o, "}", 1);
}

static size_t finish(struct out *o)
{
	if (o->len < o->cap)
		o->p[o->len] = '\0';
	return o->len;
}

size_t sgw_pack_json_reading(char *dst, size_t cap, const struct sgw_pack_item *it)
{
	struct out o = { dst, cap, 0 };

	put_item(&o, it);
	return finish(&o);
}

size_t sgw_pack_json_batch(char *dst, size_t cap, const struct sgw_pack_item *items, size_t n)
{
	struct out o = { dst, cap, 0 };

	put(&o, "[", 1);
	for (size_t i = 0; i < n; i++) {
		if (i)
			put(&o, ",", 1);
		put_item(&o, &items[i]);
	}
	put(&o, "]", 1);
	return finish(&o);
}

size_t sgw_pack_json_escape(char *dst, size_t cap, const char *s)
{
	struct out o = { dst, cap, 0 };

	put_escaped(&o, s);
	return finish(&o);
}
