/* SPDX-License-Identifier: MIT */
/* [gateway]: its name, the topic prefix and status topic, format, state_dir, clock. */
#include "load_int.h"

#include <ctype.h>
#include <unistd.h>

#include "message/topic.h"
#include "util/parse.h"

#define DEFAULT_PREFIX "sensorgw"
#define DEFAULT_STATE_DIR SGW_LOCALSTATEDIR "/lib/sensorgw"

/* enum sgw_clock_mode's order. */
static const char *const clock_names[] = { "ntp", "rtc", NULL };

/* The host name made a valid name: the default gateway name. */
static char *host_name(struct loader *l)
{
	char buf[256] = "";
	size_t n;

	if (gethostname(buf, sizeof(buf) - 1) != 0)
		buf[0] = '\0';
	buf[SGW_NAME_MAX] = '\0';
	for (n = 0; buf[n]; n++) {
		unsigned char c = (unsigned char)buf[n];

		if (!isalnum(c) && c != '.' && c != '_' && c != '-')
			buf[n] = '-';
	}
	return sgw_load_strdup(l, n ? buf : "sensorgw");
}

void sgw_resolve_gateway(struct loader *l)
{
	struct sgw_gateway_config *gw = &l->cfg->gw;
	struct sgw_keys ks;
	struct sgw_opt *o;
	const char *v, *why;
	int fmt, clock;

	sgw_load_unique_keys(l, SGW_SECTION_GATEWAY, &ks);
	if (sgw_keys_str(&ks, "name", NULL, &v) == 1 && !sgw_name_valid(v)) {
		sgw_keys_bad(&ks, sgw_keys_find(&ks, "name"), "is not a valid name (1..64 characters of A-Z a-z 0-9 . _ -)");
		v = NULL;
	}
	gw->name = v ? sgw_load_strdup(l, v) : host_name(l);

	if (sgw_keys_str(&ks, "topic_prefix", DEFAULT_PREFIX, &v) == 1 && (why = sgw_topic_validate(v))) {
		sgw_keys_bad(&ks, sgw_keys_find(&ks, "topic_prefix"), "is not a valid topic prefix: %s", why);
		v = DEFAULT_PREFIX;
	}
	gw->topic_prefix = sgw_load_strdup(l, v);

	sgw_keys_enum(&ks, "format", sgw_load_format_names, SGW_FORMAT_PLAIN, &fmt);
	gw->format = (enum sgw_format)fmt;

	sgw_keys_duration(&ks, "heartbeat", 0, 0, MAX_HEARTBEAT_MS, &gw->heartbeat_ms);
	sgw_keys_str(&ks, "state_dir", NULL, &v);
	gw->state_dir = v ? sgw_load_path(l, v) : sgw_load_strdup(l, DEFAULT_STATE_DIR);
	sgw_keys_duration(&ks, "stats_interval", 30000, 1000, 3600000, &gw->stats_interval_ms);
	sgw_keys_enum(&ks, "clock", clock_names, SGW_CLOCK_NTP, &clock);
	gw->clock = (enum sgw_clock_mode)clock;
	sgw_keys_report_unused(&ks, "");

	if (!gw->name || !gw->topic_prefix)
		return;
	gw->status_topic = sgw_load_printf(l, "%s/%s/status", gw->topic_prefix, gw->name);
	if (gw->status_topic && (why = sgw_topic_validate(gw->status_topic))) {
		o = sgw_keys_find(&ks, "topic_prefix");
		sgw_diag_error(l->d, o ? o->line : 0, "[gateway] status topic: %s", why);
	}
}
