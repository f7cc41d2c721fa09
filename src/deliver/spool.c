/* SPDX-License-Identifier: MIT */
#include "spool.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clocknote.h"
#include "qmsg.h"
#include "tag.h"

struct sgw_spool_cursor {
	struct sgw_spool *sp;
	struct sgw_queue_cursor *qc;
	unsigned bit;
	bool caught_up;
	struct sgw_msg *next;	/* peeked, not taken */
};

struct sgw_spool {
	struct sgw_queue *q;
	size_t ncursors;
	struct sgw_spool_cursor cursors[SGW_SPOOL_MAX_CURSORS];
	uint8_t *buf;
	size_t cap;
	struct sgw_formtab *forms;
	struct sgw_file_ops fops;	/* the form table's: the queue's seam */
	struct sgw_clocknote clock;	/* the lead of earlier boots' clocks */
	int forms_error;	/* loading the table */
	bool forms_stuck;	/* adding failed: no more tries until set_forms */
	uint64_t undecodable;	/* readings whose form is unknown */
};

static int64_t record_ts(const void *body, size_t len)
{
	if (len < 1)
		return SGW_QUEUE_TS_NONE;
	return sgw_qmsg_peek_ts((const uint8_t *)body + 1, len - 1);
}

struct sgw_spool *sgw_spool_open(const char *dir, const struct sgw_queue_config *qc,
				 const struct sgw_queue_ops *ops)
{
	struct sgw_queue_options o;
	struct sgw_spool *sp = calloc(1, sizeof(*sp));
	char path[4096];
	int err;

	if (!sp)
		return NULL;
	if (!ops)
		ops = &sgw_queue_sys_ops;
	/* The form table is written through the queue's system calls too. */
	sp->fops = (struct sgw_file_ops){
		.openat = ops->openat, .pwrite = ops->pwrite, .fsync = ops->fsync,
		.renameat = ops->renameat, .unlinkat = ops->unlinkat,
	};
	sgw_queue_options_init(&o);
	o.segment_size = (size_t)qc->segment_size;
	o.max_size = qc->max_size;
	o.full = qc->refuse_when_full ? SGW_QUEUE_REFUSE : SGW_QUEUE_DROP_OLDEST;
	o.sync = qc->sync_always ? SGW_QUEUE_SYNC_ALWAYS : SGW_QUEUE_SYNC_INTERVAL;
	o.sync_interval_ms = qc->sync_interval_ms;
	o.record_ts = record_ts;
	o.ops = ops;
	sp->q = sgw_queue_open(dir, &o);
	if (!sp->q)
		goto fail;
	if (snprintf(path, sizeof(path), "%s/forms", dir) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		goto fail;
	}
	sp->forms = sgw_formtab_open(path, &sp->fops, sgw_queue_next_seq(sp->q), &sp->forms_error);
	if (!sp->forms)
		goto fail;
	/* Damaged or unreadable: as none, those readings go out unsynchronised. */
	sgw_clocknote_open(&sp->clock, dir);
	sgw_clocknote_update(&sp->clock);
	return sp;
fail:
	err = errno;
	if (sp->q)
		sgw_queue_close(sp->q);
	free(sp);
	errno = err;
	return NULL;
}

int sgw_spool_forms_error(const struct sgw_spool *sp)
{
	return sp->forms_error;
}

int sgw_spool_set_forms(struct sgw_spool *sp, const struct sgw_formtab_entry *e, size_t n)
{
	struct sgw_queue_stats st;

	sgw_queue_get_stats(sp->q, &st);
	sp->forms_stuck = false;
	return sgw_formtab_update(sp->forms, e, n, !st.state_lost && st.depth == 0,
				  st.next_seq);
}

int sgw_spool_close(struct sgw_spool *sp)
{
	int err;

	if (!sp)
		return 0;
	for (size_t i = 0; i < sp->ncursors; i++)
		sgw_msg_unref(sp->cursors[i].next);
	err = sgw_queue_close(sp->q);
	sgw_formtab_free(sp->forms);
	sgw_clocknote_close(&sp->clock);
	free(sp->buf);
	free(sp);
	return err;
}

struct sgw_spool_cursor *sgw_spool_cursor(struct sgw_spool *sp, const char *name, unsigned bit)
{
	struct sgw_spool_cursor *c;

