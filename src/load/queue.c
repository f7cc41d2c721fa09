/* SPDX-License-Identifier: MIT */
/* [queue]: the disk queue's mode, syncing, sizes and what to do when full. */
#include "load_int.h"

static const char *const queue_mode_names[] = { "auto", "always", "off", NULL };
static const char *const queue_sync_names[] = { "interval", "always", NULL };
static const char *const queue_full_names[] = { "drop_oldest", "refuse", NULL };

void sgw_resolve_queue(struct loader *l)
{
	struct sgw_queue_config *q = &l->cfg->queue;
	struct sgw_keys ks;
	int mode, sync, full;

	sgw_load_unique_keys(l, SGW_SECTION_QUEUE, &ks);
	sgw_keys_enum(&ks, "mode", queue_mode_names, SGW_QUEUE_MODE_AUTO, &mode);
	sgw_keys_enum(&ks, "sync", queue_sync_names, 0, &sync);
	sgw_keys_duration(&ks, "sync_interval", 1000, 10, 60000, &q->sync_interval_ms);
	sgw_keys_size(&ks, "segment_size", 4ull << 20, 64ull << 10, 64ull << 20, &q->segment_size);
	sgw_keys_size(&ks, "max_size", 64ull << 20, 128ull << 10, 1ull << 40, &q->max_size);
	sgw_keys_enum(&ks, "when_full", queue_full_names, 0, &full);
	q->mode = (enum sgw_queue_mode)mode;
	q->sync_always = sync == 1;
	q->refuse_when_full = full == 1;
	if (q->max_size < 2 * q->segment_size) {
		struct sgw_opt *o = sgw_keys_find(&ks, "max_size");

		sgw_diag_error(l->d, o ? o->line : ks.line,
			       "[queue] max_size (%llu) must be at least twice segment_size (%llu)",
			       (unsigned long long)q->max_size, (unsigned long long)q->segment_size);
	}
	sgw_keys_report_unused(&ks, "");
}
