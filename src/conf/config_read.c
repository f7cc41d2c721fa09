/* SPDX-License-Identifier: MIT */
/*
 * Reading a configuration file: the line reader that inih calls, the
 * section headers and "key = value" lines, and the keys of each section.
 */
#include "config_int.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/parse.h"
#include "util/utf8.h"

#define MAX_ERRORS 100		/* reading stops here: binary files would flood */

void *sgw_cfg_alloc(struct loader *l, void *p)
{
	if (!p) {
		l->nomem = true;
		l->stop = true;
	}
	return p;
}

char *sgw_cfg_strdup(struct loader *l, const char *s)
{
	return sgw_cfg_alloc(l, strdup(s));
}

char *sgw_cfg_printf(struct loader *l, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return sgw_cfg_alloc(l, n < 0 ? NULL : s);
}

void sgw_cfg_opts_free(struct sgw_opt *o)
{
	while (o) {
		struct sgw_opt *next = o->next;

		free(o->key);
		free(o->value);
		free(o);
		o = next;
	}
}

void sgw_cfg_sections_free(struct section *s)
{
	while (s) {
		struct section *next = s->next;

		sgw_cfg_opts_free(s->keys);
		free(s->name);
		free(s);
		s = next;
	}
}

const char *sgw_cfg_section_label(const struct section *s, char *buf, size_t size)
{
	static const char *const kinds[] = { "gateway", "mqtt", "sensor", "queue" };

	if (s->name)
		snprintf(buf, size, "[%s %s]", kinds[s->kind], s->name);
	else
		snprintf(buf, size, "[%s]", kinds[s->kind]);
	return buf;
}

/*
 * Read one physical line into l->line, at most INI_LINE_MAX bytes kept;
 * *total counts all of its bytes so that a 10 MB line costs no memory.
 * Returns false at end of file.
 */
static bool read_line(struct loader *l, size_t *total, bool *nul)
{
	size_t n = 0;
	bool any = false;
	int c;

	*total = 0;
	*nul = false;
	while ((c = getc_unlocked(l->f)) != EOF) {
		any = true;
		if (c == '\n')
			break;
		if (c == '\0')
			*nul = true;
		if (n < INI_LINE_MAX)
			l->line[n++] = (char)c;
		(*total)++;
	}
	if (c == EOF && ferror(l->f))
		l->read_errno = errno ? errno : EIO;
	l->line[n] = '\0';
	return any;
}

/* Valid UTF-8, and no control characters but tab: else a message. */
static const char *check_text(const char *s, size_t len, unsigned *bad)
{
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		int n = sgw_utf8_decode(s + i, len - i, &cp);

		if (n < 0)
			return "invalid UTF-8";
		if ((cp < 0x20 && cp != '\t') || cp == 0x7f) {
			*bad = cp;
			return "control character";
		}
		i += (size_t)n;
	}
	return NULL;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

struct section *sgw_cfg_find_section(struct loader *l, enum section_kind kind,
				     const char *name)
{
	for (struct section *s = l->sections; s; s = s->next) {
		if (s->kind != kind)
			continue;
		if ((!s->name && !name) || (s->name && name && strcmp(s->name, name) == 0))
			return s;
	}
	return NULL;
}

/*
 * "[kind]" or "[kind name]" (already trimmed, brackets included).  Returns
 * whether the header is valid; keys after an invalid one are dropped without
 * further messages, as they would only repeat the one error.
 */
