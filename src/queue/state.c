/* SPDX-License-Identifier: MIT */
/* ack.state: two alternating checksummed slots; see state.h. */
#include "state.h"

#include <errno.h>
#include <string.h>

#include "asm/sgw_kernels.h"
#include "util/le.h"

#define SLOT_MAGIC 0x41574753u	/* "SGWA" */
#define SLOT_VERSION 1u
#define SLOT_HEAD 40u
#define SLOT_ENTRY 88u
#define SLOT_CRC (SGW_QSTATE_SLOT_SIZE - 4u)

_Static_assert(SLOT_HEAD + SGW_QUEUE_MAX_CURSORS * SLOT_ENTRY <= SLOT_CRC,
	       "cursors must fit in a slot");

int sgw_qstate_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n < 1 || n > SGW_QUEUE_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-'))
			return 0;
	}
	return 1;
}

/* Decode one slot; 0 when valid. */
static int slot_decode(const uint8_t *p, struct sgw_qstate *st)
{
	if (sgw_get_le32(p) != SLOT_MAGIC || sgw_get_le32(p + 4) != SLOT_VERSION)
		return -1;
	if (sgw_crc32c(0, p, SLOT_CRC) != sgw_get_le32(p + SLOT_CRC))
		return -1;
	memset(st, 0, sizeof(*st));
	st->gen = sgw_get_le64(p + 8);
	st->next_seq = sgw_get_le64(p + 16);
	st->ncursors = sgw_get_le32(p + 24);
	st->flags = sgw_get_le32(p + 28);
	st->seq_reserve = sgw_get_le32(p + 32);
	/* NEXT_SEQ may be the limit itself once the last number below it was
	 * given, and so may a cursor's acknowledged position. */
	if (st->ncursors > SGW_QUEUE_MAX_CURSORS || st->gen == 0 ||
	    st->next_seq > SGW_QUEUE_SEQ_LIMIT)
		return -1;
	for (uint32_t i = 0; i < st->ncursors; i++) {
		const uint8_t *e = p + SLOT_HEAD + i * SLOT_ENTRY;
		struct sgw_qstate_cursor *c = &st->cursors[i];

		memcpy(c->name, e, SGW_QUEUE_NAME_MAX + 1);
		if (c->name[SGW_QUEUE_NAME_MAX] != '\0' || !sgw_qstate_name_valid(c->name))
			return -1;
		c->ack_seq = sgw_get_le64(e + 64);
		c->hint_seg = sgw_get_le64(e + 72);
		c->hint_off = sgw_get_le64(e + 80);
		if (c->ack_seq > SGW_QUEUE_SEQ_LIMIT)
			return -1;
	}
	return 0;
}

int sgw_qstate_load(const struct sgw_queue_ops *ops, int fd, struct sgw_qstate *st)
{
	uint8_t buf[SGW_QSTATE_SLOT_SIZE];
	struct sgw_qstate cand;
	int found = 0, any_data = 0;

	for (unsigned slot = 0; slot < 2; slot++) {
		ssize_t n = ops->pread(fd, buf, sizeof(buf), (off_t)slot * SGW_QSTATE_SLOT_STRIDE);

		if (n < 0)
			return -errno;
		for (ssize_t i = 0; i < n && !any_data; i++)
			any_data = buf[i] != 0;
		if ((size_t)n < sizeof(buf) || slot_decode(buf, &cand) != 0)
			continue;
		if (!found || cand.gen > st->gen)
			*st = cand;
		found = 1;
	}
	if (found)
		return SGW_QSTATE_LOADED;
	memset(st, 0, sizeof(*st));
	return any_data ? SGW_QSTATE_LOST : SGW_QSTATE_EMPTY;
}

int sgw_qstate_save(const struct sgw_queue_ops *ops, int fd, struct sgw_qstate *st)
{
	uint8_t buf[SGW_QSTATE_SLOT_SIZE];
	uint64_t gen = st->gen + 1;
	off_t off = (off_t)(gen & 1) * SGW_QSTATE_SLOT_STRIDE;
	ssize_t n;

	memset(buf, 0, sizeof(buf));
	sgw_put_le32(buf, SLOT_MAGIC);
	sgw_put_le32(buf + 4, SLOT_VERSION);
	sgw_put_le64(buf + 8, gen);
	sgw_put_le64(buf + 16, st->next_seq);
	sgw_put_le32(buf + 24, st->ncursors);
	sgw_put_le32(buf + 28, st->flags);
	sgw_put_le32(buf + 32, st->seq_reserve);
	for (uint32_t i = 0; i < st->ncursors; i++) {
		uint8_t *e = buf + SLOT_HEAD + i * SLOT_ENTRY;
		const struct sgw_qstate_cursor *c = &st->cursors[i];

		memcpy(e, c->name, strnlen(c->name, SGW_QUEUE_NAME_MAX));
		sgw_put_le64(e + 64, c->ack_seq);
		sgw_put_le64(e + 72, c->hint_seg);
		sgw_put_le64(e + 80, c->hint_off);
	}
	sgw_put_le32(buf + SLOT_CRC, sgw_crc32c(0, buf, SLOT_CRC));

	n = ops->pwrite(fd, buf, sizeof(buf), off);
	if (n < 0)
		return -errno;
	if ((size_t)n != sizeof(buf))
		return -ENOSPC;	/* a short write of 1 KiB: the disk is full */
	if (ops->fdatasync(fd) != 0)
		return -errno;
	st->gen = gen;
	return 0;
}
