/* SPDX-License-Identifier: MIT */
/*
 * The JSON writer (message/json.h): a sequence of writer calls decoded from
 * the input, into a buffer of a size the input gives.  A model of json.h's
 * rules says whether the calls make a document, and which error they make
 * if not; sgw_json_finish() must agree.  A complete document must parse
 * with a strict parser (jsonparse.h) into exactly the values written: the
 * strings byte for byte, the integers and fixed-point numbers as decimals
 * computed here.  A document that did not fit must be the first CAP - 1
 * bytes of the one written into a buffer of the length returned.
 *
 * Input: u16 buffer size (mod 1024), then calls: u8 opcode, its arguments
 * (a string is a u8 length and its bytes).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "message/json.h"
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/jsonparse.h"
#include "util/utf8.h"

const char *const fuzz_corpus[] = { NULL };

#define MAX_CALLS 512
#define STR_MAX 255

enum op {
	OP_OBJECT_BEGIN, OP_OBJECT_END, OP_ARRAY_BEGIN, OP_ARRAY_END, OP_KEY, OP_STRING,
	OP_STRING_NULL, OP_STRING_LEN, OP_INT, OP_UINT, OP_BOOL, OP_NULL, OP_FIXED, OP_COUNT
};

struct call {
	enum op op;
	char s[STR_MAX + 1];	/* valid UTF-8; for OP_KEY and OP_STRING up to a NUL */
	size_t len;
	int64_t i;
	uint64_t u;
	int32_t v;
	unsigned scale, precision;
};

/* ---------------------------------------------------------- seeds */

static void put_str(struct fuzz_out *o, const char *s, size_t len)
{
	fuzz_put_u8(o, (uint8_t)len);
	fuzz_put(o, s, len);
}

void fuzz_seeds(fuzz_emit_fn *emit, void *arg)
{
	struct fuzz_out o = { 0 };

	/* {"depth":12,"uplinks":[],"k\n":[null,true,-9223372036854775808,"a\0b",23.46]} */
	fuzz_put_u16(&o, 200);
	fuzz_put_u8(&o, OP_OBJECT_BEGIN);
	fuzz_put_u8(&o, OP_KEY);
	put_str(&o, "depth", 5);
	fuzz_put_u8(&o, OP_UINT);
	fuzz_put_u64(&o, 12);
	fuzz_put_u8(&o, OP_KEY);
	put_str(&o, "uplinks", 7);
	fuzz_put_u8(&o, OP_ARRAY_BEGIN);
	fuzz_put_u8(&o, OP_ARRAY_END);
	fuzz_put_u8(&o, OP_KEY);
	put_str(&o, "k\n\xc2\xb0", 4);
	fuzz_put_u8(&o, OP_ARRAY_BEGIN);
	fuzz_put_u8(&o, OP_STRING_NULL);
	fuzz_put_u8(&o, OP_BOOL);
	fuzz_put_u8(&o, 1);
	fuzz_put_u8(&o, OP_INT);
	fuzz_put_u64(&o, (uint64_t)INT64_MIN);
	fuzz_put_u8(&o, OP_STRING_LEN);
	put_str(&o, "a\0b\x1f\"\\", 6);
	fuzz_put_u8(&o, OP_FIXED);
	fuzz_put_u32(&o, 2346);
	fuzz_put_u8(&o, 2);
	fuzz_put_u8(&o, 2);
	fuzz_put_u8(&o, OP_ARRAY_END);
	fuzz_put_u8(&o, OP_OBJECT_END);
	fuzz_out_emit(&o, emit, arg);

	/* Too deep: 17 arrays. */
	fuzz_put_u16(&o, 64);
	for (int i = 0; i < 17; i++)
		fuzz_put_u8(&o, OP_ARRAY_BEGIN);
	fuzz_out_emit(&o, emit, arg);

	/* A value without its key, in a buffer of 3. */
	fuzz_put_u16(&o, 3);
	fuzz_put_u8(&o, OP_OBJECT_BEGIN);
	fuzz_put_u8(&o, OP_NULL);
	fuzz_put_u8(&o, OP_OBJECT_END);
	fuzz_out_emit(&o, emit, arg);

	/* A fixed-point value that rounds, truncated. */
	fuzz_put_u16(&o, 4);
	fuzz_put_u8(&o, OP_FIXED);
	fuzz_put_u32(&o, (uint32_t)-2345);
	fuzz_put_u8(&o, 3);
	fuzz_put_u8(&o, 2);
	fuzz_out_emit(&o, emit, arg);
	fuzz_out_free(&o);
}

/* ---------------------------------------------------------- decoding calls */

