/* SPDX-License-Identifier: MIT */
/*
 * INI configuration loader.
 *
 * Two passes.  Reading: inih splits "key = value" lines while our own line
 * reader counts lines, rejects what inih would mangle or ignore (over-long
 * lines, NUL bytes, invalid UTF-8, lines without '=', malformed section
 * headers) and tracks the sections; every key is stored with its line.
 * Resolving: once the whole file is read, each section's keys are taken by
 * typed getters, so keys may come in any order (a per-quantity key before
 * "driver ="), defaults can depend on other sections ({gateway} in a
 * client ID), and every error of the file is reported, not just the first.
 */
#include "config.h"
#include "filter.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parse.h"
#include "sensor.h"
#include "topic.h"

#define INI_LINE_MAX 4096	/* bytes of one line, newline excluded */
#define MAX_ERRORS 100		/* reading stops here: binary files would flood */
#define MAX_KEYS 256		/* per section */
#define NAME_MAX_LEN 64		/* gateway, uplink, sensor and quantity names */
#define PASSWORD_MAX 65535	/* MQTT binary data length */

#define DEFAULT_PREFIX "sensorgw"
#define DEFAULT_TOPIC "{prefix}/{sensor}/{quantity}"
#define DEFAULT_CLIENT_ID "sensorgw-{gateway}"
#define DEFAULT_STATE_DIR SGW_LOCALSTATEDIR "/lib/sensorgw"

enum section_kind { SECTION_GATEWAY, SECTION_MQTT, SECTION_SENSOR, SECTION_QUEUE };

/* A section as read: its keys, in file order, all unused yet. */
struct section {
	enum section_kind kind;
	char *name;		/* NULL for [gateway] and [mqtt] */
	int line;
	struct sgw_opt *keys, **tail;
	size_t nkeys;
	struct section *next;
};

struct loader {
	struct sgw_diag *d;
	int errors0;		/* d->errors on entry */
	FILE *f;
	char *dir;		/* absolute directory of the file: base of relative paths */
	char *line;		/* INI_LINE_MAX + 1 */
	int lineno;
	bool content;		/* a section header was seen */
	int bad_headers;	/* section headers rejected */
	bool stop;		/* give up reading (too many errors, no memory) */
	bool nomem;
	int read_errno;
	struct section *sections, **stail;
	struct section *cur;	/* where keys go; NULL: dropped (see reader) */
	size_t nsensors, nuplinks;
	struct sgw_config *cfg;
	int *topic_line;	/* [sensor * SGW_MAX_CHANNELS]: line of each topic */
};

/* The keys of one section and how messages name it: "[sensor sala]". */
struct keyset {
	struct sgw_diag *d;
	struct sgw_opt *list;
	char label[NAME_MAX_LEN + 16];
};

/* ------------------------------------------------------------ messages */

/* "value" for messages: cut at a character boundary when long. */
static const char *sgw_cfg_quote(const char *v, char *buf, size_t size)
{
	size_t len = strlen(v), max = size - 6;

	if (len <= max) {
		snprintf(buf, size, "\"%s\"", v);
		return buf;
	}
	while (max > 0 && ((unsigned char)v[max] & 0xc0) == 0x80)
		max--;
	snprintf(buf, size, "\"%.*s...\"", (int)max, v);
	return buf;
}

static void vkey_error(struct keyset *ks, const struct sgw_opt *o, bool with_value,
		       const char *fmt, va_list ap)
{
	char msg[512], q[80];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (with_value)
		sgw_diag_error(ks->d, o->line, "%s %s: %s %s", ks->label, o->key,
			       sgw_cfg_quote(o->value, q, sizeof(q)), msg);
	else
		sgw_diag_error(ks->d, o->line, "%s %s: %s", ks->label, o->key, msg);
}

/* "FILE:LINE: [section] key: "value" MESSAGE" */
__attribute__((format(printf, 3, 4)))
static void sgw_ks_bad(struct keyset *ks, const struct sgw_opt *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vkey_error(ks, o, true, fmt, ap);
	va_end(ap);
}

/* "FILE:LINE: [section] key: MESSAGE" */
__attribute__((format(printf, 3, 4)))
static void sgw_ks_error(struct keyset *ks, const struct sgw_opt *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vkey_error(ks, o, false, fmt, ap);
	va_end(ap);
}

static void sgw_cfg_fmt_ms(uint32_t ms, char *buf, size_t size)
{
	if (ms != 0 && ms % 3600000u == 0)
		snprintf(buf, size, "%uh", (unsigned)(ms / 3600000u));
	else if (ms != 0 && ms % 60000u == 0)
		snprintf(buf, size, "%um", (unsigned)(ms / 60000u));
	else if (ms != 0 && ms % 1000u == 0)
		snprintf(buf, size, "%us", (unsigned)(ms / 1000u));
	else
		snprintf(buf, size, "%ums", (unsigned)ms);
}

static void fmt_fixed(int64_t v, int scale, char *buf, size_t size)
{
	uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	uint64_t div = 1;

	for (int i = 0; i < scale; i++)
		div *= 10;
	if (scale == 0)
		snprintf(buf, size, "%s%llu", v < 0 ? "-" : "", (unsigned long long)mag);
	else
		snprintf(buf, size, "%s%llu.%0*llu", v < 0 ? "-" : "",
			 (unsigned long long)(mag / div), scale,
			 (unsigned long long)(mag % div));
}

/* 1..64 characters of [A-Za-z0-9._-]: safe in topics, file names, bus names. */
static bool sgw_cfg_valid_name(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++) {
		unsigned char c = (unsigned char)s[n];

		if (!isalnum(c) && c != '.' && c != '_' && c != '-')
			return false;
	}
	return n >= 1 && n <= NAME_MAX_LEN;
}

/* ------------------------------------------------------------ typed getters */

static struct sgw_opt *sgw_ks_find(struct keyset *ks, const char *key)
{
	for (struct sgw_opt *o = ks->list; o; o = o->next)
		if (strcmp(o->key, key) == 0)
			return o;
	return NULL;
}

