/* SPDX-License-Identifier: MIT */
/* Base64 and percent-encoding; the contract is in encode.h. */
#include "encode.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static const char b64_digits[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The value of Base64 digit C, or -1. */
static int b64_value(char c)
{
	const char *p = c ? strchr(b64_digits, c) : NULL;

	return p ? (int)(p - b64_digits) : -1;
}

int sgw_b64_decode(const char *in, size_t inlen, unsigned char *out, size_t size)
{
	size_t n = 0, pad = 0;

	if (inlen % 4)
		return -EINVAL;
	while (pad < 2 && pad < inlen && in[inlen - 1 - pad] == '=')
		pad++;
	for (size_t i = 0; i < inlen; i += 4) {
		uint32_t v = 0;
		bool last = i + 4 == inlen;
		size_t digits = last ? 4 - pad : 4;

		for (size_t k = 0; k < 4; k++) {
			int d = k < digits ? b64_value(in[i + k]) : 0;

			if (d < 0)
				return -EINVAL;
			v = v << 6 | (uint32_t)d;
		}
		/* The bits beyond the last byte must be zero: one text, one key. */
		if ((pad == 1 && last && (v & 0xff)) || (pad == 2 && last && (v & 0xffff)))
			return -EINVAL;
		for (size_t k = 0; k < digits - 1; k++) {
			if (n == size)
				return -ENOSPC;
			out[n++] = (unsigned char)(v >> (16 - 8 * k));
		}
	}
	return (int)n;
}

void sgw_b64_encode(const unsigned char *in, size_t len, char *out)
{
	size_t i;

	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

		*out++ = b64_digits[v >> 18];
		*out++ = b64_digits[v >> 12 & 63];
		*out++ = b64_digits[v >> 6 & 63];
		*out++ = b64_digits[v & 63];
	}
	if (i < len) {
		uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < len ? (uint32_t)in[i + 1] << 8 : 0);

		*out++ = b64_digits[v >> 18];
		*out++ = b64_digits[v >> 12 & 63];
		*out++ = i + 1 < len ? b64_digits[v >> 6 & 63] : '=';
		*out++ = '=';
	}
	*out = '\0';
}

static bool unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

size_t sgw_pct_encode(const char *s, char *out, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char e[3] = { (char)c };
		size_t w = 1;

		if (!unreserved(c)) {
			e[0] = '%';
			e[1] = hex[c >> 4];
			e[2] = hex[c & 15];
			w = 3;
		}
		for (size_t k = 0; k < w; k++, n++)
			if (n + 1 < size)
				out[n] = e[k];
	}
	if (size)
		out[n < size ? n : size - 1] = '\0';
	return n;
}
