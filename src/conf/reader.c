/* SPDX-License-Identifier: MIT */
/*
 * Reading a configuration file: the line reader that inih calls, the
 * section headers and "key = value" lines, and the keys of each section.
 */
#include "reader.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/utf8.h"

#define MAX_ERRORS 100		/* reading stops here: binary files would flood */

struct reader {
	struct sgw_diag *d;
	int errors0;		/* d->errors on entry */
	FILE *f;
	char *line;		/* SGW_INI_LINE_MAX + 1 */
	int lineno;
	size_t bytes;		/* read so far: at most SGW_INI_FILE_MAX */
	bool too_big;		/* the file goes on past SGW_INI_FILE_MAX */
	bool nomem;
	int read_errno;
	struct sgw_ini *ini;
	struct sgw_section **stail;	/* where the next section goes */
	struct sgw_section *cur;	/* where keys go; NULL: dropped (see line_reader()) */
	struct sgw_opt **ktail;		/* cur's next key */
	size_t nkeys;			/* cur's keys */
};

/* P, or NULL after noting that memory ran out (which stops reading). */
static void *r_alloc(struct reader *r, void *p)
{
	if (!p)
		r->nomem = true;
	return p;
}

static char *r_strdup(struct reader *r, const char *s)
{
	return r_alloc(r, strdup(s));
}

void sgw_opts_free(struct sgw_opt *o)
{
	while (o) {
		struct sgw_opt *next = o->next;

		free(o->key);
		free(o->value);
		free(o);
		o = next;
	}
}

void sgw_ini_free(struct sgw_ini *ini)
{
	struct sgw_section *s = ini->sections;

	while (s) {
		struct sgw_section *next = s->next;

		sgw_opts_free(s->keys);
		free(s->name);
		free(s);
		s = next;
	}
	ini->sections = NULL;
}

const char *sgw_section_label(const struct sgw_section *s, char *buf, size_t size)
{
	static const char *const kinds[] = { "gateway", "mqtt", "sensor", "queue", "actuator" };

	if (s->name)
		snprintf(buf, size, "[%s %s]", kinds[s->kind], s->name);
	else
		snprintf(buf, size, "[%s]", kinds[s->kind]);
	return buf;
}

/*
 * Read one physical line into r->line, at most SGW_INI_LINE_MAX bytes kept;
 * *total counts all of its bytes so that a long line costs no memory.  At
 * the byte past SGW_INI_FILE_MAX it stops and sets r->too_big: nothing more
 * is read, so an endless stream (/dev/zero through a pipe) ends here too.
 * Returns false at end of file.
 */