/*
 * The getters below return 1 when KEY was given and is valid, 0 when it is
 * absent (*out = def), -EINVAL after reporting a bad value (*out = def too,
 * so that resolving goes on and finds the next error).
 */
static int sgw_ks_get(struct keyset *ks, const char *key, struct sgw_opt **out)
{
	struct sgw_opt *o = sgw_ks_find(ks, key);

	*out = o;
	if (!o)
		return 0;
	o->used = true;
	if (o->value[0] == '\0') {
		sgw_ks_error(ks, o, "empty value (leave the key out for the default)");
		return -EINVAL;
	}
	return 1;
}

static int sgw_ks_str(struct keyset *ks, const char *key, const char *def, const char **out)
{
	struct sgw_opt *o;
	int ret = sgw_ks_get(ks, key, &o);

	*out = ret == 1 ? o->value : def;
	return ret;
}

static int sgw_ks_long(struct keyset *ks, const char *key, long def, long min, long max,
		       long *out)
{
	struct sgw_opt *o;
	int ret = sgw_ks_get(ks, key, &o);

	*out = def;
	if (ret != 1)
		return ret;
	ret = sgw_parse_long(o->value, min, max, out);
	if (ret == -ERANGE)
		sgw_ks_bad(ks, o, "is out of range (%ld..%ld)", min, max);
	else if (ret)
		sgw_ks_bad(ks, o, "is not an integer");
	if (ret) {
		*out = def;
		return -EINVAL;
	}
	return 1;
}

static int ks_fixed(struct keyset *ks, const char *key, int scale, int64_t def,
		    int64_t min, int64_t max, int64_t *out)
{
	struct sgw_opt *o;
	int ret = sgw_ks_get(ks, key, &o);

	*out = def;
	if (ret != 1)
		return ret;
	ret = sgw_parse_fixed(o->value, scale, min, max, out);
	if (ret == -ERANGE) {
		char a[32], b[32];

		fmt_fixed(min, scale, a, sizeof(a));
		fmt_fixed(max, scale, b, sizeof(b));
		sgw_ks_bad(ks, o, "is out of range (%s..%s)", a, b);
	} else if (ret) {
		sgw_ks_bad(ks, o, "is not a number with at most %d decimals", scale);
	}
	if (ret) {
		*out = def;
		return -EINVAL;
	}
	return 1;
}

static int sgw_ks_bool(struct keyset *ks, const char *key, bool def, bool *out)
{
	struct sgw_opt *o;
	int ret = sgw_ks_get(ks, key, &o);

	*out = def;
	if (ret != 1)
		return ret;
	if (sgw_parse_bool(o->value, out)) {
		sgw_ks_bad(ks, o, "is not a boolean (true/false, yes/no, on/off, 1/0)");
		*out = def;
		return -EINVAL;
	}
	return 1;
}

static int sgw_ks_enum(struct keyset *ks, const char *key, const char *const *names, int def,
		       int *out)
{
	struct sgw_opt *o;
	int ret = sgw_ks_get(ks, key, &o);
	char list[256] = "";

	*out = def;
	if (ret != 1)
		return ret;
	for (int i = 0; names[i]; i++) {
		if (strcmp(o->value, names[i]) == 0) {
			*out = i;
			return 1;
		}
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			 i ? ", " : "", names[i]);
	}
	sgw_ks_bad(ks, o, "is not one of: %s", list);
	return -EINVAL;
}

static int sgw_ks_duration(struct keyset *ks, const char *key, uint32_t def, uint32_t min,
			   uint32_t max, uint32_t *out)
{
	struct sgw_opt *o;
	int ret = sgw_ks_get(ks, key, &o);

	*out = def;
	if (ret != 1)
		return ret;
	ret = sgw_parse_duration_ms(o->value, min, max, out);
	if (ret == -ERANGE) {
		char a[32], b[32];

		sgw_cfg_fmt_ms(min, a, sizeof(a));
		sgw_cfg_fmt_ms(max, b, sizeof(b));
		sgw_ks_bad(ks, o, "is out of range (%s..%s)", a, b);
	} else if (ret) {
		sgw_ks_bad(ks, o, "is not a duration (e.g. 250ms, 10s, 5m, 1h)");
	}
	if (ret) {
		*out = def;
		return -EINVAL;
	}
	return 1;
}

static void sensor_keyset(struct keyset *ks, struct sgw_sensor_config *sc, struct sgw_diag *d)
{
	ks->d = d;
	ks->list = sc->opts;
	snprintf(ks->label, sizeof(ks->label), "[sensor %s]", sc->name ? sc->name : "?");
}

/* Public getters for drivers: the same, over the sensor's driver keys. */

const struct sgw_opt *sgw_opt_find(struct sgw_sensor_config *sc, const char *key)
{
	for (struct sgw_opt *o = sc->opts; o; o = o->next) {
		if (strcmp(o->key, key) == 0) {
			o->used = true;	/* the driver knows the key */
			return o;
		}
	}
	return NULL;
}

int sgw_opt_str(struct sgw_sensor_config *sc, struct sgw_diag *d, const char *key,
		const char *def, const char **out)
{
	struct keyset ks;

	sensor_keyset(&ks, sc, d);
	return sgw_ks_str(&ks, key, def, out) < 0 ? -EINVAL : 0;
}

int sgw_opt_long(struct sgw_sensor_config *sc, struct sgw_diag *d, const char *key,
		 long def, long min, long max, long *out)
{
	struct keyset ks;

	sensor_keyset(&ks, sc, d);
	return sgw_ks_long(&ks, key, def, min, max, out) < 0 ? -EINVAL : 0;
}

int sgw_opt_fixed(struct sgw_sensor_config *sc, struct sgw_diag *d, const char *key,
		  int scale, int64_t def, int64_t min, int64_t max, int64_t *out)
{
	struct keyset ks;

	sensor_keyset(&ks, sc, d);
	return ks_fixed(&ks, key, scale, def, min, max, out) < 0 ? -EINVAL : 0;
}

