/* SPDX-License-Identifier: MIT */
/*
 * Capped exponential backoff with "equal jitter": the n-th delay is drawn
 * uniformly from [d/2, d] where d = min(max, min * 2^n).  Used for broker
 * reconnects and quarantined sensors.
 */
#ifndef SGW_BACKOFF_H
#define SGW_BACKOFF_H

#include <stdint.h>

struct sgw_backoff {
	uint32_t min_ms, max_ms;
	uint32_t attempt;	/* failures since the last reset */
	uint64_t rng;		/* xorshift state; never 0 */
};

void sgw_backoff_init(struct sgw_backoff *b, uint32_t min_ms, uint32_t max_ms, uint64_t seed);
/* Delay before the next attempt; counts an attempt. */
uint32_t sgw_backoff_next(struct sgw_backoff *b);
void sgw_backoff_reset(struct sgw_backoff *b);

#endif
