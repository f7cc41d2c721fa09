/* SPDX-License-Identifier: MIT */
/*
 * The disk queue's form table: numbers for (topic, payload form) pairs, so
 * that a queued reading is stored as a small number and its value instead
 * of its topic and payload (src/deliver/qmsg.h, version 2).  About 25 bytes a
 * reading instead of 100, on an SD card that pays for every byte.
 *
 * One small file, replaced whole (write, fsync, rename, fsync the
 * directory) whenever an entry is added, before any record that uses it is
 * appended; entries are never changed or renumbered while records may use
 * them.  Adding happens at start and reload for every configured channel at
 * once, so appends do not wait for it.
 *
 * The table is valid for queue records with sequence numbers from
 * first_seq on.  It starts again (empty, first_seq = the queue's next
 * number) when the file is missing or unreadable, and when the queue holds
 * nothing unacknowledged; older records cannot be decoded with it.
 *
 * File: "SGWF" | u8 version (1) | u64 first_seq | u32 count | entries |
 * u32 CRC-32C of everything before it; all little-endian.  An entry:
 * u8 format | u8 scale | u8 precision | u16 unit length | unit |
 * u16 topic length | topic.  Entry N (from 0) has number N.
 */
#ifndef SGW_FORMTAB_H
#define SGW_FORMTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "message/payload.h"
#include "util/filerep.h"

#define SGW_FORMTAB_MAX 4096	/* entries; then readings are queued whole */

struct sgw_formtab_entry {
	const char *topic;
	size_t topic_len;
	struct sgw_payload_form form;
};

struct sgw_formtab;

/*
 * Load the table in PATH; it is written through OPS (NULL: the real system
 * calls; the spool passes the queue's seam).  *STATUS: 0 (loaded, or no
 * file), -EBADMSG (the file is corrupt) or another -errno (unreadable); in
 * both failure cases the table is empty and starts at NEXT_SEQ.  NULL+errno
 * only for ENOMEM.
 */
struct sgw_formtab *sgw_formtab_open(const char *path, const struct sgw_file_ops *ops,
				     uint64_t next_seq, int *status);
void sgw_formtab_free(struct sgw_formtab *t);

/* Records from this queue sequence number on use this table. */
uint64_t sgw_formtab_first_seq(const struct sgw_formtab *t);
size_t sgw_formtab_count(const struct sgw_formtab *t);

/* Entry ID, or NULL. */
const struct sgw_formtab_entry *sgw_formtab_get(const struct sgw_formtab *t, uint32_t id);

/* The number of (TOPIC, F), or -ENOENT. */
long sgw_formtab_find(const struct sgw_formtab *t, const char *topic, size_t topic_len,
		      const struct sgw_payload_form *f);

/*
 * Make sure the N entries E have numbers, writing the file once if any was
 * added.  With RESTART (allowed only when no queued record needs the old
 * entries) the table is started again from NEXT_SEQ when it holds entries
 * not in E.  Returns 0, -ENOSPC when SGW_FORMTAB_MAX would be passed (those
 * beyond are left out) or the -errno of writing the file, after which the
 * table is as before.
 */
int sgw_formtab_update(struct sgw_formtab *t, const struct sgw_formtab_entry *e, size_t n,
		       bool restart, uint64_t next_seq);

#endif