int sgw_opt_bool(struct sgw_sensor_config *sc, struct sgw_diag *d, const char *key,
		 bool def, bool *out)
{
	struct keyset ks;

	sensor_keyset(&ks, sc, d);
	return sgw_ks_bool(&ks, key, def, out) < 0 ? -EINVAL : 0;
}

int sgw_opt_enum(struct sgw_sensor_config *sc, struct sgw_diag *d, const char *key,
		 const char *const *names, int def, int *out)
{
	struct keyset ks;

	sensor_keyset(&ks, sc, d);
	return sgw_ks_enum(&ks, key, names, def, out) < 0 ? -EINVAL : 0;
}

int sgw_opt_duration_ms(struct sgw_sensor_config *sc, struct sgw_diag *d, const char *key,
			uint32_t def, uint32_t min, uint32_t max, uint32_t *out)
{
	struct keyset ks;

	sensor_keyset(&ks, sc, d);
	return sgw_ks_duration(&ks, key, def, min, max, out) < 0 ? -EINVAL : 0;
}

int sgw_sensor_add_channel(struct sgw_sensor_config *sc, const char *name,
			   const char *unit, int scale, int precision)
{
	struct sgw_channel_config *ch;

	if (sc->nchannels >= SGW_MAX_CHANNELS)
		return -ENOSPC;
	if (!name || !sgw_cfg_valid_name(name) || scale < 0 || scale > 9 ||
	    precision < 0 || precision > 9)
		return -EINVAL;
	for (size_t i = 0; i < sc->nchannels; i++)
		if (strcmp(sc->ch[i].name, name) == 0)
			return -EEXIST;
	ch = &sc->ch[sc->nchannels];
	memset(ch, 0, sizeof(*ch));
	ch->name = strdup(name);
	ch->unit = strdup(unit ? unit : "");
	if (!ch->name || !ch->unit) {
		free(ch->name);
		free(ch->unit);
		memset(ch, 0, sizeof(*ch));
		return -ENOMEM;
	}
	ch->scale = scale;
	ch->precision = precision;
	return (int)sc->nchannels++;
}

const struct sgw_sensor_config *sgw_config_sensor(const struct sgw_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->nsensors; i++)
		if (strcmp(cfg->sensors[i].name, name) == 0)
			return &cfg->sensors[i];
	return NULL;
}

/* ------------------------------------------------------------ reading */

static void *sgw_cfg_alloc(struct loader *l, void *p)
{
	if (!p) {
		l->nomem = true;
		l->stop = true;
	}
	return p;
}

static char *sgw_cfg_strdup(struct loader *l, const char *s)
{
	return sgw_cfg_alloc(l, strdup(s));
}

__attribute__((format(printf, 2, 3)))
static char *sgw_cfg_printf(struct loader *l, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return sgw_cfg_alloc(l, n < 0 ? NULL : s);
}

static void sgw_cfg_opts_free(struct sgw_opt *o)
{
	while (o) {
		struct sgw_opt *next = o->next;

		free(o->key);
		free(o->value);
		free(o);
		o = next;
	}
}

static void sgw_cfg_sections_free(struct section *s)
{
	while (s) {
		struct section *next = s->next;

		sgw_cfg_opts_free(s->keys);
		free(s->name);
		free(s);
		s = next;
	}
}

static const char *sgw_cfg_section_label(const struct section *s, char *buf, size_t size)
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

