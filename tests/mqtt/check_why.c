/* SPDX-License-Identifier: MIT */
/*
 * A failed connect in words (src/mqtt/why.c), from what Paho reports and
 * the clues gathered on its threads: the cases a broker cannot easily be
 * made to produce (a timeout, no network, codes mosquitto never sends),
 * and the parsing of OpenSSL's error lines.
 */
#include <check.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <MQTTAsync.h>

#include "mqtt/paho.h"
#include "mqtt/why.h"
#include "tests/fixtures/run.h"

static const struct uplink_failure plain = {
	.code = MQTTASYNC_FAILURE, .mqtt_version = 4, .server = "tcp://broker.example:1883",
	.timeout_s = 30,
};

static void says(const struct uplink_failure *f, const struct uplink_clues *c, const char *want)
{
	char buf[256];

	sgw_uplink_explain(buf, sizeof(buf), f, c);
	ck_assert_str_eq(buf, want);
}

START_TEST(test_network)
{
	struct uplink_failure f = plain;
	struct uplink_clues c = { .gai = EAI_AGAIN };

	says(&f, &c, "cannot resolve the host name broker.example: Temporary failure in name resolution");
	/* connect() failed at once: Paho says nothing at all. */
	says(&f, NULL, "connection refused, or no network or route to broker.example");
	f.paho = "TCP/TLS connect failure";
	says(&f, NULL, "connection refused (or no route to broker.example)");
	f.paho = "TCP connect timeout";
	says(&f, NULL, "timed out: no answer from broker.example:1883 within 30 s");
	f.paho = "TCP connect completion failure";
	says(&f, NULL, "the broker closed the connection before accepting it (a TLS port? then mqtts://)");
	f.paho = "socket error";
	f.tls = true;
	says(&f, NULL, "the broker closed the connection before accepting it");
	/* Anything else: Paho's own words. */
	f.paho = NULL;
	f.code = MQTTASYNC_OPERATION_INCOMPLETE;
	says(&f, NULL, "Operation discarded before completion");
}
END_TEST

START_TEST(test_refused_by_broker)
{
	struct uplink_failure f = plain;

	f.paho = "CONNACK return code";
	f.code = 4;
	says(&f, NULL, "refused by the broker: bad user name or password (return code 4)");
	f.code = 2;
	says(&f, NULL, "refused by the broker: client identifier rejected (return code 2)");
	f.code = 9;
	says(&f, NULL, "refused by the broker (return code 9)");
	f.mqtt_version = 5;
	f.code = MQTTREASONCODE_BAD_USER_NAME_OR_PASSWORD;
	says(&f, NULL, "refused by the broker: bad user name or password (reason code 134)");
	f.code = MQTTREASONCODE_SERVER_UNAVAILABLE;
	says(&f, NULL, "refused by the broker: server unavailable (reason code 136)");
	f.code = MQTTREASONCODE_QOS_NOT_SUPPORTED;
	says(&f, NULL, "refused by the broker: QoS not supported (reason code 155)");
}
END_TEST

