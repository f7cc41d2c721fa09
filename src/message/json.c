/* SPDX-License-Identifier: MIT */
/* The JSON writer (json.h). */
#include "json.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#include "asm/sgw_kernels.h"

/* What may come next: struct sgw_json's next. */
enum {
	TOP,		/* the document's value */
	DONE,		/* nothing: the document is complete */
	OBJ_FIRST,	/* an object's first key, or its end */
	OBJ_NEXT,	/* a comma and a key, or the object's end */
	VALUE,		/* the value of the key just written */
	ARR_FIRST,	/* an array's first value, or its end */
	ARR_NEXT,	/* a comma and a value, or the array's end */
	FAILED,		/* nothing: err says why */
};

/*
 * How each byte is written inside a string: 0 as itself, otherwise the
 * letter after the backslash ('u' for \u00XX).
 */
static const char escape_of[256] = {
	'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'b', 't', 'n', 'u', 'f', 'r', 'u', 'u',
	'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u',
	['"'] = '"', ['\\'] = '\\',
};

/* The first error is the one kept. */
static void fail(struct sgw_json *w, int err)
{
	if (!w->err)
		w->err = err;
	w->next = FAILED;
}

/* Room for N more bytes in DST? */
static bool room(const struct sgw_json *w, size_t n)
{
	return w->len < w->cap && w->cap - w->len >= n;
}

static void put(struct sgw_json *w, const char *s, size_t n)
{
	if (w->len < w->cap) {
		size_t left = w->cap - w->len;

		memcpy(w->dst + w->len, s, n < left ? n : left);
	}
	w->len += n;
}

static void put1(struct sgw_json *w, char c)
{
	if (w->len < w->cap)
		w->dst[w->len] = c;
	w->len++;
}

/* One byte C that escape_of[] says to escape. */
static void put_escape(struct sgw_json *w, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char esc[6] = { '\\', escape_of[c], '0', '0', hex[c >> 4], hex[c & 15] };

	put(w, esc, esc[1] == 'u' ? 6 : 2);
}

static bool at_end(const char *s, const char *end)
{
	return end ? s == end : *s == '\0';
}

/* The end of the run from S that needs no escape; END NULL: S ends at its NUL. */
static const char *plain_run(const char *s, const char *end)
{
	if (end) {
		while (s < end && !escape_of[(unsigned char)*s])
			s++;
	} else {
		/* escape_of['\0'] is set: the NUL ends this loop too */
		while (!escape_of[(unsigned char)*s])
			s++;
	}
	return s;
}

/*
 * The rest of put_string() from S, its opening quote written: escapes, or
 * no room for all of it.  Kept apart from the common case.
 */
__attribute__((noinline, cold))
static void put_string_slow(struct sgw_json *w, const char *s, const char *end, char post)
{
	const char *e;

	for (;;) {
		e = plain_run(s, end);
		put(w, s, (size_t)(e - s));
		if (at_end(e, end))
			break;
		put_escape(w, (unsigned char)*e);
		s = e + 1;
	}
	put1(w, '"');
	if (post)
		put1(w, post);
}

/*
 * SEP (0: none), the bytes S..END as a JSON string, POST (0: none); END
 * NULL: up to the NUL.  While there is room the bytes are copied as they
 * are looked at; escapes and a full buffer take the slow way.  Inlined into
 * its callers, where END and POST are known: keys are most of a reading's
 * payload.
 */
__attribute__((always_inline))
static inline void put_string(struct sgw_json *w, char sep, const char *s, const char *end,
			      char post)
{
	char *d, *lim;

	if (!room(w, 4)) {
		if (sep)
			put1(w, sep);
		put1(w, '"');
		put_string_slow(w, s, end, post);
		return;
	}
	/* two bytes kept for the closing quote and POST */
	d = w->dst + w->len;
	lim = w->dst + w->cap - 2;
	if (sep)
		*d++ = sep;
	*d++ = '"';
	if (end) {
		while (s < end && d < lim && !escape_of[(unsigned char)*s])
			*d++ = *s++;
	} else {
		/* escape_of['\0'] is set: the NUL ends this loop too */
		while (d < lim && !escape_of[(unsigned char)*s])
			*d++ = *s++;
	}
	if (!at_end(s, end)) {
		w->len = (size_t)(d - w->dst);
		put_string_slow(w, s, end, post);
		return;
	}
	*d++ = '"';
	if (post)
		*d++ = post;
	w->len = (size_t)(d - w->dst);
}

