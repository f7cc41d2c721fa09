/* SPDX-License-Identifier: MIT */
/* The queue's real system calls (tests put fault-injecting ones in place). */
#include "queue.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

static int sys_openat(int dirfd, const char *name, int flags, mode_t mode)
{
	return openat(dirfd, name, flags, mode);
}

static int64_t sys_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

const struct sgw_queue_ops sgw_queue_sys_ops = {
	.openat = sys_openat,
	.pwrite = pwrite,
	.pread = pread,
	.fdatasync = fdatasync,
	.fsync = fsync,
	.ftruncate = ftruncate,
	.unlinkat = unlinkat,
	.now_ns = sys_now_ns,
};
