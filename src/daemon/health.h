/* SPDX-License-Identifier: MIT */
/*
 * Sensor health: each sensor's read deadline, its failures and quarantine
 * (retried with capped exponential backoff from its interval on), the
 * reports on "<topic>/error" when it starts failing and when it recovers,
 * and, for --once, which sensors have not answered yet.
 *
 * A sensor that fails keeps failing alone: the others keep their schedule.
 * Main thread only; times are CLOCK_MONOTONIC ns.
 */
#ifndef SGW_HEALTH_H
#define SGW_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/types.h"
#include "message/msg.h"
#include "sense/sample.h"

struct sgw_health;

/* Where the error reports go. */
struct sgw_health_sink {
	uint64_t (*take_seq)(void *arg);		/* the next sequence number */
	void (*emit)(void *arg, struct sgw_msg *m);	/* takes the reference */
	void *arg;
};

/* For CFG's sensors (CFG must outlive it).  NULL+errno. */
struct sgw_health *sgw_health_new(const struct sgw_config *cfg, const struct sgw_health_sink *sink,
				  int64_t now_ns);
void sgw_health_free(struct sgw_health *h);

/*
 * May sensor I be asked for a sample at NOW?  False while it is
 * quarantined after a failure (the skipped sample is counted).
 */
bool sgw_health_may_request(struct sgw_health *h, uint32_t i, int64_t now_ns);
/* The request was handed to the sensor's worker at NOW: its timeout runs. */
void sgw_health_requested(struct sgw_health *h, uint32_t i, int64_t now_ns);
/* The request could not be made (the previous read still runs): counted. */
void sgw_health_skipped(struct sgw_health *h, uint32_t i);

/*
 * A sample came back.  True when it is a reading to publish; false when
 * it failed (counted, reported, quarantined) or came after its request had
 * timed out (already counted as a failure).
 */
bool sgw_health_result(struct sgw_health *h, const struct sgw_sample *s, int64_t now_ns);

/*
 * Fail the requests whose timeout passed at NOW.  Returns the next timeout,
 * or INT64_MAX.
 */
int64_t sgw_health_check(struct sgw_health *h, int64_t now_ns);

/* Sensors failing now. */
size_t sgw_health_failing(const struct sgw_health *h);

/* --once: results counted since START_ONCE. */
void sgw_health_start_once(struct sgw_health *h);
/* Sensors that have not answered (with a reading or a failure). */
size_t sgw_health_once_waiting(const struct sgw_health *h);
/* Sensors whose answer was a failure. */
size_t sgw_health_once_failed(const struct sgw_health *h);

#endif
