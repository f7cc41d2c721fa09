/* SPDX-License-Identifier: MIT */
/*
 * A streaming JSON writer into the caller's buffer, without printf and
 * without floats: the program's one way of writing JSON.
 *
 *     struct sgw_json w;
 *     ssize_t n;
 *
 *     sgw_json_init(&w, buf, sizeof(buf));
 *     sgw_json_object_begin(&w);
 *     sgw_json_key(&w, "depth");
 *     sgw_json_uint(&w, 12);
 *     sgw_json_key(&w, "uplinks");
 *     sgw_json_array_begin(&w);
 *     sgw_json_array_end(&w);
 *     sgw_json_object_end(&w);
 *     n = sgw_json_finish(&w);         -> {"depth":12,"uplinks":[]}
 *     if (n < 0 || (size_t)n >= sizeof(buf))
 *             ... malformed (n < 0) or truncated ...
 *
 * Commas and colons are written by the writer; no whitespace is written.
 * Strings (keys included) are escaped as RFC 8259 requires: '"' and '\\',
 * and the control characters U+0000..U+001F as \b \f \n \r \t where those
 * exist and \u00XX otherwise.  Every other byte, UTF-8 included, passes
 * unchanged: the caller hands in valid UTF-8.
 *
 * Size contract, as snprintf: nothing is ever written at or beyond
 * DST + CAP, and the writer keeps counting when the buffer is full, so that
 * sgw_json_finish() returns the length of the whole document (without the
 * NUL).  When that is < CAP the document and a NUL are in DST; otherwise
 * DST holds the document's first CAP - 1 bytes and a NUL, and the caller may
 * write it again into a buffer of at least return + 1 bytes.  CAP may be 0,
 * DST then may be NULL (nothing is written; the length is still counted).
 *
 * Misuse is not undefined: a value inside an object without its key, a key
 * outside an object, an end that does not match its begin, containers left
 * open, no value at all or a second one at the top level make
 * sgw_json_finish() return -EINVAL; more than SGW_JSON_DEPTH nested
 * containers make it return -EOVERFLOW.  After the first error the writer
 * ignores every call.
 */
#ifndef SGW_JSON_H
#define SGW_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SGW_JSON_DEPTH 16	/* containers open at once */

/* On the caller's stack; the fields are the writer's own. */
struct sgw_json {
	char *dst;
	size_t cap;
	size_t len;		/* the document so far, also past CAP */
	uint32_t array;		/* bit D: the container at depth D is an array */
	uint8_t depth;		/* containers open; 0 is the top level */
	uint8_t next;		/* what may come next (json.c) */
	int err;		/* the first error, 0 or -errno */
};

void sgw_json_init(struct sgw_json *w, char *dst, size_t cap);

void sgw_json_object_begin(struct sgw_json *w);
void sgw_json_object_end(struct sgw_json *w);
void sgw_json_array_begin(struct sgw_json *w);
void sgw_json_array_end(struct sgw_json *w);

/* The next member's key; its value is the next value written. */
void sgw_json_key(struct sgw_json *w, const char *key);

/* S as a JSON string; NULL is written as null. */
void sgw_json_string(struct sgw_json *w, const char *s);
/* The LEN bytes at S as a JSON string (a NUL among them is \u0000). */
void sgw_json_string_len(struct sgw_json *w, const char *s, size_t len);
void sgw_json_int(struct sgw_json *w, int64_t v);
void sgw_json_uint(struct sgw_json *w, uint64_t v);
void sgw_json_bool(struct sgw_json *w, bool v);
void sgw_json_null(struct sgw_json *w);
/*
 * V with SCALE fraction digits, printed with PRECISION fraction digits:
 * sgw_fmt_fixed() (asm/sgw_kernels.h) says how.
 */
void sgw_json_fixed(struct sgw_json *w, int32_t v, unsigned scale, unsigned precision);

/*
 * The length of the whole document (see the size contract above) and a NUL
 * in DST; -EINVAL or -EOVERFLOW for a malformed document.
 */
ssize_t sgw_json_finish(struct sgw_json *w);

#endif
