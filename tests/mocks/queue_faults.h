/* SPDX-License-Identifier: MIT */
/*
 * Fault injection for the queue tests: an sgw_queue_ops table that passes
 * through to the system calls unless told to fail, and a clock the test sets.
 */
#ifndef SGW_QUEUE_FAULTS_H
#define SGW_QUEUE_FAULTS_H

#include <stdint.h>

#include "queue/queue.h"

struct qfault {
	int pwrite_errno;	/* fail pwrite with this ... */
	int pwrite_fails;	/* ... this many times (then pass again) */
	long pwrite_short;	/* > 0: the next pwrite writes at most this many
				 * bytes (before pwrite_fails applies) */
	int fdatasync_errno;	/* fail fdatasync with this ... */
	int fdatasync_fails;	/* ... this many times */
	int64_t now_ns;		/* what now_ns() returns */
	unsigned pwrites, fdatasyncs, fsyncs;
	uint64_t pread_bytes;	/* bytes read so far */
};

extern struct qfault qfault;
extern const struct sgw_queue_ops qfault_ops;

/* Everything passes, counters zero, clock at 1000 s. */
void qfault_reset(void);

#endif