static bool section_header(struct loader *l, char *s)
{
	char *close = strchr(s, ']'), *inner, *name, *sep, *rest;
	enum section_kind kind;
	struct section *sec, *dup;
	char label[SGW_NAME_MAX + 16];

	l->content = true;
	l->bad_headers++;	/* until it proves valid */
	if (!close) {
		sgw_diag_error(l->d, l->lineno, "section header without ']'");
		return false;
	}
	rest = trim(close + 1);
	if (*rest && *rest != ';' && *rest != '#') {
		sgw_diag_error(l->d, l->lineno, "text after the section header: \"%s\"", rest);
		return false;
	}
	*close = '\0';
	inner = trim(s + 1);
	name = sep = inner + strcspn(inner, " \t");
	if (*name) {
		*name++ = '\0';
		name = trim(name);
	}
	if (strcmp(inner, "gateway") == 0) {
		kind = SECTION_GATEWAY;
		if (*name) {
			sgw_diag_error(l->d, l->lineno, "[gateway] takes no name");
			return false;
		}
	} else if (strcmp(inner, "queue") == 0) {
		kind = SECTION_QUEUE;
		if (*name) {
			sgw_diag_error(l->d, l->lineno, "[queue] takes no name");
			return false;
		}
	} else if (strcmp(inner, "mqtt") == 0) {
		kind = SECTION_MQTT;
	} else if (strcmp(inner, "sensor") == 0) {
		kind = SECTION_SENSOR;
		if (!*name) {
			sgw_diag_error(l->d, l->lineno, "sensor section without a name: use [sensor NAME]");
			return false;
		}
	} else {
		if (name != sep)
			*sep = ' ';	/* the whole header, for the message */
		sgw_diag_error(l->d, l->lineno,
			       "unknown section [%s] (expected [gateway], [mqtt], [mqtt NAME], [queue] or [sensor NAME])",
			       inner);
		return false;
	}
	if (*name && !sgw_name_valid(name)) {
		sgw_diag_error(l->d, l->lineno,
			       "[%s %s]: bad name (1..64 characters of A-Z a-z 0-9 . _ -)", inner, name);
		return false;
	}
	dup = sgw_cfg_find_section(l, kind, *name ? name : NULL);
	if (dup) {
		struct section tmp = { .kind = kind, .name = *name ? name : NULL };

		if (kind == SECTION_SENSOR)
			sgw_diag_error(l->d, l->lineno, "duplicate sensor name \"%s\" (first at line %d)",
				       name, dup->line);
		else
			sgw_diag_error(l->d, l->lineno, "duplicate section %s (first at line %d)",
				       sgw_cfg_section_label(&tmp, label, sizeof(label)), dup->line);
		return false;
	}
	if (kind == SECTION_MQTT && l->nuplinks >= SGW_MAX_UPLINKS) {
		sgw_diag_error(l->d, l->lineno, "too many [mqtt] sections (at most %d)", SGW_MAX_UPLINKS);
		return false;
	}
	if (kind == SECTION_SENSOR && l->nsensors >= SGW_MAX_SENSORS) {
		sgw_diag_error(l->d, l->lineno, "too many sensors (at most %d)", SGW_MAX_SENSORS);
		return false;
	}
	sec = sgw_cfg_alloc(l, calloc(1, sizeof(*sec)));
	if (!sec)
		return false;
	sec->kind = kind;
	sec->line = l->lineno;
	sec->tail = &sec->keys;
	if (*name && !(sec->name = sgw_cfg_strdup(l, name))) {
		free(sec);
		return false;
	}
	*l->stail = sec;
	l->stail = &sec->next;
	l->cur = sec;
	if (kind == SECTION_MQTT)
		l->nuplinks++;
	else if (kind == SECTION_SENSOR)
		l->nsensors++;
	l->bad_headers--;
	return true;
}

/*
 * A "key = value" line: '=' must come first (inih would also split at ':'
 * or give up at an inline comment) and the key must be a plain name.
 */
