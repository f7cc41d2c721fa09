/* SPDX-License-Identifier: MIT */
#include "statusfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	char tmp[4096];
	int fd, err = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	/* The runtime directory may not exist yet (no systemd): make it. */
	if (mkdir(runtime_dir(), 0755) < 0 && errno != EEXIST)
		return -errno;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	errno = EIO;
	if (write(fd, buf, len) != (ssize_t)len)
		err = -errno;
	close(fd);
	if (!err && rename(tmp, path) < 0)
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}
