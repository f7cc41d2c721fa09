/* SPDX-License-Identifier: MIT */
/*
 * Configuration loader internals shared by config.c (resolving, loading,
 * freeing), config_read.c (the reader), config_keys.c (messages and typed
 * getters) and config_uplink.c (an [mqtt] section).  Not an API.
 */
#ifndef SGW_CONFIG_INT_H
#define SGW_CONFIG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "load/load.h"
#include "util/parse.h"

#define INI_LINE_MAX 4096	/* bytes of one line, newline excluded */
#define MAX_KEYS 256		/* per section */

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
	char label[SGW_NAME_MAX + 16];
};

/* config_read.c */

/* P, or NULL after noting that memory ran out (l->nomem, l->stop). */
void *sgw_cfg_alloc(struct loader *l, void *p);
char *sgw_cfg_strdup(struct loader *l, const char *s);
__attribute__((format(printf, 2, 3)))
char *sgw_cfg_printf(struct loader *l, const char *fmt, ...);
void sgw_cfg_opts_free(struct sgw_opt *o);
void sgw_cfg_sections_free(struct section *s);
/* "[sensor sala]", "[gateway]" */
const char *sgw_cfg_section_label(const struct section *s, char *buf, size_t size);
/* NAME is NULL for [gateway], [queue] and the unnamed [mqtt]. */
struct section *sgw_cfg_find_section(struct loader *l, enum section_kind kind,
				     const char *name);
/* The reading pass: l->sections, with every error reported. */
int sgw_cfg_read_file(struct loader *l);

/* config_keys.c */

/* "value" for messages: cut at a character boundary when long. */
const char *sgw_cfg_quote(const char *v, char *buf, size_t size);
void sgw_cfg_missing_key(struct loader *l, const struct section *s, const char *key);
/* "FILE:LINE: [section] key: "value" MESSAGE" */
__attribute__((format(printf, 3, 4)))
void sgw_ks_bad(struct keyset *ks, const struct sgw_opt *o, const char *fmt, ...);
/* "FILE:LINE: [section] key: MESSAGE" */
__attribute__((format(printf, 3, 4)))
void sgw_ks_error(struct keyset *ks, const struct sgw_opt *o, const char *fmt, ...);
/* The keys of section S (NULL: an absent [gateway] or [queue]). */
void sgw_ks_init(struct keyset *ks, struct loader *l, const struct section *s);
void sgw_ks_report_unused(struct keyset *ks, const char *why);
/* The typed getters: what they return is told in config_keys.c. */
struct sgw_opt *sgw_ks_find(struct keyset *ks, const char *key);
int sgw_ks_get(struct keyset *ks, const char *key, struct sgw_opt **out);
int sgw_ks_str(struct keyset *ks, const char *key, const char *def, const char **out);
int sgw_ks_long(struct keyset *ks, const char *key, long def, long min, long max,
		long *out);
int sgw_ks_bool(struct keyset *ks, const char *key, bool def, bool *out);
int sgw_ks_enum(struct keyset *ks, const char *key, const char *const *names, int def,
		int *out);
int sgw_ks_duration(struct keyset *ks, const char *key, uint32_t def, uint32_t min,
		    uint32_t max, uint32_t *out);
void sgw_ks_size(struct keyset *ks, const char *key, uint64_t def, uint64_t min,
		 uint64_t max, uint64_t *out);

/* config.c */

/* P, or P taken from the directory of the INI file. */
char *sgw_cfg_path(struct loader *l, const char *p);

/* config_uplink.c */

void sgw_cfg_resolve_uplink(struct loader *l, const struct section *s,
			    struct sgw_uplink_config *u);

#endif