static bool read_line(struct reader *r, size_t *total, bool *nul)
{
	size_t n = 0;
	bool any = false;
	int c;

	*total = 0;
	*nul = false;
	while ((c = getc_unlocked(r->f)) != EOF) {
		if (++r->bytes > SGW_INI_FILE_MAX) {
			r->too_big = true;
			return true;
		}
		any = true;
		if (c == '\n')
			break;
		if (c == '\0')
			*nul = true;
		if (n < SGW_INI_LINE_MAX)
			r->line[n++] = (char)c;
		(*total)++;
	}
	if (c == EOF && ferror(r->f))
		r->read_errno = errno ? errno : EIO;
	r->line[n] = '\0';
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

struct sgw_section *sgw_ini_section(const struct sgw_ini *ini, enum sgw_section_kind kind,
				    const char *name)
{
	for (struct sgw_section *s = ini->sections; s; s = s->next) {
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
static bool section_header(struct reader *r, char *s)
{
	char *close = strchr(s, ']'), *inner, *name, *sep, *rest;
	enum sgw_section_kind kind;
	struct sgw_section *sec, *dup;
	char label[SGW_SECTION_LABEL_MAX];

	r->ini->content = true;
	r->ini->bad_headers++;	/* until it proves valid */
	if (!close) {
		sgw_diag_error(r->d, r->lineno, "section header without ']'");
		return false;
	}
	rest = trim(close + 1);
	if (*rest && *rest != ';' && *rest != '#') {
		sgw_diag_error(r->d, r->lineno, "text after the section header: \"%s\"", rest);
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
		kind = SGW_SECTION_GATEWAY;
		if (*name) {
			sgw_diag_error(r->d, r->lineno, "[gateway] takes no name");
			return false;
		}
	} else if (strcmp(inner, "queue") == 0) {
		kind = SGW_SECTION_QUEUE;
		if (*name) {
			sgw_diag_error(r->d, r->lineno, "[queue] takes no name");
			return false;
		}
	} else if (strcmp(inner, "mqtt") == 0) {
		kind = SGW_SECTION_MQTT;
	} else if (strcmp(inner, "sensor") == 0) {
		kind = SGW_SECTION_SENSOR;
		if (!*name) {
			sgw_diag_error(r->d, r->lineno, "sensor section without a name: use [sensor NAME]");
			return false;
		}
	} else if (strcmp(inner, "actuator") == 0) {
		kind = SGW_SECTION_ACTUATOR;
		if (!*name) {
			sgw_diag_error(r->d, r->lineno, "actuator section without a name: use [actuator NAME]");
			return false;
		}
	} else {
		if (name != sep)
			*sep = ' ';	/* the whole header, for the message */
		sgw_diag_error(r->d, r->lineno,
			       "unknown section [%s] (expected [gateway], [mqtt], [mqtt NAME], [queue], [sensor NAME] or [actuator NAME])",
			       inner);
		return false;
	}
	if (*name && !sgw_name_valid(name)) {
		sgw_diag_error(r->d, r->lineno,
			       "[%s %s]: bad name (1..64 characters of A-Z a-z 0-9 . _ -)", inner, name);
		return false;
	}
	dup = sgw_ini_section(r->ini, kind, *name ? name : NULL);
	if (dup) {
		struct sgw_section tmp = { .kind = kind, .name = *name ? name : NULL };

		if (kind == SGW_SECTION_SENSOR || kind == SGW_SECTION_ACTUATOR)
			sgw_diag_error(r->d, r->lineno, "duplicate %s name \"%s\" (first at line %d)",
				       inner, name, dup->line);
		else
			sgw_diag_error(r->d, r->lineno, "duplicate section %s (first at line %d)",
				       sgw_section_label(&tmp, label, sizeof(label)), dup->line);
		return false;
	}
	if (kind == SGW_SECTION_MQTT && r->ini->nuplinks >= SGW_MAX_UPLINKS) {
		sgw_diag_error(r->d, r->lineno, "too many [mqtt] sections (at most %d)", SGW_MAX_UPLINKS);
		return false;
	}
	if (kind == SGW_SECTION_SENSOR && r->ini->nsensors >= SGW_MAX_SENSORS) {
		sgw_diag_error(r->d, r->lineno, "too many sensors (at most %d)", SGW_MAX_SENSORS);
		return false;
	}
	if (kind == SGW_SECTION_ACTUATOR && r->ini->nactuators >= SGW_MAX_ACTUATORS) {
		sgw_diag_error(r->d, r->lineno, "too many actuators (at most %d)", SGW_MAX_ACTUATORS);
		return false;
	}
	sec = r_alloc(r, calloc(1, sizeof(*sec)));
	if (!sec)
		return false;
	sec->kind = kind;
	sec->line = r->lineno;
	if (*name && !(sec->name = r_strdup(r, name))) {
		free(sec);
		return false;
	}
	*r->stail = sec;
	r->stail = &sec->next;
	r->cur = sec;
	r->ktail = &sec->keys;
	r->nkeys = 0;
	if (kind == SGW_SECTION_MQTT)
		r->ini->nuplinks++;
	else if (kind == SGW_SECTION_SENSOR)
		r->ini->nsensors++;
	else if (kind == SGW_SECTION_ACTUATOR)
		r->ini->nactuators++;
	r->ini->bad_headers--;
	return true;
}

/*
 * A "key = value" line: '=' must come first (inih would also split at ':'
 * or give up at an inline comment) and the key must be a plain name.
 */
static bool key_line(struct reader *r, const char *s)
{
	size_t i, klen;

	for (i = 0; s[i]; i++) {
		if (s[i] == '=' || s[i] == ':')
			break;
		if (s[i] == ';' && i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t'))
			break;
	}
	if (s[i] != '=') {
		sgw_diag_error(r->d, r->lineno, "expected \"key = value\"%s",
			       s[i] == ':' ? " (':' is not a separator)" : "");
		return false;
	}
	klen = i;
	while (klen > 0 && (s[klen - 1] == ' ' || s[klen - 1] == '\t'))
		klen--;
	for (size_t k = 0; k < klen; k++) {
		unsigned char c = (unsigned char)s[k];

		if (!isalnum(c) && c != '.' && c != '_' && c != '-') {
			sgw_diag_error(r->d, r->lineno, "bad key name \"%.*s\"", (int)klen, s);
			return false;
		}
	}
	if (klen == 0) {
		sgw_diag_error(r->d, r->lineno, "key missing before '='");
		return false;
	}
	if (!r->cur && !r->ini->content) {
		sgw_diag_error(r->d, r->lineno, "key \"%.*s\" outside any section", (int)klen, s);
		return false;
	}
	return r->cur != NULL;	/* after an invalid header: drop quietly */
}

/*
 * inih's line reader.  inih calls it once per line and handles that line
 * before asking for the next, so r->lineno is the line of the key the
 * handler sees.  Lines that are wrong are reported here and handed to inih
 * as empty lines: inih then has nothing to misread, and no error is told
 * twice.
 */
static char *line_reader(char *buf, int num, void *arg)
{
	struct reader *r = arg;
	const char *why;
	size_t total, len;
	unsigned bad = 0;
	bool nul;
	char *s;

	if (r->ini->stopped || r->nomem || !read_line(r, &total, &nul))
		return NULL;
	r->lineno++;
	buf[0] = '\0';
	if (r->too_big) {
		sgw_diag_error(r->d, r->lineno,
			       "file too large (more than %u bytes): not a configuration file?",
			       SGW_INI_FILE_MAX);
		r->ini->stopped = true;
		return buf;
	}
	if (r->d->errors - r->errors0 >= MAX_ERRORS) {
		sgw_diag_error(r->d, r->lineno, "too many errors, giving up");
		r->ini->stopped = true;
		return buf;
	}
	if (total > SGW_INI_LINE_MAX || total + 3 > (size_t)num) {
		sgw_diag_error(r->d, r->lineno, "line too long (%zu bytes, at most %d)",
			       total, SGW_INI_LINE_MAX);
		return buf;
	}
	if (nul) {
		sgw_diag_error(r->d, r->lineno, "NUL byte in line: not a text file?");
		return buf;
	}
	s = r->line;
	len = total;
	if (r->lineno == 1 && len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
		s += 3;		/* UTF-8 byte order mark */
		len -= 3;
	}
	if (len > 0 && s[len - 1] == '\r')
		s[--len] = '\0';	/* CRLF line ends */
	why = check_text(s, len, &bad);
	if (why) {
		if (bad)
			sgw_diag_error(r->d, r->lineno, "%s 0x%02x in line", why, bad);
		else
			sgw_diag_error(r->d, r->lineno, "%s in line", why);
		return buf;
	}
	/* No leading blanks: inih would take an indented line as a continuation. */
	s = trim(s);
	if (*s == '\0' || *s == ';' || *s == '#')
		return buf;
	if (*s == '[') {
		char copy[SGW_INI_LINE_MAX + 1];

		strcpy(copy, s);
		if (!section_header(r, copy)) {
			r->cur = NULL;
			return buf;
		}
	} else if (!key_line(r, s)) {
		return buf;
	}
	memcpy(buf, s, strlen(s) + 1);
	return buf;
}

static int key_handler(void *user, const char *section, const char *name, const char *value)
{
	struct reader *r = user;
	struct sgw_section *s = r->cur;
	struct sgw_opt *o;
	char label[SGW_SECTION_LABEL_MAX];

	(void)section;		/* ours is in r->cur; inih's is cut at 50 bytes */
	if (!s)
		return 1;
	for (o = s->keys; o; o = o->next) {
		if (strcmp(o->key, name) == 0) {
			sgw_diag_error(r->d, r->lineno, "%s duplicate key \"%s\" (first at line %d)",
				       sgw_section_label(s, label, sizeof(label)), name, o->line);
			return 1;
		}
	}
	if (r->nkeys >= SGW_SECTION_KEYS_MAX) {
		sgw_diag_error(r->d, r->lineno, "%s too many keys (at most %d)",
			       sgw_section_label(s, label, sizeof(label)), SGW_SECTION_KEYS_MAX);
		return 1;
	}
	o = r_alloc(r, calloc(1, sizeof(*o)));
	if (!o)
		return 1;
	o->key = r_strdup(r, name);
	o->value = r_strdup(r, value);
	o->line = r->lineno;
	if (!o->key || !o->value) {
		sgw_opts_free(o);
		return 1;
	}
	*r->ktail = o;
	r->ktail = &o->next;
	r->nkeys++;
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

int sgw_ini_read(FILE *f, struct sgw_diag *d, struct sgw_ini *ini)
{
	static char start_prefixes[] = ";#", inline_prefixes[] = ";";
	struct ini_settings set = {
		.max_line = SGW_INI_LINE_MAX + 3,	/* + '\r', '\n', '\0' */
		.multiline = false,
		.inline_comments = true,	/* "key = value ; comment" */
		.stop_on_first_error = false,
		.no_value = false,
		.bom = false,			/* the reader strips it */
		.use_stack = true,
		.start_prefixes = start_prefixes,
		.inline_prefixes = inline_prefixes,
	};
	struct reader r = { .d = d, .errors0 = d->errors, .f = f, .ini = ini };
	int rc;

	memset(ini, 0, sizeof(*ini));
	r.stail = &ini->sections;
	r.line = malloc(SGW_INI_LINE_MAX + 1);
	if (!r.line)
		return -ENOMEM;
	ini_settings_swap(&set);
	rc = ini_parse_stream(line_reader, &r, key_handler, &r);
	ini_settings_swap(&set);
	free(r.line);
	if (rc == -2)
		r.nomem = true;
	if (r.read_errno) {
		sgw_diag_error(d, 0, "read error: %s", strerror(r.read_errno));
		return -r.read_errno;
	}
	return r.nomem ? -ENOMEM : 0;
}
