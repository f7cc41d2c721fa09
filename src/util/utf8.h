/* SPDX-License-Identifier: MIT */
/* UTF-8, as configuration files and MQTT topics must be. */
#ifndef SGW_UTF8_H
#define SGW_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decode one UTF-8 sequence (RFC 3629: no overlong forms, no surrogates,
 * nothing above U+10FFFF) from the LEN bytes at S.  Returns its length in
 * bytes (1..4) and stores the code point, or -1 when S does not start with
 * a valid sequence.
 */
int sgw_utf8_decode(const char *s, size_t len, uint32_t *cp);

#endif
