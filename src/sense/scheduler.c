/* SPDX-License-Identifier: MIT */
#include "scheduler.h"

#include <errno.h>
#include <stdlib.h>

int sgw_sched_init(struct sgw_sched *s, size_t n, const uint32_t *period_ms, int64_t start_ns)
{
	s->n = n;
	s->e = calloc(n ? n : 1, sizeof(*s->e));
	if (!s->e)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		s->e[i].period_ns = (int64_t)period_ms[i] * 1000000LL;
		s->e[i].next_ns = start_ns;
	}
	return 0;
}

void sgw_sched_free(struct sgw_sched *s)
{
	free(s->e);
	s->e = NULL;
	s->n = 0;
}

int64_t sgw_sched_next_due(const struct sgw_sched *s)
{
	int64_t next = INT64_MAX;

	for (size_t i = 0; i < s->n; i++)
		if (s->e[i].next_ns < next)
			next = s->e[i].next_ns;
	return next;
}

size_t sgw_sched_take_due(struct sgw_sched *s, int64_t now_ns, uint32_t *out,
			  int64_t *due, size_t max)
{
	size_t k = 0;

	for (size_t i = 0; i < s->n && k < max; i++) {
		struct sgw_sched_entry *e = &s->e[i];

		if (e->next_ns > now_ns)
			continue;
		out[k] = (uint32_t)i;
		if (due)
			due[k] = e->next_ns;
		k++;
		e->next_ns += e->period_ns;
		if (e->next_ns <= now_ns) {
			/* Late by a period or more: skip to the first future deadline. */
			int64_t skip = (now_ns - e->next_ns) / e->period_ns + 1;

			e->missed += (uint64_t)skip;
			e->next_ns += skip * e->period_ns;
		}
	}
	return k;
}