static struct section *sgw_cfg_find_section(struct loader *l, enum section_kind kind,
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
	char label[NAME_MAX_LEN + 16];

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
	if (*name && !sgw_cfg_valid_name(name)) {
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
	char label[NAME_MAX_LEN + 16];

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

static int sgw_cfg_read_file(struct loader *l)
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

/* ------------------------------------------------------------ resolving */

static void sgw_ks_init(struct keyset *ks, struct loader *l, const struct section *s)
{
	ks->d = l->d;
	ks->list = s ? s->keys : NULL;
	if (s)
		sgw_cfg_section_label(s, ks->label, sizeof(ks->label));
	else
		snprintf(ks->label, sizeof(ks->label), "[gateway]");
}

static void sgw_ks_report_unused(struct keyset *ks, const char *why)
{
	for (struct sgw_opt *o = ks->list; o; o = o->next)
		if (!o->used)
			sgw_ks_error(ks, o, "unknown key%s", why);
}

static void sgw_cfg_missing_key(struct loader *l, const struct section *s, const char *key)
{
	char label[NAME_MAX_LEN + 16];

	sgw_diag_error(l->d, s->line, "%s missing required key \"%s\"",
		       sgw_cfg_section_label(s, label, sizeof(label)), key);
}

/* Relative paths are taken from the directory of the INI file. */
static char *sgw_cfg_path(struct loader *l, const char *p)
{
	if (p[0] == '/')
		return sgw_cfg_strdup(l, p);
	return sgw_cfg_printf(l, "%s/%s", l->dir, p);
}

static char *host_name(struct loader *l)
{
	char buf[256] = "";
	size_t n;

	if (gethostname(buf, sizeof(buf) - 1) != 0)
		buf[0] = '\0';
	buf[NAME_MAX_LEN] = '\0';
	for (n = 0; buf[n]; n++) {
		unsigned char c = (unsigned char)buf[n];

		if (!isalnum(c) && c != '.' && c != '_' && c != '-')
			buf[n] = '-';
	}
	return sgw_cfg_strdup(l, n ? buf : "sensorgw");
}

static const char *const format_names[] = { "plain", "json", NULL };

static void resolve_gateway(struct loader *l)
{
	struct sgw_gateway_config *gw = &l->cfg->gw;
	struct section *s = sgw_cfg_find_section(l, SECTION_GATEWAY, NULL);
	struct keyset ks;
	struct sgw_opt *o;
	const char *v, *why;
	int fmt;

	sgw_ks_init(&ks, l, s);
	if (sgw_ks_str(&ks, "name", NULL, &v) == 1 && !sgw_cfg_valid_name(v)) {
		sgw_ks_bad(&ks, sgw_ks_find(&ks, "name"), "is not a valid name (1..64 characters of A-Z a-z 0-9 . _ -)");
		v = NULL;
	}
	gw->name = v ? sgw_cfg_strdup(l, v) : host_name(l);

	if (sgw_ks_str(&ks, "topic_prefix", DEFAULT_PREFIX, &v) == 1 && (why = sgw_topic_validate(v))) {
		sgw_ks_bad(&ks, sgw_ks_find(&ks, "topic_prefix"), "is not a valid topic prefix: %s", why);
		v = DEFAULT_PREFIX;
	}
	gw->topic_prefix = sgw_cfg_strdup(l, v);

	sgw_ks_enum(&ks, "format", format_names, SGW_FORMAT_PLAIN, &fmt);
	gw->format = (enum sgw_format)fmt;

	sgw_ks_str(&ks, "state_dir", NULL, &v);
	gw->state_dir = v ? sgw_cfg_path(l, v) : sgw_cfg_strdup(l, DEFAULT_STATE_DIR);
	sgw_ks_duration(&ks, "stats_interval", 30000, 1000, 3600000, &gw->stats_interval_ms);
	sgw_ks_report_unused(&ks, "");

	if (!gw->name || !gw->topic_prefix)
		return;
	gw->status_topic = sgw_cfg_printf(l, "%s/%s/status", gw->topic_prefix, gw->name);
	if (gw->status_topic && (why = sgw_topic_validate(gw->status_topic))) {
		o = sgw_ks_find(&ks, "topic_prefix");
		sgw_diag_error(l->d, o ? o->line : 0, "[gateway] status topic: %s", why);
	}
}

static const char *const queue_mode_names[] = { "auto", "always", "off", NULL };
static const char *const queue_sync_names[] = { "interval", "always", NULL };
static const char *const queue_full_names[] = { "drop_oldest", "refuse", NULL };

static void sgw_ks_size(struct keyset *ks, const char *key, uint64_t def, uint64_t min,
			uint64_t max, uint64_t *out)
{
	struct sgw_opt *o;

	*out = def;
	if (sgw_ks_get(ks, key, &o) != 1)
		return;
	if (sgw_parse_size(o->value, min, max, out) < 0) {
		sgw_ks_bad(ks, o, "is not a size from %llu to %llu bytes (e.g. 64M, 4096K)",
			   (unsigned long long)min, (unsigned long long)max);
		*out = def;
	}
}

static void resolve_queue(struct loader *l)
{
	struct sgw_queue_config *q = &l->cfg->queue;
	struct section *s = sgw_cfg_find_section(l, SECTION_QUEUE, NULL);
	struct keyset ks;
	int mode, sync, full;

	sgw_ks_init(&ks, l, s);
	sgw_ks_enum(&ks, "mode", queue_mode_names, SGW_QUEUE_MODE_AUTO, &mode);
	sgw_ks_enum(&ks, "sync", queue_sync_names, 0, &sync);
	sgw_ks_duration(&ks, "sync_interval", 1000, 10, 60000, &q->sync_interval_ms);
	sgw_ks_size(&ks, "segment_size", 4ull << 20, 64ull << 10, 64ull << 20, &q->segment_size);
	sgw_ks_size(&ks, "max_size", 64ull << 20, 128ull << 10, 1ull << 40, &q->max_size);
	sgw_ks_enum(&ks, "when_full", queue_full_names, 0, &full);
	q->mode = (enum sgw_queue_mode)mode;
	q->sync_always = sync == 1;
	q->refuse_when_full = full == 1;
	if (q->max_size < 2 * q->segment_size) {
		struct sgw_opt *o = sgw_ks_find(&ks, "max_size");

		sgw_diag_error(l->d, o ? o->line : (s ? s->line : 0),
			       "[queue] max_size (%llu) must be at least twice segment_size (%llu)",
			       (unsigned long long)q->max_size, (unsigned long long)q->segment_size);
	}
	sgw_ks_report_unused(&ks, "");
}

/*
 * mqtt://HOST[:PORT] or mqtts://HOST[:PORT]; HOST may be an IPv6 literal in
 * brackets.  Returns NULL or what is wrong.
 */
static const char *parse_uri(const char *uri, bool *tls, const char **host, size_t *hostlen,
			     long *port)
{
	const char *p;

	if (strncmp(uri, "mqtt://", 7) == 0) {
		*tls = false;
		p = uri + 7;
	} else if (strncmp(uri, "mqtts://", 8) == 0) {
		*tls = true;
		p = uri + 8;
	} else {
		return "must start with mqtt:// or mqtts://";
	}
	*port = *tls ? 8883 : 1883;
	*host = p;
	if (*p == '[') {
		const char *close = strchr(p, ']');
		bool colon = false;

		if (!close)
			return "has '[' without ']'";
		for (const char *c = p + 1; c < close; c++) {
			if (!isxdigit((unsigned char)*c) && *c != ':' && *c != '.')
				return "has a bad IPv6 address";
			colon |= *c == ':';
		}
		if (!colon)
			return "has a bad IPv6 address";
		p = close + 1;
	} else {
		while (isalnum((unsigned char)*p) || *p == '.' || *p == '-' || *p == '_')
			p++;
		if (p == *host)
			return "has no host name";
	}
	*hostlen = (size_t)(p - *host);
	if (*p == ':') {
		if (sgw_parse_long(p + 1, 1, 65535, port))
			return "has a bad port (1..65535)";
		return NULL;
	}
	if (*p)
		return "must be mqtt[s]://HOST[:PORT] (no user, path or query)";
	return NULL;
}

/* First line of PATH, for password_file.  Returns 0 or -errno / -EFBIG. */
static int read_secret(const char *path, char **out, bool *public)
{
	struct stat st;
	char *buf;
	size_t n = 0;
	int c, ret = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return -errno;
	if (fstat(fileno(f), &st) == 0)
		*public = (st.st_mode & S_IROTH) != 0;
	buf = malloc(PASSWORD_MAX + 1);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	while ((c = getc(f)) != EOF && c != '\n') {
		if (n == PASSWORD_MAX) {
			ret = -EFBIG;
			break;
		}
		buf[n++] = (char)c;
	}
	if (!ret && ferror(f))
		ret = errno ? -errno : -EIO;
	fclose(f);
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	if (ret) {
		explicit_bzero(buf, PASSWORD_MAX + 1);
		free(buf);
		return ret;
	}
	*out = buf;
	return 0;
}

/* A file that must be readable now (certificates): open it and see. */
static int check_readable(const char *path)
{
	struct stat st;
	char c;
	int ret = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) != 0 || read(fd, &c, 1) < 0)
		ret = -errno;
	else if (!S_ISREG(st.st_mode))
		ret = -EINVAL;
	close(fd);
	return ret;
}

