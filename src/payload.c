/* SPDX-License-Identifier: MIT */
#include "payload.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sgw_kernels.h"

/* JSON string body of S (RFC 8259 escaping; UTF-8 passes through). */
static int json_escape(char *dst, size_t cap, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc = 0;

		if (c == '"' || c == '\\')
			esc = (char)c;
		else if (c == '\n')
			esc = 'n';
		else if (c == '\t')
			esc = 't';
		else if (c == '\r')
			esc = 'r';
		if (esc) {
			if (n + 2 > cap)
				return -ENOSPC;
			dst[n++] = '\\';
			dst[n++] = esc;
		} else if (c < 0x20) {
			if (n + 6 > cap)
				return -ENOSPC;
			memcpy(dst + n, "\\u00", 4);
			dst[n + 4] = hex[c >> 4];
			dst[n + 5] = hex[c & 15];
			n += 6;
		} else {
			if (n + 1 > cap)
				return -ENOSPC;
			dst[n++] = (char)c;
		}
	}
	return (int)n;
}

int sgw_payload_format(char *dst, size_t cap, enum sgw_format fmt,
		       const struct sgw_channel_config *ch, int32_t value,
		       int64_t ts_ms, uint64_t seq)
{
	char num[SGW_FMT_FIXED_MAX];
	char unit[96];
	size_t nlen = sgw_fmt_fixed(num, value, (unsigned)ch->scale, (unsigned)ch->precision);
	int ulen, len;

	if (fmt == SGW_FORMAT_PLAIN) {
		if (nlen > cap)
			return -ENOSPC;
		memcpy(dst, num, nlen);
		return (int)nlen;
	}
	ulen = json_escape(unit, sizeof(unit), ch->unit ? ch->unit : "");
	if (ulen < 0)
		return ulen;
	len = snprintf(dst, cap, "{\"value\":%.*s,\"unit\":\"%.*s\",\"ts\":%" PRId64 ",\"seq\":%" PRIu64 "}",
		       (int)nlen, num, ulen, unit, ts_ms, seq);
	if (len < 0 || (size_t)len >= cap)
		return -ENOSPC;
	return len;
}
