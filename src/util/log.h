/* SPDX-License-Identifier: MIT */
/*
 * Logging, after OpenBSD's ntpd: log_warn() appends strerror(errno),
 * log_warnx() does not; fatal() logs and exits.  Lines go to stderr with a
 * syslog priority prefix ("<3>") so that journald keeps the level.
 * Library-like code (config, queue, drivers, uplink) reports errors through
 * return values and leaves printing to the daemon; these helpers are for the
 * daemon core.
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
