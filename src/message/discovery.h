/* SPDX-License-Identifier: MIT */
/*
 * Home Assistant's MQTT discovery: one entity per channel, announced by a
 * retained config message on
 *     <prefix>/<component>/<gateway>_<sensor>_<quantity>/config
 * (Home Assistant's <discovery_prefix>/<component>/<object_id>/config; the
 * names' characters other than A-Z a-z 0-9 _ - become '_').  Its JSON:
 *
 *   name                  "<sensor> <quantity>"
 *   unique_id             sensorgw_<gateway>_<sensor>_<quantity> (as the object id)
 *   state_topic           the channel's topic
 *   availability_topic    the gateway's status topic, with
 *   payload_available     "online" and
 *   payload_not_available "offline"
 *   device                one per gateway: identifiers ["sensorgw_<gateway>"],
 *                         name, model, manufacturer "sensorgw", sw_version
 *   expire_after          3 x the sensor's interval, at least 60 s, in
 *                         seconds; when the channel's filter has a delta
 *                         stage, which holds a steady value back up to the
 *                         sensor's heartbeat: 3 x the heartbeat, and left
 *                         out without one
 *   value_template        "{{ value_json.value }}" when the payload is JSON
 * and, by component:
 *   sensor                unit_of_measurement (unless the unit is empty),
 *                         device_class (when the unit says it, see
 *                         discovery.c), state_class "measurement" (a
 *                         pulse_counter's total: "total_increasing"),
 *                         suggested_display_precision (the channel's)
 *   binary_sensor         gpio_input's channel: payload_on "1",
 *                         payload_off "0", as it publishes its level
 *
 * On an uplink with commands = yes, one entity per actuator too, under
 * object id <gateway>_<actuator>, with name (the actuator's), unique_id
 * sensorgw_<gateway>_<actuator>, command_topic, state_topic, the same
 * availability and device, and by component (actuate/actuator.h):
 *   switch                payload_on / payload_off and state_on /
 *                         state_off "ON" / "OFF"
 *   cover                 position_topic <topic>/position,
 *                         set_position_topic the command topic,
 *                         payload_open / _close / _stop "OPEN" / "CLOSE" /
 *                         "STOP", state_open / _opening / _closed /
 *                         _closing / _stopped "open", "opening", "closed",
 *                         "closing", "stopped", position_open 100,
 *                         position_closed 0
 */
#ifndef SGW_DISCOVERY_H
#define SGW_DISCOVERY_H

#include <stddef.h>

#include "conf/types.h"

/* Expire after this many intervals without a reading, and not sooner than the floor. */
#define SGW_DISCOVERY_EXPIRE_INTERVALS 3
#define SGW_DISCOVERY_EXPIRE_MIN_S 60

struct sgw_discovery_entity {
	char *topic;		/* the config topic */
	char *unique_id;
	char *payload;		/* the config JSON, NUL-terminated */
	size_t len;
};

/*
 * The entities of every channel that uplink UPLINK (an index into
 * cfg->uplinks) carries ([mqtt NAME] sensors), in file order, then those
 * of the actuators when it has commands = yes, under the
 * discovery prefix PREFIX: a new array in *OUT, *N of them.  0, or
 * -ENOMEM (nothing is left allocated).
 */
int sgw_discovery_build(const struct sgw_config *cfg, size_t uplink, const char *prefix,
			struct sgw_discovery_entity **out, size_t *n);
void sgw_discovery_free(struct sgw_discovery_entity *e, size_t n);

#endif
