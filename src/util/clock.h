/* SPDX-License-Identifier: MIT */
/* Clocks: CLOCK_MONOTONIC for schedules, CLOCK_REALTIME for sample times. */
#ifndef SGW_CLOCK_H
#define SGW_CLOCK_H

#include <stdint.h>

#define SGW_NS_PER_MS 1000000LL
#define SGW_NS_PER_S 1000000000LL

int64_t sgw_mono_ns(void);
int64_t sgw_real_ms(void);

#endif
