/* SPDX-License-Identifier: MIT */
/*
 * INI configuration loader.
 *
 * Two passes.  Reading (conf/reader.c): inih splits "key = value" lines
 * while our own line reader counts lines, rejects what inih would mangle or
 * ignore and tracks the sections; every key is stored with its line.
 * Resolving: once the whole file is read, each section's keys are taken by
 * typed getters (conf/keys.c), so keys may come in any order (a
 * per-quantity key before "driver ="), defaults can depend on other
 * sections ({gateway} in a client ID), and every error of the file is
 * reported, not just the first.  Each kind of section has its resolver
 * (load_int.h); this file runs both passes and frees.
 */
#include "load_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "drivers/driver.h"

/* ------------------------------------------------------------ resolving */

static void resolve(struct loader *l)
{
	struct sgw_config *cfg = l->cfg;

	sgw_resolve_gateway(l);
	sgw_resolve_queue(l);
	if (l->nomem)
		return;
	/* A rejected header may have been meant as the missing section. */
	if (l->ini.nuplinks == 0 && !l->ini.bad_headers)
		sgw_diag_error(l->d, 0, "no [mqtt] section: an uplink is required");
	if (l->ini.nsensors == 0 && !l->ini.bad_headers)
		sgw_diag_error(l->d, 0, "no [sensor NAME] section: nothing to publish");
	cfg->sensors = sgw_load_alloc(l, calloc(l->ini.nsensors + 1, sizeof(*cfg->sensors)));
	l->topic_line = sgw_load_alloc(l, calloc(l->ini.nsensors * SGW_MAX_CHANNELS + 1,
						 sizeof(int)));
	if (l->nomem)
		return;
	for (struct sgw_section *s = l->ini.sections; s && !l->nomem; s = s->next) {
		if (s->kind == SGW_SECTION_MQTT)
			sgw_resolve_uplink(l, s, &cfg->uplinks[cfg->nuplinks++]);
		else if (s->kind == SGW_SECTION_SENSOR)
			sgw_resolve_sensor(l, s, &cfg->sensors[cfg->nsensors++]);
	}
	if (l->nomem)
		return;
	/* After the sensors: an actuator's line and topics are checked against theirs. */
	cfg->actuators = sgw_load_alloc(l, calloc(l->ini.nactuators + 1, sizeof(*cfg->actuators)));
	for (struct sgw_section *s = l->ini.sections; s && !l->nomem && cfg->actuators; s = s->next)
		if (s->kind == SGW_SECTION_ACTUATOR)
			sgw_resolve_actuator(l, s, &cfg->actuators[cfg->nactuators++]);
	if (l->nomem)
		return;
	sgw_resolve_uplink_sensors(l);
	sgw_check_topics_unique(l);
	sgw_check_actuators(l);
	sgw_aws_check_topics(l);
	sgw_azure_check_sensors(l);
}

/* ------------------------------------------------------------ loading */

/* Absolute directory of PATH, so that relative paths survive a chdir(). */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *cwd, *dir = NULL;

	if (slash == path)
		return strdup("/");
	if (path[0] == '/')
		return strndup(path, (size_t)(slash - path));
	cwd = getcwd(NULL, 0);
	if (!cwd)
		return NULL;
	if (asprintf(&dir, "%s/%.*s", cwd, slash ? (int)(slash - path) : 0, path) < 0)
		dir = NULL;
	else if (!slash)
		dir[strlen(dir) - 1] = '\0';	/* no "/" after cwd */
	free(cwd);
	return dir;
}

int sgw_config_load_stream(FILE *f, const char *path, struct sgw_diag *diag,
			   struct sgw_config **out)
{
	struct loader l = { .d = diag };
	int errors0 = diag->errors, ret;

	*out = NULL;
	if (!diag->file)
		diag->file = path;
	l.cfg = calloc(1, sizeof(*l.cfg));
	l.dir = dir_of(path);
	if (!l.cfg || !l.dir || !(l.cfg->path = strdup(path))) {
		ret = -ENOMEM;
		goto out_free;
	}
	ret = sgw_ini_read(f, diag, &l.ini);
	if (ret)
		goto out_free;
	if (l.ini.stopped) {
		/* Too many errors: resolving would only add more. */
	} else if (!l.ini.content) {
		/* After errors in the lines, "empty" would only confuse. */
		if (diag->errors == errors0)
			sgw_diag_error(diag, 0, "empty configuration: no section found");
	} else {
		resolve(&l);
	}
	if (l.nomem)
		ret = -ENOMEM;
	else if (diag->errors > errors0)
		ret = -EINVAL;
out_free:
	if (ret == -ENOMEM)
		sgw_diag_error(diag, 0, "out of memory");
	if (ret == 0)
		*out = l.cfg;
	else
		sgw_config_free(l.cfg);
	sgw_ini_free(&l.ini);
	free(l.topic_line);
	free(l.dir);
	return ret;
}

