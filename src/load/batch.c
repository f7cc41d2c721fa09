/* SPDX-License-Identifier: MIT */
/*
 * An uplink's batch keys: batch = yes sends its readings as JSON arrays
 * (src/deliver/batch.h) of at most batch_bytes bytes and batch_readings
 * readings, the first of them waiting batch_wait for others at most, on
 * batch_topic.  Off by default: a broker of one's own takes one message a
 * reading.  The keys are checked also when batch = no, so that turning it
 * on later meets no surprise.
 */
#include "load_int.h"

#include <errno.h>
#include <stdlib.h>

#include "message/topic.h"

#define BATCH_BYTES_MIN 256
#define BATCH_BYTES_MAX (128 * 1024)	/* AWS IoT Core's payload limit too */
#define BATCH_BYTES_DEFAULT 5120	/* one AWS IoT Core billing unit (5 KB) */
#define BATCH_READINGS_MAX 1000
#define BATCH_READINGS_DEFAULT 100
#define BATCH_WAIT_MAX_MS 60000
#define BATCH_WAIT_DEFAULT_MS 1000

void sgw_resolve_uplink_batch(struct loader *l, struct sgw_keys *ks, struct sgw_uplink_config *u)
{
	struct sgw_gateway_config *gw = &l->cfg->gw;
	struct sgw_topic_vars vars = { .prefix = gw->topic_prefix, .gateway = gw->name };
	struct sgw_opt *o;
	const char *v, *why;
	uint64_t bytes;
	long n;
	int ret;

	sgw_keys_bool(ks, "batch", false, &u->batch);
	o = sgw_keys_find(ks, "batch");
	u->batch_line = o ? o->line : u->line;
	sgw_keys_size(ks, "batch_bytes", BATCH_BYTES_DEFAULT, BATCH_BYTES_MIN, BATCH_BYTES_MAX,
		      &bytes);
	u->batch_bytes = (uint32_t)bytes;
	sgw_keys_long(ks, "batch_readings", BATCH_READINGS_DEFAULT, 1, BATCH_READINGS_MAX, &n);
	u->batch_readings = (uint32_t)n;
	sgw_keys_duration(ks, "batch_wait", BATCH_WAIT_DEFAULT_MS, 0, BATCH_WAIT_MAX_MS,
			  &u->batch_wait_ms);

	if (!vars.prefix || !vars.gateway)
		return;	/* [gateway] failed: reported there */
	sgw_keys_str(ks, "batch_topic", "{prefix}/{gateway}/batch", &v);
	ret = sgw_topic_expand(v, &vars, &u->batch_topic, &why);
	if (ret == -ENOMEM) {
		l->nomem = true;
		return;
	}
	if (ret == 0 && (why = sgw_topic_validate(u->batch_topic)) != NULL) {
		free(u->batch_topic);
		u->batch_topic = NULL;
		ret = -EINVAL;
	}
	if (ret && (o = sgw_keys_find(ks, "batch_topic")))
		sgw_keys_bad(ks, o, "is not a valid topic: %s (batch_topic may use {gateway} and "
			     "{prefix})", why);
	else if (ret)
		sgw_diag_error(l->d, u->line, "%s batch topic: %s", ks->label, why);
}
