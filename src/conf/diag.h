/* SPDX-License-Identifier: MIT */
/*
 * Configuration diagnostics: every error is reported as "FILE:LINE: message"
 * and counted, so that all of them are shown at once and the daemon refuses
 * to start on any (OpenBSD ntpd style).
 */
#ifndef SGW_DIAG_H
#define SGW_DIAG_H

#include <stdbool.h>
#include <stdio.h>

struct sgw_diag {
	const char *file;	/* file name used in messages */
	FILE *out;		/* where messages go; NULL = count only */
	/*
	 * Start each line with its syslog level, "<3>" or "<4>", as the
	 * daemon's log lines do, so that journald keeps warnings apart.
	 */
	bool levels;
	int errors;		/* number of errors reported */
	int warnings;
};

/* Report an error at LINE of diag->file (line 0: no line known). */
void sgw_diag_error(struct sgw_diag *d, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void sgw_diag_warning(struct sgw_diag *d, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
