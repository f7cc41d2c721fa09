/* SPDX-License-Identifier: MIT */
/*
 * The queue's segment files: their names, the sorted list in memory,
 * creating the next one, recovering the tail at open, deleting the oldest,
 * finding the segment that holds a sequence number, and counting each
 * corrupt region once.  Cursors are not touched here: whoever deletes a
 * segment tells them (queue.c).
 */
#include "queue.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "queue_int.h"
#include "record.h"

void sgw_qseg_name(char name[32], uint64_t base)
{
	snprintf(name, 32, "%020" PRIu64 ".seg", base);
}

/*
 * Strict: exactly 20 digits and ".seg", as sgw_qseg_name() writes, and a
 * number below SGW_QUEUE_SEQ_LIMIT.
 */
static int seg_name_parse(const char *name, uint64_t *base)
{
	uint64_t v = 0;

	if (strlen(name) != 24 || strcmp(name + 20, ".seg") != 0)
		return -1;
	for (int i = 0; i < 20; i++) {
		unsigned d;

		if (name[i] < '0' || name[i] > '9')
			return -1;
		d = (unsigned)(name[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (v >= SGW_QUEUE_SEQ_LIMIT)
		return -1;
	*base = v;
	return 0;
}

long sgw_qseg_index(const struct sgw_queue *q, uint64_t base)
{
	long i = sgw_qseg_for_seq(q, base);

	return (i >= 0 && q->segs[i].base == base) ? i : -1;
}

long sgw_qseg_for_seq(const struct sgw_queue *q, uint64_t seq)
{
	size_t lo = 0, hi = q->nsegs;

	/* First segment with base > seq, minus one. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (q->segs[mid].base <= seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (long)lo - 1;
}

void sgw_qseg_note_corrupt(struct sgw_queue *q, uint64_t seg, uint64_t off)
{
	if (q->st.corrupt && (seg < q->bad_seg || (seg == q->bad_seg && off <= q->bad_off)))
		return;
	q->st.corrupt++;
	q->bad_seg = seg;
	q->bad_off = off;
}

static int segs_push(struct sgw_queue *q, uint64_t base, uint64_t size)
{
	if (q->nsegs == q->segs_cap) {
		size_t cap = q->segs_cap ? 2 * q->segs_cap : 16;
		struct sgw_qseg *s = realloc(q->segs, cap * sizeof(*s));

		if (!s)
			return -ENOMEM;
		q->segs = s;
		q->segs_cap = cap;
	}
	q->segs[q->nsegs].base = base;
	q->segs[q->nsegs].size = size;
	q->nsegs++;
	return 0;
}

static int seg_cmp(const void *a, const void *b)
{
	const struct sgw_qseg *x = a, *y = b;

	return (x->base > y->base) - (x->base < y->base);
}

/* O(number of files): names and sizes only, no segment is read. */
int sgw_qseg_list(struct sgw_queue *q)
{
	struct dirent *de;
	DIR *d;
	int fd, err = 0;

	fd = dup(q->dirfd);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		err = -errno;
		close(fd);
		return err;
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		struct stat sb;
		uint64_t base;

		if (seg_name_parse(de->d_name, &base) != 0)
			continue;
		if (fstatat(q->dirfd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0) {
			err = -errno;
			break;
		}
		if (!S_ISREG(sb.st_mode))
			continue;
		err = segs_push(q, base, (uint64_t)sb.st_size);
		if (err)
			break;
	}
	if (!err && errno)
		err = -errno;
	closedir(d);
	if (!err && q->nsegs > 1)
		qsort(q->segs, q->nsegs, sizeof(*q->segs), seg_cmp);
	return err;
}

int sgw_qseg_create(struct sgw_queue *q, uint64_t base)
{
	char name[32];
	int fd, err;

	sgw_qseg_name(name, base);
	fd = q->ops->openat(q->dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (fd < 0)
		return -errno;
	err = segs_push(q, base, 0);
	if (err) {
		close(fd);
		q->ops->unlinkat(q->dirfd, name, 0);
		return err;
	}
	q->tailfd = fd;
	q->tail_broken = false;
	/* The new name must be durable before the records in it are. */
	q->dir_dirty = true;
	return 0;
}

/* Corrupt records before the last valid one stay: readers skip and count them. */
int sgw_qseg_recover_tail(struct sgw_queue *q, uint64_t *last_seq)
{
	struct sgw_qseg *t = &q->segs[q->nsegs - 1];
	uint64_t min_seq = t->base, good_end = 0, off = 0;
	uint8_t *buf = NULL;
	char name[32];
	int fd, err = 0;

	*last_seq = 0;
	sgw_qseg_name(name, t->base);
	fd = q->ops->openat(q->dirfd, name, O_RDWR | O_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (t->size > 0) {
		buf = malloc(t->size);
		if (!buf) {
			err = -ENOMEM;
			goto close_fd;
		}
		while (off < t->size) {
			ssize_t n = q->ops->pread(fd, buf + off, t->size - off, (off_t)off);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;	/* EIO or shrunk: treat the rest as torn */
			off += (uint64_t)n;
		}
		t->size = off;
		off = 0;
		while (off < t->size) {
			uint64_t seq;
			size_t n = sgw_qrec_check(buf + off, t->size - off, min_seq, UINT64_MAX, &seq);

			if (n == 0) {
				off++;	/* resynchronise on the next valid record */
				continue;
			}
			off += n;
			good_end = off;
			min_seq = seq + 1;
			*last_seq = seq;
		}
	}
	if (good_end < t->size) {
		q->st.torn_bytes += t->size - good_end;
		if (q->ops->ftruncate(fd, (off_t)good_end) != 0 || q->ops->fdatasync(fd) != 0) {
			err = -errno;
			goto free_buf;
		}
		q->st.fsyncs++;
		t->size = good_end;
	}
	q->tailfd = fd;
	fd = -1;
free_buf:
	free(buf);
close_fd:
	if (fd >= 0)
		close(fd);
	return err;
}

int sgw_qseg_remove_oldest(struct sgw_queue *q)
{
	char name[32];

	sgw_qseg_name(name, q->segs[0].base);
	if (q->ops->unlinkat(q->dirfd, name, 0) != 0 && errno != ENOENT) {
		q->st.io_errors++;
		return -errno;
	}
	memmove(q->segs, q->segs + 1, (q->nsegs - 1) * sizeof(*q->segs));
	q->nsegs--;
	return 0;
}

int sgw_qseg_drop_oldest(struct sgw_queue *q, uint64_t acked)
{
	uint64_t from = q->segs[0].base, to = q->segs[1].base;

	if (acked > from)
		from = acked < to ? acked : to;
	q->st.dropped += to - from;
	return sgw_qseg_remove_oldest(q);
}
