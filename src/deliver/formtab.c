/* SPDX-License-Identifier: MIT */
/* The queue's form table; the file format is in formtab.h. */
#include "formtab.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "asm/sgw_kernels.h"
#include "util/filerep.h"
#include "util/le.h"

#define MAGIC "SGWF"
#define FILE_VERSION 1
#define HEAD 17			/* magic, version, first_seq, count */
#define FILE_MAX (4u << 20)	/* no table of SGW_FORMTAB_MAX entries is near this */

struct sgw_formtab {
	char *path;
	const struct sgw_file_ops *ops;
	uint64_t first_seq;
	size_t n, cap;
	struct sgw_formtab_entry *e;	/* topic and unit owned */
	uint32_t *slot;			/* hash: entry number + 1, 0 = empty */
	size_t nslots;			/* power of two, > 2 * n */
};

static uint32_t hash(const char *topic, size_t len, const struct sgw_payload_form *f)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)topic[i]) * 16777619u;
	return (h ^ (uint32_t)(f->fmt << 16 | f->scale << 8 | f->precision)) * 16777619u;
}

static const char *unit_of(const struct sgw_payload_form *f)
{
	return f->unit ? f->unit : "";
}

static bool same(const struct sgw_formtab_entry *e, const char *topic, size_t len,
		 const struct sgw_payload_form *f)
{
	return e->topic_len == len && e->form.fmt == f->fmt && e->form.scale == f->scale &&
	       e->form.precision == f->precision && memcmp(e->topic, topic, len) == 0 &&
	       strcmp(e->form.unit, unit_of(f)) == 0;
}

static void clear(struct sgw_formtab *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free((char *)t->e[i].topic);
		free((char *)t->e[i].form.unit);
	}
	t->n = 0;
	if (t->slot)
		memset(t->slot, 0, t->nslots * sizeof(*t->slot));
}

static void slot_put(struct sgw_formtab *t, uint32_t id)
{
	const struct sgw_formtab_entry *e = &t->e[id];
	size_t i = hash(e->topic, e->topic_len, &e->form) & (t->nslots - 1);

	while (t->slot[i])
		i = (i + 1) & (t->nslots - 1);
	t->slot[i] = id + 1;
}

/* Room for one more entry. */
static int reserve(struct sgw_formtab *t)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 16;
		struct sgw_formtab_entry *e = realloc(t->e, cap * sizeof(*e));

		if (!e)
			return -ENOMEM;
		t->e = e;
		t->cap = cap;
	}
	if (2 * (t->n + 1) >= t->nslots) {
		size_t nslots = t->nslots ? 2 * t->nslots : 64;
		uint32_t *slot = calloc(nslots, sizeof(*slot));

		if (!slot)
			return -ENOMEM;
		free(t->slot);
		t->slot = slot;
		t->nslots = nslots;
		for (uint32_t i = 0; i < t->n; i++)
			slot_put(t, i);
	}
	return 0;
}

static int push(struct sgw_formtab *t, const char *topic, size_t len,
		const struct sgw_payload_form *f)
{
	struct sgw_formtab_entry *e;
	char *tc, *uc;

	if (reserve(t) < 0)
		return -ENOMEM;
	tc = malloc(len + 1);
	uc = strdup(unit_of(f));
	if (!tc || !uc) {
		free(tc);
		free(uc);
		return -ENOMEM;
	}
	memcpy(tc, topic, len);
	tc[len] = '\0';
	e = &t->e[t->n];
	e->topic = tc;
	e->topic_len = len;
	e->form = *f;
	e->form.unit = uc;
	slot_put(t, (uint32_t)t->n++);
	return 0;
}

long sgw_formtab_find(const struct sgw_formtab *t, const char *topic, size_t topic_len,
		      const struct sgw_payload_form *f)
{
	size_t i;

	if (!t->nslots)
		return -ENOENT;
	for (i = hash(topic, topic_len, f) & (t->nslots - 1); t->slot[i];
	     i = (i + 1) & (t->nslots - 1))
		if (same(&t->e[t->slot[i] - 1], topic, topic_len, f))
			return (long)t->slot[i] - 1;
	return -ENOENT;
}

