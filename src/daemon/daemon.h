/* SPDX-License-Identifier: MIT */
/*
 * The daemon: one poll() loop in the main thread over a signalfd, a
 * timerfd (the sampling schedule), the bus workers' mailbox and each
 * uplink's.  It owns all gateway state; docs/architecture.md has the map.
 */
#ifndef SGW_DAEMON_H
#define SGW_DAEMON_H

#include <stdbool.h>

#include "conf/types.h"

struct sgw_daemon_opts {
	const char *config_path;
	bool once;		/* sample every sensor once, publish, wait for acks, exit */
	int once_timeout_ms;	/* --once gives up after this long */
};

/*
 * Run until SIGTERM/SIGINT (or, with once, until done).  CFG becomes the
 * daemon's (freed by it; SIGHUP replaces it).  Returns the exit status.
 */
int sgw_daemon_run(struct sgw_config *cfg, const struct sgw_daemon_opts *o);

#endif
