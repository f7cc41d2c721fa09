/* SPDX-License-Identifier: MIT */
/* A strict JSON parser (jsonparse.h), recursive descent. */
#include "jsonparse.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64

struct parser {
	const unsigned char *s, *end, *p;
	struct jp_doc *doc;
	/* The string being unescaped. */
	char *buf;
	size_t len, cap;
};

static bool push(struct parser *ps, enum jp_kind kind, const char *text, size_t len)
{
	struct jp_doc *d = ps->doc;
	struct jp_token *t;

	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 32;
		struct jp_token *nt = realloc(d->tok, cap * sizeof(*nt));

		if (!nt)
			return false;
		d->tok = nt;
		d->cap = cap;
	}
	t = &d->tok[d->n];
	t->kind = kind;
	t->text = NULL;
	t->len = len;
	if (text) {
		t->text = malloc(len + 1);
		if (!t->text)
			return false;
		memcpy(t->text, text, len);
		t->text[len] = '\0';
	}
	d->n++;
	return true;
}

static bool put(struct parser *ps, const void *b, size_t n)
{
	if (ps->len + n > ps->cap) {
		size_t cap = ps->cap ? 2 * ps->cap : 64;
		char *nb;

		while (cap < ps->len + n)
			cap *= 2;
		nb = realloc(ps->buf, cap);
		if (!nb)
			return false;
		ps->buf = nb;
		ps->cap = cap;
	}
	memcpy(ps->buf + ps->len, b, n);
	ps->len += n;
	return true;
}

static bool literal(struct parser *ps, const char *word, enum jp_kind kind)
{
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return false;
	ps->p += n;
	return push(ps, kind, NULL, 0);
}

static int hex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One UTF-8 sequence of the text (RFC 3629), copied; false when invalid. */
static bool utf8_char(struct parser *ps)
{
	const unsigned char *s = ps->p;
	size_t n, left = (size_t)(ps->end - s);
	uint32_t c, min;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, c = s[0] & 0x1f, min = 0x80;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, c = s[0] & 0x0f, min = 0x800;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, c = s[0] & 0x07, min = 0x10000;
	else
		return false;
	if (left < n)
		return false;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return false;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return false;
	ps->p += n;
	return put(ps, s, n);
}