	if (bit >= SGW_SPOOL_MAX_CURSORS || sp->ncursors == SGW_SPOOL_MAX_CURSORS) {
		errno = EINVAL;
		return NULL;
	}
	c = &sp->cursors[sp->ncursors];
	c->qc = sgw_queue_cursor_get(sp->q, name, SGW_QUEUE_CURSOR_FROM_OLDEST);
	if (!c->qc)
		return NULL;
	c->sp = sp;
	c->bit = bit;
	sp->ncursors++;
	return c;
}

int sgw_spool_forget_others(struct sgw_spool *sp)
{
	int removed = 0;

	for (size_t i = 0; i < sgw_queue_cursor_count(sp->q);) {
		const char *name = sgw_queue_cursor_name_at(sp->q, i);
		bool ours = false;

		for (size_t k = 0; k < sp->ncursors; k++)
			if (strcmp(sgw_queue_cursor_name(sp->cursors[k].qc), name) == 0)
				ours = true;
		if (ours) {
			i++;
			continue;
		}
		if (sgw_queue_cursor_remove(sp->q, name) < 0)
			break;
		removed++;
	}
	return removed;
}

/* A reading goes in as its form's number and value when the table has one. */
static void compact(struct sgw_spool *sp, const struct sgw_msg *m, struct sgw_qmsg *qm)
{
	struct sgw_formtab_entry e = { .topic = sgw_msg_topic(m), .topic_len = m->topic_len };
	long id;

	if (!sgw_msg_form(m, &e.form))
		return;
	id = sgw_formtab_find(sp->forms, e.topic, e.topic_len, &e.form);
	if (id < 0 && !sp->forms_stuck) {
		/* Not configured (carried across a reload): one table write. */
		if (sgw_formtab_update(sp->forms, &e, 1, false, 0) == 0)
			id = sgw_formtab_find(sp->forms, e.topic, e.topic_len, &e.form);
		else
			sp->forms_stuck = true;
	}
	if (id < 0)
		return;
	qm->reading = true;
	qm->form = (uint32_t)id;
	qm->value = m->value;
}

int sgw_spool_append(struct sgw_spool *sp, const struct sgw_msg *m, uint32_t mask)
{
	struct sgw_qmsg qm = {
		.ts = m->ts, .seq = m->seq,
		.topic = sgw_msg_topic(m), .topic_len = m->topic_len,
		.payload = sgw_msg_payload(m), .payload_len = m->payload_len,
		/* The uplink's unless the message has its own (qos 1 as before). */
		.qos = m->qos >= 0 ? (uint8_t)m->qos : 1, .own_qos = m->qos >= 0,
		.retain = m->retain > 0, .own_retain = m->retain >= 0,
	};
	uint64_t seq = 0;
	size_t need;
	long n;
	int err;

	compact(sp, m, &qm);
	need = 1 + sgw_qmsg_size(&qm);
	if (need > sp->cap) {
		uint8_t *nb = realloc(sp->buf, need);

		if (!nb)
			return -ENOMEM;
		sp->buf = nb;
		sp->cap = need;
	}
	sp->buf[0] = (uint8_t)mask;
	n = sgw_qmsg_encode(&qm, sp->buf + 1, sp->cap - 1);
	if (n < 0)
		return (int)n;
	err = sgw_queue_append(sp->q, sp->buf, (size_t)n + 1, &seq);
	if (err < 0 && seq == 0)
		return err;	/* not appended */
	/* Appended, also when the sync after it failed (the queue counts that). */
	for (size_t i = 0; i < sp->ncursors; i++)
		if (mask & (1u << sp->cursors[i].bit))
			sp->cursors[i].caught_up = false;
	return 0;
}

int sgw_spool_cursor_append(struct sgw_spool_cursor *c, const struct sgw_msg *m)
{
	return sgw_spool_append(c->sp, m, 1u << c->bit);
}

/*
 * M (or NULL) tagged with the record number it was read from, with the
 * QoS and retain flag of QM if they are its own.
 */
static struct sgw_msg *tagged(struct sgw_msg *m, const struct sgw_qmsg *qm, uint64_t record)
{
	if (!m)
		return NULL;
	m->tag = sgw_tag_make(SGW_TAG_SPOOL, record);
	if (qm->own_qos)
		m->qos = (int8_t)qm->qos;
	if (qm->own_retain)
		m->retain = qm->retain;
	return m;
}

