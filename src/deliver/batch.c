/* SPDX-License-Identifier: MIT */
#include "batch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "message/payload.h"

struct sgw_batch {
	size_t bytes, readings;
	struct sgw_msg **m;
	size_t n;
	bool unsynced;		/* a reading joined unsynchronised: render again */
	/* "[" and the objects, comma-separated; the "]" is added last. */
	char *text;
	size_t len, cap;
};

struct sgw_batch *sgw_batch_new(size_t bytes, size_t readings)
{
	struct sgw_batch *b;

	if (bytes < 2 || readings < 1) {
		errno = EINVAL;
		return NULL;
	}
	b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->bytes = bytes;
	b->readings = readings;
	b->m = calloc(readings, sizeof(*b->m));
	/* Room for a full batch and a NUL; one oversize reading grows it. */
	b->cap = bytes + 1;
	b->text = malloc(b->cap);
	if (!b->m || !b->text) {
		free(b->m);
		free(b->text);
		free(b);
		errno = ENOMEM;
		return NULL;
	}
	return b;
}

void sgw_batch_free(struct sgw_batch *b)
{
	if (!b)
		return;
	sgw_batch_clear(b, true);
	free(b->m);
	free(b->text);
	free(b);
}

static void reading_of(struct sgw_payload_reading *r, struct sgw_payload_form *f,
		       const struct sgw_msg *m)
{
	sgw_msg_form(m, f);
	*r = (struct sgw_payload_reading){
		.topic = sgw_msg_topic(m), .topic_len = m->topic_len, .form = f,
		.value = m->value, .ts_ms = m->ts.wall_ms, .seq = m->seq,
		.unsynced = m->ts.unsynced,
	};
}

/*
 * Render M as the array "[{...}]" at the end of the text, growing it when
 * needed; the caller keeps what it wants of it.  Returns the array's
 * length or -ENOMEM.
 */
static ssize_t render_at_end(struct sgw_batch *b, const struct sgw_msg *m)
{
	struct sgw_payload_reading r;
	struct sgw_payload_form f;
	ssize_t n;

	reading_of(&r, &f, m);
	n = sgw_payload_json_batch(b->text + b->len, b->cap - b->len, &r, 1);
	if (n >= 0 && (size_t)n >= b->cap - b->len) {
		size_t ncap = b->len + (size_t)n + 2;
		char *nt = realloc(b->text, ncap);

		if (!nt)
			return -ENOMEM;
		b->text = nt;
		b->cap = ncap;
		n = sgw_payload_json_batch(b->text + b->len, b->cap - b->len, &r, 1);
	}
	return n;
}

/* Append M's object: "[{...}" for the first, ",{...}" after.  False when over BYTES. */
static int append(struct sgw_batch *b, const struct sgw_msg *m, bool limit)
{
	/* The array starts where the '[' (or the comma) goes: its '[' is kept or made a comma. */
	size_t at = b->n ? b->len : 0;
	ssize_t n;

	b->len = at;
	n = render_at_end(b, m);
	if (n < 0)
		return (int)n;
	/* The batch with it: what it has, then ",{...}]" (the '[' becomes the comma). */
	if (limit && b->n && at + (size_t)n > b->bytes)
		return 0;
	if (b->n)
		b->text[at] = ',';
	b->len = at + (size_t)n - 1;	/* without its ']' */
	return 1;
}

int sgw_batch_add(struct sgw_batch *b, struct sgw_msg *m)
{
	int ret;

	if (b->n == b->readings)
		return 0;
	ret = append(b, m, true);
	if (ret <= 0)
		return ret;
	b->m[b->n++] = sgw_msg_ref(m);
	b->unsynced |= m->ts.unsynced;
	return 1;
}

size_t sgw_batch_count(const struct sgw_batch *b)
{
	return b->n;
}

bool sgw_batch_full(const struct sgw_batch *b)
{
	return b->n == b->readings;
}

struct sgw_msg *const *sgw_batch_msgs(const struct sgw_batch *b)
{
	return b->m;
}

const char *sgw_batch_text(struct sgw_batch *b, size_t *len)
{
	if (!b->n) {
		errno = ENODATA;
		return NULL;
	}
	if (b->unsynced) {
		/* Restamped since, perhaps: the objects only get shorter. */
		size_t n = b->n;

		b->n = 0;
		b->len = 0;
		b->unsynced = false;
		for (size_t i = 0; i < n; i++) {
			if (append(b, b->m[i], false) < 0) {
				b->n = n;
				b->unsynced = true;
				errno = ENOMEM;
				return NULL;
			}
			b->n = i + 1;
			b->unsynced |= b->m[i]->ts.unsynced;
		}
	}
	if (b->len + 2 > b->cap) {
		char *nt = realloc(b->text, b->len + 2);

		if (!nt) {
			errno = ENOMEM;
			return NULL;
		}
		b->text = nt;
		b->cap = b->len + 2;
	}
	b->text[b->len] = ']';
	b->text[b->len + 1] = '\0';
	*len = b->len + 1;
	return b->text;
}

void sgw_batch_clear(struct sgw_batch *b, bool unref)
{
	if (unref)
		for (size_t i = 0; i < b->n; i++)
			sgw_msg_unref(b->m[i]);
	b->n = 0;
	b->len = 0;
	b->unsynced = false;
}
