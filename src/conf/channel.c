/* SPDX-License-Identifier: MIT */
#include "channel.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/parse.h"

int sgw_sensor_add_channel(struct sgw_sensor_config *sc, const char *name,
			   const char *unit, int scale, int precision)
{
	struct sgw_channel_config *ch;

	if (sc->nchannels >= SGW_MAX_CHANNELS)
		return -ENOSPC;
	if (!name || !sgw_name_valid(name) || scale < 0 || scale > 9 ||
	    precision < 0 || precision > 9)
		return -EINVAL;
	for (size_t i = 0; i < sc->nchannels; i++)
		if (strcmp(sc->ch[i].name, name) == 0)
			return -EEXIST;
	ch = &sc->ch[sc->nchannels];
	memset(ch, 0, sizeof(*ch));
	ch->name = strdup(name);
	ch->unit = strdup(unit ? unit : "");
	if (!ch->name || !ch->unit) {
		free(ch->name);
		free(ch->unit);
		memset(ch, 0, sizeof(*ch));
		return -ENOMEM;
	}
	ch->scale = scale;
	ch->precision = precision;
	return (int)sc->nchannels++;
}
