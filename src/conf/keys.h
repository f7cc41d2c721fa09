/* SPDX-License-Identifier: MIT */
/*
 * The keys of one configuration section and the typed, range-checked
 * getters that take them: the loader's for the sections it knows, a
 * driver's configure() for the keys of its sensor that the core left over.
 *
 * A getter looks KEY up, marks it used, parses and range-checks it.  A bad
 * value is reported through the keyset's diag as
 * "FILE:LINE: [section] key: "value" what is wrong", naming the section as
 * the keyset's label does.  Keys that no getter took are reported as unknown
 * by sgw_keys_report_unused().
 *
 * The getters return 1 when KEY is given and valid, 0 when it is absent
 * (*out = DEF), -EINVAL after reporting a bad or empty value (*out = DEF
 * too, so that a caller may go on and find the next error).
 */
#ifndef SGW_CONF_KEYS_H
#define SGW_CONF_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "types.h"
#include "util/parse.h"

/* Room for the longest label: "[sensor NAME]", "[mqtt NAME]". */
#define SGW_KEYS_LABEL_MAX (SGW_NAME_MAX + 16)

struct sgw_keys {
	struct sgw_diag *d;		/* where messages go */
	struct sgw_opt *list;		/* the keys, in file order */
	char label[SGW_KEYS_LABEL_MAX];	/* how messages name the section: "[sensor sala]" */
	int line;			/* line of the section header; 0: none */
};

/* Keys LIST of the section LABEL (copied, cut to fit) that starts at LINE. */
void sgw_keys_init(struct sgw_keys *ks, struct sgw_diag *d, struct sgw_opt *list,
		   const char *label, int line);

/* KEY, marked used (whoever asks knows it), or NULL. */
struct sgw_opt *sgw_keys_find(struct sgw_keys *ks, const char *key);
/* KEY as written, in *out (NULL when absent); an empty value is an error. */
int sgw_keys_get(struct sgw_keys *ks, const char *key, struct sgw_opt **out);

int sgw_keys_str(struct sgw_keys *ks, const char *key, const char *def, const char **out);
int sgw_keys_long(struct sgw_keys *ks, const char *key, long def, long min, long max,
		  long *out);
/* Decimal with up to SCALE fraction digits into fixed point: "0.05", scale 3 -> 50. */
int sgw_keys_fixed(struct sgw_keys *ks, const char *key, int scale, int64_t def,
		   int64_t min, int64_t max, int64_t *out);
int sgw_keys_bool(struct sgw_keys *ks, const char *key, bool def, bool *out);
/* One of NAMES (NULL-terminated); *out is its index. */
int sgw_keys_enum(struct sgw_keys *ks, const char *key, const char *const *names, int def,
		  int *out);
/* "250ms", "10s", "5m", "1h" (see sgw_parse_duration_ms()). */
int sgw_keys_duration(struct sgw_keys *ks, const char *key, uint32_t def, uint32_t min,
		      uint32_t max, uint32_t *out);
/* Bytes: "65536", "64K", "4M" (see sgw_parse_size()). */
int sgw_keys_size(struct sgw_keys *ks, const char *key, uint64_t def, uint64_t min,
		  uint64_t max, uint64_t *out);

/* "FILE:LINE: [section] key: "value" MESSAGE" at O's line. */
__attribute__((format(printf, 3, 4)))
void sgw_keys_bad(struct sgw_keys *ks, const struct sgw_opt *o, const char *fmt, ...);
/* "FILE:LINE: [section] key: MESSAGE" at O's line. */
__attribute__((format(printf, 3, 4)))
void sgw_keys_error(struct sgw_keys *ks, const struct sgw_opt *o, const char *fmt, ...);
/* "FILE:LINE: [section] missing required key "KEY"" at the section's line. */
void sgw_keys_missing(struct sgw_keys *ks, const char *key);
/* Every key no getter took: "[section] key: unknown keyWHY". */
void sgw_keys_report_unused(struct sgw_keys *ks, const char *why);

/* V in quotes for messages, cut at a character boundary to fit SIZE. */
const char *sgw_keys_quote(const char *v, char *buf, size_t size);

#endif
