/* SPDX-License-Identifier: MIT */
/* Base64 (RFC 4648's test vectors) and percent-encoding (RFC 3986). */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "tests/fixtures/run.h"
#include "util/encode.h"

/* RFC 4648, section 10. */
static const char *const vectors[][2] = {
	{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
};

START_TEST(test_b64_vectors)
{
	const char *plain = vectors[_i][0], *b64 = vectors[_i][1];
	unsigned char buf[16];
	char text[SGW_B64_LEN(6) + 1];

	sgw_b64_encode((const unsigned char *)plain, strlen(plain), text);
	ck_assert_str_eq(text, b64);
	ck_assert_int_eq(sgw_b64_decode(b64, strlen(b64), buf, sizeof(buf)), (int)strlen(plain));
	ck_assert_mem_eq(buf, plain, strlen(plain));
}
END_TEST

START_TEST(test_b64_refused)
{
	unsigned char buf[4];

	ck_assert_int_eq(sgw_b64_decode("Zm9", 3, buf, sizeof(buf)), -EINVAL);	/* length */
	ck_assert_int_eq(sgw_b64_decode("Zm9v\n", 5, buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(sgw_b64_decode("Zm 9", 4, buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(sgw_b64_decode("Z=9v", 4, buf, sizeof(buf)), -EINVAL);	/* '=' inside */
	ck_assert_int_eq(sgw_b64_decode("====", 4, buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(sgw_b64_decode("Zh==", 4, buf, sizeof(buf)), -EINVAL);	/* bits after */
	ck_assert_int_eq(sgw_b64_decode("Zm9=", 4, buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(sgw_b64_decode("Zm9-", 4, buf, sizeof(buf)), -EINVAL);	/* base64url */
	ck_assert_int_eq(sgw_b64_decode("Zm9vYmFy", 8, buf, sizeof(buf)), -ENOSPC);
	ck_assert_int_eq(sgw_b64_decode("Zm9vYg==", 8, buf, sizeof(buf)), 4);
}
END_TEST

START_TEST(test_pct)
{
	char out[64];

	ck_assert_uint_eq(sgw_pct_encode("casa/sala/temperatura", out, sizeof(out)), 25);
	ck_assert_str_eq(out, "casa%2Fsala%2Ftemperatura");
	/* Unreserved characters stay; UTF-8 is encoded byte by byte. */
	sgw_pct_encode("a b\xc3\xbc~-._=&+", out, sizeof(out));
	ck_assert_str_eq(out, "a%20b%C3%BC~-._%3D%26%2B");
	/* Cut to fit, the length counted as snprintf() does. */
	ck_assert_uint_eq(sgw_pct_encode("a/b", out, 3), 5);
	ck_assert_str_eq(out, "a%");
	ck_assert_uint_eq(sgw_pct_encode("a/b", NULL, 0), 5);
	ck_assert_uint_eq(sgw_pct_encode("", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("encode");
	TCase *tc = tcase_create("encode");

	tcase_add_loop_test(tc, test_b64_vectors, 0, sizeof(vectors) / sizeof(vectors[0]));
	tcase_add_test(tc, test_b64_refused);
	tcase_add_test(tc, test_pct);
	suite_add_tcase(s, tc);
	return sgw_test_run(s);
}