static bool key_line(struct loader *l, const char *s)
{
	size_t i, klen;

	for (i = 0; s[i]; i++) {
		if (s[i] == '=' || s[i] == ':')
			break;
		if (s[i] == ';' && i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t'))
			break;
	}
	if (s[i] != '=') {
		sgw_diag_error(l->d, l->lineno, "expected \"key = value\"%s",
			       s[i] == ':' ? " (':' is not a separator)" : "");
		return false;
	}
	klen = i;
	while (klen > 0 && (s[klen - 1] == ' ' || s[klen - 1] == '\t'))
		klen--;
	for (size_t k = 0; k < klen; k++) {
		unsigned char c = (unsigned char)s[k];

		if (!isalnum(c) && c != '.' && c != '_' && c != '-') {
			sgw_diag_error(l->d, l->lineno, "bad key name \"%.*s\"", (int)klen, s);
			return false;
		}
	}
	if (klen == 0) {
		sgw_diag_error(l->d, l->lineno, "key missing before '='");
		return false;
	}
	if (!l->cur && !l->content) {
		sgw_diag_error(l->d, l->lineno, "key \"%.*s\" outside any section", (int)klen, s);
		return false;
	}
	return l->cur != NULL;	/* after an invalid header: drop quietly */
}

/*
 * inih's line reader.  inih calls it once per line and handles that line
 * before asking for the next, so l->lineno is the line of the key the
 * handler sees.  Lines that are wrong are reported here and handed to inih
 * as empty lines: inih then has nothing to misread, and no error is told
 * twice.
 */
static char *line_reader(char *buf, int num, void *arg)
{
	struct loader *l = arg;
	const char *why;
	size_t total, len;
	unsigned bad = 0;
	bool nul;
	char *s;

	if (l->stop || !read_line(l, &total, &nul))
		return NULL;
	l->lineno++;
	buf[0] = '\0';
	if (l->d->errors - l->errors0 >= MAX_ERRORS) {
		sgw_diag_error(l->d, l->lineno, "too many errors, giving up");
		l->stop = true;
		return buf;
	}
	if (total > INI_LINE_MAX || total + 3 > (size_t)num) {
		sgw_diag_error(l->d, l->lineno, "line too long (%zu bytes, at most %d)",
			       total, INI_LINE_MAX);
		return buf;
	}
	if (nul) {
		sgw_diag_error(l->d, l->lineno, "NUL byte in line: not a text file?");
		return buf;
	}
	s = l->line;
	len = total;
	if (l->lineno == 1 && len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
		s += 3;		/* UTF-8 byte order mark */
		len -= 3;
	}
	if (len > 0 && s[len - 1] == '\r')
		s[--len] = '\0';	/* CRLF line ends */
	why = check_text(s, len, &bad);
	if (why) {
		if (bad)
			sgw_diag_error(l->d, l->lineno, "%s 0x%02x in line", why, bad);
		else
			sgw_diag_error(l->d, l->lineno, "%s in line", why);
		return buf;
	}
	/* No leading blanks: inih would take an indented line as a continuation. */
	s = trim(s);
	if (*s == '\0' || *s == ';' || *s == '#')
		return buf;
	if (*s == '[') {
		char copy[INI_LINE_MAX + 1];

		strcpy(copy, s);
		if (!section_header(l, copy)) {
			l->cur = NULL;
			return buf;
		}
	} else if (!key_line(l, s)) {
		return buf;
	}
	memcpy(buf, s, strlen(s) + 1);
	return buf;
}

static int key_handler(void *user, const char *section, const char *name, const char *value)
{
	struct loader *l = user;
	struct section *s = l->cur;
	struct sgw_opt *o;
	char label[SGW_NAME_MAX + 16];

	(void)section;		/* ours is in l->cur; inih's is cut at 50 bytes */
	if (!s)
		return 1;
	for (o = s->keys; o; o = o->next) {
		if (strcmp(o->key, name) == 0) {
			sgw_diag_error(l->d, l->lineno, "%s duplicate key \"%s\" (first at line %d)",
				       sgw_cfg_section_label(s, label, sizeof(label)), name, o->line);
			return 1;
		}
	}
	if (s->nkeys >= MAX_KEYS) {
		sgw_diag_error(l->d, l->lineno, "%s too many keys (at most %d)",
			       sgw_cfg_section_label(s, label, sizeof(label)), MAX_KEYS);
		return 1;
	}
	o = sgw_cfg_alloc(l, calloc(1, sizeof(*o)));
	if (!o)
		return 1;
	o->key = sgw_cfg_strdup(l, name);
	o->value = sgw_cfg_strdup(l, value);
	o->line = l->lineno;
	if (!o->key || !o->value) {
		sgw_cfg_opts_free(o);
		return 1;
	}
	*s->tail = o;
	s->tail = &o->next;
	s->nkeys++;
	return 1;
}

/* Debian's libinih keeps its build options in globals; set ours for the parse. */
struct ini_settings {
	int max_line;
	bool multiline, inline_comments, stop_on_first_error, no_value, bom, use_stack;
	char *start_prefixes, *inline_prefixes;
};

static void ini_settings_swap(struct ini_settings *s)
{
	struct ini_settings old = {
		ini_max_line, ini_allow_multiline, ini_allow_inline_comments,
		ini_stop_on_first_error, ini_allow_no_value, ini_allow_bom, ini_use_stack,
		ini_start_comment_prefixes, ini_inline_comment_prefixes,
	};

	ini_max_line = s->max_line;
	ini_allow_multiline = s->multiline;
	ini_allow_inline_comments = s->inline_comments;
	ini_stop_on_first_error = s->stop_on_first_error;
	ini_allow_no_value = s->no_value;
	ini_allow_bom = s->bom;
	ini_use_stack = s->use_stack;
	ini_start_comment_prefixes = s->start_prefixes;
	ini_inline_comment_prefixes = s->inline_prefixes;
	*s = old;
}

int sgw_cfg_read_file(struct loader *l)
{
	static char start_prefixes[] = ";#", inline_prefixes[] = ";";
	struct ini_settings set = {
		.max_line = INI_LINE_MAX + 3,	/* + '\r', '\n', '\0' */
		.multiline = false,
		.inline_comments = true,	/* "key = value ; comment" */
		.stop_on_first_error = false,
		.no_value = false,
		.bom = false,			/* the reader strips it */
		.use_stack = true,
		.start_prefixes = start_prefixes,
		.inline_prefixes = inline_prefixes,
	};
	int rc;

	ini_settings_swap(&set);
	rc = ini_parse_stream(line_reader, l, key_handler, l);
	ini_settings_swap(&set);
	if (rc == -2)
		l->nomem = true;
	if (l->read_errno) {
		sgw_diag_error(l->d, 0, "read error: %s", strerror(l->read_errno));
		return -l->read_errno;
	}
	return l->nomem ? -ENOMEM : 0;
}
