/* SPDX-License-Identifier: MIT */
/* UTF-8 decoding as RFC 3629 has it. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "tests/fixtures/run.h"
#include "util/utf8.h"

START_TEST(test_utf8)
{
	uint32_t cp = 0;

	ck_assert_int_eq(sgw_utf8_decode("A", 1, &cp), 1);
	ck_assert_uint_eq(cp, 'A');
	ck_assert_int_eq(sgw_utf8_decode("\xc2\xb0", 2, &cp), 2);	/* ° */
	ck_assert_uint_eq(cp, 0xb0);
	ck_assert_int_eq(sgw_utf8_decode("\xe2\x82\xac", 3, &cp), 3);	/* € */
	ck_assert_uint_eq(cp, 0x20ac);
	ck_assert_int_eq(sgw_utf8_decode("\xf4\x8f\xbf\xbf", 4, &cp), 4);
	ck_assert_uint_eq(cp, 0x10ffff);
	ck_assert_int_eq(sgw_utf8_decode("\xe2\x82\xac", 2, &cp), -1);	/* LEN too short */
	ck_assert_int_eq(sgw_utf8_decode("", 0, &cp), -1);
	ck_assert_int_eq(sgw_utf8_decode("\x80", 1, &cp), -1);
	ck_assert_int_eq(sgw_utf8_decode("\xc1\xbf", 2, &cp), -1);	/* overlong */
	ck_assert_int_eq(sgw_utf8_decode("\xe0\x9f\xbf", 3, &cp), -1);	/* overlong */
	ck_assert_int_eq(sgw_utf8_decode("\xf0\x8f\xbf\xbf", 4, &cp), -1);	/* overlong */
	ck_assert_int_eq(sgw_utf8_decode("\xed\xbf\xbf", 3, &cp), -1);	/* surrogate */
	ck_assert_int_eq(sgw_utf8_decode("\xf8\x88\x80\x80", 4, &cp), -1);
	ck_assert_int_eq(sgw_utf8_decode("\xc2\x41", 2, &cp), -1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("utf8");
	TCase *tc = tcase_create("utf8");

	tcase_add_test(tc, test_utf8);
	suite_add_tcase(s, tc);
	return sgw_test_run(s);
}
