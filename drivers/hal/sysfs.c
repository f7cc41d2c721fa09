/* SPDX-License-Identifier: MIT */
/* Small sysfs files under sgw_sysroot(), with an ops seam for tests. */
#include "sysfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sysroot.h"

static const struct sgw_sysfs_ops *sysfs_ops;

void sgw_sysfs_set_ops(const struct sgw_sysfs_ops *ops)
{
	sysfs_ops = ops;
}

int sgw_sysfs_path(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n, m;

	n = snprintf(buf, size, "%s", sgw_sysroot());
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	va_start(ap, fmt);
	m = vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
	if (m < 0 || (size_t)m >= size - n)
		return -ENAMETOOLONG;
	return 0;
}

ssize_t sgw_sysfs_read_file(const char *path, char *buf, size_t size)
{
	char full[PATH_MAX];
	size_t len = 0;
	int fd, ret;

	if (size < 2)
		return -EINVAL;
	ret = sgw_sysfs_path(full, sizeof(full), "%s", path);
	if (ret < 0)
		return ret;
	do
		fd = open(full, O_RDONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return -errno;
	/* sysfs may hand the data out in pieces (and a FIFO in a test does) */
	for (;;) {
		ssize_t n = read(fd, buf + len, size - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			goto close_fd;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == size - 1) {
			char extra;

			/* full: only fine if the file ends right here */
			do
				n = read(fd, &extra, 1);
			while (n < 0 && errno == EINTR);
			if (n != 0) {
				ret = n < 0 ? -errno : -EOVERFLOW;
				goto close_fd;
			}
			break;
		}
	}
	buf[len] = '\0';
	ret = (int)len;

close_fd:
	close(fd);
	return ret;
}

ssize_t sgw_sysfs_read(const char *path, char *buf, size_t size)
{
	if (sysfs_ops)
		return sysfs_ops->read(sysfs_ops->arg, path, buf, size);
	return sgw_sysfs_read_file(path, buf, size);
}

int sgw_sysfs_read_long(const char *path, long *out)
{
	char buf[64], *end;
	ssize_t n;
	long v;

	n = sgw_sysfs_read(path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (n == 0)
		return -EINVAL;
	errno = 0;
	v = strtol(buf, &end, 10);
	if (*end != '\0' || end == buf)
		return -EINVAL;
	if (errno == ERANGE)
		return -ERANGE;
	*out = v;
	return 0;
}

int sgw_sysfs_scan(const char *dir, int (*match)(const char *name, void *arg), void *arg,
		   char *found, size_t found_size)
{
	char full[PATH_MAX];
	struct dirent *de;
	int count = 0, ret;
	DIR *d;

	ret = sgw_sysfs_path(full, sizeof(full), "%s", dir);
	if (ret < 0)
		return ret;
	d = opendir(full);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (!match(de->d_name, arg))
			continue;
		if (count == 0 && found) {
			if (strlen(de->d_name) >= found_size) {
				ret = -ENAMETOOLONG;
				goto close_dir;
			}
			strcpy(found, de->d_name);
		}
		count++;
	}
	ret = count;

close_dir:
	closedir(d);
	return ret;
}