static const char pairs[] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* The four digits of Y (< 10000) at P. */
static void fmt_4(char *p, uint32_t y)
{
	/* y / 100 for y < 43699, without a division */
	uint32_t hi = (y * 5243) >> 19;

	memcpy(p, pairs + 2 * hi, 2);
	memcpy(p + 2, pairs + 2 * (y - hi * 100), 2);
}

/*
 * V in decimal, ending at END; returns where it starts.  Blocks of eight
 * digits in 32 bits, then two digits at a time from a table: a reading's
 * payload has a 13-digit time stamp.  Inlined into put_int().
 */
__attribute__((always_inline))
static inline char *fmt_u64(char *end, uint64_t v)
{
	char *p = end;
	uint32_t x;

	while (v >= 100000000) {
		x = (uint32_t)(v % 100000000);
		v /= 100000000;
		p -= 8;
		fmt_4(p, x / 10000);
		fmt_4(p + 4, x % 10000);
	}
	for (x = (uint32_t)v; x >= 100; x /= 100) {
		p -= 2;
		memcpy(p, pairs + 2 * (x % 100), 2);
	}
	if (x >= 10) {
		p -= 2;
		memcpy(p, pairs + 2 * x, 2);
	} else {
		*--p = (char)('0' + x);
	}
	return p;
}

/* The number of decimal digits of V. */
static unsigned digits_u64(uint64_t v)
{
	static const uint64_t pow10_u64[20] = {
		1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull,
		100000000ull, 1000000000ull, 10000000000ull, 100000000000ull,
		1000000000000ull, 10000000000000ull, 100000000000000ull,
		1000000000000000ull, 10000000000000000ull, 100000000000000000ull,
		1000000000000000000ull, 10000000000000000000ull,
	};
	/* V has T or T + 1 digits, T = floor(bits * log10(2)), log10(2) ~ 1233 / 4096 */
	unsigned t = ((64 - (unsigned)__builtin_clzll(v | 1)) * 1233) >> 12;

	return t + ((v | 1) >= pow10_u64[t]);
}

/* SEP (0: none), '-' when NEG, and V. */
static void put_int(struct sgw_json *w, char sep, bool neg, uint64_t v)
{
	char tmp[22], *p;

	if (room(w, 22)) {
		/* straight into DST: SEP, '-' and 20 digits at most */
		char *d = w->dst + w->len;

		if (sep)
			*d++ = sep;
		if (neg)
			*d++ = '-';
		d += digits_u64(v);
		fmt_u64(d, v);
		w->len = (size_t)(d - w->dst);
		return;
	}
	p = fmt_u64(tmp + sizeof(tmp), v);
	if (neg)
		*--p = '-';
	if (sep)
		*--p = sep;
	put(w, p, (size_t)(tmp + sizeof(tmp) - p));
}

/*
 * Before a value: the comma that separates it from the one before (','),
 * none (0), or -1 when no value has a place here.
 */
static int value_begins(struct sgw_json *w)
{
	switch (w->next) {
	case VALUE:
		w->next = OBJ_NEXT;
		return 0;
	case ARR_NEXT:
		return ',';
	case ARR_FIRST:
		w->next = ARR_NEXT;
		return 0;
	case TOP:
		w->next = DONE;
		return 0;
	default:
		/* in an object without a key, a second top-level value, or failed */
		fail(w, -EINVAL);
		return -1;
	}
}

void sgw_json_init(struct sgw_json *w, char *dst, size_t cap)
{
	*w = (struct sgw_json){ .dst = dst, .cap = cap, .next = TOP };
}

