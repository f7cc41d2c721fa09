/* SPDX-License-Identifier: MIT */
/* One sample of a sensor, as the bus workers hand it to the main loop. */
#ifndef SGW_SAMPLE_H
#define SGW_SAMPLE_H

#include <stdint.h>

#include "conf/types.h"
#include "util/clock.h"

struct sgw_sample {
	uint32_t sensor;	/* index into cfg->sensors */
	int err;		/* 0, or -errno from the driver / -ETIMEDOUT */
	struct sgw_stamp ts;	/* sample time (util/clock.h) */
	int64_t due_ns;		/* scheduled time, CLOCK_MONOTONIC */
	uint32_t valid;		/* bit i: values[i] holds a reading */
	int32_t values[SGW_MAX_CHANNELS];
};

#endif