static const char *file_error(int err)
{
	return err == -EINVAL ? "not a regular file" :
	       err == -EFBIG ? "first line longer than 65535 bytes" : strerror(-err);
}

/* Path-valued key that must name a readable file: resolved, checked. */
static char *ks_file(struct loader *l, struct keyset *ks, const char *key)
{
	const char *v;
	char *path;
	int err;

	if (sgw_ks_str(ks, key, NULL, &v) != 1)
		return NULL;
	path = sgw_cfg_path(l, v);
	if (path && (err = check_readable(path)) != 0)
		sgw_ks_error(ks, sgw_ks_find(ks, key), "cannot read \"%s\": %s", path, file_error(err));
	return path;
}

static void sgw_cfg_resolve_uplink(struct loader *l, const struct section *s,
				   struct sgw_uplink_config *u)
{
	static const char *const protocols[] = { "3.1.1", "5", NULL };
	static const char *const tls_keys[] = { "ca_file", "cert_file", "key_file", "alpn", NULL };
	struct sgw_gateway_config *gw = &l->cfg->gw;
	struct sgw_topic_vars vars = { .prefix = gw->topic_prefix, .gateway = gw->name };
	struct keyset ks;
	struct sgw_opt *o, *omin, *omax;
	const char *v, *why, *host = NULL;
	size_t hostlen = 0;
	long port = 0, n;
	uint32_t ms;
	int proto, ret;

	sgw_ks_init(&ks, l, s);
	u->name = sgw_cfg_strdup(l, s->name ? s->name : "default");
	u->line = s->line;

	ret = sgw_ks_str(&ks, "uri", NULL, &v);
	if (ret == 0)
		sgw_cfg_missing_key(l, s, "uri");
	if (ret == 1 && (why = parse_uri(v, &u->tls, &host, &hostlen, &port)))
		sgw_ks_bad(&ks, sgw_ks_find(&ks, "uri"), "%s", why);
	else if (ret == 1) {
		u->uri = sgw_cfg_strdup(l, v);
		u->server_uri = sgw_cfg_printf(l, "%s://%.*s:%ld", u->tls ? "ssl" : "tcp",
					       (int)hostlen, host, port);
	}

	sgw_ks_str(&ks, "client_id", DEFAULT_CLIENT_ID, &v);
	if (vars.prefix && vars.gateway) {
		ret = sgw_topic_expand(v, &vars, &u->client_id, &why);
		if (ret == -ENOMEM)
			l->nomem = true;
		else if (ret && (o = sgw_ks_find(&ks, "client_id")))
			sgw_ks_bad(&ks, o, "%s (client_id may use {gateway} and {prefix})", why);
	}

	if (sgw_ks_str(&ks, "username", NULL, &v) == 1)
		u->username = sgw_cfg_strdup(l, v);
	if (sgw_ks_str(&ks, "password_file", NULL, &v) == 1 &&
	    (u->password_file = sgw_cfg_path(l, v))) {
		bool public = false;
		int err = read_secret(u->password_file, &u->password, &public);

		o = sgw_ks_find(&ks, "password_file");
		if (err == -ENOMEM)
			l->nomem = true;
		else if (err)
			sgw_ks_error(&ks, o, "cannot read \"%s\": %s", u->password_file, file_error(err));
		else if (public)
			sgw_diag_warning(l->d, o->line, "%s password_file: \"%s\" is readable by everyone",
					 ks.label, u->password_file);
	}

	sgw_ks_duration(&ks, "keepalive", 60000, 5000, 65535000, &ms);
	if (ms % 1000 && (o = sgw_ks_find(&ks, "keepalive"))) {
		sgw_ks_bad(&ks, o, "is not a whole number of seconds");
		ms = 60000;
	}
	u->keepalive_s = (int)(ms / 1000);
	sgw_ks_long(&ks, "qos", 1, 0, 2, &n);
	u->qos = (int)n;
	sgw_ks_bool(&ks, "retain", false, &u->retain);
	sgw_ks_enum(&ks, "protocol", protocols, 0, &proto);
	u->mqtt_version = proto == 1 ? 5 : 4;
	sgw_ks_long(&ks, "max_inflight", 32, 1, 65535, &n);
	u->max_inflight = (int)n;
	sgw_ks_duration(&ks, "reconnect_min", 1000, 10, 3600000, &u->reconnect_min_ms);
	sgw_ks_duration(&ks, "reconnect_max", 60000, 10, 86400000, &u->reconnect_max_ms);
	if (u->reconnect_min_ms > u->reconnect_max_ms) {
		char a[32], b[32];

		omin = sgw_ks_find(&ks, "reconnect_min");
		omax = sgw_ks_find(&ks, "reconnect_max");
		sgw_cfg_fmt_ms(u->reconnect_min_ms, a, sizeof(a));
		sgw_cfg_fmt_ms(u->reconnect_max_ms, b, sizeof(b));
		sgw_diag_error(l->d, (omax ? omax : omin)->line,
			       "%s reconnect_min (%s) is greater than reconnect_max (%s)",
			       ks.label, a, b);
	}

