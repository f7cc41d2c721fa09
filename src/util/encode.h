/* SPDX-License-Identifier: MIT */
/*
 * Text encodings that URLs and keys are written in: Base64 (RFC 4648,
 * section 4, with padding) and percent-encoding (RFC 3986, section 2.1).
 */
#ifndef SGW_UTIL_ENCODE_H
#define SGW_UTIL_ENCODE_H

#include <stddef.h>

/* Bytes SGW_B64_LEN(N) of Base64 for N bytes, without the NUL. */
#define SGW_B64_LEN(n) (((n) + 2) / 3 * 4)

/*
 * Decode the Base64 text IN (INLEN bytes; whitespace is not allowed) into
 * OUT, which has room for SIZE bytes.  The number of bytes decoded;
 * -EINVAL when IN is not Base64 (a bad character, a bad length, bits
 * after the end), -ENOSPC when OUT is too small.
 */
int sgw_b64_decode(const char *in, size_t inlen, unsigned char *out, size_t size);

/* Encode LEN bytes of IN into OUT: SGW_B64_LEN(LEN) characters and a NUL. */
void sgw_b64_encode(const unsigned char *in, size_t len, char *out);

/*
 * Percent-encode S into OUT (SIZE bytes, NUL included): every byte but
 * the unreserved characters (A-Z a-z 0-9 - . _ ~) becomes %XX, with
 * upper-case hexadecimal digits.  The length of the whole encoding
 * (without the NUL), which did not fit when it is SIZE or more, as
 * snprintf() counts.
 */
size_t sgw_pct_encode(const char *s, char *out, size_t size);

#endif
