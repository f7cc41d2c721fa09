/* SPDX-License-Identifier: MIT */
/*
 * Publishing through the uplink against a real mosquitto: acknowledgements
 * in order, QoS 0 and retain, the in-flight window, TLS with ALPN.
 */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mqtt/paho.h"
#include "tests/fixtures/broker.h"
#include "tests/fixtures/run.h"
#include "uplink_fixture.h"

/* ----------------------------------------------------------------- tests */

START_TEST(test_publish_acks_in_order)
{
	struct test_broker *b = test_broker_start(NULL);
	struct rec r = { 0 };
	struct sgw_uplink_stats st;
	struct sgw_uplink *u;
	struct sub *s;
	struct tcfg t;
	const size_t n = 100;

	ck_assert_ptr_nonnull(b);
	s = sub_open(test_broker_uri(b), "sensors/#");
	tcfg_init(&t, test_broker_uri(b), version_of(_i), 16);
	u = up_connect(&t, "gw/a/status", &r);
	ck_assert_uint_eq(sgw_uplink_window(u), 16);
	ck_assert_str_eq(sgw_uplink_name(u), "test");

	for (size_t i = 0; i < n; i++) {
		char payload[32];
		int len = snprintf(payload, sizeof(payload), "reading %zu", i);
		int rc;

		while ((rc = sgw_uplink_publish(u, "sensors/x", payload, (size_t)len, 1000 + i)) == -EAGAIN)
			ck_assert(run_until(u, &r, below_window, 0, WAIT_MS));
		ck_assert_int_eq(rc, 0);
		/* The uplink copied it: scribbling over the buffer is harmless. */
		memset(payload, 'X', sizeof(payload));
		ck_assert_uint_le(sgw_uplink_inflight(u), 16);
	}
	ck_assert(run_until(u, &r, reported, n, WAIT_MS));
	ck_assert_uint_eq(r.nfail, 0);
	ck_assert_uint_eq(r.nack, n);
	/* The broker acknowledges QoS 1 in order; the status tag never shows. */
	for (size_t i = 0; i < n; i++)
		ck_assert_uint_eq(r.ack[i], 1000 + i);
	ck_assert_uint_eq(sgw_uplink_inflight(u), 0);

	ck_assert(sub_wait(s, sub_has, n, WAIT_MS));
	for (size_t i = 0; i < n; i++) {
		struct sub_msg m = sub_get(s, i);
		char want[32];

		snprintf(want, sizeof(want), "reading %zu", i);
		ck_assert_str_eq(m.topic, "sensors/x");
		ck_assert_str_eq(m.payload, want);
	}

	sgw_uplink_get_stats(u, &st);
	ck_assert_uint_eq(st.published, n);
	ck_assert_uint_eq(st.acked, n);
	ck_assert_uint_eq(st.failed, 0);
	ck_assert_uint_eq(st.connects, 1);
	ck_assert_uint_eq(st.disconnects, 0);

	sgw_uplink_stop(u, 5000);
	sgw_uplink_free(u);
	sub_close(s);
	test_broker_free(b);
}
END_TEST

START_TEST(test_qos0_and_retain)
{
	struct test_broker *b = test_broker_start(NULL);
	struct rec r = { 0 };
	struct sgw_uplink *u;
	struct sub_msg m;
	struct tcfg t;

	ck_assert_ptr_nonnull(b);
	tcfg_init(&t, test_broker_uri(b), version_of(_i), 2);
	t.c.qos = 0;
	u = up_connect(&t, "gw/q/status", &r);
	/* QoS 0 takes no window slot; on_ack once Paho wrote it. */
	for (uint64_t tag = 1; tag <= 5; tag++)
		ck_assert_int_eq(sgw_uplink_publish(u, "q/zero", "0", 1, tag), 0);
	ck_assert_uint_eq(sgw_uplink_inflight(u), 0);
	ck_assert(run_until(u, &r, reported, 5, WAIT_MS));
	ck_assert_uint_eq(r.nack, 5);
	for (size_t i = 0; i < 5; i++)
		ck_assert_uint_eq(r.ack[i], i + 1);

	ck_assert_int_eq(sgw_uplink_publish_ex(u, "q/kept", "21.5", 4, 1, true, 6), 0);
	ck_assert(run_until(u, &r, reported, 6, WAIT_MS));
	ck_assert_uint_eq(r.ack[5], 6);
	m = retained_of(test_broker_uri(b), "q/kept");
	ck_assert_str_eq(m.payload, "21.5");
	ck_assert_int_eq(m.retained, 1);

	/* Every tag is the caller's: the status messages need none. */
	ck_assert_int_eq(sgw_uplink_publish_ex(u, "q/x", "1", 1, 1, false, UINT64_MAX), 0);
	ck_assert(run_until(u, &r, reported, 7, WAIT_MS));
	ck_assert_uint_eq(r.ack[6], UINT64_MAX);
	/* Bad arguments are refused. */
	ck_assert_int_eq(sgw_uplink_publish_ex(u, "q/x", "1", 1, 3, false, 7), -EINVAL);
	ck_assert_int_eq(sgw_uplink_publish_ex(u, NULL, "1", 1, 1, false, 7), -EINVAL);

	sgw_uplink_stop(u, 5000);
	sgw_uplink_free(u);
	test_broker_free(b);
}
END_TEST

