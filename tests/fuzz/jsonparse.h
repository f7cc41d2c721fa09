/* SPDX-License-Identifier: MIT */
/*
 * A strict JSON parser for checking the JSON writer's output: RFC 8259
 * (UTF-8 text, no leading zeros, no control characters in strings, nothing
 * after the value), and no whitespace at all, which the writer never
 * writes.  The document becomes a list of tokens in document order.
 */
#ifndef SGW_TEST_JSONPARSE_H
#define SGW_TEST_JSONPARSE_H

#include <stddef.h>

enum jp_kind {
	JP_OBJECT_BEGIN, JP_OBJECT_END, JP_ARRAY_BEGIN, JP_ARRAY_END,
	JP_KEY,		/* text: the key, unescaped */
	JP_STRING,	/* text: the string, unescaped (may hold NUL bytes) */
	JP_NUMBER,	/* text: the number as written */
	JP_TRUE, JP_FALSE, JP_NULL,
};

struct jp_token {
	enum jp_kind kind;
	char *text;		/* NUL-terminated copy; NULL for the others */
	size_t len;
};

struct jp_doc {
	struct jp_token *tok;
	size_t n, cap;
	size_t error_at;	/* where parsing failed */
};

/*
 * Parse the LEN bytes at S as one JSON value.  Returns 0 and fills DOC, or
 * -1 with doc->error_at set.  Free DOC with jp_free() in either case.
 */
int jp_parse(const char *s, size_t len, struct jp_doc *doc);
void jp_free(struct jp_doc *doc);

#endif
