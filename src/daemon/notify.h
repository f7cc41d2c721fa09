/* SPDX-License-Identifier: MIT */
/*
 * The service manager's notification protocol, as sd_notify(3) documents
 * it: one datagram of "KEY=VALUE" lines, separated by '\n', to the AF_UNIX
 * socket that $NOTIFY_SOCKET names, a path or, when it starts with '@', a
 * name in the abstract namespace.  The kernel attaches our credentials, by
 * which the manager knows who speaks.  Without $NOTIFY_SOCKET there is no
 * socket and nothing is sent.
 *
 * This is the whole of what the daemon needs from libsystemd; linking it
 * would map seven more libraries for a few system calls.
 */
#ifndef SGW_NOTIFY_H
#define SGW_NOTIFY_H

#include <stdint.h>

struct sgw_notify;

/*
 * The socket $NOTIFY_SOCKET names, or NULL: with errno 0 when the variable
 * is unset or empty (no service manager listens), EAFNOSUPPORT when it is
 * neither a path nor '@'NAME, ENAMETOOLONG when it does not fit a socket
 * address, else socket()'s errno.
 */
struct sgw_notify *sgw_notify_open(void);
/* The name the socket sends to, as given ("@name" or a path). */
const char *sgw_notify_name(const struct sgw_notify *n);
void sgw_notify_close(struct sgw_notify *n);

/*
 * Send STATE, "KEY=VALUE" lines separated by '\n' ("READY=1\nSTATUS=..."),
 * in one datagram, without waiting: 0, or -errno (-EAGAIN when the
 * manager's queue is full, -ECONNREFUSED or -ENOENT when nobody listens,
 * -EMSGSIZE from 4 KiB on: the manager would drop it).  N NULL: nothing
 * is sent, 0.
 */
int sgw_notify_send(struct sgw_notify *n, const char *state);
/* The same, STATE formatted as printf() does. */
int sgw_notify_sendf(struct sgw_notify *n, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The watchdog's timeout in microseconds: $WATCHDOG_USEC when it is a
 * positive number and $WATCHDOG_PID is unset or this process's ID (a child
 * that inherited them keeps quiet); else 0, no watchdog.  The manager
 * expects WATCHDOG=1 more often than that, sd_watchdog_enabled(3) says at
 * half the timeout.
 */
uint64_t sgw_notify_watchdog_usec(void);

#endif