	if (u->uri && !u->tls) {
		for (int i = 0; tls_keys[i]; i++) {
			if ((o = sgw_ks_find(&ks, tls_keys[i]))) {
				o->used = true;
				sgw_ks_error(&ks, o, "only for mqtts:// URIs (uri is %s)", u->uri);
			}
		}
	} else {
		u->ca_file = ks_file(l, &ks, "ca_file");
		u->cert_file = ks_file(l, &ks, "cert_file");
		u->key_file = ks_file(l, &ks, "key_file");
		if (!u->cert_file != !u->key_file) {
			o = sgw_ks_find(&ks, u->cert_file ? "cert_file" : "key_file");
			sgw_ks_error(&ks, o, "cert_file and key_file go together");
		}
		if (sgw_ks_str(&ks, "alpn", NULL, &v) == 1) {
			bool ok = strlen(v) <= 255;

			for (const char *c = v; *c; c++)
				ok &= *c > 0x20 && *c < 0x7f;
			if (!ok)
				sgw_ks_bad(&ks, sgw_ks_find(&ks, "alpn"), "is not a protocol name (1..255 printable ASCII)");
			else
				u->alpn = sgw_cfg_strdup(l, v);
		}
	}
	if (u->password_file && !u->username && u->mqtt_version == 4)
		sgw_ks_error(&ks, sgw_ks_find(&ks, "password_file"),
			     "MQTT 3.1.1 sends a password only with a username");
	sgw_ks_report_unused(&ks, "");
}

/* "topic.temperature" -> QKEY_TOPIC, quantity "temperature". */
enum qkey_kind { QKEY_TOPIC, QKEY_FILTER, QKEY_PRECISION, QKEY_NONE };

static enum qkey_kind qkey_split(const char *key, const char **quantity)
{
	static const char *const prefixes[] = { "topic.", "filter.", "precision." };

	*quantity = NULL;
	for (int i = 0; i < 3; i++) {
		size_t n = strlen(prefixes[i]);

		if (strncmp(key, prefixes[i], n) == 0) {
			*quantity = key + n;
			return (enum qkey_kind)i;
		}
	}
	return QKEY_NONE;
}

static bool sensor_has(const struct sgw_sensor_config *sc, const char *q)
{
	for (size_t i = 0; i < sc->nchannels; i++)
		if (strcmp(sc->ch[i].name, q) == 0)
			return true;
	return false;
}

/*
 * Expand TMPL for channel CH.  *reported keeps one message per template:
 * a bad template is usually bad for every quantity.
 */
static void channel_topic(struct loader *l, struct keyset *ks, struct sgw_sensor_config *sc,
			  size_t ch, const char *tmpl, const struct sgw_opt *o, bool *reported)
{
	struct sgw_gateway_config *gw = &l->cfg->gw;
	struct sgw_topic_vars vars = {
		.prefix = gw->topic_prefix, .gateway = gw->name,
		.sensor = sc->name, .quantity = sc->ch[ch].name,
	};
	const char *why = NULL;
	char *topic, q[80];
	int line = o ? o->line : sc->line, ret;

	ret = sgw_topic_expand(tmpl, &vars, &topic, &why);
	if (ret == -ENOMEM) {
		l->nomem = true;
		return;
	}
	if (ret == 0 && (why = sgw_topic_validate(topic))) {
		free(topic);
		ret = -EINVAL;
	}
	if (ret) {
		if (!*reported)
			sgw_diag_error(l->d, line, "%s %s: %s: %s (for %s)", ks->label,
				       o ? o->key : "topic", sgw_cfg_quote(tmpl, q, sizeof(q)), why,
				       sc->ch[ch].name);
		*reported = true;
		return;
	}
	sc->ch[ch].topic = topic;
	l->topic_line[(size_t)(sc - l->cfg->sensors) * SGW_MAX_CHANNELS + ch] = line;
}

static void resolve_channels(struct loader *l, struct keyset *ks, struct sgw_sensor_config *sc,
			     struct sgw_opt **qkeys, size_t nq,
			     const struct sgw_opt *topic, const struct sgw_opt *filter, long precision)
{
	char have[SGW_MAX_CHANNELS * (NAME_MAX_LEN + 2)] = "";
	bool topic_reported = false;

	for (size_t i = 0; i < sc->nchannels; i++)
		snprintf(have + strlen(have), sizeof(have) - strlen(have), "%s%s",
			 i ? ", " : "", sc->ch[i].name);
	for (size_t k = 0; k < nq; k++) {
		const char *q;

		qkey_split(qkeys[k]->key, &q);
		if (!sensor_has(sc, q))
			sgw_ks_error(ks, qkeys[k], "driver \"%s\" has no quantity \"%s\" (it has: %s)",
				     sc->driver->name, q, have);
	}
	for (size_t i = 0; i < sc->nchannels; i++) {
		struct sgw_channel_config *ch = &sc->ch[i];
		const struct sgw_opt *t = topic, *f = filter;
		bool own_reported = false;

		if (precision >= 0)
			ch->precision = (int)precision;
		for (size_t k = 0; k < nq; k++) {
			const char *q;
			enum qkey_kind kind = qkey_split(qkeys[k]->key, &q);
			long p;

			if (strcmp(q, ch->name) != 0)
				continue;
			if (kind == QKEY_TOPIC)
				t = qkeys[k];
			else if (kind == QKEY_FILTER)
				f = qkeys[k];
			else if (sgw_parse_long(qkeys[k]->value, 0, 9, &p) == 0)
				ch->precision = (int)p;	/* a bad one was reported */
		}
		if (f) {
			struct sgw_filter_chain *fc;
			char why[200];

			ch->filter = sgw_cfg_strdup(l, f->value);
			ch->filter_line = f->line;
			/* Parsed again by the pipeline; here only to report errors. */
			if (sgw_filter_chain_parse(f->value, ch->scale, &fc, why, sizeof(why)) == 0)
				sgw_filter_chain_free(fc);
			else
				sgw_diag_error(l->d, f->line, "[sensor %s] %s (%s): \"%s\": %s",
					       sc->name, f->key, ch->name, f->value, why);
		}
		channel_topic(l, ks, sc, i, t ? t->value : DEFAULT_TOPIC, t,
			      t == topic ? &topic_reported : &own_reported);
	}
}

