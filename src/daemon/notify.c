/* SPDX-License-Identifier: MIT */
#include "notify.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* The manager ignores longer datagrams; ours are far shorter. */
#define NOTIFY_MAX 4096

struct sgw_notify {
	int fd;
	struct sockaddr_un addr;
	socklen_t addrlen;
	char *name;
};

/* NAME as a socket address: a path, or '@' for the abstract namespace. */
static int notify_addr(struct sgw_notify *n, const char *name)
{
	size_t len = strlen(name);

	if (name[0] != '/' && name[0] != '@')
		return -EAFNOSUPPORT;
	/* A path needs its '\0' in sun_path; an abstract name does not have one. */
	if (len > sizeof(n->addr.sun_path) - (name[0] == '/'))
		return -ENAMETOOLONG;
	if (name[0] == '@' && len < 2)
		return -EAFNOSUPPORT;
	n->addr.sun_family = AF_UNIX;
	memcpy(n->addr.sun_path, name, len);
	if (name[0] == '@')
		n->addr.sun_path[0] = '\0';
	n->addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + (name[0] == '/'));
	return 0;
}

struct sgw_notify *sgw_notify_open(void)
{
	const char *name = getenv("NOTIFY_SOCKET");
	struct sgw_notify *n;
	int err;

	if (!name || !*name) {
		errno = 0;
		return NULL;
	}
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->fd = -1;
	err = notify_addr(n, name);
	if (err < 0)
		goto err_free;
	n->name = strdup(name);
	if (!n->name) {
		err = -errno;
		goto err_free;
	}
	/* Never waits: a busy manager must not hold up the loop that feeds its watchdog. */
	n->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (n->fd < 0) {
		err = -errno;
		goto err_name;
	}
	return n;

err_name:
	free(n->name);
err_free:
	free(n);
	errno = -err;
	return NULL;
}

const char *sgw_notify_name(const struct sgw_notify *n)
{
	return n->name;
}

void sgw_notify_close(struct sgw_notify *n)
{
	if (!n)
		return;
	close(n->fd);
	free(n->name);
	free(n);
}

int sgw_notify_send(struct sgw_notify *n, const char *state)
{
	size_t len = strlen(state);
	ssize_t w;

	if (!n)
		return 0;
	if (len >= NOTIFY_MAX)
		return -EMSGSIZE;
	/*
	 * Addressed each time rather than connected once: the manager may
	 * bind its socket again (a re-executed systemd keeps the name).
	 */
	do
		w = sendto(n->fd, state, len, MSG_NOSIGNAL, (const struct sockaddr *)&n->addr,
			   n->addrlen);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return -errno;
	return (size_t)w == len ? 0 : -EMSGSIZE;
}

int sgw_notify_sendf(struct sgw_notify *n, const char *fmt, ...)
{
	char buf[NOTIFY_MAX];
	va_list ap;
	int len;

	if (!n)
		return 0;
	va_start(ap, fmt);
	len = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (len < 0)
		return -EINVAL;
	if ((size_t)len >= sizeof(buf))
		return -EMSGSIZE;
	return sgw_notify_send(n, buf);
}

/* A decimal number of digits only, 1..MAX; else 0. */
static uint64_t env_number(const char *name, uint64_t max)
{
	const char *s = getenv(name);
	unsigned long long v;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return 0;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end || errno == ERANGE || v > max)
		return 0;
	return v;
}

uint64_t sgw_notify_watchdog_usec(void)
{
	/* In ns the timeout must still fit an int64_t. */
	uint64_t usec = env_number("WATCHDOG_USEC", INT64_MAX / 1000);

	if (getenv("WATCHDOG_PID") && env_number("WATCHDOG_PID", INT32_MAX) != (uint64_t)getpid())
		return 0;
	return usec;
}
