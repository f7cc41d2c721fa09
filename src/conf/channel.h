/* SPDX-License-Identifier: MIT */
/* The channels of a sensor: what its driver's configure() declares. */
#ifndef SGW_CONF_CHANNEL_H
#define SGW_CONF_CHANNEL_H

#include "types.h"

/*
 * Declare the next channel of the sensor: quantity NAME (a name as
 * sgw_name_valid() has it), UNIT (NULL: none), SCALE decimal digits of its
 * fixed-point values and PRECISION decimals published by default, both
 * 0..9.  NAME and UNIT are copied.  Returns the channel's index, -ENOSPC
 * after SGW_MAX_CHANNELS, -EEXIST for a second NAME, -EINVAL or -ENOMEM.
 */
int sgw_sensor_add_channel(struct sgw_sensor_config *sc, const char *name,
			   const char *unit, int scale, int precision);

#endif
