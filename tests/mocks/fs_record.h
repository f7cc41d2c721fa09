/* SPDX-License-Identifier: MIT */
/*
 * A recording sgw_queue_ops table for power-cut tests: every call passes
 * through to the real file system (syncs excepted: they only check the
 * descriptor, durability is what the log models), and what changes the
 * disk is logged in order: files created, written, truncated, unlinked and
 * renamed, and the syncs that make them durable (fdatasync or fsync of a
 * file, fsync of the directory).  The form table's writes come through the
 * same table (the spool hands it on).  tests/fixtures/powercut.h builds,
 * from the log, the states a power cut could leave.
 *
 * Files are numbered by the recorder (FSREC_* events name them so), not by
 * name: a name may be unlinked, renamed over and created again.  Only one
 * directory, the root, is recorded; a call outside it aborts the test.
 * The clock is fsrec.now_ns, which the test moves.
 */
#ifndef SGW_FS_RECORD_H
#define SGW_FS_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "queue/queue.h"

#define FSREC_NAME_MAX 64

enum fsrec_kind {
	FSREC_CREATE,		/* name (a new file) */
	FSREC_WRITE,		/* file, off, len, data */
	FSREC_TRUNCATE,		/* file, off = the new length */
	FSREC_UNLINK,		/* name (file: the one it named) */
	FSREC_RENAME,		/* name -> to (file: the one moved) */
	FSREC_SYNC_FILE,	/* file: its writes and truncations are durable */
	FSREC_SYNC_DIR,		/* the creates, unlinks and renames are durable */
};

struct fsrec_event {
	enum fsrec_kind kind;
	unsigned file;
	char name[FSREC_NAME_MAX];
	char to[FSREC_NAME_MAX];
	uint64_t off;
	size_t len;
	uint8_t *data;		/* owned */
};

struct fsrec_inode;

struct fsrec {
	char root[256];
	struct fsrec_event *ev;
	size_t n, cap;
	unsigned nfiles;		/* files are numbered 0 .. nfiles-1 */
	int64_t now_ns;			/* what now_ns() returns */
	/*
	 * Files whose name ends so have their syncs performed but not logged:
	 * the model of a queue that skips them (the checker's own test).
	 */
	const char *unlogged_sync_suffix;
	struct fsrec_inode *ino;	/* real inode -> file number */
	size_t nino, ino_cap;
};

extern struct fsrec fsrec;
extern const struct sgw_queue_ops fsrec_ops;

/* Start recording in ROOT (an existing, empty directory); clock at 1000 s. */
void fsrec_start(const char *root);
/* Free the log. */
void fsrec_free(void);
/* Index of the first event of KIND in [FROM, TO), or TO. */
size_t fsrec_find(enum fsrec_kind kind, size_t from, size_t to);
/* One line describing event I (for failure messages). */
void fsrec_describe(size_t i, char *buf, size_t cap);

#endif