START_TEST(test_window_full)
{
	struct test_broker *b = test_broker_start(NULL);
	struct rec r = { 0 };
	struct sgw_uplink *u;
	struct tcfg t;

	ck_assert_ptr_nonnull(b);
	tcfg_init(&t, test_broker_uri(b), version_of(_i), 4);
	u = up_connect(&t, "gw/w/status", &r);
	/* Completions only count once dispatched: the window fills for sure. */
	for (uint64_t tag = 1; tag <= 4; tag++)
		ck_assert_int_eq(sgw_uplink_publish(u, "w/t", "v", 1, tag), 0);
	ck_assert_uint_eq(sgw_uplink_inflight(u), 4);
	ck_assert_int_eq(sgw_uplink_publish(u, "w/t", "v", 1, 5), -EAGAIN);
	ck_assert_int_eq(sgw_uplink_publish_ex(u, "w/t", "v", 1, 2, false, 5), -EAGAIN);
	/* QoS 0 is not held back by the window. */
	ck_assert_int_eq(sgw_uplink_publish_ex(u, "w/t", "v", 1, 0, false, 50), 0);

	ck_assert(run_until(u, &r, reported, 5, WAIT_MS));
	ck_assert_uint_eq(sgw_uplink_inflight(u), 0);
	ck_assert_int_eq(sgw_uplink_publish(u, "w/t", "v", 1, 5), 0);
	ck_assert(run_until(u, &r, reported, 6, WAIT_MS));
	ck_assert_uint_eq(r.nfail, 0);
	ck_assert_uint_eq(r.ack[r.nack - 1], 5);

	sgw_uplink_stop(u, 5000);
	sgw_uplink_free(u);
	test_broker_free(b);
}
END_TEST

START_TEST(test_tls)
{
	struct test_broker *b;
	struct rec r = { 0 }, r2 = { 0 };
	struct sgw_uplink *u, *bad;
	struct tcfg t, t2;
	struct pki p;
	char uri[64], alpn[] = "x-sgw-test";

	pki_make(&p);
	b = test_broker_start(p.conf);
	ck_assert_ptr_nonnull(b);
	snprintf(uri, sizeof(uri), "ssl://127.0.0.1:%d", test_broker_port(b));

	tcfg_init(&t, uri, version_of(_i), 4);
	t.c.tls = true;
	t.c.ca_file = p.ca;
	t.c.alpn = alpn;
	u = up_connect(&t, "gw/tls/status", &r);
	ck_assert_int_eq(sgw_uplink_publish(u, "tls/t", "v", 1, 3), 0);
	ck_assert(run_until(u, &r, reported, 1, WAIT_MS));
	ck_assert_uint_eq(r.nack, 1);
	ck_assert_uint_eq(r.ack[0], 3);

	/* Signed by a CA we do not trust: never connected, still retrying. */
	tcfg_init(&t2, uri, version_of(_i), 4);
	t2.c.tls = true;
	t2.c.ca_file = p.other_ca;
	bad = sgw_uplink_new(&t2.c, "gw/tls2/status", &rec_handler, &r2);
	ck_assert_ptr_nonnull(bad);
	ck_assert_int_eq(sgw_uplink_start(bad), 0);
	{
		struct attempts a = { .last = INT64_MAX };

		attempts_seen = &a;
		ck_assert(run_until(bad, &r2, count_attempts, 3, WAIT_MS));
	}
	ck_assert_int_eq(r2.connected, 0);
	ck_assert_int_ge(r2.connect_failed, 3);
	ck_assert(!sgw_uplink_connected(bad));
	sgw_uplink_stop(bad, 1000);
	sgw_uplink_free(bad);

	sgw_uplink_stop(u, 5000);
	sgw_uplink_free(u);
	test_broker_free(b);
	pki_free(&p);
}
END_TEST

static Suite *publish_suite(void)
{
	Suite *s = suite_create("publish");
	TCase *tc = tcase_create("broker");

	/* Versions: loop index 0 = MQTT 3.1.1, 1 = MQTT 5. */
	tcase_add_loop_test(tc, test_publish_acks_in_order, 0, 2);
	tcase_add_loop_test(tc, test_qos0_and_retain, 0, 2);
	tcase_add_loop_test(tc, test_window_full, 0, 2);
	tcase_add_loop_test(tc, test_tls, 0, 2);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	char err[512];

	/* Before any fork: the TLS tests need Paho's TLS build. */
	if (sgw_paho_load(true, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return EXIT_FAILURE;
	}
	/* A broker that died under a test must not kill us with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	return sgw_test_run(publish_suite());
}
