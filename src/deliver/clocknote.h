/* SPDX-License-Identifier: MIT */
/*
 * The clock of the last few boots, kept beside the disk queue: for each
 * boot in which the clock was synchronised, the wall clock's lead over the
 * boot clock (util/clock.h).  A reading stored before its boot's clock was
 * synchronised keeps its boot time; read back after a reboot, it gets its
 * wall time from here.
 *
 * The file (DIR/clock) is text, newest first, one line a boot:
 *   <boot, 16 hex digits> <lead in ms>
 * at most SGW_CLOCKNOTE_MAX lines, replaced whole (util/filerep.h).
 */
#ifndef SGW_CLOCKNOTE_H
#define SGW_CLOCKNOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/clock.h"

#define SGW_CLOCKNOTE_MAX 8

struct sgw_clocknote {
	char *path;
	size_t n;
	struct {
		uint64_t boot;
		int64_t lead_ms;
	} e[SGW_CLOCKNOTE_MAX];
};

/*
 * Load DIR/clock into *CN.  0 (also when there is none yet), -EBADMSG when
 * it was damaged, or -errno; *CN then starts empty and still works.
 */
int sgw_clocknote_open(struct sgw_clocknote *cn, const char *dir);
void sgw_clocknote_close(struct sgw_clocknote *cn);
/*
 * This boot's clock is synchronised (sgw_clock_lead()): note it, durably,
 * unless it is noted already.  0 or -errno (nothing to note: 0).
 */
int sgw_clocknote_update(struct sgw_clocknote *cn);
/*
 * TS, unsynchronised, of a boot that is noted: its wall time from the
 * boot's lead; true.  False when nothing changed.
 */
bool sgw_clocknote_fix(const struct sgw_clocknote *cn, struct sgw_stamp *ts);

#endif