/*
 * The message of record REC for uplinks in its mask, or NULL with errno:
 * EBADMSG (undecodable, or a reading whose form is unknown), ENOMEM.
 */
static struct sgw_msg *record_msg(struct sgw_spool *sp, const struct sgw_queue_record *rec)
{
	const struct sgw_formtab_entry *e = NULL;
	struct sgw_qmsg qm;
	struct sgw_msg *m;

	if (sgw_qmsg_decode(&qm, (const uint8_t *)rec->data + 1, rec->len - 1) < 0) {
		errno = EBADMSG;
		return NULL;
	}
	/* Stored whole: as it was made, "sync":false in its payload included. */
	if (!qm.reading)
		return tagged(sgw_msg_new(qm.seq, &qm.ts, qm.topic, qm.topic_len, qm.payload,
					  qm.payload_len), &qm, rec->seq);
	if (rec->seq >= sgw_formtab_first_seq(sp->forms))
		e = sgw_formtab_get(sp->forms, qm.form);
	if (!e) {
		/*
		 * Before the table's first record: the table was started
		 * again when every cursor had passed it, unless the old one
		 * was lost.
		 */
		if (rec->seq >= sgw_formtab_first_seq(sp->forms) || sp->forms_error)
			sp->undecodable++;
		errno = EBADMSG;
		return NULL;
	}
	/*
	 * Rendered now: with its wall time, if it was unsynchronised and can
	 * have it, from an earlier boot's lead or from this boot's clock.
	 */
	sgw_clocknote_fix(&sp->clock, &qm.ts);
	m = sgw_msg_new_reading(qm.seq, &qm.ts, e->topic, e->topic_len, &e->form, qm.value);
	if (!m && errno == EMSGSIZE) {
		sp->undecodable++;
		errno = EBADMSG;
	}
	return tagged(m, &qm, rec->seq);
}

int sgw_spool_peek(struct sgw_spool_cursor *c, struct sgw_msg **m)
{
	struct sgw_queue_record rec;
	int err;

	while (!c->next) {
		err = sgw_queue_read(c->qc, &rec);
		if (err == -ENODATA)
			c->caught_up = true;
		if (err < 0)
			return err;
		if (rec.len < 1 || !(((const uint8_t *)rec.data)[0] & (1u << c->bit))) {
			/* Not ours: step over. */
			sgw_queue_ack(c->qc, rec.seq);
			continue;
		}
		c->next = record_msg(c->sp, &rec);
		if (!c->next && errno == EBADMSG) {
			/* The CRC makes a bad body near impossible; a lost form is not. */
			sgw_queue_ack(c->qc, rec.seq);
			continue;
		}
		if (!c->next) {
			/* Read again after a rewind; nothing is lost. */
			sgw_queue_rewind(c->qc);
			return -ENOMEM;
		}
	}
	*m = c->next;
	return 0;
}

struct sgw_msg *sgw_spool_take(struct sgw_spool_cursor *c)
{
	struct sgw_msg *m = c->next;

	c->next = NULL;
	return m;
}

size_t sgw_spool_restamp(struct sgw_spool *sp)
{
	size_t n = 0;

	/* Failing, this boot's readings get their time in this run only. */
	sgw_clocknote_update(&sp->clock);
	for (size_t i = 0; i < sp->ncursors; i++)
		if (sp->cursors[i].next && sgw_msg_restamp(sp->cursors[i].next))
			n++;
	return n;
}

bool sgw_spool_caught_up(const struct sgw_spool_cursor *c)
{
	return c->caught_up && !c->next;
}

int sgw_spool_ack(struct sgw_spool_cursor *c, uint64_t tag)
{
	return sgw_queue_ack(c->qc, sgw_tag_number(tag));
}

void sgw_spool_rewind(struct sgw_spool_cursor *c)
{
	sgw_msg_unref(c->next);
	c->next = NULL;
	c->caught_up = false;
	sgw_queue_rewind(c->qc);
}

int64_t sgw_spool_next_deadline(const struct sgw_spool *sp)
{
	return sgw_queue_next_sync_deadline(sp->q);
}

int sgw_spool_sync_if_due(struct sgw_spool *sp, int64_t now_ns)
{
	return sgw_queue_sync_if_due(sp->q, now_ns);
}

void sgw_spool_get_stats(struct sgw_spool *sp, struct sgw_queue_stats *st)
{
	sgw_queue_get_stats(sp->q, st);
	st->corrupt += sp->undecodable;
}
