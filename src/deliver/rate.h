/* SPDX-License-Identifier: MIT */
/*
 * A publish rate limit ([mqtt NAME] max_rate): events paced 1/PER_S apart,
 * so that no second (any half-open interval of one second) carries more
 * than PER_S of them, which is how a broker that allows PER_S a second
 * (AWS IoT Core: 100) counts.  No burst: an idle spell earns no credit.
 * A value type; the caller passes the time (CLOCK_MONOTONIC ns), so that
 * it is tested without a clock.
 */
#ifndef SGW_RATE_H
#define SGW_RATE_H

#include <stdbool.h>
#include <stdint.h>

struct sgw_rate {
	int64_t interval_ns;	/* 1 s / PER_S, rounded up; 0: unlimited */
	int64_t next_ns;	/* the earliest time of the next event */
};

/* PER_S events a second at most; 0: unlimited. */
void sgw_rate_init(struct sgw_rate *r, uint32_t per_s);
static inline bool sgw_rate_limited(const struct sgw_rate *r) { return r->interval_ns > 0; }
/* The earliest time, NOW_NS or later, at which an event may happen. */
int64_t sgw_rate_next(const struct sgw_rate *r, int64_t now_ns);
/* Whether an event may happen at NOW_NS. */
static inline bool sgw_rate_ready(const struct sgw_rate *r, int64_t now_ns)
{
	return sgw_rate_next(r, now_ns) <= now_ns;
}
/* An event happened at NOW_NS (also one not asked for: it counts all the same). */
void sgw_rate_charge(struct sgw_rate *r, int64_t now_ns);

#endif