/* ------------------------------------------------------------ the file */

static int parse(struct sgw_formtab *t, const uint8_t *p, size_t len)
{
	uint32_t count;
	size_t off = HEAD;

	if (len < HEAD + 4 || memcmp(p, MAGIC, 4) != 0 || p[4] != FILE_VERSION ||
	    sgw_get_le32(p + len - 4) != sgw_crc32c(0, p, len - 4))
		return -EBADMSG;
	count = sgw_get_le32(p + 13);
	if (count > SGW_FORMTAB_MAX)
		return -EBADMSG;
	len -= 4;
	for (uint32_t i = 0; i < count; i++) {
		struct sgw_payload_form f;
		char unit[UINT16_MAX + 1];
		size_t ulen, tlen;

		if (len - off < 5)
			return -EBADMSG;
		f.fmt = (enum sgw_format)p[off];
		f.scale = p[off + 1];
		f.precision = p[off + 2];
		if (f.fmt > SGW_FORMAT_JSON || f.scale > 9 || f.precision > 9)
			return -EBADMSG;
		ulen = (size_t)p[off + 3] | (size_t)p[off + 4] << 8;
		off += 5;
		if (len - off < ulen + 2)
			return -EBADMSG;
		memcpy(unit, p + off, ulen);
		unit[ulen] = '\0';
		f.unit = unit;
		off += ulen;
		tlen = (size_t)p[off] | (size_t)p[off + 1] << 8;
		off += 2;
		if (tlen == 0 || len - off < tlen || memchr(unit, '\0', ulen))
			return -EBADMSG;
		if (push(t, (const char *)p + off, tlen, &f) < 0)
			return -ENOMEM;
		off += tlen;
	}
	if (off != len)
		return -EBADMSG;
	t->first_seq = sgw_get_le64(p + 5);
	return 0;
}

