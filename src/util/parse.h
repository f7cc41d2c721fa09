/* SPDX-License-Identifier: MIT */
/*
 * Strict value parsers shared by the configuration and the drivers: whole
 * string consumed, range checked, no atoi().  The sgw_parse_*() functions
 * return 0 or -EINVAL (-ERANGE when out of range).
 */
#ifndef SGW_PARSE_H
#define SGW_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest name of a gateway, uplink, sensor or quantity. */
#define SGW_NAME_MAX 64

int sgw_parse_long(const char *s, long min, long max, long *out);
/* "23.5" with scale 2 -> 2350; more than SCALE fraction digits is -EINVAL. */
int sgw_parse_fixed(const char *s, int scale, int64_t min, int64_t max, int64_t *out);
/* true/false, yes/no, on/off, 1/0 */
int sgw_parse_bool(const char *s, bool *out);
/* "250ms", "10s", "5m", "1h"; a bare number is seconds. */
int sgw_parse_duration_ms(const char *s, uint32_t min, uint32_t max, uint32_t *out);
/* Bytes: "65536", "64K", "4M", "1G" (also KiB, MiB, GiB; all powers of 1024). */
int sgw_parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/*
 * A name: 1..SGW_NAME_MAX characters of [A-Za-z0-9._-], safe in topics,
 * file names and bus names.
 */
bool sgw_name_valid(const char *s);

/*
 * MS as a duration sgw_parse_duration_ms() reads back, in the largest unit
 * that divides it ("90s", "2m", "250ms", "0ms"), for messages.
 */
void sgw_duration_format(uint32_t ms, char *buf, size_t size);

#endif
