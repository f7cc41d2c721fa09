/* SPDX-License-Identifier: MIT */
/*
 * Logging, after OpenBSD's ntpd: log_warn() appends strerror(errno),
 * log_warnx() does not; fatal() logs and exits (main.c alone uses it).
 * Lines go to stderr with a syslog priority prefix ("<3>") so that journald
 * keeps the level.
 *
 * Who prints: the daemon (src/daemon, src/main.c) and the parts it runs on
 * its loop, store and forward (src/deliver) and sampling (src/sense).  The
 * libraries below them (util, conf, queue, drivers, message, mqtt) never
 * print: they return -errno, report configuration errors through
 * struct sgw_diag, or hand events to a handler (the MQTT uplink), and the
 * caller decides what to say.  The `log:` line of docs/architecture.md
 * holds this rule and tests/arch/check_layers.py enforces it.  Lines name
 * what they are about the same way everywhere: "[sensor NAME] ...",
 * "[mqtt NAME] ...", "disk queue: ...".
 */
#ifndef SGW_LOG_H
#define SGW_LOG_H

#include <stdarg.h>
#include <stdnoreturn.h>

enum sgw_log_level {
	SGW_LOG_ERR = 3,
	SGW_LOG_WARNING = 4,
	SGW_LOG_NOTICE = 5,
	SGW_LOG_INFO = 6,
	SGW_LOG_DEBUG = 7,
};

/* Messages above this level are dropped; default SGW_LOG_INFO. */
void log_set_level(int level);
int log_get_level(void);
/* Prefix every line with "<N>" (journald style).  Default on. */
void log_set_prefix(int on);

void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_vmsg(int level, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
noreturn void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
