/* SPDX-License-Identifier: MIT */
/* The recording queue ops for power-cut tests; see fs_record.h. */
#include "fs_record.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct fsrec_inode {
	dev_t dev;
	ino_t ino;
	unsigned file;
};

struct fsrec fsrec;

static const char *const kind_name[] = {
	[FSREC_CREATE] = "create", [FSREC_WRITE] = "write", [FSREC_TRUNCATE] = "truncate",
	[FSREC_UNLINK] = "unlink", [FSREC_RENAME] = "rename", [FSREC_SYNC_FILE] = "sync",
	[FSREC_SYNC_DIR] = "sync-dir",
};

void fsrec_start(const char *root)
{
	fsrec_free();
	ck_assert(strlen(root) < sizeof(fsrec.root));
	strcpy(fsrec.root, root);
	fsrec.now_ns = 1000 * INT64_C(1000000000);
}

void fsrec_free(void)
{
	for (size_t i = 0; i < fsrec.n; i++)
		free(fsrec.ev[i].data);
	free(fsrec.ev);
	free(fsrec.ino);
	memset(&fsrec, 0, sizeof(fsrec));
}

size_t fsrec_find(enum fsrec_kind kind, size_t from, size_t to)
{
	for (size_t i = from; i < to && i < fsrec.n; i++)
		if (fsrec.ev[i].kind == kind)
			return i;
	return to;
}

void fsrec_describe(size_t i, char *buf, size_t cap)
{
	const struct fsrec_event *e;

	if (i >= fsrec.n) {
		snprintf(buf, cap, "#%zu: the end of the run", i);
		return;
	}
	e = &fsrec.ev[i];
	switch (e->kind) {
	case FSREC_CREATE:
	case FSREC_UNLINK:
		snprintf(buf, cap, "#%zu: %s %s (file %u)", i, kind_name[e->kind], e->name, e->file);
		break;
	case FSREC_RENAME:
		snprintf(buf, cap, "#%zu: rename %s -> %s (file %u)", i, e->name, e->to, e->file);
		break;
	case FSREC_WRITE:
		snprintf(buf, cap, "#%zu: write file %u, %zu bytes at %llu", i, e->file, e->len,
			 (unsigned long long)e->off);
		break;
	case FSREC_TRUNCATE:
		snprintf(buf, cap, "#%zu: truncate file %u to %llu", i, e->file,
			 (unsigned long long)e->off);
		break;
	case FSREC_SYNC_FILE:
		snprintf(buf, cap, "#%zu: sync file %u", i, e->file);
		break;
	case FSREC_SYNC_DIR:
		snprintf(buf, cap, "#%zu: sync the directory", i);
		break;
	}
}

static struct fsrec_event *event_new(enum fsrec_kind kind, unsigned file)
{
	struct fsrec_event *e;

