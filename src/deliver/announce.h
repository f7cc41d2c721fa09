/* SPDX-License-Identifier: MIT */
/*
 * Home Assistant's MQTT discovery on one uplink ([mqtt NAME] with
 * homeassistant = yes): the retained config message of every channel
 * and, with commands = yes, of every actuator (message/discovery.h),
 * published at QoS 1
 *  - after each connect, once the uplink said "online";
 *  - again whenever Home Assistant says "online" on <prefix>/status (its
 *    birth message after a restart; a retained one met on subscribing is
 *    not news, the connect has just announced everything);
 * and an empty retained config, which makes Home Assistant forget the
 * entity, for every one announced before and no longer configured.
 *
 * What was announced is kept in <state_dir>/homeassistant.<uplink name>,
 * one config topic a line, replaced whole (util/filerep.h) once the broker
 * acknowledged a whole round: a removal that never reached it is tried
 * again at the next start.
 *
 * The messages share the uplink's in-flight window with the readings and
 * go first, as far as it has room: sgw_announce_pump() again after each
 * acknowledgement.  Their delivery tags are of the kind SGW_TAG_ANNOUNCE.
 * Main thread only; the router drives it.
 */
#ifndef SGW_ANNOUNCE_H
#define SGW_ANNOUNCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/types.h"
#include "mqtt/uplink.h"

struct sgw_announce;

/*
 * The entities of CFG for uplink U (configured by UC, which has
 * homeassistant set), what its state file says was announced before, and
 * the subscription to Home Assistant's status.  Before U starts.
 * NULL+errno.
 */
struct sgw_announce *sgw_announce_new(const struct sgw_config *cfg,
				      const struct sgw_uplink_config *uc, struct sgw_uplink *u);
void sgw_announce_free(struct sgw_announce *a);

/* The uplink connected: a new round, removals first. */
void sgw_announce_start(struct sgw_announce *a);
/* Hand the uplink what its window takes of the round. */
void sgw_announce_pump(struct sgw_announce *a);
/* The broker acknowledged TAG (of kind SGW_TAG_ANNOUNCE). */
void sgw_announce_ack(struct sgw_announce *a, uint64_t tag);
/*
 * A message arrived on the uplink.  Returns whether it was Home
 * Assistant's status; "online" (not a retained one) starts a new round.
 */
bool sgw_announce_message(struct sgw_announce *a, const char *topic, const void *payload,
			  size_t len, bool retained);

/* Entities configured, config messages the broker acknowledged, rounds begun. */
struct sgw_announce_stats {
	size_t entities, removals;
	uint64_t acked, rounds;
};
void sgw_announce_get_stats(const struct sgw_announce *a, struct sgw_announce_stats *st);

#endif
