/* SPDX-License-Identifier: MIT */
/* The queue's real system calls (tests put fault-injecting ones in place). */
#include "queue.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "util/clock.h"

static int sys_openat(int dirfd, const char *name, int flags, mode_t mode)
{
	return openat(dirfd, name, flags, mode);
}

const struct sgw_queue_ops sgw_queue_sys_ops = {
	.openat = sys_openat,
	.pwrite = pwrite,
	.pread = pread,
	.fdatasync = fdatasync,
	.fsync = fsync,
	.ftruncate = ftruncate,
	.unlinkat = unlinkat,
	.renameat = renameat,
	.now_ns = sgw_mono_ns,
};
