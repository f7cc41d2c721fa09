/* SPDX-License-Identifier: MIT */
/*
 * The gateway's sequence numbers survive restarts without a write per
 * reading: numbers are reserved in blocks, and only the end of the current
 * block is stored (write-temp, fsync, rename, fsync-dir).  After a restart,
 * clean or not, numbering resumes at the stored end, so a number is never
 * given twice; at most one block is skipped.
 */
#ifndef SGW_SEQSTORE_H
#define SGW_SEQSTORE_H

#include <stdint.h>

#define SGW_SEQ_BLOCK 65536

struct sgw_seqstore {
	char *path;
	uint64_t next;		/* next number to give */
	uint64_t limit;		/* numbers below this are reserved on disk */
};

/*
 * Open DIR/seq (DIR is created if missing).  Returns 0 or -errno; on
 * failure *S still works, in memory, starting at 1 (-EBADMSG: the file was
 * damaged; numbering then restarts at FALLBACK, e.g. derived from the clock).
 */
int sgw_seqstore_open(struct sgw_seqstore *s, const char *dir, uint64_t fallback);
/*
 * Make sure the next COUNT numbers (s->next onwards) are reserved on disk;
 * the caller then takes them by incrementing s->next.  Returns 0 or -errno
 * (the numbers are still good to use: they only risk reuse after a restart).
 */
int sgw_seqstore_reserve(struct sgw_seqstore *s, uint64_t count);
void sgw_seqstore_close(struct sgw_seqstore *s);

#endif
