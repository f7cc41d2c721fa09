/* SPDX-License-Identifier: MIT */
/*
 * Per-sensor deadlines on one clock.  Pure logic (the caller passes the
 * time), so tests drive it with a fake clock; the daemon arms one timerfd
 * (CLOCK_MONOTONIC, absolute) at sgw_sched_next_due().
 *
 * Deadlines advance by whole periods from the start time, never from "now",
 * so there is no drift however late a tick is served.  When a tick is served
 * more than a period late, the missed deadlines are skipped (and counted)
 * rather than run in a burst.  Sensors with equal periods share deadlines,
 * so their readings are due in the same tick and travel as one batch.
 */
#ifndef SGW_SCHEDULER_H
#define SGW_SCHEDULER_H

#include <stddef.h>
#include <stdint.h>

struct sgw_sched_entry {
	int64_t period_ns;
	int64_t next_ns;	/* next deadline */
	uint64_t missed;	/* deadlines skipped because the loop was late */
};

struct sgw_sched {
	size_t n;
	struct sgw_sched_entry *e;
};

/* All entries start due at START_NS.  Returns 0 or -ENOMEM. */
int sgw_sched_init(struct sgw_sched *s, size_t n, const uint32_t *period_ms, int64_t start_ns);
void sgw_sched_free(struct sgw_sched *s);

/* Earliest deadline (INT64_MAX when empty). */
int64_t sgw_sched_next_due(const struct sgw_sched *s);

/*
 * Entries due at NOW_NS: writes up to MAX indices to OUT and their deadlines
 * to DUE (may be NULL), advances those entries, returns how many.
 */
size_t sgw_sched_take_due(struct sgw_sched *s, int64_t now_ns, uint32_t *out,
			  int64_t *due, size_t max);

#endif
