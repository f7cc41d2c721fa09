/* SPDX-License-Identifier: MIT */
/*
 * Clocks: CLOCK_MONOTONIC for schedules, deadlines and GPIO event times,
 * CLOCK_REALTIME for sample times.  The one place that reads them.
 */
#ifndef SGW_CLOCK_H
#define SGW_CLOCK_H

#include <stdint.h>
#include <time.h>

#define SGW_NS_PER_MS 1000000LL
#define SGW_NS_PER_S 1000000000LL

/* CLOCK_MONOTONIC in ns. */
int64_t sgw_mono_ns(void);
/* CLOCK_REALTIME in ms since the epoch. */
int64_t sgw_real_ms(void);
/*
 * CLOCK's time MS milliseconds (>= 0) from now, as pthread_cond_timedwait()
 * takes it (CLOCK_REALTIME unless the condition variable was set to another).
 */
struct timespec sgw_clock_after_ms(clockid_t clock, int64_t ms);

#endif
