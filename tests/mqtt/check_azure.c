/* SPDX-License-Identifier: MIT */
/*
 * Azure IoT Hub's topics and SAS tokens.  Microsoft's documentation shows
 * tokens only with their keys left out, so the expected token was computed
 * by Python 3 with the algorithm of Microsoft's own Python sample
 * ("Control access to IoT Hub with shared access signatures"):
 *
 *   key = base64.b64decode("c2Vuc29yZ3ctdGVzdC1kZXZpY2Uta2V5LTMyYnl0ZXM=")
 *   sr = urllib.parse.quote("myhub.azure-devices.net/devices/sala-pi", safe="")
 *   sig = base64.b64encode(hmac.new(key, (sr + "\n1767225600").encode(),
 *                                   hashlib.sha256).digest())
 *   "SharedAccessSignature sr=%s&sig=%s&se=1767225600"
 *       % (sr, urllib.parse.quote(sig, safe=""))
 *
 * tests/it/azure.sh checks the tokens a broker receives the same way.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "mqtt/azure.h"
#include "tests/fixtures/run.h"
#include "util/clock.h"

START_TEST(test_sas_token)
{
	static const char key[] = "sensorgw-test-device-key-32bytes";
	char *t = sgw_azure_sas_token("myhub.azure-devices.net/devices/sala-pi",
				      (const unsigned char *)key, strlen(key), 1767225600);

	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(t, "SharedAccessSignature sr=myhub.azure-devices.net%2Fdevices%2Fsala-pi"
			 "&sig=T0ThAJZvWuvCgtRsXdmtBe2dlCfqCWhAHe6wv%2FBmFkE%3D&se=1767225600");
	free(t);
	/* Another expiry, another signature. */
	t = sgw_azure_sas_token("myhub.azure-devices.net/devices/sala-pi",
				(const unsigned char *)key, strlen(key), 1767225601);
	ck_assert_ptr_nonnull(t);
	ck_assert_ptr_null(strstr(t, "T0ThAJZvWuvCgtRsXdmtBe2dlCfqCWhAHe6wv"));
	ck_assert_ptr_nonnull(strstr(t, "&se=1767225601"));
	free(t);
}
END_TEST

START_TEST(test_topic)
{
	char *t = sgw_azure_topic("devices/sala-pi/messages/events/", "casa/sala/temperatura");

	ck_assert_str_eq(t, "devices/sala-pi/messages/events/topic=casa%2Fsala%2Ftemperatura");
	free(t);
	t = sgw_azure_topic("devices/d/messages/events/", "a b&c=d");
	ck_assert_str_eq(t, "devices/d/messages/events/topic=a%20b%26c%3Dd");
	free(t);
}
END_TEST

/* At 80% of the token's life from the connect that made it. */
START_TEST(test_renew_schedule)
{
	int64_t made = 5 * SGW_NS_PER_S;

	ck_assert_int_eq(sgw_azure_renew_ns(made, 60), made + 48 * SGW_NS_PER_S);
	ck_assert_int_eq(sgw_azure_renew_ns(made, 3600), made + 2880 * SGW_NS_PER_S);
	ck_assert_int_eq(sgw_azure_renew_ns(made, 30 * 86400),
			 made + 24LL * 86400 * SGW_NS_PER_S);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("azure");
	TCase *tc = tcase_create("azure");

	tcase_add_test(tc, test_sas_token);
	tcase_add_test(tc, test_topic);
	tcase_add_test(tc, test_renew_schedule);
	suite_add_tcase(s, tc);
	return sgw_test_run(s);
}