/* Up to STR_MAX bytes as valid UTF-8: invalid bytes become '?'. */
static void read_str(struct fuzz_in *in, struct call *c)
{
	size_t got, n = 0;
	const uint8_t *p = fuzz_bytes(in, fuzz_u8(in), &got);

	for (size_t i = 0; i < got;) {
		uint32_t cp;
		int k = sgw_utf8_decode((const char *)p + i, got - i, &cp);

		if (k < 0) {
			c->s[n++] = '?';
			i++;
		} else {
			memcpy(c->s + n, p + i, (size_t)k);
			n += (size_t)k;
			i += (size_t)k;
		}
	}
	c->s[n] = '\0';
	c->len = n;
}

static size_t read_calls(struct fuzz_in *in, struct call *calls, size_t max)
{
	size_t n = 0;

	while (in->n && n < max) {
		struct call *c = &calls[n++];

		c->op = (enum op)(fuzz_u8(in) % OP_COUNT);
		switch (c->op) {
		case OP_KEY:
		case OP_STRING:
			read_str(in, c);
			c->len = strlen(c->s);
			break;
		case OP_STRING_LEN:
			read_str(in, c);
			break;
		case OP_INT:
			c->i = (int64_t)fuzz_u64(in);
			break;
		case OP_UINT:
			c->u = fuzz_u64(in);
			break;
		case OP_BOOL:
			c->u = fuzz_u8(in) & 1;
			break;
		case OP_FIXED:
			c->v = (int32_t)fuzz_u32(in);
			c->scale = fuzz_u8(in) % 12;	/* 10, 11: taken as 9 */
			c->precision = fuzz_u8(in) % 12;
			break;
		default:
			break;
		}
	}
	return n;
}

static void replay(struct sgw_json *w, const struct call *calls, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct call *c = &calls[i];

		switch (c->op) {
		case OP_OBJECT_BEGIN: sgw_json_object_begin(w); break;
		case OP_OBJECT_END: sgw_json_object_end(w); break;
		case OP_ARRAY_BEGIN: sgw_json_array_begin(w); break;
		case OP_ARRAY_END: sgw_json_array_end(w); break;
		case OP_KEY: sgw_json_key(w, c->s); break;
		case OP_STRING: sgw_json_string(w, c->s); break;
		case OP_STRING_NULL: sgw_json_string(w, NULL); break;
		case OP_STRING_LEN: sgw_json_string_len(w, c->s, c->len); break;
		case OP_INT: sgw_json_int(w, c->i); break;
		case OP_UINT: sgw_json_uint(w, c->u); break;
		case OP_BOOL: sgw_json_bool(w, c->u); break;
		case OP_NULL: sgw_json_null(w); break;
		case OP_FIXED: sgw_json_fixed(w, c->v, c->scale, c->precision); break;
		case OP_COUNT: break;
		}
	}
}

/* ---------------------------------------------------------- the model */

/* json.h's rules: 0 for a complete document, else the error finish() returns. */
static int model(const struct call *calls, size_t n)
{
	enum { TOP, TOP_DONE, IN_ARRAY, OBJ_KEY, OBJ_VALUE } st[SGW_JSON_DEPTH + 1];
	int depth = 0;

	st[0] = TOP;
	for (size_t i = 0; i < n; i++) {
		enum op op = calls[i].op;
		bool value = op != OP_OBJECT_END && op != OP_ARRAY_END && op != OP_KEY;

		if (value) {
			if (st[depth] == TOP)
				st[depth] = TOP_DONE;
			else if (st[depth] == OBJ_VALUE)
				st[depth] = OBJ_KEY;
			else if (st[depth] != IN_ARRAY)
				return -EINVAL;
			if (op == OP_OBJECT_BEGIN || op == OP_ARRAY_BEGIN) {
				if (depth == SGW_JSON_DEPTH)
					return -EOVERFLOW;
				st[++depth] = op == OP_ARRAY_BEGIN ? IN_ARRAY : OBJ_KEY;
			}
		} else if (op == OP_KEY) {
			if (st[depth] != OBJ_KEY)
				return -EINVAL;
			st[depth] = OBJ_VALUE;
		} else {
			if (depth == 0 || st[depth] != (op == OP_ARRAY_END ? IN_ARRAY : OBJ_KEY))
				return -EINVAL;
			depth--;
		}
	}
	return st[0] == TOP_DONE && depth == 0 ? 0 : -EINVAL;
}

/* sgw_fmt_fixed()'s text for V, from its description in asm/sgw_kernels.h. */
static void fixed_text(char *out, int32_t v, unsigned scale, unsigned precision)
{
	static const int64_t p10[10] = {
		1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000,
	};
	int64_t m = v, d, q;

	if (scale > 9)
		scale = 9;
	if (precision > 9)
		precision = 9;
	if (precision >= scale) {
		m *= p10[precision - scale];
	} else {
		d = p10[scale - precision];
		q = (m < 0 ? -m : m);
		q = (q + d / 2) / d;	/* half away from zero */
		m = m < 0 ? -q : q;
	}
	q = m < 0 ? -m : m;
	if (precision)
		sprintf(out, "%s%" PRId64 ".%0*" PRId64, m < 0 ? "-" : "", q / p10[precision],
			(int)precision, q % p10[precision]);
	else
		sprintf(out, "%s%" PRId64, m < 0 ? "-" : "", q);
}

