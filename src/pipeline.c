/* SPDX-License-Identifier: MIT */
#include "pipeline.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "payload.h"

struct sgw_pipeline {
	const struct sgw_config *cfg;
};

struct sgw_pipeline *sgw_pipeline_new(const struct sgw_config *cfg, char *err, size_t errlen)
{
	struct sgw_pipeline *p = calloc(1, sizeof(*p));

	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->cfg = cfg;
	return p;
}

void sgw_pipeline_free(struct sgw_pipeline *p)
{
	free(p);
}

size_t sgw_pipeline_run(struct sgw_pipeline *p, const struct sgw_sample *s, size_t n,
			uint64_t *seq, void (*emit)(void *arg, struct sgw_msg *m), void *arg)
{
	char payload[SGW_PAYLOAD_MAX];
	size_t made = 0;

	for (size_t i = 0; i < n; i++) {
		const struct sgw_sensor_config *sc = &p->cfg->sensors[s[i].sensor];

		if (s[i].err)
			continue;
		for (size_t c = 0; c < sc->nchannels; c++) {
			const struct sgw_channel_config *ch = &sc->ch[c];
			struct sgw_msg *m;
			int len;

			if (!(s[i].valid & (1u << c)))
				continue;
			len = sgw_payload_format(payload, sizeof(payload), sc->format, ch,
						 s[i].values[c], s[i].ts_ms, *seq);
			if (len < 0) {
				log_warnx("[sensor %s] %s: payload too large", sc->name, ch->name);
				continue;
			}
			m = sgw_msg_new(*seq, s[i].ts_ms, ch->topic, strlen(ch->topic), payload, (size_t)len);
			if (!m) {
				log_warn("[sensor %s] %s: reading lost", sc->name, ch->name);
				continue;
			}
			(*seq)++;
			emit(arg, m);
			made++;
		}
	}
	return made;
}
