/* SPDX-License-Identifier: MIT */
/*
 * Reading a configuration file: the first of the loader's two passes.
 *
 * inih splits "key = value" lines while our own line reader counts lines
 * and rejects what inih would mangle or ignore: over-long lines, NUL bytes,
 * invalid UTF-8 and control characters, lines without '=', bad key names,
 * malformed, unknown or duplicate section headers, duplicate keys.  What
 * remains is the file's sections, each with its keys in file order and the
 * line of each; nothing is interpreted yet (that is the loader's resolving
 * pass, src/load).
 */
#ifndef SGW_CONF_READER_H
#define SGW_CONF_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "diag.h"
#include "types.h"
#include "util/parse.h"

#define SGW_INI_LINE_MAX 4096		/* bytes of one line, newline excluded */
/*
 * Bytes of a whole file.  The largest configuration that makes sense (256
 * sensors of a dozen lines each, 4 uplinks, generous comments) is a few
 * hundred KiB; 1 MiB leaves room for that and bounds what a file that is
 * not a configuration (a log, an image, an endless stream) costs: reading
 * stops there, in milliseconds, and memory stays a few MiB.
 */
#define SGW_INI_FILE_MAX (1u << 20)
#define SGW_SECTION_KEYS_MAX 256	/* keys of one section */
#define SGW_SECTION_LABEL_MAX (SGW_NAME_MAX + 16)	/* "[sensor NAME]" and its NUL */

enum sgw_section_kind {
	SGW_SECTION_GATEWAY,	/* [gateway] */
	SGW_SECTION_MQTT,	/* [mqtt] or [mqtt NAME] */
	SGW_SECTION_SENSOR,	/* [sensor NAME] */
	SGW_SECTION_QUEUE,	/* [queue] */
	SGW_SECTION_ACTUATOR,	/* [actuator NAME] */
};

/* A section as read: its keys, in file order, none used yet. */
struct sgw_section {
	enum sgw_section_kind kind;
	char *name;		/* NULL for [gateway], [queue] and the unnamed [mqtt] */
	int line;		/* of the header */
	struct sgw_opt *keys;
	struct sgw_section *next;
};

/* What the reading pass made of a file. */
struct sgw_ini {
	struct sgw_section *sections;	/* the valid ones, in file order */
	size_t nsensors, nuplinks;	/* valid [sensor NAME] and [mqtt ...] sections */
	size_t nactuators;		/* valid [actuator NAME] sections */
	bool content;			/* a section header was seen, valid or not */
	int bad_headers;		/* section headers refused */
	bool stopped;			/* reading gave up: too many errors, too large */
};

/*
 * Read F into *ini, reporting every problem through D ("FILE:LINE: ...").
 * Errors in the text are counted in D and reading goes on (a line that is
 * wrong is dropped, keys after a refused header too); after 100 errors, or
 * at the byte past SGW_INI_FILE_MAX (reported at its line), it stops
 * (ini->stopped).  Returns 0, -errno when F cannot be read (reported)
 * or -ENOMEM (not reported).  *ini holds what was read in any case: free it
 * with sgw_ini_free().
 * Not thread-safe: libinih's options are process-wide globals.
 */
int sgw_ini_read(FILE *f, struct sgw_diag *d, struct sgw_ini *ini);
void sgw_ini_free(struct sgw_ini *ini);

/* The section KIND named NAME (NULL: the unnamed one), or NULL. */
struct sgw_section *sgw_ini_section(const struct sgw_ini *ini, enum sgw_section_kind kind,
				    const char *name);

/* How messages name S: "[sensor sala]", "[gateway]".  Returns BUF. */
const char *sgw_section_label(const struct sgw_section *s, char *buf, size_t size);

/* A section's keys, as read; O and all after it. */
void sgw_opts_free(struct sgw_opt *o);

#endif
