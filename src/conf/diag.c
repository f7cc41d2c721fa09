/* SPDX-License-Identifier: MIT */
#include "diag.h"

#include <stdarg.h>

__attribute__((format(printf, 4, 0)))
static void diag_vreport(struct sgw_diag *d, int line, const char *kind,
			 const char *fmt, va_list ap)
{
	if (!d->out)
		return;
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
	diag_vreport(d, line, "", fmt, ap);
	va_end(ap);
}

void sgw_diag_warning(struct sgw_diag *d, int line, const char *fmt, ...)
{
	va_list ap;

	d->warnings++;
	va_start(ap, fmt);
	diag_vreport(d, line, "warning: ", fmt, ap);
	va_end(ap);
}