/* \uXXXX (the backslash and 'u' read); a pair for code points above the BMP. */
static bool unicode_escape(struct parser *ps)
{
	uint32_t c = 0;
	unsigned char out[4];
	size_t n;

	for (int k = 0; k < 2; k++) {
		uint32_t u = 0;

		if (k == 1 && ((size_t)(ps->end - ps->p) < 2 || ps->p[0] != '\\' || ps->p[1] != 'u'))
			return false;
		if (k == 1)
			ps->p += 2;
		if ((size_t)(ps->end - ps->p) < 4)
			return false;
		for (int i = 0; i < 4; i++) {
			int h = hex(ps->p[i]);

			if (h < 0)
				return false;
			u = u << 4 | (uint32_t)h;
		}
		ps->p += 4;
		if (k == 0 && u >= 0xd800 && u <= 0xdbff) {
			c = u;
			continue;	/* a high surrogate: the low one must follow */
		}
		if (k == 0) {
			if (u >= 0xdc00 && u <= 0xdfff)
				return false;
			c = u;
		} else {
			if (u < 0xdc00 || u > 0xdfff)
				return false;
			c = 0x10000 + ((c - 0xd800) << 10) + (u - 0xdc00);
		}
		break;
	}
	if (c < 0x80) {
		out[0] = (unsigned char)c;
		n = 1;
	} else if (c < 0x800) {
		out[0] = (unsigned char)(0xc0 | c >> 6);
		out[1] = (unsigned char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		out[0] = (unsigned char)(0xe0 | c >> 12);
		out[1] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
		out[2] = (unsigned char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		out[0] = (unsigned char)(0xf0 | c >> 18);
		out[1] = (unsigned char)(0x80 | (c >> 12 & 0x3f));
		out[2] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
		out[3] = (unsigned char)(0x80 | (c & 0x3f));
		n = 4;
	}
	return put(ps, out, n);
}

static bool string(struct parser *ps, enum jp_kind kind)
{
	static const char simple[] = "\"\\/bfnrt", value[] = "\"\\/\b\f\n\r\t";

	if (ps->p == ps->end || *ps->p != '"')
		return false;
	ps->p++;
	ps->len = 0;
	for (;;) {
		unsigned char c;

		if (ps->p == ps->end)
			return false;
		c = *ps->p;
		if (c == '"') {
			ps->p++;
			return push(ps, kind, ps->buf ? ps->buf : "", ps->len);
		}
		if (c < 0x20)
			return false;
		if (c >= 0x80) {
			if (!utf8_char(ps))
				return false;
			continue;
		}
		ps->p++;
		if (c != '\\') {
			if (!put(ps, &c, 1))
				return false;
			continue;
		}
		if (ps->p == ps->end)
			return false;
		c = *ps->p++;
		if (c == 'u') {
			if (!unicode_escape(ps))
				return false;
		} else {
			const char *e = c ? strchr(simple, c) : NULL;

			if (!e || !put(ps, &value[e - simple], 1))
				return false;
		}
	}
}

static bool digits(struct parser *ps)
{
	const unsigned char *from = ps->p;

	while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
		ps->p++;
	return ps->p > from;
}

static bool number(struct parser *ps)
{
	const unsigned char *from = ps->p;

	if (ps->p < ps->end && *ps->p == '-')
		ps->p++;
	if (ps->p < ps->end && *ps->p == '0')
		ps->p++;
	else if (!(ps->p < ps->end && *ps->p >= '1' && *ps->p <= '9') || !digits(ps))
		return false;
	if (ps->p < ps->end && *ps->p == '.') {
		ps->p++;
		if (!digits(ps))
			return false;
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		if (!digits(ps))
			return false;
	}
	return push(ps, JP_NUMBER, (const char *)from, (size_t)(ps->p - from));
}

static bool value(struct parser *ps, int depth)
{
	bool first = true;

	if (ps->p == ps->end || depth > MAX_DEPTH)
		return false;
	switch (*ps->p) {
	case '{':
		ps->p++;
		if (!push(ps, JP_OBJECT_BEGIN, NULL, 0))
			return false;
		for (;;) {
			if (ps->p < ps->end && *ps->p == '}') {
				ps->p++;
				return push(ps, JP_OBJECT_END, NULL, 0);
			}
			if (!first && (ps->p == ps->end || *ps->p++ != ','))
				return false;
			first = false;
			if (!string(ps, JP_KEY) || ps->p == ps->end || *ps->p++ != ':' ||
			    !value(ps, depth + 1))
				return false;
		}
	case '[':
		ps->p++;
		if (!push(ps, JP_ARRAY_BEGIN, NULL, 0))
			return false;
		for (;;) {
			if (ps->p < ps->end && *ps->p == ']') {
				ps->p++;
				return push(ps, JP_ARRAY_END, NULL, 0);
			}
			if (!first && (ps->p == ps->end || *ps->p++ != ','))
				return false;
			first = false;
			if (!value(ps, depth + 1))
				return false;
		}
	case '"':
		return string(ps, JP_STRING);
	case 't':
		return literal(ps, "true", JP_TRUE);
	case 'f':
		return literal(ps, "false", JP_FALSE);
	case 'n':
		return literal(ps, "null", JP_NULL);
	default:
		return number(ps);
	}
}

int jp_parse(const char *s, size_t len, struct jp_doc *doc)
{
	struct parser ps = {
		.s = (const unsigned char *)s, .end = (const unsigned char *)s + len,
		.p = (const unsigned char *)s, .doc = doc,
	};
	bool ok;

	memset(doc, 0, sizeof(*doc));
	ok = value(&ps, 0) && ps.p == ps.end;
	free(ps.buf);
	doc->error_at = (size_t)(ps.p - ps.s);
	return ok ? 0 : -1;
}

void jp_free(struct jp_doc *doc)
{
	for (size_t i = 0; i < doc->n; i++)
		free(doc->tok[i].text);
	free(doc->tok);
	memset(doc, 0, sizeof(*doc));
}
