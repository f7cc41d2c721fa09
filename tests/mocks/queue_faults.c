/* SPDX-License-Identifier: MIT */
/* Fault-injecting queue ops for the tests; see queue_faults.h. */
#include "queue_faults.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct qfault qfault;

void qfault_reset(void)
{
	memset(&qfault, 0, sizeof(qfault));
	qfault.now_ns = 1000 * INT64_C(1000000000);
}

static int f_openat(int dirfd, const char *name, int flags, mode_t mode)
{
	return sgw_queue_sys_ops.openat(dirfd, name, flags, mode);
}

static ssize_t f_pwrite(int fd, const void *buf, size_t len, off_t off)
{
	qfault.pwrites++;
	/* A short write comes first, so that "short, then fail" can be set up. */
	if (qfault.pwrite_short > 0) {
		if (len > (size_t)qfault.pwrite_short)
			len = (size_t)qfault.pwrite_short;
		qfault.pwrite_short = 0;
		return pwrite(fd, buf, len, off);
	}
	if (qfault.pwrite_fails > 0) {
		qfault.pwrite_fails--;
		errno = qfault.pwrite_errno;
		return -1;
	}
	return pwrite(fd, buf, len, off);
}

static ssize_t f_pread(int fd, void *buf, size_t len, off_t off)
{
	ssize_t n = pread(fd, buf, len, off);

	if (n > 0)
		qfault.pread_bytes += (uint64_t)n;
	return n;
}

static int f_fdatasync(int fd)
{
	qfault.fdatasyncs++;
	if (qfault.fdatasync_fails > 0) {
		qfault.fdatasync_fails--;
		errno = qfault.fdatasync_errno;
		return -1;
	}
	/* Durability is not under test here: spare the disk (but keep EBADF). */
	return fcntl(fd, F_GETFD) == -1 ? -1 : 0;
}

static int f_fsync(int fd)
{
	qfault.fsyncs++;
	return fcntl(fd, F_GETFD) == -1 ? -1 : 0;
}

static int64_t f_now_ns(void)
{
	return qfault.now_ns;
}

const struct sgw_queue_ops qfault_ops = {
	.openat = f_openat,
	.pwrite = f_pwrite,
	.pread = f_pread,
	.fdatasync = f_fdatasync,
	.fsync = f_fsync,
	.ftruncate = ftruncate,
	.unlinkat = unlinkat,
	.renameat = renameat,
	.now_ns = f_now_ns,
};
