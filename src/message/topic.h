/* SPDX-License-Identifier: MIT */
/*
 * MQTT topic names: template expansion and the checks a publish topic must
 * pass (MQTT 3.1.1 section 4.7, MQTT 5 section 4.7).
 *
 * Templates may use the variables {prefix} {gateway} {sensor} {quantity}
 * and, in an actuator's topic, {actuator};
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
	const char *actuator;
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
 * with '$' (reserved for the broker) unless it is an AWS IoT Basic Ingest
 * topic (sgw_topic_basic_ingest()).  Empty levels ("a//b") are allowed, as
 * in MQTT.  Returns NULL when valid, else a static message.
 */
const char *sgw_topic_validate(const char *topic);

/* An AWS IoT rule name, as Basic Ingest topics carry it: [A-Za-z0-9_], 1..128. */
#define SGW_TOPIC_RULE_MAX 128

/*
 * The length of TOPIC's AWS IoT Basic Ingest prefix "$aws/rules/RULE/"
 * (RULE a rule name, something after the prefix), or 0 when TOPIC is not a
 * Basic Ingest topic.  AWS IoT Core hands such a message straight to the
 * rule and does not count the prefix in its topic limits.
 */
size_t sgw_topic_basic_ingest(const char *topic);

#endif
