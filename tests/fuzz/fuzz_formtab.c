/* SPDX-License-Identifier: MIT */
/*
 * The queue's form table (deliver/formtab.h): arbitrary bytes as its file.
 * What loads must be a table whose entries find themselves and render a
 * payload; adding entries must keep the numbers of those already there and
 * write a file that loads back the same.
 *
 * Input: u8 flags (bit 0: append the right CRC-32C to the file, so that the
 * fuzzer gets past the checksum; bit 1: update with restart), u64 next_seq,
 * u8 number of entries to add (mod 4), each as u8 format, u8 scale, u8
 * precision, u8 unit length, the unit, u8 topic length, the topic; then
 * the file.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm/sgw_kernels.h"
#include "deliver/formtab.h"
#include "message/payload.h"
#include "tests/fuzz/fuzz.h"

const char *const fuzz_corpus[] = { NULL };

#define NAME "forms"

struct entry {
	char *topic;
	size_t topic_len;
	struct sgw_payload_form form;
};

static void put_entry(struct fuzz_out *o, uint8_t fmt, uint8_t scale, uint8_t prec,
		      const char *unit, const char *topic)
{
	fuzz_put_u8(o, fmt);
	fuzz_put_u8(o, scale);
	fuzz_put_u8(o, prec);
	fuzz_put_u8(o, (uint8_t)strlen(unit));
	fuzz_put(o, unit, strlen(unit));
	fuzz_put_u8(o, (uint8_t)strlen(topic));
	fuzz_put(o, topic, strlen(topic));
}

/* The file a table of those entries is written as, by the code itself. */
static void table_file(struct fuzz_out *o, const struct sgw_formtab_entry *e, size_t n,
		       bool strip_crc)
{
	char path[PATH_MAX];
	struct sgw_formtab *t;
	FILE *f;
	int st, c;

	fuzz_empty_dir(fuzz_tmpdir());
	snprintf(path, sizeof(path), "%s/" NAME, fuzz_tmpdir());
	t = sgw_formtab_open(path, NULL, 1000, &st);
	FUZZ_CHECK(t && st == 0, "formtab_open");
	FUZZ_CHECK(sgw_formtab_update(t, e, n, false, 0) == 0, "formtab_update");
	sgw_formtab_free(t);
	f = fopen(path, "rb");
	FUZZ_CHECK(f, "%s", path);
	{
		struct fuzz_out file = { 0 };

		while ((c = fgetc(f)) != EOF)
			fuzz_put_u8(&file, (uint8_t)c);
		fuzz_put(o, file.p, file.n - (strip_crc ? 4 : 0));
		fuzz_out_free(&file);
	}
	fclose(f);
}

void fuzz_seeds(fuzz_emit_fn *emit, void *arg)
{
	static const struct sgw_payload_form plain = { SGW_FORMAT_PLAIN, 2, 1, "\xc2\xb0" "C" };
	static const struct sgw_payload_form json = { SGW_FORMAT_JSON, 3, 3, "hPa" };
	const struct sgw_formtab_entry e[] = {
		{ "casa/sala/temperatura", 21, plain },
		{ "casa/sala/pressao", 17, json },
		{ "casa/sala/humidade", 18, { SGW_FORMAT_JSON, 0, 0, NULL } },
	};
	struct fuzz_out o = { 0 };

	for (int crc = 0; crc < 2; crc++) {
		fuzz_put_u8(&o, (uint8_t)crc);
		fuzz_put_u64(&o, 77);
		fuzz_put_u8(&o, 2);
		put_entry(&o, 1, 1, 2, "%", "casa/sala/humidade");
		put_entry(&o, 0, 2, 1, "\xc2\xb0" "C", "casa/sala/temperatura");
		table_file(&o, e, 3, crc);
		fuzz_out_emit(&o, emit, arg);
	}
	fuzz_put_u8(&o, 3);
	fuzz_put_u64(&o, 1);
	fuzz_put_u8(&o, 1);
	put_entry(&o, 0, 0, 0, "", "x");
	table_file(&o, e, 1, true);
	fuzz_out_emit(&o, emit, arg);
	fuzz_out_free(&o);
}

static bool same(const struct sgw_formtab_entry *a, const struct entry *b)
{
	return a->topic_len == b->topic_len && !memcmp(a->topic, b->topic, a->topic_len) &&
	       a->form.fmt == b->form.fmt && a->form.scale == b->form.scale &&
	       a->form.precision == b->form.precision && a->form.unit &&
	       !strcmp(a->form.unit, b->form.unit);
}

/* A copy of T's entries, which update() frees. */
static struct entry *snapshot(const struct sgw_formtab *t, size_t *n)
{
	struct entry *s;

	*n = sgw_formtab_count(t);
	s = calloc(*n + 1, sizeof(*s));
	FUZZ_CHECK(s, "out of memory");
	for (uint32_t i = 0; i < *n; i++) {
		const struct sgw_formtab_entry *e = sgw_formtab_get(t, i);

		FUZZ_CHECK(e && e->form.unit, "entry %u", i);
		s[i].topic = malloc(e->topic_len + 1);
		FUZZ_CHECK(s[i].topic, "out of memory");
		memcpy(s[i].topic, e->topic, e->topic_len);
		s[i].topic_len = e->topic_len;
		s[i].form = e->form;
		s[i].form.unit = strdup(e->form.unit);
		FUZZ_CHECK(s[i].form.unit, "out of memory");
	}
	return s;
}

static void snapshot_free(struct entry *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(s[i].topic);
		free((char *)s[i].form.unit);
	}
	free(s);
}