static void resolve_sensor(struct loader *l, struct section *s, struct sgw_sensor_config *sc)
{
	struct sgw_opt *qkeys[MAX_KEYS], **pp, **otail = &sc->opts;
	struct sgw_opt *topic = NULL, *filter = NULL, *o;
	const struct sgw_driver *drv = NULL;
	struct keyset ks;
	size_t nq = 0;
	const char *v;
	long precision;
	int fmt, errors, ret;

	sgw_ks_init(&ks, l, s);
	sc->name = sgw_cfg_strdup(l, s->name);
	sc->line = s->line;
	if (!sc->name)
		return;

	ret = sgw_ks_str(&ks, "driver", NULL, &v);
	if (ret == 0)
		sgw_cfg_missing_key(l, s, "driver");
	if (ret == 1 && !(drv = sgw_driver_find(v))) {
		char known[512] = "";

		for (size_t i = 0; sgw_drivers[i]; i++)
			snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s",
				 i ? ", " : "", sgw_drivers[i]->name);
		sgw_ks_bad(&ks, sgw_ks_find(&ks, "driver"), "is not a driver (known: %s)", known);
	}
	sgw_ks_duration(&ks, "interval", 10000, 1, 86400000, &sc->interval_ms);
	sgw_ks_duration(&ks, "timeout", sc->interval_ms < 5000 ? sc->interval_ms : 5000,
			1, 60000, &sc->timeout_ms);
	if (sc->timeout_ms > sc->interval_ms && (o = sgw_ks_find(&ks, "timeout")))
		sgw_diag_warning(l->d, o->line,
				 "%s timeout is longer than interval: reads may overlap", ks.label);
	sgw_ks_enum(&ks, "format", format_names, l->cfg->gw.format, &fmt);
	sc->format = (enum sgw_format)fmt;
	sgw_ks_str(&ks, "bus", NULL, &v);
	sc->bus = v ? sgw_cfg_strdup(l, v) : sgw_cfg_printf(l, "sensor:%s", sc->name);
	if (sgw_ks_get(&ks, "topic", &topic) != 1)
		topic = NULL;
	if (sgw_ks_get(&ks, "filter", &filter) != 1)
		filter = NULL;
	sgw_ks_long(&ks, "precision", -1, 0, 9, &precision);

	/* Per-quantity keys wait for the driver's channels; the rest is the driver's. */
	pp = &s->keys;
	while (*pp) {
		const char *q;
		o = *pp;
		enum qkey_kind kind = o->used ? QKEY_NONE : qkey_split(o->key, &q);

		if (!o->used && kind == QKEY_NONE) {
			*pp = o->next;		/* move it to the driver's keys */
			o->next = NULL;
			*otail = o;
			otail = &o->next;
			continue;
		}
		if (kind != QKEY_NONE) {
			long p;

			o->used = true;
			if (*q == '\0')
				sgw_ks_error(&ks, o, "names no quantity (%s.QUANTITY)",
					     kind == QKEY_TOPIC ? "topic" : kind == QKEY_FILTER ? "filter" : "precision");
			else if (o->value[0] == '\0')
				sgw_ks_error(&ks, o, "empty value (leave the key out for the default)");
			else if (kind == QKEY_PRECISION && sgw_parse_long(o->value, 0, 9, &p))
				sgw_ks_bad(&ks, o, "is not a precision (0..9 decimals)");
			else
				qkeys[nq++] = o;
		}
		pp = &o->next;
	}
	s->tail = pp;
	if (!drv || !sc->bus || l->nomem)
		return;

	/* Drivers see sc->bus set, may replace it (freeing the old one). */
	sc->driver = drv;
	errors = l->d->errors;
	ret = drv->configure(sc, l->d);
	if (ret && l->d->errors == errors)
		sgw_diag_error(l->d, sc->line, "%s driver \"%s\": configuration failed: %s",
			       ks.label, drv->name, strerror(ret < 0 ? -ret : EINVAL));
	if (ret)
		return;
	ks.list = sc->opts;
	{
		char why[96];

		snprintf(why, sizeof(why), " (not a sensor key, nor one of driver \"%s\")", drv->name);
		sgw_ks_report_unused(&ks, why);
	}
	ks.list = s->keys;
	if (sc->nchannels == 0) {
		sgw_diag_error(l->d, sc->line, "%s driver \"%s\" declared no quantity",
			       ks.label, drv->name);
		return;
	}
	resolve_channels(l, &ks, sc, qkeys, nq, topic, filter, precision);
}

struct topic_ref {
	const char *topic;
	size_t sensor, ch;
	int line;
};

