/* SPDX-License-Identifier: MIT */
#include "diag.h"

#include <stdarg.h>

/* syslog(3)'s LOG_ERR and LOG_WARNING, as util/log.h writes them. */
#define LEVEL_ERR 3
#define LEVEL_WARNING 4

__attribute__((format(printf, 5, 0)))
static void diag_vreport(struct sgw_diag *d, int line, int level, const char *kind,
			 const char *fmt, va_list ap)
{
	if (!d->out)
		return;
	if (d->levels)
		fprintf(d->out, "<%d>", level);
	if (line > 0)
		fprintf(d->out, "%s:%d: %s", d->file, line, kind);
	else
		fprintf(d->out, "%s: %s", d->file, kind);
	vfprintf(d->out, fmt, ap);
	fputc('\n', d->out);
}

void sgw_diag_error(struct sgw_diag *d, int line, const char *fmt, ...)
{
	va_list ap;

	d->errors++;
	va_start(ap, fmt);
	diag_vreport(d, line, LEVEL_ERR, "", fmt, ap);
	va_end(ap);
}

void sgw_diag_warning(struct sgw_diag *d, int line, const char *fmt, ...)
{
	va_list ap;

	d->warnings++;
	va_start(ap, fmt);
	diag_vreport(d, line, LEVEL_WARNING, "warning: ", fmt, ap);
	va_end(ap);
}
