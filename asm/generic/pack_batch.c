/* SPDX-License-Identifier: MIT */
/* The batch packer: the C reference (see sgw_kernels.h). */
#include "ref.h"

#include <string.h>

size_t sgw_pack_bound(const struct sgw_pack_item *it, size_t n)
{
	size_t b = SGW_PACK_SLACK;

	for (size_t i = 0; i < n; i++)
		b += SGW_PACK_ITEM_FIXED + 6 * ((it[i].topic ? it[i].topic_len : 0) + it[i].unit_len);
	return b;
}

/* The letter after the backslash for the control characters: 'u' is \u00XX. */
static const char control_escape[32] = "uuuuuuuubtnufruuuuuuuuuuuuuuuuuu";

/* The LEN bytes at S inside a JSON string, escaped. */
static char *put_escaped(char *d, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			*d++ = '\\';
			*d++ = (char)c;
		} else if (c >= 0x20) {
			*d++ = (char)c;
		} else {
			*d++ = '\\';
			*d++ = control_escape[c];
			if (control_escape[c] == 'u') {
				*d++ = '0';
				*d++ = '0';
				*d++ = hex[c >> 4];
				*d++ = hex[c & 15];
			}
		}
	}
	return d;
}

/* V in decimal. */
static char *put_u64(char *d, uint64_t v)
{
	char tmp[20];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n > 0)
		*d++ = tmp[--n];
	return d;
}

/* A string literal's bytes, without its NUL. */
#define PUT(d, lit) (memcpy((d), (lit), sizeof(lit) - 1), (d) + sizeof(lit) - 1)

size_t sgw_ref_pack_batch(char *dst, const struct sgw_pack_item *it, size_t n, size_t limit,
			  size_t *ends)
{
	char *d = dst;
	size_t i = 0;

	while (i < n) {
		const struct sgw_pack_item *r = &it[i];

		if (i > 0)
			*d++ = ',';
		if (r->topic) {
			d = PUT(d, "{\"topic\":\"");
			d = put_escaped(d, r->topic, r->topic_len);
			d = PUT(d, "\",\"value\":");
		} else {
			d = PUT(d, "{\"value\":");
		}
		d += sgw_ref_fmt_fixed(d, r->value, r->scale, r->precision);
		d = PUT(d, ",\"unit\":\"");
		d = put_escaped(d, r->unit, r->unit_len);
		d = PUT(d, "\",\"ts\":");
		if (r->ts_ms < 0) {
			*d++ = '-';
			d = put_u64(d, -(uint64_t)r->ts_ms);
		} else {
			d = put_u64(d, (uint64_t)r->ts_ms);
		}
		d = PUT(d, ",\"seq\":");
		d = put_u64(d, r->seq);
		*d++ = '}';
		ends[i++] = (size_t)(d - dst);
		if ((size_t)(d - dst) > limit)
			break;
	}
	return i;
}
SGW_KERNEL_PUBLIC(pack_batch)
