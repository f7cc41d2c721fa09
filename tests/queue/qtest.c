/* SPDX-License-Identifier: MIT */
/* Helpers shared by the disk queue's test programs; see qtest.h. */
#include "qtest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "queue/state.h"
#include "tests/fixtures/tmpdir.h"
#include "tests/mocks/queue_faults.h"

char qt_tmp[64];
char qt_dir[160];

void qt_setup(void)
{
	test_mkdtemp(qt_tmp, sizeof(qt_tmp), "sgwq");
	snprintf(qt_dir, sizeof(qt_dir), "%s/q", qt_tmp);
	qfault_reset();
}

void qt_teardown(void)
{
	test_rm_tree(qt_tmp);
}

size_t qt_body(uint64_t seq, uint8_t *buf)
{
	size_t len = 20 + (size_t)(seq * 37 % 100);

	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(seq * 31 + i * 7);
	return len;
}

/*
 * Loops check with plain ifs and fail with ck_abort_msg(): every ck_assert
 * costs Check a write to its message file, too slow for the per-byte tests.
 */
void qt_assert_body(const struct sgw_queue_record *r)
{
	uint8_t want[128];
	size_t len = qt_body(r->seq, want);

	if (r->len != len || memcmp(r->data, want, len) != 0)
		ck_abort_msg("record %" PRIu64 ": wrong body (%zu bytes)", r->seq, r->len);
}

void qt_opts(struct sgw_queue_options *o, size_t seg, uint64_t max)
{
	sgw_queue_options_init(o);
	o->ops = &qfault_ops;
	if (seg)
		o->segment_size = seg;
	if (max)
		o->max_size = max;
}

struct sgw_queue *qt_open(const struct sgw_queue_options *o)
{
	struct sgw_queue *q = sgw_queue_open(qt_dir, o);

	if (!q)
		ck_abort_msg("open: %s", strerror(errno));
	return q;
}

void qt_append_n(struct sgw_queue *q, uint64_t first, unsigned n)
{
	uint8_t buf[128];

	for (unsigned i = 0; i < n; i++) {
		uint64_t seq = 0;
		size_t len = qt_body(first + i, buf);

		int err = sgw_queue_append(q, buf, len, &seq);

		if (err != 0 || seq != first + i)
			ck_abort_msg("append %" PRIu64 ": %d, seq %" PRIu64, first + i, err, seq);
	}
}

size_t qt_drain(struct sgw_queue_cursor *c, uint64_t *seqs, size_t max, int ack)
{
	struct sgw_queue_record r;
	uint64_t last = 0;
	size_t n = 0;
	int err;

	while ((err = sgw_queue_read(c, &r)) == 0) {
		qt_assert_body(&r);
		if (r.seq <= last)
			ck_abort_msg("seq %" PRIu64 " after %" PRIu64, r.seq, last);
		last = r.seq;
		if (seqs && n < max)
			seqs[n] = r.seq;
		n++;
		if (ack && (err = sgw_queue_ack(c, r.seq)) != 0)
			ck_abort_msg("ack %" PRIu64 ": %d", r.seq, err);
	}
	ck_assert_int_eq(err, -ENODATA);
	return n;
}

void qt_path(char *p, size_t cap, const char *name)
{
	snprintf(p, cap, "%s/%s", qt_dir, name);
}

void qt_seg_path(char *p, size_t cap, uint64_t base)
{
	char name[32];

	snprintf(name, sizeof(name), "%020" PRIu64 ".seg", base);
	qt_path(p, cap, name);
}

void qt_state_set_next(uint64_t next_seq, int saves)
{
	struct sgw_qstate st;
	char p[224];
	int fd;

	qt_path(p, sizeof(p), "ack.state");
	fd = open(p, O_RDWR);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(sgw_qstate_load(&sgw_queue_sys_ops, fd, &st), SGW_QSTATE_LOADED);
	ck_assert_uint_eq(st.flags, SGW_QSTATE_CLEAN);
	st.next_seq = next_seq;
	while (saves-- > 0)
		ck_assert_int_eq(sgw_qstate_save(&sgw_queue_sys_ops, fd, &st), 0);
	close(fd);
}

size_t qt_list_bases(uint64_t *bases, size_t max)
{
	DIR *d = opendir(qt_dir);
	struct dirent *de;
	size_t n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		if (strlen(de->d_name) == 24 && !strcmp(de->d_name + 20, ".seg") && n < max)
			bases[n++] = strtoull(de->d_name, NULL, 10);
	}
	closedir(d);
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && bases[j - 1] > bases[j]; j--) {
			uint64_t t = bases[j];

			bases[j] = bases[j - 1];
			bases[j - 1] = t;
		}
	return n;
}

TCase *qt_tcase(const char *name, double timeout)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, qt_setup, qt_teardown);
	tcase_set_timeout(tc, timeout);
	return tc;
}
