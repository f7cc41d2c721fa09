/* SPDX-License-Identifier: MIT */
/*
 * Which uplinks carry a message ([mqtt NAME] sensors): a reading goes to
 * the uplinks that carry its sensor, and so does the sensor's health
 * report on <topic>/error, so that a subscriber sees a sensor's failures
 * where it sees its readings.  A message of no sensor (one carried over a
 * reload from a sensor since removed) goes to every uplink.
 *
 * Looked up by topic, which every message has, stored or not: two
 * quantities never share a topic (src/load refuses it).
 */
#ifndef SGW_ROUTES_H
#define SGW_ROUTES_H

#include <stdint.h>

#include "conf/types.h"

struct sgw_routes;

/* The routes of CFG, which must outlive them.  NULL+errno. */
struct sgw_routes *sgw_routes_new(const struct sgw_config *cfg);
void sgw_routes_free(struct sgw_routes *rt);
/* The uplinks (bit i: cfg->uplinks[i]) that carry a message to TOPIC. */
uint32_t sgw_routes_mask(const struct sgw_routes *rt, const char *topic);

#endif
