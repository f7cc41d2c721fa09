/* SPDX-License-Identifier: MIT */
/* An uplink's connection trouble, for the log and the statistics; see outage.h. */
#include "outage.h"

#include <stdio.h>
#include <string.h>

void sgw_outage_init(struct sgw_outage *o, int64_t now_ns)
{
	memset(o, 0, sizeof(*o));
	o->down = true;
	o->since_ns = now_ns;
}

static void remember(struct sgw_outage *o, const char *why, int64_t now_ms)
{
	snprintf(o->last_error, sizeof(o->last_error), "%s", why);
	o->last_error_ms = now_ms;
}

static void begin(struct sgw_outage *o, bool lost, int64_t now_ns)
{
	o->down = true;
	o->lost = lost;
	o->since_ns = now_ns;
	o->failures = 0;
	o->unsaid = 0;
	o->said[0] = '\0';
}

enum sgw_outage_say sgw_outage_failed(struct sgw_outage *o, const char *why, int64_t now_ns,
				      int64_t now_ms, uint64_t *unsaid)
{
	enum sgw_outage_say say;

	remember(o, why, now_ms);
	/* Failing while connected would be the uplink's error; make it an outage. */
	if (!o->down)
		begin(o, false, now_ns);
	o->failures++;
	*unsaid = ++o->unsaid;
	if (o->failures == 1)
		say = SGW_OUTAGE_FIRST;
	else if (strncmp(o->said, why, sizeof(o->said) - 1) != 0)
		say = SGW_OUTAGE_CHANGED;
	else if (now_ns - o->said_ns >= SGW_OUTAGE_REPEAT_NS)
		say = SGW_OUTAGE_STILL;
	else
		return SGW_OUTAGE_QUIET;
	snprintf(o->said, sizeof(o->said), "%s", why);
	o->said_ns = now_ns;
	o->unsaid = 0;
	return say;
}

void sgw_outage_lost(struct sgw_outage *o, const char *why, int64_t now_ns, int64_t now_ms)
{
	remember(o, why, now_ms);
	begin(o, true, now_ns);
}

bool sgw_outage_up(struct sgw_outage *o, int64_t now_ns, int64_t *down_ns, uint64_t *attempts)
{
	bool worth = o->down && (o->lost || o->failures > 0);

	*down_ns = now_ns - o->since_ns;
	*attempts = o->failures + 1;
	o->down = false;
	o->lost = false;
	o->failures = 0;
	o->unsaid = 0;
	return worth;
}

const char *sgw_outage_duration(char *buf, size_t cap, int64_t ns)
{
	long long s = ns > 0 ? ns / SGW_NS_PER_S : 0;

	if (ns < SGW_NS_PER_S)
		snprintf(buf, cap, "%lld ms", ns > 0 ? (long long)(ns / SGW_NS_PER_MS) : 0);
	else if (ns < 10 * SGW_NS_PER_S)
		snprintf(buf, cap, "%.1f s", (double)ns / SGW_NS_PER_S);
	else if (s < 60)
		snprintf(buf, cap, "%lld s", s);
	else if (s < 3600)
		snprintf(buf, cap, "%lld min %lld s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, cap, "%lld h %lld min", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, cap, "%lld d %lld h", s / 86400, s % 86400 / 3600);
	return buf;
}
