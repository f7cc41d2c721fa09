/* SPDX-License-Identifier: MIT */
#include "routes.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERROR_SUFFIX "/error"	/* daemon/health.c: a sensor's health reports */

struct route {
	char *topic;
	uint32_t mask;
};

struct sgw_routes {
	uint32_t all;		/* every uplink */
	size_t n;		/* 0: every sensor goes everywhere, no lookup */
	struct route *v;	/* sorted by topic */
};

static int route_cmp(const void *a, const void *b)
{
	return strcmp(((const struct route *)a)->topic, ((const struct route *)b)->topic);
}

/* Whether some sensor is not carried by every uplink. */
static bool any_subset(const struct sgw_config *cfg, uint32_t all)
{
	for (size_t i = 0; i < cfg->nsensors; i++)
		if ((cfg->sensors[i].uplinks & all) != all)
			return true;
	return false;
}

struct sgw_routes *sgw_routes_new(const struct sgw_config *cfg)
{
	struct sgw_routes *rt = calloc(1, sizeof(*rt));
	size_t cap = 0;

	if (!rt)
		return NULL;
	rt->all = cfg->nuplinks >= 32 ? UINT32_MAX : (1u << cfg->nuplinks) - 1;
	if (!any_subset(cfg, rt->all))
		return rt;
	for (size_t i = 0; i < cfg->nsensors; i++)
		cap += cfg->sensors[i].nchannels * 2;
	rt->v = calloc(cap + 1, sizeof(*rt->v));
	if (!rt->v)
		goto err_free;
	for (size_t i = 0; i < cfg->nsensors; i++) {
		const struct sgw_sensor_config *sc = &cfg->sensors[i];

		for (size_t c = 0; c < sc->nchannels; c++) {
			if (!sc->ch[c].topic)
				continue;
			rt->v[rt->n].mask = sc->uplinks & rt->all;
			if (!(rt->v[rt->n++].topic = strdup(sc->ch[c].topic)))
				goto err_free;
			rt->v[rt->n].mask = sc->uplinks & rt->all;
			if (asprintf(&rt->v[rt->n].topic, "%s" ERROR_SUFFIX, sc->ch[c].topic) < 0) {
				rt->v[rt->n].topic = NULL;
				goto err_free;
			}
			rt->n++;
		}
	}
	qsort(rt->v, rt->n, sizeof(*rt->v), route_cmp);
	return rt;

err_free:
	sgw_routes_free(rt);
	errno = ENOMEM;
	return NULL;
}

void sgw_routes_free(struct sgw_routes *rt)
{
	if (!rt)
		return;
	for (size_t i = 0; i < rt->n; i++)
		free(rt->v[i].topic);
	free(rt->v);
	free(rt);
}

uint32_t sgw_routes_mask(const struct sgw_routes *rt, const char *topic)
{
	const struct route key = { .topic = (char *)topic };
	const struct route *r;

	if (!rt->n)
		return rt->all;
	r = bsearch(&key, rt->v, rt->n, sizeof(*rt->v), route_cmp);
	return r ? r->mask : rt->all;
}
