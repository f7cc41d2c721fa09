/* SPDX-License-Identifier: MIT */
/*
 * The daemon: one poll() loop in the main thread over a timerfd (the
 * scheduler), a signalfd, the bus workers' eventfd and each uplink's
 * eventfd.  It owns all gateway state.
 */
#ifndef SGW_GATEWAY_H
#define SGW_GATEWAY_H

#include <stdbool.h>

#include "conf/types.h"

struct sgw_gateway_opts {
	const char *config_path;
	bool once;		/* sample every sensor once, publish, wait for acks, exit */
	int once_timeout_ms;	/* --once gives up after this long */
};

/*
 * Run until SIGTERM/SIGINT (or, with once, until done).  CFG becomes the
 * gateway's (freed by it; SIGHUP replaces it).  Returns the exit status.
 */
int sgw_gateway_run(struct sgw_config *cfg, const struct sgw_gateway_opts *o);

#endif
