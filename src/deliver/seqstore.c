/* SPDX-License-Identifier: MIT */
#include "seqstore.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/filerep.h"

static int write_limit(const struct sgw_seqstore *s, uint64_t limit)
{
	char buf[32];
	int len;

	if (!s->path)
		return -ENOENT;
	len = snprintf(buf, sizeof(buf), "%" PRIu64 "\n", limit);
	return sgw_file_replace(s->path, buf, (size_t)len, true);
}

int sgw_seqstore_open(struct sgw_seqstore *s, const char *dir, uint64_t fallback)
{
	char buf[32], *end;
	unsigned long long v;
	ssize_t n;
	int fd;

	memset(s, 0, sizeof(*s));
	s->next = 1;
	s->limit = 1;
	if (mkdir(dir, 0750) < 0 && errno != EEXIST)
		return -errno;
	if (asprintf(&s->path, "%s/seq", dir) < 0) {
		s->path = NULL;
		return -ENOMEM;
	}
	fd = open(s->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (n == 0 || errno || end == buf || (*end && *end != '\n') || v == 0 || v > UINT64_MAX / 2) {
		s->next = s->limit = fallback ? fallback : 1;
		return -EBADMSG;
	}
	s->next = s->limit = v;
	return 0;
}

int sgw_seqstore_reserve(struct sgw_seqstore *s, uint64_t count)
{
	uint64_t limit;
	int err;

	if (s->next + count <= s->limit)
		return 0;
	limit = s->next + count + SGW_SEQ_BLOCK;
	err = write_limit(s, limit);
	/* Without the file, count on in memory: a reading beats a number. */
	s->limit = limit;
	return err;
}

void sgw_seqstore_close(struct sgw_seqstore *s)
{
	free(s->path);
	s->path = NULL;
}