static int topic_ref_cmp(const void *a, const void *b)
{
	const struct topic_ref *x = a, *y = b;
	int c = strcmp(x->topic, y->topic);

	if (c)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* Two quantities on one topic would interleave unrelated values: refuse. */
static void check_topics_unique(struct loader *l)
{
	struct sgw_config *cfg = l->cfg;
	struct topic_ref *refs;
	size_t n = 0;
	char q[80];

	refs = sgw_cfg_alloc(l, calloc(cfg->nsensors * SGW_MAX_CHANNELS + 1, sizeof(*refs)));
	if (!refs)
		return;
	for (size_t i = 0; i < cfg->nsensors; i++) {
		for (size_t c = 0; c < cfg->sensors[i].nchannels; c++) {
			if (!cfg->sensors[i].ch[c].topic)
				continue;
			refs[n++] = (struct topic_ref){
				cfg->sensors[i].ch[c].topic, i, c,
				l->topic_line[i * SGW_MAX_CHANNELS + c],
			};
		}
	}
	qsort(refs, n, sizeof(*refs), topic_ref_cmp);
	for (size_t k = 1; k < n; k++) {
		const struct topic_ref *a = &refs[k - 1], *b = &refs[k];

		if (strcmp(a->topic, b->topic) != 0)
			continue;
		sgw_diag_error(l->d, b->line,
			       "[sensor %s] %s: topic %s is also the topic of [sensor %s] %s (line %d)",
			       cfg->sensors[b->sensor].name, cfg->sensors[b->sensor].ch[b->ch].name,
			       sgw_cfg_quote(b->topic, q, sizeof(q)), cfg->sensors[a->sensor].name,
			       cfg->sensors[a->sensor].ch[a->ch].name, a->line);
	}
	if (cfg->gw.status_topic) {
		for (size_t k = 0; k < n; k++) {
			if (strcmp(refs[k].topic, cfg->gw.status_topic) == 0)
				sgw_diag_error(l->d, refs[k].line,
					       "[sensor %s] %s: topic %s is the gateway's status topic",
					       cfg->sensors[refs[k].sensor].name,
					       cfg->sensors[refs[k].sensor].ch[refs[k].ch].name,
					       sgw_cfg_quote(refs[k].topic, q, sizeof(q)));
		}
	}
	free(refs);
}

static void resolve(struct loader *l)
{
	struct sgw_config *cfg = l->cfg;

	resolve_gateway(l);
	resolve_queue(l);
	if (l->nomem)
		return;
	/* A rejected header may have been meant as the missing section. */
	if (l->nuplinks == 0 && !l->bad_headers)
		sgw_diag_error(l->d, 0, "no [mqtt] section: an uplink is required");
	if (l->nsensors == 0 && !l->bad_headers)
		sgw_diag_error(l->d, 0, "no [sensor NAME] section: nothing to publish");
	cfg->sensors = sgw_cfg_alloc(l, calloc(l->nsensors + 1, sizeof(*cfg->sensors)));
	l->topic_line = sgw_cfg_alloc(l, calloc(l->nsensors * SGW_MAX_CHANNELS + 1, sizeof(int)));
	if (l->nomem)
		return;
	for (struct section *s = l->sections; s && !l->nomem; s = s->next) {
		if (s->kind == SECTION_MQTT)
			sgw_cfg_resolve_uplink(l, s, &cfg->uplinks[cfg->nuplinks++]);
		else if (s->kind == SECTION_SENSOR)
			resolve_sensor(l, s, &cfg->sensors[cfg->nsensors++]);
	}
	if (!l->nomem)
		check_topics_unique(l);
}

/* Absolute directory of PATH, so that relative paths survive a chdir(). */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *cwd, *dir = NULL;

	if (slash == path)
		return strdup("/");
	if (path[0] == '/')
		return strndup(path, (size_t)(slash - path));
	cwd = getcwd(NULL, 0);
	if (!cwd)
		return NULL;
	if (asprintf(&dir, "%s/%.*s", cwd, slash ? (int)(slash - path) : 0, path) < 0)
		dir = NULL;
	else if (!slash)
		dir[strlen(dir) - 1] = '\0';	/* no "/" after cwd */
	free(cwd);
	return dir;
}

int sgw_config_load(const char *path, struct sgw_diag *diag, struct sgw_config **out)
{
	struct loader l = { .d = diag, .errors0 = diag->errors };
	int ret;

	*out = NULL;
	l.stail = &l.sections;
	if (!diag->file)
		diag->file = path;
	l.f = fopen(path, "re");
	if (!l.f) {
		ret = -errno;
		sgw_diag_error(diag, 0, "cannot open: %s", strerror(errno));
		return ret;
	}
	l.cfg = calloc(1, sizeof(*l.cfg));
	l.line = malloc(INI_LINE_MAX + 1);
	l.dir = dir_of(path);
	if (!l.cfg || !l.line || !l.dir || !(l.cfg->path = strdup(path))) {
		ret = -ENOMEM;
		goto out_free;
	}
	ret = sgw_cfg_read_file(&l);
	if (ret)
		goto out_free;
	if (l.stop) {
		/* Too many errors: resolving would only add more. */
	} else if (!l.content) {
		/* After errors in the lines, "empty" would only confuse. */
		if (diag->errors == l.errors0)
			sgw_diag_error(diag, 0, "empty configuration: no section found");
	} else {
		resolve(&l);
	}
	if (l.nomem)
		ret = -ENOMEM;
	else if (diag->errors > l.errors0)
		ret = -EINVAL;
out_free:
	if (ret == -ENOMEM)
		sgw_diag_error(diag, 0, "out of memory");
	if (ret == 0)
		*out = l.cfg;
	else
		sgw_config_free(l.cfg);
	sgw_cfg_sections_free(l.sections);
	free(l.topic_line);
	free(l.line);
	free(l.dir);
	fclose(l.f);
	return ret;
}

static void sensor_config_free(struct sgw_sensor_config *sc)
{
	if (sc->driver && sc->driver->free_config && sc->priv)
		sc->driver->free_config(sc);
	for (size_t i = 0; i < sc->nchannels; i++) {
		free(sc->ch[i].name);
		free(sc->ch[i].unit);
		free(sc->ch[i].topic);
		free(sc->ch[i].filter);
	}
	sgw_cfg_opts_free(sc->opts);
	free(sc->bus);
	free(sc->name);
}

static void uplink_config_free(struct sgw_uplink_config *u)
{
	if (u->password) {
		explicit_bzero(u->password, strlen(u->password));
		free(u->password);
	}
	free(u->name);
	free(u->uri);
	free(u->server_uri);
	free(u->client_id);
	free(u->username);
	free(u->password_file);
	free(u->ca_file);
	free(u->cert_file);
	free(u->key_file);
	free(u->alpn);
}

void sgw_config_free(struct sgw_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->nsensors; i++)
		sensor_config_free(&cfg->sensors[i]);
	free(cfg->sensors);
	for (size_t i = 0; i < cfg->nuplinks; i++)
		uplink_config_free(&cfg->uplinks[i]);
	free(cfg->gw.name);
	free(cfg->gw.topic_prefix);
	free(cfg->gw.status_topic);
	free(cfg->gw.state_dir);
	free(cfg->path);
	free(cfg);
}
