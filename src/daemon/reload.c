/* SPDX-License-Identifier: MIT */
/*
 * SIGHUP: load the configuration file again.  A file with any error, or one
 * that needs what a running process cannot change (Paho with TLS), is
 * refused and the running configuration stays.  Otherwise the sensors and
 * the uplinks restart with the new one, and the readings that memory held
 * for the old uplinks go to the new ones, in order, once each.  The
 * actuators are closed and opened again: their outputs pass through the
 * safe state and start from their initial state.
 */
#include "daemon_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "load/load.h"
#include "mqtt/paho.h"
#include "statusfile.h"
#include "util/log.h"

int sgw_daemon_load_paho(const struct sgw_config *cfg, char *err, size_t errlen)
{
	bool tls = false;

	/* Paho with TLS only when an uplink needs it: without, it maps no OpenSSL. */
	for (size_t i = 0; i < cfg->nuplinks; i++)
		tls |= cfg->uplinks[i].tls;
	return sgw_paho_load(tls, err, errlen);
}

static struct sgw_config *load_new_config(const char *path)
{
	struct sgw_diag d = { .file = path, .out = stderr, .levels = true };
	struct sgw_config *cfg = NULL;

	if (sgw_config_load(path, &d, &cfg) < 0) {
		log_warnx("%s: %d error(s); keeping the running configuration", path, d.errors);
		return NULL;
	}
	return cfg;
}

int sgw_daemon_reload(struct sgw_daemon *d)
{
	struct sgw_config *ncfg = load_new_config(d->cfg->path);
	struct sgw_config *old = d->cfg;
	struct sgw_router_opts ro = { .connected = sgw_actuators_connected, .arg = d };
	struct sgw_pipeline *np;
	struct sgw_msg **carry;
	size_t ncarry;
	char err[256];
	bool stuck;
	int r;

	if (!ncfg)
		return 0;
	r = sgw_daemon_load_paho(ncfg, err, sizeof(err));
	if (r < 0) {
		log_warnx("%s: %s%s; keeping the running configuration", ncfg->path,
			  r == -EEXIST ? "mqtts:// added on reload needs a restart: " : "", err);
		sgw_config_free(ncfg);
		return 0;
	}
	np = sgw_pipeline_new(ncfg, err, sizeof(err));
	if (!np) {
		log_warnx("%s: %s; keeping the running configuration", ncfg->path, err);
		sgw_config_free(ncfg);
		return 0;
	}
	/* Closed and opened again: the outputs pass through the safe state. */
	sgw_actuators_stop(d);
	carry = sgw_router_release(d->router, &ncarry);
	d->router = NULL;
	stuck = sgw_sensors_stop(d) == -EBUSY;
	sgw_pipeline_free(d->pipe);
	d->pipe = np;
	d->cfg = ncfg;
	if (!stuck)
		sgw_config_free(old);	/* else a stuck driver thread still reads it */
	r = sgw_sensors_start(d);
	if (r == 0 && !(d->router = sgw_router_new(d->cfg, &ro)))
		r = -errno;
	if (r == 0)
		r = sgw_actuators_start(d);
	if (r < 0) {
		log_warnx("%s: cannot start with the new configuration: %s", ncfg->path, strerror(-r));
		for (size_t i = 0; i < ncarry; i++)
			sgw_msg_unref(carry[i]);
		free(carry);
		return r;
	}
	for (size_t i = 0; i < ncarry; i++)
		sgw_router_emit(d->router, carry[i]);
	free(carry);
	sgw_timesync_start(d, true);
	if (d->status_path) {
		unlink(d->status_path);
		free(d->status_path);
		d->status_path = sgw_statusfile_path(d->cfg);
	}
	sgw_sensors_arm_timer(d);
	log_info("%s: configuration reloaded (%zu sensors)", d->cfg->path, d->cfg->nsensors);
	return 0;
}
