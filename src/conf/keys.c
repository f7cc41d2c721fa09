/* SPDX-License-Identifier: MIT */
/* The keys of one section: typed getters and the messages that name them. */
#include "keys.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------ messages */

const char *sgw_keys_quote(const char *v, char *buf, size_t size)
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

__attribute__((format(printf, 4, 0)))
static void vkey_error(struct sgw_keys *ks, const struct sgw_opt *o, bool with_value,
		       const char *fmt, va_list ap)
{
	char msg[512], q[80];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (with_value)
		sgw_diag_error(ks->d, o->line, "%s %s: %s %s", ks->label, o->key,
			       sgw_keys_quote(o->value, q, sizeof(q)), msg);
	else
		sgw_diag_error(ks->d, o->line, "%s %s: %s", ks->label, o->key, msg);
}

void sgw_keys_bad(struct sgw_keys *ks, const struct sgw_opt *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vkey_error(ks, o, true, fmt, ap);
	va_end(ap);
}

void sgw_keys_error(struct sgw_keys *ks, const struct sgw_opt *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vkey_error(ks, o, false, fmt, ap);
	va_end(ap);
}

void sgw_keys_missing(struct sgw_keys *ks, const char *key)
{
	sgw_diag_error(ks->d, ks->line, "%s missing required key \"%s\"", ks->label, key);
}

void sgw_keys_report_unused(struct sgw_keys *ks, const char *why)
{
	for (struct sgw_opt *o = ks->list; o; o = o->next)
		if (!o->used)
			sgw_keys_error(ks, o, "unknown key%s", why);
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

/* ------------------------------------------------------------ getters */

void sgw_keys_init(struct sgw_keys *ks, struct sgw_diag *d, struct sgw_opt *list,
		   const char *label, int line)
{
	ks->d = d;
	ks->list = list;
	snprintf(ks->label, sizeof(ks->label), "%s", label);
	ks->line = line;
}

struct sgw_opt *sgw_keys_find(struct sgw_keys *ks, const char *key)
{
	for (struct sgw_opt *o = ks->list; o; o = o->next) {
		if (strcmp(o->key, key) == 0) {
			o->used = true;
			return o;
		}
	}
	return NULL;
}

int sgw_keys_get(struct sgw_keys *ks, const char *key, struct sgw_opt **out)
{
	struct sgw_opt *o = sgw_keys_find(ks, key);

	*out = o;
	if (!o)
		return 0;
	if (o->value[0] == '\0') {
		sgw_keys_error(ks, o, "empty value (leave the key out for the default)");
		return -EINVAL;
	}
	return 1;
}

int sgw_keys_str(struct sgw_keys *ks, const char *key, const char *def, const char **out)
{
	struct sgw_opt *o;
	int ret = sgw_keys_get(ks, key, &o);

	*out = ret == 1 ? o->value : def;
	return ret;
}

int sgw_keys_long(struct sgw_keys *ks, const char *key, long def, long min, long max,
		  long *out)
{
	struct sgw_opt *o;
	int ret = sgw_keys_get(ks, key, &o);

	*out = def;
	if (ret != 1)
		return ret;
	ret = sgw_parse_long(o->value, min, max, out);
	if (ret == -ERANGE)
		sgw_keys_bad(ks, o, "is out of range (%ld..%ld)", min, max);
	else if (ret)
		sgw_keys_bad(ks, o, "is not an integer");
	if (ret) {
		*out = def;
		return -EINVAL;
	}
	return 1;
}

int sgw_keys_fixed(struct sgw_keys *ks, const char *key, int scale, int64_t def,
		   int64_t min, int64_t max, int64_t *out)
{
	struct sgw_opt *o;
	int ret = sgw_keys_get(ks, key, &o);

	*out = def;
	if (ret != 1)
		return ret;
	ret = sgw_parse_fixed(o->value, scale, min, max, out);
	if (ret == -ERANGE) {
		char a[32], b[32];

		fmt_fixed(min, scale, a, sizeof(a));
		fmt_fixed(max, scale, b, sizeof(b));
		sgw_keys_bad(ks, o, "is out of range (%s..%s)", a, b);
	} else if (ret) {
		sgw_keys_bad(ks, o, "is not a number with at most %d decimals", scale);
	}
	if (ret) {
		*out = def;
		return -EINVAL;
	}
	return 1;
}

int sgw_keys_bool(struct sgw_keys *ks, const char *key, bool def, bool *out)
{
	struct sgw_opt *o;
	int ret = sgw_keys_get(ks, key, &o);

	*out = def;
	if (ret != 1)
		return ret;
	if (sgw_parse_bool(o->value, out)) {
		sgw_keys_bad(ks, o, "is not a boolean (true/false, yes/no, on/off, 1/0)");
		*out = def;
		return -EINVAL;
	}
	return 1;
}

int sgw_keys_enum(struct sgw_keys *ks, const char *key, const char *const *names, int def,
		  int *out)
{
	struct sgw_opt *o;
	int ret = sgw_keys_get(ks, key, &o);
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
	sgw_keys_bad(ks, o, "is not one of: %s", list);
	return -EINVAL;
}

int sgw_keys_duration(struct sgw_keys *ks, const char *key, uint32_t def, uint32_t min,
		      uint32_t max, uint32_t *out)
{
	struct sgw_opt *o;
	int ret = sgw_keys_get(ks, key, &o);

	*out = def;
	if (ret != 1)
		return ret;
	ret = sgw_parse_duration_ms(o->value, min, max, out);
	if (ret == -ERANGE) {
		char a[32], b[32];

		sgw_duration_format(min, a, sizeof(a));
		sgw_duration_format(max, b, sizeof(b));
		sgw_keys_bad(ks, o, "is out of range (%s..%s)", a, b);
	} else if (ret) {
		sgw_keys_bad(ks, o, "is not a duration (e.g. 250ms, 10s, 5m, 1h)");
	}
	if (ret) {
		*out = def;
		return -EINVAL;
	}
	return 1;
}

int sgw_keys_size(struct sgw_keys *ks, const char *key, uint64_t def, uint64_t min,
		  uint64_t max, uint64_t *out)
{
	struct sgw_opt *o;
	int ret = sgw_keys_get(ks, key, &o);

	*out = def;
	if (ret != 1)
		return ret;
	if (sgw_parse_size(o->value, min, max, out) < 0) {
		sgw_keys_bad(ks, o, "is not a size from %llu to %llu bytes (e.g. 64M, 4096K)",
			     (unsigned long long)min, (unsigned long long)max);
		*out = def;
		return -EINVAL;
	}
	return 1;
}