static int load(struct sgw_formtab *t)
{
	struct stat sb;
	uint8_t *buf;
	ssize_t got;
	int fd, err;

	fd = open(t->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (fstat(fd, &sb) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	if (sb.st_size > FILE_MAX) {
		close(fd);
		return -EBADMSG;
	}
	buf = malloc((size_t)sb.st_size + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	got = read(fd, buf, (size_t)sb.st_size);
	err = got < 0 ? -errno : got != sb.st_size ? -EBADMSG : parse(t, buf, (size_t)got);
	free(buf);
	close(fd);
	if (err < 0)
		clear(t);
	return err;
}

static int save(const struct sgw_formtab *t)
{
	size_t len = HEAD + 4, off;
	uint8_t *buf;
	int err;

	for (size_t i = 0; i < t->n; i++)
		len += 7 + strlen(t->e[i].form.unit) + t->e[i].topic_len;
	buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, MAGIC, 4);
	buf[4] = FILE_VERSION;
	sgw_put_le64(buf + 5, t->first_seq);
	sgw_put_le32(buf + 13, (uint32_t)t->n);
	off = HEAD;
	for (size_t i = 0; i < t->n; i++) {
		const struct sgw_formtab_entry *e = &t->e[i];
		size_t ulen = strlen(e->form.unit);

		buf[off++] = (uint8_t)e->form.fmt;
		buf[off++] = e->form.scale;
		buf[off++] = e->form.precision;
		buf[off++] = (uint8_t)ulen;
		buf[off++] = (uint8_t)(ulen >> 8);
		memcpy(buf + off, e->form.unit, ulen);
		off += ulen;
		buf[off++] = (uint8_t)e->topic_len;
		buf[off++] = (uint8_t)(e->topic_len >> 8);
		memcpy(buf + off, e->topic, e->topic_len);
		off += e->topic_len;
	}
	sgw_put_le32(buf + off, sgw_crc32c(0, buf, off));
	err = sgw_file_replace_ops(t->ops, t->path, buf, len, true);
	free(buf);
	return err;
}

/* ------------------------------------------------------------ API */

static struct sgw_formtab *blank(const char *path, const struct sgw_file_ops *ops,
				 uint64_t first_seq);

struct sgw_formtab *sgw_formtab_open(const char *path, const struct sgw_file_ops *ops,
				     uint64_t next_seq, int *status)
{
	struct sgw_formtab *t = blank(path, ops ? ops : &sgw_file_sys_ops, next_seq);

	if (!t) {
		errno = ENOMEM;
		return NULL;
	}
	*status = load(t);
	if (*status == -ENOMEM) {
		sgw_formtab_free(t);
		errno = ENOMEM;
		return NULL;
	}
	if (*status < 0)
		t->first_seq = next_seq;
	return t;
}

void sgw_formtab_free(struct sgw_formtab *t)
{
	if (!t)
		return;
	clear(t);
	free(t->e);
	free(t->slot);
	free(t->path);
	free(t);
}

uint64_t sgw_formtab_first_seq(const struct sgw_formtab *t)
{
	return t->first_seq;
}

size_t sgw_formtab_count(const struct sgw_formtab *t)
{
	return t->n;
}

const struct sgw_formtab_entry *sgw_formtab_get(const struct sgw_formtab *t, uint32_t id)
{
	return id < t->n ? &t->e[id] : NULL;
}

static struct sgw_formtab *blank(const char *path, const struct sgw_file_ops *ops,
				 uint64_t first_seq)
{
	struct sgw_formtab *t = calloc(1, sizeof(*t));

	if (!t || !(t->path = strdup(path))) {
		free(t);
		return NULL;
	}
	t->ops = ops;
	t->first_seq = first_seq;
	return t;
}

/* Add the N entries E that T lacks; -ENOSPC past SGW_FORMTAB_MAX. */
static int add_missing(struct sgw_formtab *t, const struct sgw_formtab_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int err;

		if (e[i].topic_len == 0 || e[i].topic_len > UINT16_MAX ||
		    strlen(unit_of(&e[i].form)) > UINT16_MAX ||
		    sgw_formtab_find(t, e[i].topic, e[i].topic_len, &e[i].form) >= 0)
			continue;
		if (t->n == SGW_FORMTAB_MAX)
			return -ENOSPC;
		if ((err = push(t, e[i].topic, e[i].topic_len, &e[i].form)) < 0)
			return err;
	}
	return 0;
}

/* Every entry of A is in B. */
static bool subset(const struct sgw_formtab *a, const struct sgw_formtab *b)
{
	for (size_t i = 0; i < a->n; i++)
		if (sgw_formtab_find(b, a->e[i].topic, a->e[i].topic_len, &a->e[i].form) < 0)
			return false;
	return true;
}

int sgw_formtab_update(struct sgw_formtab *t, const struct sgw_formtab_entry *e, size_t n,
		       bool restart, uint64_t next_seq)
{
	struct sgw_formtab *nt = NULL, tmp;
	int err = 0, werr;

	/* The new table is built aside and takes T's place once written. */
	if (restart && t->n) {
		nt = blank(t->path, t->ops, next_seq);
		if (!nt)
			return -ENOMEM;
		err = add_missing(nt, e, n);
		if (err == 0 && subset(t, nt)) {
			sgw_formtab_free(nt);
			nt = NULL;
		}
	}
	if (!nt) {
		nt = blank(t->path, t->ops, t->first_seq);
		if (!nt)
			return -ENOMEM;
		err = add_missing(nt, t->e, t->n);
		if (err == 0)
			err = add_missing(nt, e, n);
		if (err == 0 && nt->n == t->n) {
			sgw_formtab_free(nt);
			return 0;
		}
	}
	if (err == -ENOMEM) {
		sgw_formtab_free(nt);
		return err;
	}
	werr = save(nt);
	if (werr < 0) {
		sgw_formtab_free(nt);
		return werr;
	}
	tmp = *t;
	*t = *nt;
	*nt = tmp;
	sgw_formtab_free(nt);
	return err;
}
