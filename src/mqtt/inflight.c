/* SPDX-License-Identifier: MIT */
#include "inflight.h"

#include <errno.h>
#include <stdlib.h>

int sgw_inflight_init(struct sgw_inflight *t, size_t cap)
{
	*t = (struct sgw_inflight){ 0 };
	t->cap = cap ? cap : 1;
	t->ring = calloc(t->cap, sizeof(*t->ring));
	return t->ring ? 0 : -ENOMEM;
}

void sgw_inflight_free(struct sgw_inflight *t)
{
	free(t->ring);
	t->ring = NULL;
}

static struct sgw_inflight_entry *at(const struct sgw_inflight *t, size_t i)
{
	return &t->ring[(t->first + i) % t->cap];
}

int sgw_inflight_reserve(struct sgw_inflight *t)
{
	struct sgw_inflight_entry *n;
	size_t cap;

	if (t->used < t->cap)
		return 0;
	/* Only QoS 0 bursts and out-of-order holes grow it past the window. */
	cap = t->cap * 2;
	n = malloc(cap * sizeof(*n));
	if (!n)
		return -ENOMEM;
	for (size_t i = 0; i < t->used; i++)
		n[i] = *at(t, i);
	free(t->ring);
	t->ring = n;
	t->cap = cap;
	t->first = 0;
	return 0;
}

void sgw_inflight_push(struct sgw_inflight *t, const struct sgw_inflight_entry *e)
{
	struct sgw_inflight_entry *slot = at(t, t->used);

	*slot = *e;
	slot->live = true;
	t->used++;
	t->live++;
	if (e->counted)
		t->counted++;
}

bool sgw_inflight_find(const struct sgw_inflight *t, int token, uint32_t gen, uint64_t stamp,
		       size_t *idx)
{
	for (size_t i = 0; i < t->used; i++) {
		const struct sgw_inflight_entry *e = at(t, i);

		if (e->live && e->token == token && e->gen == gen && e->stamp <= stamp) {
			*idx = i;
			return true;
		}
	}
	return false;
}

const struct sgw_inflight_entry *sgw_inflight_get(const struct sgw_inflight *t, size_t i)
{
	return at(t, i);
}

/* Drop the holes at the head. */
static void trim(struct sgw_inflight *t)
{
	while (t->used && !t->ring[t->first].live) {
		t->first = (t->first + 1) % t->cap;
		t->used--;
	}
}

struct sgw_inflight_entry sgw_inflight_take(struct sgw_inflight *t, size_t i)
{
	struct sgw_inflight_entry *e = at(t, i), copy = *e;

	if (e->live) {
		e->live = false;
		t->live--;
		if (e->counted)
			t->counted--;
	}
	trim(t);
	return copy;
}

struct sgw_inflight_entry sgw_inflight_pop(struct sgw_inflight *t)
{
	struct sgw_inflight_entry copy = *at(t, 0);

	if (copy.live)
		return sgw_inflight_take(t, 0);
	t->first = (t->first + 1) % t->cap;
	t->used--;
	trim(t);
	return copy;
}