/* The parsed document holds exactly the values of CALLS. */
static void check_values(const struct call *calls, size_t n, const struct jp_doc *doc)
{
	FUZZ_CHECK(doc->n == n, "%zu tokens for %zu calls", doc->n, n);
	for (size_t i = 0; i < n; i++) {
		const struct call *c = &calls[i];
		const struct jp_token *t = &doc->tok[i];
		char num[64];

		switch (c->op) {
		case OP_OBJECT_BEGIN: FUZZ_CHECK(t->kind == JP_OBJECT_BEGIN, "call %zu", i); break;
		case OP_OBJECT_END: FUZZ_CHECK(t->kind == JP_OBJECT_END, "call %zu", i); break;
		case OP_ARRAY_BEGIN: FUZZ_CHECK(t->kind == JP_ARRAY_BEGIN, "call %zu", i); break;
		case OP_ARRAY_END: FUZZ_CHECK(t->kind == JP_ARRAY_END, "call %zu", i); break;
		case OP_KEY:
		case OP_STRING:
		case OP_STRING_LEN:
			FUZZ_CHECK(t->kind == (c->op == OP_KEY ? JP_KEY : JP_STRING), "call %zu", i);
			FUZZ_CHECK(t->len == c->len && !memcmp(t->text, c->s, c->len),
				   "call %zu: string of %zu bytes read back as %zu bytes", i, c->len,
				   t->len);
			break;
		case OP_STRING_NULL:
		case OP_NULL:
			FUZZ_CHECK(t->kind == JP_NULL, "call %zu: not null", i);
			break;
		case OP_BOOL:
			FUZZ_CHECK(t->kind == (c->u ? JP_TRUE : JP_FALSE), "call %zu: bool", i);
			break;
		case OP_INT:
		case OP_UINT:
		case OP_FIXED:
			if (c->op == OP_INT)
				sprintf(num, "%" PRId64, c->i);
			else if (c->op == OP_UINT)
				sprintf(num, "%" PRIu64, c->u);
			else
				fixed_text(num, c->v, c->scale, c->precision);
			FUZZ_CHECK(t->kind == JP_NUMBER && !strcmp(t->text, num),
				   "call %zu: %s read back, %s written", i, t->text ? t->text : "?", num);
			break;
		case OP_COUNT:
			break;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	size_t cap = fuzz_u16(&in) % 1024, n;
	/* A call takes a byte of input at least. */
	struct call *calls = calloc(size < MAX_CALLS ? size + 1 : MAX_CALLS, sizeof(*calls));
	char *dst = cap ? malloc(cap) : NULL, *full = NULL;
	struct sgw_json w;
	struct jp_doc doc;
	ssize_t len, len2;
	int want;

	FUZZ_CHECK(calls && (dst || !cap), "out of memory");
	n = read_calls(&in, calls, size < MAX_CALLS ? size + 1 : MAX_CALLS);
	want = model(calls, n);
	sgw_json_init(&w, dst, cap);
	replay(&w, calls, n);
	len = sgw_json_finish(&w);
	FUZZ_CHECK(want ? len == want : len >= 0, "finish: %zd, model: %d", len, want);
	if (len < 0)
		goto out_free;
	if ((size_t)len < cap) {
		FUZZ_CHECK(dst[len] == '\0' && strlen(dst) == (size_t)len, "no NUL after %zd bytes", len);
		full = dst;
	} else {
		/* Again into room for all of it: the same length, and DST its start. */
		full = malloc((size_t)len + 1);
		FUZZ_CHECK(full, "out of memory");
		sgw_json_init(&w, full, (size_t)len + 1);
		replay(&w, calls, n);
		len2 = sgw_json_finish(&w);
		FUZZ_CHECK(len2 == len, "%zd bytes, then %zd", len, len2);
		FUZZ_CHECK(full[len] == '\0', "no NUL");
		if (cap)
			FUZZ_CHECK(!memcmp(dst, full, cap - 1) && dst[cap - 1] == '\0',
				   "truncated document is not the start of the whole");
	}
	FUZZ_CHECK(jp_parse(full, (size_t)len, &doc) == 0, "not JSON at byte %zu: %.*s",
		   doc.error_at, (int)len, full);
	check_values(calls, n, &doc);
	jp_free(&doc);
	if (full != dst)
		free(full);
out_free:
	free(dst);
	free(calls);
	return 0;
}
