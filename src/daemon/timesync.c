/* SPDX-License-Identifier: MIT */
/*
 * The wall clock: whether sample times can be taken as they are.  With
 * [gateway] clock = ntp the daemon looks once a second until a time daemon
 * has synchronised the clock (util/clock.h says how it tells); readings
 * taken before keep their boot time, and at that moment those held in
 * memory get their wall time (those on disk get it as they are read).  With
 * clock = rtc, or when the clock's state cannot be read, the clock is
 * taken as right from the start.
 */
#include "daemon_int.h"

#include <string.h>

#include "util/clock.h"
#include "util/log.h"

/* How often an unsynchronised clock is looked at. */
#define CHECK_NS SGW_NS_PER_S

/*
 * The clock is right from now on: the readings in memory get their wall
 * time, and the disk queue notes the clock for after a reboot.  At START
 * nothing is in memory yet: nothing to say.
 */
static void now_right(struct sgw_daemon *d, bool start, const char *how)
{
	size_t n = sgw_router_restamp(d->router);

	if (!start)
		log_info("clock %s; %zu reading%s in memory re-stamped, those on disk are as they "
			 "are sent", how, n, n == 1 ? "" : "s");
}

/* Look at the clock; at START, say so when it is not synchronised. */
static void look(struct sgw_daemon *d, bool start, int64_t now_ns)
{
	int r;

	d->next_clock_ns = INT64_MAX;
	if (sgw_clock_synced())
		return;
	if (d->cfg->gw.clock == SGW_CLOCK_RTC) {
		sgw_clock_trust();
		now_right(d, start, "taken as right ([gateway] clock = rtc)");
		return;
	}
	r = sgw_clock_check();
	if (r == 0) {
		if (start)
			log_info("clock not synchronised yet: readings keep their boot time until it is; "
				 "those sent before say \"sync\":false");
		d->next_clock_ns = now_ns + CHECK_NS;
		return;
	}
	if (r < 0) {
		log_warnx("cannot tell whether the clock is synchronised (adjtimex: %s); "
			  "sample times are taken as the clock gives them", strerror(-r));
		sgw_clock_trust();
	}
	now_right(d, start, r < 0 ? "taken as right" : "synchronised");
}

void sgw_timesync_start(struct sgw_daemon *d, bool reload)
{
	look(d, !reload, sgw_mono_ns());
}

int64_t sgw_timesync_due(struct sgw_daemon *d, int64_t now_ns)
{
	if (now_ns >= d->next_clock_ns)
		look(d, false, now_ns);
	return d->next_clock_ns;
}
