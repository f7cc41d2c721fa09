/* SPDX-License-Identifier: MIT */
/* The clock of the last few boots; the file is described in clocknote.h. */
#include "clocknote.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/filerep.h"

/* A line: 16 hex digits, a space, a signed number of ms, a newline. */
#define LINE_MAX_LEN 48

/* One line at S into entry I; the end of the line, or NULL when it is not one. */
static const char *parse_line(struct sgw_clocknote *cn, size_t i, const char *s)
{
	unsigned long long boot;
	long long lead;
	char *end;

	if (strspn(s, "0123456789abcdef") != 16 || s[16] != ' ')
		return NULL;
	errno = 0;
	boot = strtoull(s, &end, 16);
	if (errno || end != s + 16 || boot == 0)
		return NULL;
	s = end + 1;
	if (*s != '-' && (*s < '0' || *s > '9'))
		return NULL;
	errno = 0;
	lead = strtoll(s, &end, 10);
	if (errno || end == s || *end != '\n')
		return NULL;
	cn->e[i].boot = boot;
	cn->e[i].lead_ms = lead;
	return end + 1;
}

int sgw_clocknote_open(struct sgw_clocknote *cn, const char *dir)
{
	char buf[SGW_CLOCKNOTE_MAX * LINE_MAX_LEN + 1];
	const char *p = buf;
	ssize_t len;
	size_t n = 0;
	int fd;

	memset(cn, 0, sizeof(*cn));
	if (asprintf(&cn->path, "%s/clock", dir) < 0) {
		cn->path = NULL;
		return -ENOMEM;
	}
	fd = open(cn->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len < 0)
		return -errno;
	buf[len] = '\0';
	while (*p && n < SGW_CLOCKNOTE_MAX && (p = parse_line(cn, n, p)) != NULL)
		n++;
	if (!p || *p || (size_t)len != strlen(buf))
		return -EBADMSG;	/* nothing of it is trusted */
	cn->n = n;
	return 0;
}

void sgw_clocknote_close(struct sgw_clocknote *cn)
{
	free(cn->path);
	cn->path = NULL;
	cn->n = 0;
}

int sgw_clocknote_update(struct sgw_clocknote *cn)
{
	char buf[SGW_CLOCKNOTE_MAX * LINE_MAX_LEN + 1];
	uint64_t boot = sgw_clock_boot();
	size_t len = 0, keep;
	int64_t lead;

	if (!sgw_clock_lead(&lead))
		return 0;
	for (size_t i = 0; i < cn->n; i++)
		if (cn->e[i].boot == boot)
			return 0;
	/* Newest first; the oldest goes when the table is full. */
	keep = cn->n < SGW_CLOCKNOTE_MAX ? cn->n : SGW_CLOCKNOTE_MAX - 1;
	memmove(&cn->e[1], &cn->e[0], keep * sizeof(cn->e[0]));
	cn->e[0].boot = boot;
	cn->e[0].lead_ms = lead;
	cn->n = keep + 1;
	for (size_t i = 0; i < cn->n; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%016" PRIx64 " %" PRId64 "\n",
					cn->e[i].boot, cn->e[i].lead_ms);
	return cn->path ? sgw_file_replace(cn->path, buf, len, true) : -ENOENT;
}

bool sgw_clocknote_fix(const struct sgw_clocknote *cn, struct sgw_stamp *ts)
{
	if (!ts->unsynced)
		return false;
	for (size_t i = 0; i < cn->n; i++) {
		if (cn->e[i].boot == ts->boot) {
			ts->wall_ms = ts->boot_ms + cn->e[i].lead_ms;
			ts->unsynced = false;
			return true;
		}
	}
	return false;
}
