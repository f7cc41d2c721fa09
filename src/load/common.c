/* SPDX-License-Identifier: MIT */
/* What every resolver uses: memory, paths, the keys of a section. */
#include "load_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const sgw_load_format_names[] = { "plain", "json", NULL };

void *sgw_load_alloc(struct loader *l, void *p)
{
	if (!p)
		l->nomem = true;
	return p;
}

char *sgw_load_strdup(struct loader *l, const char *s)
{
	return sgw_load_alloc(l, strdup(s));
}

char *sgw_load_printf(struct loader *l, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return sgw_load_alloc(l, n < 0 ? NULL : s);
}

/* Relative paths are taken from the directory of the INI file. */
char *sgw_load_path(struct loader *l, const char *p)
{
	if (p[0] == '/')
		return sgw_load_strdup(l, p);
	return sgw_load_printf(l, "%s/%s", l->dir, p);
}

void sgw_load_section_keys(struct loader *l, const struct sgw_section *s, struct sgw_keys *ks)
{
	char label[SGW_SECTION_LABEL_MAX];

	sgw_keys_init(ks, l->d, s->keys, sgw_section_label(s, label, sizeof(label)), s->line);
}

void sgw_load_unique_keys(struct loader *l, enum sgw_section_kind kind, struct sgw_keys *ks)
{
	const struct sgw_section none = { .kind = kind };
	const struct sgw_section *s = sgw_ini_section(&l->ini, kind, NULL);

	sgw_load_section_keys(l, s ? s : &none, ks);
}

const char *sgw_load_uplink_label(struct loader *l, size_t i, char *buf, size_t size)
{
	for (const struct sgw_section *s = l->ini.sections; s; s = s->next)
		if (s->kind == SGW_SECTION_MQTT && i-- == 0)
			return sgw_section_label(s, buf, size);
	snprintf(buf, size, "[mqtt]");
	return buf;
}
