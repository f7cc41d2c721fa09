/* SPDX-License-Identifier: MIT */
#include "filerep.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int sys_openat(int dirfd, const char *name, int flags, mode_t mode)
{
	return openat(dirfd, name, flags, mode);
}

const struct sgw_file_ops sgw_file_sys_ops = {
	.openat = sys_openat,
	.pwrite = pwrite,
	.fsync = fsync,
	.renameat = renameat,
	.unlinkat = unlinkat,
};

/* The rename is durable once the directory holding PATH is synced. */
static int sync_dir_of(const struct sgw_file_ops *ops, const char *path)
{
	char dir[4096];
	char *slash;
	int dfd, err = 0;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	dfd = ops->openat(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (dfd < 0)
		return -errno;
	if (ops->fsync(dfd) < 0)
		err = -errno;
	close(dfd);
	return err;
}

int sgw_file_replace_ops(const struct sgw_file_ops *ops, const char *path, const void *buf,
			 size_t len, bool durable)
{
	char tmp[4096];
	int fd, err = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = ops->openat(AT_FDCWD, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	errno = EIO;	/* a short write sets none */
	if (ops->pwrite(fd, buf, len, 0) != (ssize_t)len || (durable && ops->fsync(fd) < 0))
		err = -errno;
	close(fd);
	if (!err && ops->renameat(AT_FDCWD, tmp, AT_FDCWD, path) < 0)
		err = -errno;
	if (err) {
		ops->unlinkat(AT_FDCWD, tmp, 0);
		return err;
	}
	return durable ? sync_dir_of(ops, path) : 0;
}

int sgw_file_replace(const char *path, const void *buf, size_t len, bool durable)
{
	return sgw_file_replace_ops(&sgw_file_sys_ops, path, buf, len, durable);
}
