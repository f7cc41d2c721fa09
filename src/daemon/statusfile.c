/* SPDX-License-Identifier: MIT */
#include "statusfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/filerep.h"

static const char *runtime_dir(void)
{
	const char *d = getenv("SENSORGW_RUNTIME_DIR");

	if (!d || !*d)
		d = getenv("RUNTIME_DIRECTORY");
	if (!d || !*d)
		d = "/run/sensorgw";
	return d;
}

char *sgw_statusfile_path(const struct sgw_config *cfg)
{
	char *p;

	if (asprintf(&p, "%s/%s.status.json", runtime_dir(), cfg->gw.name) < 0)
		return NULL;
	return p;
}

int sgw_statusfile_write(const char *path, const char *buf, size_t len)
{
	/* The runtime directory may not exist yet (no systemd): make it. */
	if (mkdir(runtime_dir(), 0755) < 0 && errno != EEXIST)
		return -errno;
	/* A tmpfs: no fsync, nothing to keep across a power cut. */
	return sgw_file_replace(path, buf, len, false);
}
