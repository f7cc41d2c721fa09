/* SPDX-License-Identifier: MIT */
#include "rate.h"

#include "util/clock.h"

void sgw_rate_init(struct sgw_rate *r, uint32_t per_s)
{
	/* Rounded up: never faster than PER_S. */
	r->interval_ns = per_s ? (SGW_NS_PER_S + per_s - 1) / per_s : 0;
	r->next_ns = INT64_MIN;
}

int64_t sgw_rate_next(const struct sgw_rate *r, int64_t now_ns)
{
	return r->next_ns > now_ns ? r->next_ns : now_ns;
}

void sgw_rate_charge(struct sgw_rate *r, int64_t now_ns)
{
	if (!sgw_rate_limited(r))
		return;
	/* From the later of now and the schedule: the next one is an interval on. */
	r->next_ns = sgw_rate_next(r, now_ns) + r->interval_ns;
}
