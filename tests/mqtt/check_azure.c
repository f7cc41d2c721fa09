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
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mqtt/azure.h"
#include "tests/fixtures/broker.h"
#include "tests/fixtures/run.h"
#include "uplink_fixture.h"
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

/*
 * An uplink with a SAS key against a private mosquitto (which takes any
 * password): the status and a reading arrive on the events topic, not
 * retained; the renewal is due 48 s after the connect for a 60 s token,
 * and a tick at that moment (the clock injected: no test waits 48 s)
 * ends the connection and makes it again, the caller told why.
 */
START_TEST(test_uplink_renews)
{
	static char events[] = "devices/dev/messages/events/", resource[] = "h/devices/dev";
	static char user[] = "h/dev/?api-version=" SGW_AZURE_API_VERSION;
	static unsigned char key[] = "0123456789abcdef";
	struct test_broker *b = test_broker_start(NULL);
	struct rec r = { 0 };
	struct sub_msg m;
	struct sgw_uplink *u;
	struct sub *s;
	struct tcfg t;
	int64_t t0, t1, due;

	ck_assert_ptr_nonnull(b);
	s = sub_open(test_broker_uri(b), "#");
	tcfg_init(&t, test_broker_uri(b), 4, 16);
	t.c.username = user;
	t.c.events_topic = events;
	t.c.sas_key = key;
	t.c.sas_key_len = 16;
	t.c.sas_resource = resource;
	t.c.sas_ttl_s = 60;
	t0 = sgw_mono_ns();
	u = up_connect(&t, "gw/status", &r);
	t1 = sgw_mono_ns();
	due = sgw_uplink_next_deadline(u);
	ck_assert_int_ge(due, t0 + 48 * SGW_NS_PER_S);
	ck_assert_int_le(due, t1 + 48 * SGW_NS_PER_S);

	ck_assert_int_eq(sgw_uplink_publish(u, "casa/sala", "21.5", 4, 7), 0);
	ck_assert(run_until(u, &r, reported, 1, WAIT_MS));
	ck_assert_uint_eq(r.ack[0], 7);
	ck_assert(sub_wait(s, sub_has, 2, WAIT_MS));
	m = sub_get(s, 0);
	ck_assert_str_eq(m.topic, "devices/dev/messages/events/topic=gw%2Fstatus");
	ck_assert_str_eq(m.payload, "online");
	ck_assert_int_eq(m.retained, 0);
	m = sub_get(s, 1);
	ck_assert_str_eq(m.topic, "devices/dev/messages/events/topic=casa%2Fsala");
	ck_assert_str_eq(m.payload, "21.5");

	sgw_uplink_tick(u, due - 1);
	ck_assert(sgw_uplink_connected(u));
	sgw_uplink_tick(u, due);
	ck_assert(!sgw_uplink_connected(u));
	ck_assert_int_eq(sgw_uplink_publish(u, "casa/sala", "21.6", 4, 8), -ENOTCONN);
	ck_assert(run_until(u, &r, is_connected, 2, WAIT_MS));
	ck_assert_int_eq(r.disconnected, 1);
	ck_assert_str_eq(r.why, "the SAS token is renewed");
	ck_assert_int_eq(r.connect_failed, 0);
	/* The next renewal counts from the new token. */
	ck_assert_int_gt(sgw_uplink_next_deadline(u), due);

	sgw_uplink_stop(u, 5000);
	sgw_uplink_free(u);
	sub_close(s);
	test_broker_free(b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("azure");
	TCase *tc = tcase_create("azure");

	tcase_add_test(tc, test_sas_token);
	tcase_add_test(tc, test_topic);
	tcase_add_test(tc, test_renew_schedule);
	tcase_add_test(tc, test_uplink_renews);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return sgw_test_run(s);
}
