/* SPDX-License-Identifier: MIT */
/*
 * Strict value parsers.  They accept exactly one spelling of a value: no
 * leading or trailing blanks, no '+', no hex or octal, nothing after the
 * number; strtol()'s leniencies are checked away so that "10x" or " 5" in a
 * configuration file is an error and never a silent 10 or 5.
 */
#include "parse.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Digits with an optional leading '-': what strtol() may see. */
static bool is_plain_integer(const char *s)
{
	if (*s == '-')
		s++;
	if (!isdigit((unsigned char)*s))
		return false;
	while (isdigit((unsigned char)*s))
		s++;
	return *s == '\0';
}

int sgw_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!s || !is_plain_integer(s))
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end != '\0')
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int sgw_parse_fixed(const char *s, int scale, int64_t min, int64_t max, int64_t *out)
{
	bool neg = false;
	int64_t v = 0;
	int frac = 0;

	if (!s || scale < 0 || scale > 18)
		return -EINVAL;
	if (*s == '-') {
		neg = true;
		s++;
	}
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	/*
	 * Accumulate as a negative number: INT64_MIN has no positive twin, and
	 * a range like [INT64_MIN, x] must stay reachable.
	 */
	for (; isdigit((unsigned char)*s); s++) {
		int dig = *s - '0';

		if (v < (INT64_MIN + dig) / 10)
			return -ERANGE;
		v = v * 10 - dig;
	}
	if (*s == '.') {
		s++;
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		for (; isdigit((unsigned char)*s); s++, frac++) {
			int dig = *s - '0';

			if (frac >= scale)
				return -EINVAL;	/* finer than the fixed point can hold */
			if (v < (INT64_MIN + dig) / 10)
				return -ERANGE;
			v = v * 10 - dig;
		}
	}
	if (*s != '\0')
		return -EINVAL;
	for (; frac < scale; frac++) {
		if (v < INT64_MIN / 10)
			return -ERANGE;
		v *= 10;
	}
	if (!neg) {
		if (v == INT64_MIN)
			return -ERANGE;
		v = -v;
	}
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int sgw_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };

	if (!s)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

struct unit {
	const char *suffix;
	uint64_t factor;
};

/* Digits, then one of UNITS' suffixes; the product range-checked. */
static int parse_scaled(const char *s, const struct unit *units, size_t nunits,
			uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = s;

	if (!s || !isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		/* Saturate: the range check below turns it into -ERANGE. */
		if (v < UINT64_MAX / 100)
			v = v * 10 + (uint64_t)(*p - '0');
	}
	for (size_t i = 0; i < nunits; i++) {
		if (strcmp(p, units[i].suffix) != 0)
			continue;
		if (v > UINT64_MAX / units[i].factor)
			return -ERANGE;
		v *= units[i].factor;
		if (v < min || v > max)
			return -ERANGE;
		*out = v;
		return 0;
	}
	return -EINVAL;
}

int sgw_parse_duration_ms(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	static const struct unit units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "", 1000 },
		{ "m", 60 * 1000 }, { "h", 60 * 60 * 1000 },
	};
	uint64_t v;
	int err = parse_scaled(s, units, sizeof(units) / sizeof(units[0]), min, max, &v);

	if (err == 0)
		*out = (uint32_t)v;
	return err;
}

int sgw_parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	static const struct unit units[] = {
		{ "", 1 }, { "K", 1024 }, { "M", 1024 * 1024 }, { "G", 1024 * 1024 * 1024 },
		{ "KiB", 1024 }, { "MiB", 1024 * 1024 }, { "GiB", 1024 * 1024 * 1024 },
	};

	return parse_scaled(s, units, sizeof(units) / sizeof(units[0]), min, max, out);
}

bool sgw_name_valid(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++) {
		unsigned char c = (unsigned char)s[n];

		if (!isalnum(c) && c != '.' && c != '_' && c != '-')
			return false;
	}
	return n >= 1 && n <= SGW_NAME_MAX;
}

void sgw_duration_format(uint32_t ms, char *buf, size_t size)
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
