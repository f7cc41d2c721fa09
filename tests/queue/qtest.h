/* SPDX-License-Identifier: MIT */
/*
 * What the disk queue's test programs share: a private directory per test,
 * deterministic record bodies, opening the queue on the fault-injecting
 * system calls, appending and draining with every body checked, paths of
 * the queue's files, and the Check boilerplate.
 */
#ifndef SGW_TEST_QTEST_H
#define SGW_TEST_QTEST_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

#include "queue/queue.h"

#define QT_SMALL_SEG 4096u	/* the smallest segment size */

extern char qt_tmp[64];		/* private directory of the running test */
extern char qt_dir[160];	/* the queue in it */

/* Fixture: a new qt_tmp, qt_dir inside it, faults reset; then removed. */
void qt_setup(void);
void qt_teardown(void);

/* Deterministic body of record SEQ into BUF (128 bytes): 20..119 bytes. */
size_t qt_body(uint64_t seq, uint8_t *buf);
/* Fail unless R holds qt_body(R->seq). */
void qt_assert_body(const struct sgw_queue_record *r);

/*
 * Defaults on the fault-injecting system calls (qfault_ops); SEG and MAX,
 * when not 0, set segment_size and max_size.
 */
void qt_opts(struct sgw_queue_options *o, size_t seg, uint64_t max);
/* Open the queue in qt_dir; fails the test otherwise. */
struct sgw_queue *qt_open(const struct sgw_queue_options *o);
/* Append records with the expected sequence numbers FIRST .. FIRST+N-1. */
void qt_append_n(struct sgw_queue *q, uint64_t first, unsigned n);
/*
 * Read everything C has, checking each body and that sequence numbers
 * increase; store them in SEQS (up to MAX); ack them if ACK.  Returns count.
 */
size_t qt_drain(struct sgw_queue_cursor *c, uint64_t *seqs, size_t max, int ack);

/* Path of the file NAME in the queue's directory. */
void qt_path(char *p, size_t cap, const char *name);
/* Path of the segment file that starts at BASE. */
void qt_seg_path(char *p, size_t cap, uint64_t base);
/*
 * Make the closed queue's saved state (a clean one) say NEXT_SEQ is the next
 * number, saved SAVES times (2: in both slots), as damage or another copy
 * of the queue could.
 */
void qt_state_set_next(uint64_t next_seq, int saves);
/* Sorted segment bases found in the directory (at most MAX). */
size_t qt_list_bases(uint64_t *bases, size_t max);

/* A test case with the fixture and a timeout of TIMEOUT seconds. */
TCase *qt_tcase(const char *name, double timeout);

#endif
