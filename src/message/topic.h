/* SPDX-License-Identifier: MIT */
/*
 * MQTT topic names: template expansion and the checks a publish topic must
 * pass (MQTT 3.1.1 section 4.7, MQTT 5 section 4.7).
 *
 * Templates may use the variables {prefix} {gateway} {sensor} {quantity};
 * their values are inserted as they are (case kept).  Every '{' must open
 * one of these names: a topic cannot carry a literal '{'.  A lone '}' is an
 * ordinary character.
 */
#ifndef SGW_TOPIC_H
#define SGW_TOPIC_H

#include <stddef.h>

/* MQTT strings carry a 16-bit length. */
#define SGW_TOPIC_MAX 65535

/*
 * Values of the template variables.  A NULL member is not available where
 * the template is used (a client ID has no {sensor}): naming it is an error.
 */
struct sgw_topic_vars {
	const char *prefix;
	const char *gateway;
	const char *sensor;
	const char *quantity;
};

/*
 * Expand TMPL into a new string (*out, to be freed).  Returns 0, -EINVAL for
 * an unknown or unavailable variable or an unclosed '{', -E2BIG when the
 * result would exceed SGW_TOPIC_MAX bytes (memory stays bounded), -ENOMEM.
 * On -EINVAL and -E2BIG *why is a static message.
 */
int sgw_topic_expand(const char *tmpl, const struct sgw_topic_vars *vars,
		     char **out, const char **why);

/*
 * Check TOPIC as a PUBLISH topic name: 1..SGW_TOPIC_MAX bytes of valid
 * UTF-8 without control characters, no wildcard '+' or '#', not starting
 * with '$' (reserved for the broker).  Empty levels ("a//b") are allowed, as
 * in MQTT.  Returns NULL when valid, else a static message.
 */
const char *sgw_topic_validate(const char *topic);

#endif