/* Every entry finds its number, renders; returns whether two entries are the same. */
static bool check_table(const struct sgw_formtab *t)
{
	size_t n = sgw_formtab_count(t);
	bool dup = false;

	FUZZ_CHECK(n <= SGW_FORMTAB_MAX, "%zu entries", n);
	FUZZ_CHECK(!sgw_formtab_get(t, (uint32_t)n), "entry past the end");
	for (uint32_t i = 0; i < n; i++) {
		const struct sgw_formtab_entry *e = sgw_formtab_get(t, i);
		long id = sgw_formtab_find(t, e->topic, e->topic_len, &e->form);
		/* The widest payload: the extremes, and the "sync":false of an unsynced stamp. */
		const struct sgw_stamp ts = { .wall_ms = INT64_MIN, .unsynced = true };
		char payload[SGW_PAYLOAD_MAX];
		int len;

		FUZZ_CHECK(id >= 0 && id <= (long)i, "entry %u found as %ld", i, id);
		dup |= id != (long)i;
		FUZZ_CHECK(e->topic_len >= 1 && e->form.scale <= 9 && e->form.precision <= 9 &&
			   e->form.fmt <= SGW_FORMAT_JSON, "entry %u out of range", i);
		len = sgw_payload_render(payload, sizeof(payload), &e->form, INT32_MIN + (int32_t)i,
					 &ts, UINT64_MAX);
		FUZZ_CHECK(len == -ENOSPC || (len > 0 && len <= (int)sizeof(payload)),
			   "render: %d", len);
	}
	return dup;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint8_t flags = fuzz_u8(&in);
	uint64_t next_seq = fuzz_u64(&in);
	size_t nadd = fuzz_u8(&in) % 4, nold, n2, got;
	struct sgw_formtab_entry add[4];
	char units[4][256], path[PATH_MAX];
	struct sgw_formtab *t, *t2;
	struct entry *old;
	bool dup;
	int st, rc;

	for (size_t i = 0; i < nadd; i++) {
		const uint8_t *p;

		add[i].form.fmt = (enum sgw_format)(fuzz_u8(&in) % 2);
		add[i].form.scale = fuzz_u8(&in) % 10;
		add[i].form.precision = fuzz_u8(&in) % 10;
		p = fuzz_bytes(&in, fuzz_u8(&in), &got);
		memcpy(units[i], p, got);
		units[i][got] = '\0';	/* a NUL inside ends it early */
		add[i].form.unit = units[i];
		add[i].topic = (const char *)fuzz_bytes(&in, fuzz_u8(&in), &add[i].topic_len);
	}

	fuzz_empty_dir(fuzz_tmpdir());
	snprintf(path, sizeof(path), "%s/" NAME, fuzz_tmpdir());
	if (flags & 1) {
		uint8_t *file = malloc(in.n + 4);

		FUZZ_CHECK(file, "out of memory");
		if (in.n)
			memcpy(file, in.p, in.n);
		{
			uint32_t crc = sgw_crc32c(0, in.p, in.n);

			for (int i = 0; i < 4; i++)
				file[in.n + (size_t)i] = (uint8_t)(crc >> (8 * i));
		}
		fuzz_write_file(fuzz_tmpdir(), NAME, file, in.n + 4);
		free(file);
	} else if (in.n || (flags & 2)) {
		fuzz_write_file(fuzz_tmpdir(), NAME, in.p, in.n);
	}	/* else: no file at all */

	t = sgw_formtab_open(path, NULL, next_seq, &st);
	FUZZ_CHECK(t, "formtab_open: %s", strerror(errno));
	FUZZ_CHECK(st == 0 || st == -EBADMSG, "status %d", st);
	if (st < 0)
		FUZZ_CHECK(sgw_formtab_count(t) == 0 && sgw_formtab_first_seq(t) == next_seq,
			   "a damaged file left entries");
	dup = check_table(t);
	old = snapshot(t, &nold);

	rc = sgw_formtab_update(t, add, nadd, flags & 2, next_seq + 1);
	FUZZ_CHECK(rc == 0 || rc == -ENOSPC, "update: %d", rc);
	check_table(t);
	if (rc == 0)
		for (size_t i = 0; i < nadd; i++)
			FUZZ_CHECK(!add[i].topic_len ||
				   sgw_formtab_find(t, add[i].topic, add[i].topic_len, &add[i].form) >= 0,
				   "added entry %zu not found", i);
	/* Without restart, and from a table we could have written, numbers stay. */
	if (!(flags & 2) && !dup)
		for (uint32_t i = 0; i < nold; i++)
			FUZZ_CHECK(same(sgw_formtab_get(t, i), &old[i]), "entry %u renumbered", i);

	/* What is in memory is what loads back. */
	t2 = sgw_formtab_open(path, NULL, next_seq, &st);
	FUZZ_CHECK(t2, "reopen");
	if (sgw_formtab_count(t) || st == 0) {
		n2 = sgw_formtab_count(t2);
		FUZZ_CHECK(st == 0 && n2 == sgw_formtab_count(t), "reopened: status %d, %zu entries, %zu before",
			   st, n2, sgw_formtab_count(t));
		FUZZ_CHECK(sgw_formtab_first_seq(t2) == sgw_formtab_first_seq(t), "first_seq");
		snapshot_free(old, nold);
		old = snapshot(t, &nold);
		for (uint32_t i = 0; i < n2; i++)
			FUZZ_CHECK(same(sgw_formtab_get(t2, i), &old[i]), "entry %u differs after reopening", i);
	}
	snapshot_free(old, nold);
	sgw_formtab_free(t2);
	sgw_formtab_free(t);
	return 0;
}