static void begin(struct sgw_json *w, bool array)
{
	int sep = value_begins(w);
	uint32_t bit;

	if (sep < 0)
		return;
	if (w->depth == SGW_JSON_DEPTH) {
		fail(w, -EOVERFLOW);
		return;
	}
	bit = UINT32_C(1) << ++w->depth;
	if (array)
		w->array |= bit;
	else
		w->array &= ~bit;
	w->next = array ? ARR_FIRST : OBJ_FIRST;
	if (sep)
		put1(w, (char)sep);
	put1(w, array ? '[' : '{');
}

static void end(struct sgw_json *w, bool array)
{
	bool ok = array ? w->next == ARR_FIRST || w->next == ARR_NEXT
			: w->next == OBJ_FIRST || w->next == OBJ_NEXT;

	if (!ok) {
		fail(w, -EINVAL);
		return;
	}
	w->depth--;
	if (!w->depth)
		w->next = DONE;
	else
		w->next = w->array & (UINT32_C(1) << w->depth) ? ARR_NEXT : OBJ_NEXT;
	put1(w, array ? ']' : '}');
}

void sgw_json_object_begin(struct sgw_json *w)
{
	begin(w, false);
}

void sgw_json_object_end(struct sgw_json *w)
{
	end(w, false);
}

void sgw_json_array_begin(struct sgw_json *w)
{
	begin(w, true);
}

void sgw_json_array_end(struct sgw_json *w)
{
	end(w, true);
}

void sgw_json_key(struct sgw_json *w, const char *key)
{
	char sep;

	if (w->next == OBJ_FIRST) {
		sep = 0;
	} else if (w->next == OBJ_NEXT) {
		sep = ',';
	} else {
		fail(w, -EINVAL);
		return;
	}
	w->next = VALUE;
	put_string(w, sep, key, NULL, ':');
}

void sgw_json_string(struct sgw_json *w, const char *s)
{
	int sep;

	if (!s) {
		sgw_json_null(w);
		return;
	}
	sep = value_begins(w);
	if (sep >= 0)
		put_string(w, (char)sep, s, NULL, 0);
}

void sgw_json_string_len(struct sgw_json *w, const char *s, size_t len)
{
	int sep = value_begins(w);

	if (sep >= 0)
		put_string(w, (char)sep, s, s + len, 0);
}

void sgw_json_int(struct sgw_json *w, int64_t v)
{
	int sep = value_begins(w);

	if (sep >= 0)
		put_int(w, (char)sep, v < 0, v < 0 ? -(uint64_t)v : (uint64_t)v);
}

void sgw_json_uint(struct sgw_json *w, uint64_t v)
{
	int sep = value_begins(w);

	if (sep >= 0)
		put_int(w, (char)sep, false, v);
}

/* SEP (0: none) and the N bytes at S. */
static void put_word(struct sgw_json *w, int sep, const char *s, size_t n)
{
	if (sep)
		put1(w, (char)sep);
	put(w, s, n);
}

void sgw_json_bool(struct sgw_json *w, bool v)
{
	int sep = value_begins(w);

	if (sep >= 0)
		put_word(w, sep, v ? "true" : "false", v ? 4 : 5);
}

void sgw_json_null(struct sgw_json *w)
{
	int sep = value_begins(w);

	if (sep >= 0)
		put_word(w, sep, "null", 4);
}

void sgw_json_fixed(struct sgw_json *w, int32_t v, unsigned scale, unsigned precision)
{
	int sep = value_begins(w);
	char num[SGW_FMT_FIXED_MAX];

	if (sep < 0)
		return;
	if (room(w, 1 + SGW_FMT_FIXED_MAX)) {
		/* straight into DST */
		char *d = w->dst + w->len;

		if (sep)
			*d++ = (char)sep;
		d += sgw_fmt_fixed(d, v, scale, precision);
		w->len = (size_t)(d - w->dst);
		return;
	}
	put_word(w, sep, num, sgw_fmt_fixed(num, v, scale, precision));
}

ssize_t sgw_json_finish(struct sgw_json *w)
{
	if (w->next != DONE)
		fail(w, -EINVAL);
	if (!w->err && w->len > SSIZE_MAX)
		fail(w, -EOVERFLOW);
	if (w->cap)
		w->dst[w->len < w->cap ? w->len : w->cap - 1] = '\0';
	return w->err ? w->err : (ssize_t)w->len;
}