	if (fsrec.n == fsrec.cap) {
		fsrec.cap = fsrec.cap ? 2 * fsrec.cap : 256;
		fsrec.ev = realloc(fsrec.ev, fsrec.cap * sizeof(*fsrec.ev));
		if (!fsrec.ev)
			ck_abort_msg("out of memory");
	}
	e = &fsrec.ev[fsrec.n++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->file = file;
	return e;
}

static void name_copy(char *dst, const char *src)
{
	if (strlen(src) >= FSREC_NAME_MAX)
		ck_abort_msg("fs_record: name too long: %s", src);
	strcpy(dst, src);
}

/* The file number of a real inode; new numbers for new files. */
static unsigned file_of(const struct stat *sb, bool created)
{
	for (size_t i = 0; i < fsrec.nino; i++) {
		struct fsrec_inode *n = &fsrec.ino[i];

		if (n->dev != sb->st_dev || n->ino != sb->st_ino)
			continue;
		if (created)	/* an unlinked file's inode, used again */
			n->file = fsrec.nfiles++;
		return n->file;
	}
	if (!created)
		ck_abort_msg("fs_record: a file that was not created through the ops");
	if (fsrec.nino == fsrec.ino_cap) {
		fsrec.ino_cap = fsrec.ino_cap ? 2 * fsrec.ino_cap : 64;
		fsrec.ino = realloc(fsrec.ino, fsrec.ino_cap * sizeof(*fsrec.ino));
		ck_assert_ptr_nonnull(fsrec.ino);
	}
	fsrec.ino[fsrec.nino++] = (struct fsrec_inode){ sb->st_dev, sb->st_ino, fsrec.nfiles };
	return fsrec.nfiles++;
}

static unsigned file_of_fd(int fd)
{
	struct stat sb;

	if (fstat(fd, &sb) != 0)
		ck_abort_msg("fs_record: fstat: %s", strerror(errno));
	return file_of(&sb, false);
}

static bool is_root(int fd)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat(fsrec.root, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/*
 * The name inside the root that (DIRFD, PATH) means, or "" for the root
 * itself.  Aborts for anything else: only the root is modelled.
 */
static void resolve(int dirfd, const char *path, char out[FSREC_NAME_MAX])
{
	size_t rl = strlen(fsrec.root);

	if (path[0] == '/') {
		if (strcmp(path, fsrec.root) == 0) {
			out[0] = '\0';
			return;
		}
		if (strncmp(path, fsrec.root, rl) == 0 && path[rl] == '/' &&
		    !strchr(path + rl + 1, '/')) {
			name_copy(out, path + rl + 1);
			return;
		}
	} else if (dirfd != AT_FDCWD && !strchr(path, '/') && is_root(dirfd)) {
		name_copy(out, path);
		return;
	}
	ck_abort_msg("fs_record: outside %s: %s", fsrec.root, path);
}

static int r_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	char name[FSREC_NAME_MAX];
	struct stat sb;
	bool existed;
	int fd;

	resolve(dirfd, path, name);
	existed = fstatat(dirfd, path, &sb, 0) == 0;
	fd = openat(dirfd, path, flags, mode);
	if (fd < 0 || name[0] == '\0')
		return fd;
	if (fstat(fd, &sb) != 0)
		ck_abort_msg("fs_record: fstat: %s", strerror(errno));
	if (!existed) {
		struct fsrec_event *e = event_new(FSREC_CREATE, file_of(&sb, true));

		name_copy(e->name, name);
	} else if ((flags & O_TRUNC) && (flags & O_ACCMODE) != O_RDONLY) {
		event_new(FSREC_TRUNCATE, file_of(&sb, false))->off = 0;
	}
	return fd;
}

static ssize_t r_pwrite(int fd, const void *buf, size_t len, off_t off)
{
	ssize_t n = pwrite(fd, buf, len, off);

	if (n > 0) {
		struct fsrec_event *e = event_new(FSREC_WRITE, file_of_fd(fd));

		e->off = (uint64_t)off;
		e->len = (size_t)n;
		e->data = malloc((size_t)n);
		if (!e->data)
			ck_abort_msg("out of memory");
		memcpy(e->data, buf, (size_t)n);
	}
	return n;
}

static int r_ftruncate(int fd, off_t len)
{
	int r = ftruncate(fd, len);

	if (r == 0)
		event_new(FSREC_TRUNCATE, file_of_fd(fd))->off = (uint64_t)len;
	return r;
}

/* Not logged: the file whose name ends in unlogged_sync_suffix. */
static bool sync_unlogged(unsigned file)
{
	const char *sfx = fsrec.unlogged_sync_suffix;
	size_t sl;

	if (!sfx)
		return false;
	sl = strlen(sfx);
	for (size_t i = fsrec.n; i-- > 0;) {
		const struct fsrec_event *e = &fsrec.ev[i];
		const char *nm = e->kind == FSREC_RENAME ? e->to : e->name;
		size_t nl = strlen(nm);

		if (e->file == file && (e->kind == FSREC_CREATE || e->kind == FSREC_RENAME))
			return nl >= sl && strcmp(nm + nl - sl, sfx) == 0;
	}
	return false;
}

/* Both syncs: the model makes the data durable; the disk is spared. */
static int r_sync(int fd)
{
	struct stat sb;
	unsigned file;

	if (fstat(fd, &sb) != 0)
		return -1;	/* EBADF, as the real call */
	if (S_ISDIR(sb.st_mode)) {
		if (!is_root(fd))
			ck_abort_msg("fs_record: sync of a directory other than %s", fsrec.root);
		event_new(FSREC_SYNC_DIR, 0);
		return 0;
	}
	file = file_of(&sb, false);
	if (!sync_unlogged(file))
		event_new(FSREC_SYNC_FILE, file);
	return 0;
}

static int r_unlinkat(int dirfd, const char *path, int flags)
{
	char name[FSREC_NAME_MAX];
	struct stat sb;
	unsigned file;

	resolve(dirfd, path, name);
	if (fstatat(dirfd, path, &sb, AT_SYMLINK_NOFOLLOW) != 0)
		return -1;
	file = file_of(&sb, false);
	if (unlinkat(dirfd, path, flags) != 0)
		return -1;
	name_copy(event_new(FSREC_UNLINK, file)->name, name);
	return 0;
}

static int r_renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath)
{
	char from[FSREC_NAME_MAX], to[FSREC_NAME_MAX];
	struct fsrec_event *e;
	struct stat sb;
	unsigned file;

	resolve(olddirfd, oldpath, from);
	resolve(newdirfd, newpath, to);
	if (fstatat(olddirfd, oldpath, &sb, AT_SYMLINK_NOFOLLOW) != 0)
		return -1;
	file = file_of(&sb, false);
	if (renameat(olddirfd, oldpath, newdirfd, newpath) != 0)
		return -1;
	e = event_new(FSREC_RENAME, file);
	name_copy(e->name, from);
	name_copy(e->to, to);
	return 0;
}

static int64_t r_now_ns(void)
{
	return fsrec.now_ns;
}

const struct sgw_queue_ops fsrec_ops = {
	.openat = r_openat,
	.pwrite = r_pwrite,
	.pread = pread,
	.fdatasync = r_sync,
	.fsync = r_sync,
	.ftruncate = r_ftruncate,
	.unlinkat = r_unlinkat,
	.renameat = r_renameat,
	.now_ns = r_now_ns,
};
