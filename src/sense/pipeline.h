/* SPDX-License-Identifier: MIT */
/*
 * Pipeline: a batch of samples -> per-channel filters -> payload -> message.
 * Each channel keeps its own filter state; a filter may drop a value
 * (deadband), and then no message is made.  Sequence numbers are given to
 * the messages in batch order.
 */
#ifndef SGW_PIPELINE_H
#define SGW_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include "conf/types.h"
#include "message/msg.h"
#include "sample.h"

struct sgw_pipeline;

/* NULL+errno on failure (ERR holds a message naming the sensor and filter). */
struct sgw_pipeline *sgw_pipeline_new(const struct sgw_config *cfg, char *err, size_t errlen);
void sgw_pipeline_free(struct sgw_pipeline *p);

/*
 * Run N samples (errors skipped).  Each message gets *seq, which is then
 * incremented, and is handed to EMIT, which takes over the reference.
 * Returns the number of messages made.
 */
size_t sgw_pipeline_run(struct sgw_pipeline *p, const struct sgw_sample *s, size_t n,
			uint64_t *seq, void (*emit)(void *arg, struct sgw_msg *m), void *arg);

#endif
