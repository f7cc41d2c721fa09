/* SPDX-License-Identifier: MIT */
/*
 * Replace a small file whole: write PATH.tmp, rename it over PATH, so that
 * a reader (or a crash) sees the old content or the new, never a mix.
 */
#ifndef SGW_FILEREP_H
#define SGW_FILEREP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * The system calls a replacement makes: a seam for tests (fault injection,
 * power-cut simulation).  Each behaves like its libc namesake (-1 and errno
 * on failure); paths are passed with AT_FDCWD.
 */
struct sgw_file_ops {
	int (*openat)(int dirfd, const char *name, int flags, mode_t mode);
	ssize_t (*pwrite)(int fd, const void *buf, size_t len, off_t off);
	int (*fsync)(int fd);		/* the new file, then its directory */
	int (*renameat)(int olddirfd, const char *oldname, int newdirfd, const char *newname);
	int (*unlinkat)(int dirfd, const char *name, int flags);
};

/* The real system calls. */
extern const struct sgw_file_ops sgw_file_sys_ops;

/*
 * Write LEN bytes of BUF as PATH.  With DURABLE the data and the rename are
 * fsync()ed (file, then directory) before it returns.  0 or -errno; on
 * failure PATH keeps its old content.
 */
int sgw_file_replace(const char *path, const void *buf, size_t len, bool durable);
/* The same through OPS. */
int sgw_file_replace_ops(const struct sgw_file_ops *ops, const char *path, const void *buf,
			 size_t len, bool durable);

#endif