START_TEST(test_tls)
{
	struct uplink_failure f = plain;
	struct uplink_clues c = { .tls_begun = true };

	f.tls = true;
	f.server = "ssl://broker.example:8883";
	f.paho = "TCP/TLS connect failure";
	says(&f, &c, "TLS: the connection closed during the handshake (is port 8883 a TLS port?)");
	/* No handshake began: the TCP connect failed. */
	says(&f, NULL, "connection refused (or no route to broker.example)");
	/* A handshake, a CONNECT and then silence: a timeout, not a refusal. */
	f.paho = "TCP connect timeout";
	c.tls_done = c.connect_sent = true;
	says(&f, &c, "timed out: no answer from broker.example:8883 within 30 s");
	f.paho = "TCP/TLS connect failure";
	c.tls_done = c.connect_sent = false;

	snprintf(c.openssl, sizeof(c.openssl), "certificate verify failed");
	snprintf(c.alert, sizeof(c.alert), "bad certificate");
	c.alert_sent = true;
	says(&f, &c, "TLS: certificate verify failed: bad certificate (not valid yet? check the clock)");
	snprintf(c.alert, sizeof(c.alert), "decrypt error");
	says(&f, &c, "TLS: certificate verify failed: alert \"decrypt error\"");

	/* The broker ended it: what about our certificate, or ALPN. */
	c.alert_sent = false;
	c.openssl[0] = '\0';
	snprintf(c.alert, sizeof(c.alert), "handshake failure");
	says(&f, &c, "TLS: the broker ended the connection with alert \"handshake failure\"; "
		     "it may require a client certificate (cert_file, key_file)");
	f.client_cert = true;
	says(&f, &c, "TLS: the broker ended the connection with alert \"handshake failure\"; "
		     "it may not accept the client certificate (cert_file)");
	snprintf(c.alert, sizeof(c.alert), "no application protocol");
	says(&f, &c, "TLS: the broker ended the connection with alert \"no application protocol\"; "
		     "check alpn");

	/* OpenSSL refused before any alert (a CA file it cannot read). */
	memset(&c, 0, sizeof(c));
	snprintf(c.openssl, sizeof(c.openssl), "no certificate or crl found");
	says(&f, &c, "TLS: no certificate or crl found");
}
END_TEST

START_TEST(test_cut_to_buffer)
{
	struct uplink_failure f = plain;
	char buf[16];

	memset(buf, 'x', sizeof(buf));
	sgw_uplink_explain(buf, sizeof(buf), &f, NULL);
	ck_assert_str_eq(buf, "connection refu");
}
END_TEST

START_TEST(test_openssl_lines)
{
	static const char verify[] =
		"C0E6DFA1AF7F0000:error:0A000086:SSL routines:tls_post_process_server_certificate:"
		"certificate verify failed:../ssl/statem/statem_clnt.c:1889:\n";
	static const char with_data[] =
		"40E7:error:80000002:system library:file_open:No such file or directory:"
		"../crypto/bio/bss_file.c:67:calling fopen(/etc/ca.pem, r)\n";
	struct uplink_clues c;

	/* The first error is the cause; later ones are drained, not kept. */
	sgw_uplink_clues_ssl_error(verify, strlen(verify), NULL);
	sgw_uplink_clues_ssl_error(with_data, strlen(with_data), NULL);
	sgw_uplink_clues_take(&c);
	ck_assert_str_eq(c.openssl, "certificate verify failed");
	/* Taken: the thread starts afresh. */
	sgw_uplink_clues_take(&c);
	ck_assert_str_eq(c.openssl, "");

	sgw_uplink_clues_ssl_error(with_data, strlen(with_data), NULL);
	sgw_uplink_clues_take(&c);
	ck_assert_str_eq(c.openssl, "No such file or directory: calling fopen(/etc/ca.pem, r)");

	/* Not OpenSSL's shape: kept as it is. */
	sgw_uplink_clues_ssl_error("odd\n", 4, NULL);
	sgw_uplink_clues_forget();
	sgw_uplink_clues_take(&c);
	ck_assert_str_eq(c.openssl, "");
	sgw_uplink_clues_ssl_error("odd\n", 4, NULL);
	sgw_uplink_clues_take(&c);
	ck_assert_str_eq(c.openssl, "odd");
}
END_TEST

static Suite *why_suite(void)
{
	Suite *s = suite_create("why");
	TCase *tc = tcase_create("explain");

	tcase_add_test(tc, test_network);
	tcase_add_test(tc, test_refused_by_broker);
	tcase_add_test(tc, test_tls);
	tcase_add_test(tc, test_cut_to_buffer);
	tcase_add_test(tc, test_openssl_lines);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	char err[512];

	/* MQTTReasonCode_toString() and MQTTAsync_strerror() are Paho's. */
	if (sgw_paho_load(false, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return EXIT_FAILURE;
	}
	return sgw_test_run(why_suite());
}
