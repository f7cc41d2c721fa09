/* SPDX-License-Identifier: MIT */
#include "clock.h"

#include <time.h>

int64_t sgw_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * SGW_NS_PER_S + ts.tv_nsec;
}

int64_t sgw_real_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
