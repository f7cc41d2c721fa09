/* SPDX-License-Identifier: MIT */
#include "backoff.h"

/* Any non-zero constant: xorshift64 stays at 0 forever once there. */
#define BACKOFF_SEED_FALLBACK 0x9e3779b97f4a7c15ull

static uint64_t backoff_rand(struct sgw_backoff *b)
{
	uint64_t x = b->rng;

	/* Marsaglia's xorshift64 (13, 7, 17): full period 2^64 - 1. */
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	b->rng = x;
	return x;
}

void sgw_backoff_init(struct sgw_backoff *b, uint32_t min_ms, uint32_t max_ms, uint64_t seed)
{
	b->min_ms = min_ms;
	/* A maximum below the minimum would make the cap shrink the delay. */
	b->max_ms = max_ms < min_ms ? min_ms : max_ms;
	b->attempt = 0;
	b->rng = seed ? seed : BACKOFF_SEED_FALLBACK;
}

uint32_t sgw_backoff_next(struct sgw_backoff *b)
{
	uint64_t d, lo, span;

	/*
	 * min * 2^attempt in 64 bits: min < 2^32 and a shift below 32 stay
	 * below 2^64; from 32 on any non-zero min is past every uint32_t max.
	 */
	if (b->attempt < 32)
		d = (uint64_t)b->min_ms << b->attempt;
	else
		d = b->min_ms ? UINT64_MAX : 0;
	if (d > b->max_ms)
		d = b->max_ms;

	lo = d / 2;
	span = d - lo;
	if (b->attempt < UINT32_MAX)
		b->attempt++;
	return (uint32_t)(lo + backoff_rand(b) % (span + 1));
}

void sgw_backoff_reset(struct sgw_backoff *b)
{
	b->attempt = 0;
}