/* What a file of mode MODE is, for a message; NULL for a regular file. */
static const char *not_regular(mode_t mode)
{
	if (S_ISREG(mode))
		return NULL;
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	return "not a regular file";
}

/* Report PATH as KIND; -EISDIR for a directory, else -EINVAL. */
static int refuse(struct sgw_diag *diag, mode_t mode, const char *kind)
{
	sgw_diag_error(diag, 0, "%s, not a configuration file", kind);
	return S_ISDIR(mode) ? -EISDIR : -EINVAL;
}

int sgw_config_load(const char *path, struct sgw_diag *diag, struct sgw_config **out)
{
	struct stat sb;
	const char *kind;
	FILE *f;
	int fd, ret;

	*out = NULL;
	if (!diag->file)
		diag->file = path;
	/* Looked at before opening: opening /dev/watchdog starts the watchdog. */
	if (stat(path, &sb) < 0) {
		ret = -errno;
		sgw_diag_error(diag, 0, "cannot open: %s", strerror(errno));
		return ret;
	}
	if ((kind = not_regular(sb.st_mode)))
		return refuse(diag, sb.st_mode, kind);
	/* Not blocking, in case it was replaced by a FIFO in between. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &sb) < 0) {
		ret = -errno;
		sgw_diag_error(diag, 0, "cannot open: %s", strerror(errno));
		goto out_close;
	}
	if ((kind = not_regular(sb.st_mode))) {
		ret = refuse(diag, sb.st_mode, kind);
		goto out_close;
	}
	f = fdopen(fd, "r");
	if (!f) {
		ret = -errno;
		sgw_diag_error(diag, 0, "cannot open: %s", strerror(errno));
		goto out_close;
	}
	ret = sgw_config_load_stream(f, path, diag, out);
	fclose(f);
	return ret;

out_close:
	if (fd >= 0)
		close(fd);
	return ret;
}

static void sensor_config_free(struct sgw_sensor_config *sc)
{
	if (sc->driver && sc->driver->free_config && sc->priv)
		sc->driver->free_config(sc);
	for (size_t i = 0; i < sc->nchannels; i++) {
		free(sc->ch[i].name);
		free(sc->ch[i].unit);
		free(sc->ch[i].topic);
		free(sc->ch[i].filter);
	}
	sgw_opts_free(sc->opts);
	free(sc->bus);
	free(sc->name);
}

static void actuator_config_free(struct sgw_actuator_config *a)
{
	free(a->name);
	free(a->chip);
	free(a->topic);
	free(a->command_topic);
}

static void uplink_config_free(struct sgw_uplink_config *u)
{
	if (u->password) {
		explicit_bzero(u->password, strlen(u->password));
		free(u->password);
	}
	free(u->name);
	free(u->uri);
	free(u->server_uri);
	free(u->client_id);
	free(u->username);
	free(u->password_file);
	free(u->ca_file);
	free(u->cert_file);
	free(u->key_file);
	free(u->alpn);
	free(u->sensors);
	free(u->homeassistant_prefix);
	free(u->events_topic);
	if (u->sas_key)
		explicit_bzero(u->sas_key, u->sas_key_len);
	free(u->sas_key);
	free(u->sas_resource);
	free(u->batch_topic);
}

void sgw_config_free(struct sgw_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->nsensors; i++)
		sensor_config_free(&cfg->sensors[i]);
	free(cfg->sensors);
	for (size_t i = 0; i < cfg->nactuators; i++)
		actuator_config_free(&cfg->actuators[i]);
	free(cfg->actuators);
	for (size_t i = 0; i < cfg->nuplinks; i++)
		uplink_config_free(&cfg->uplinks[i]);
	free(cfg->gw.name);
	free(cfg->gw.topic_prefix);
	free(cfg->gw.status_topic);
	free(cfg->gw.state_dir);
	free(cfg->path);
	free(cfg);
}

const struct sgw_sensor_config *sgw_config_sensor(const struct sgw_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->nsensors; i++)
		if (strcmp(cfg->sensors[i].name, name) == 0)
			return &cfg->sensors[i];
	return NULL;
}
