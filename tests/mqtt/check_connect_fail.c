/* SPDX-License-Identifier: MIT */
/*
 * Why a connect fails, against real mosquitto listeners made here: nothing
 * listening, a name that does not resolve, TLS with the right CA, a wrong
 * CA, an expired certificate, a certificate for another host, a client
 * certificate required but missing, a wrong password, an ACL.  Each case
 * connects, or reports a failure whose reason has the expected words (not
 * OpenSSL's or Paho's whole text).
 */
#include <check.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqtt/paho.h"
#include "tests/fixtures/broker.h"
#include "tests/fixtures/run.h"
#include "uplink_fixture.h"

/* One PKI for the whole suite (openssl takes a while); also holds the
 * password and ACL files. */
static struct pki pki;

static void pki_setup(void)
{
	char cmd[512];

	pki_make(&pki);
	snprintf(cmd, sizeof(cmd), "mosquitto_passwd -c -b %s/passwd alice secret", pki.dir);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "printf 'user alice\\ntopic read nothing/#\\n' > %s/acl", pki.dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void pki_teardown(void)
{
	pki_free(&pki);
}

static bool settled(struct sgw_uplink *u, struct rec *r, size_t n)
{
	return (size_t)(r->connected + r->connect_failed) >= n;
}

/* Start an uplink with T, run it until its first attempt succeeded or failed, stop it. */
static struct rec attempt(struct tcfg *t)
{
	struct rec r = { 0 };
	struct sgw_uplink *u = sgw_uplink_new(&t->c, "gw/why/status", &rec_handler, &r);

	ck_assert_ptr_nonnull(u);
	ck_assert_int_eq(sgw_uplink_start(u), 0);
	ck_assert_msg(run_until(u, &r, settled, 1, WAIT_MS), "neither connected nor failed");
	sgw_uplink_stop(u, 1000);
	sgw_uplink_free(u);
	return r;
}

/* R failed to connect, and its reason has each of the words (NULL ends them). */
static void failed_saying(const struct rec *r, ...)
{
	const char *w;
	va_list ap;

	ck_assert_msg(r->connected == 0, "connected");
	ck_assert_int_ge(r->connect_failed, 1);
	va_start(ap, r);
	while ((w = va_arg(ap, const char *)))
		ck_assert_msg(strstr(r->failed_why, w), "\"%s\" is not in the reason \"%s\"", w,
			      r->failed_why);
	va_end(ap);
}

static void connected(const struct rec *r)
{
	ck_assert_msg(r->connected == 1, "did not connect: %s", r->failed_why);
}

/* A TLS uplink to B, trusting CA. */
static void tls_cfg(struct tcfg *t, const struct test_broker *b, int version, char *ca)
{
	char uri[64];

	snprintf(uri, sizeof(uri), "ssl://127.0.0.1:%d", test_broker_port(b));
	tcfg_init(t, uri, version, 4);
	t->c.tls = true;
	t->c.ca_file = ca;
}

/* A broker with server certificate CERT and EXTRA configuration. */
static struct test_broker *tls_broker(const char *cert, const char *extra)
{
	char conf[1024];
	struct test_broker *b;

	pki_conf(&pki, cert, conf, sizeof(conf));
	if (extra)
		strncat(conf, extra, sizeof(conf) - strlen(conf) - 1);
	b = test_broker_start(conf);
	ck_assert_ptr_nonnull(b);
	return b;
}

START_TEST(test_refused)
{
	struct tcfg t;
	char uri[64];
	struct rec r;

	/* Nobody listens on a port that was just free. */
	snprintf(uri, sizeof(uri), "tcp://127.0.0.1:%d", test_free_port());
	tcfg_init(&t, uri, version_of(_i), 4);
	r = attempt(&t);
	failed_saying(&r, "connection refused", NULL);
}
END_TEST

START_TEST(test_unresolvable)
{
	struct tcfg t;
	struct rec r;

	/* .invalid never resolves (RFC 6761), with or without a network. */
	tcfg_init(&t, "tcp://sgw-no-such-host.invalid:1883", version_of(_i), 4);
	r = attempt(&t);
	failed_saying(&r, "cannot resolve", "sgw-no-such-host.invalid", NULL);
}
END_TEST

/*
 * The server certificate cases: the broker's certificate, whether the
 * uplink trusts the right CA, and the words of the reason (none: it
 * connects).
 */
static const struct tls_case {
	const char *cert;
	bool other_ca;
	const char *words[4];	/* at most three, NULL-terminated */
} tls_cases[] = {
	{ "srv", false, { NULL } },
	{ "srv", true, { "TLS", "certificate verify failed", "unknown CA", NULL } },
	{ "expired", false, { "TLS", "certificate verify failed", "expired", NULL } },
	{ "wrong_host", false, { "TLS", "not valid for the host name 127.0.0.1", NULL } },
};
#define N_TLS_CASES (sizeof(tls_cases) / sizeof(tls_cases[0]))

/* Loop index: case _i / 2, MQTT version _i % 2. */
START_TEST(test_tls_server)
{
	const struct tls_case *c = &tls_cases[_i / 2];
	struct test_broker *b = tls_broker(c->cert, NULL);
	struct tcfg t;
	struct rec r;

	tls_cfg(&t, b, version_of(_i % 2), c->other_ca ? pki.other_ca : pki.ca);
	r = attempt(&t);
	if (c->words[0])
		failed_saying(&r, c->words[0], c->words[1], c->words[2], NULL);
	else
		connected(&r);
	test_broker_free(b);
}
END_TEST

START_TEST(test_tls_client_cert)
{
	struct test_broker *b = tls_broker("srv", "require_certificate true\n");
	struct tcfg t;
	struct rec r;

	tls_cfg(&t, b, version_of(_i), pki.ca);
	r = attempt(&t);
	failed_saying(&r, "TLS", "client certificate", NULL);

	t.c.cert_file = pki.client_cert;
	t.c.key_file = pki.client_key;
	r = attempt(&t);
	connected(&r);
	test_broker_free(b);
}
END_TEST

START_TEST(test_plain_to_tls_port)
{
	struct test_broker *b = tls_broker("srv", NULL);
	struct tcfg t;
	struct rec r;

	tcfg_init(&t, test_broker_uri(b), version_of(_i), 4);
	r = attempt(&t);
	failed_saying(&r, "closed the connection", "mqtts://", NULL);
	test_broker_free(b);
}
END_TEST

START_TEST(test_tls_to_plain_port)
{
	struct test_broker *b = test_broker_start(NULL);
	struct tcfg t;
	struct rec r;

	ck_assert_ptr_nonnull(b);
	tls_cfg(&t, b, version_of(_i), pki.ca);
	r = attempt(&t);
	failed_saying(&r, "TLS", "a TLS port?", NULL);
	test_broker_free(b);
}
END_TEST

/* A broker that wants a user name and password, with an ACL for alice. */
static struct test_broker *password_broker(void)
{
	char conf[512];
	struct test_broker *b;

	/* The fixture allows anonymous clients; the later line wins. */
	snprintf(conf, sizeof(conf), "allow_anonymous false\npassword_file %s/passwd\nacl_file %s/acl\n",
		 pki.dir, pki.dir);
	b = test_broker_start(conf);
	ck_assert_ptr_nonnull(b);
	return b;
}

static char alice[] = "alice", secret[] = "secret", wrong[] = "wrong";

START_TEST(test_password)
{
	struct test_broker *b = password_broker();
	struct tcfg t;
	struct rec r;

	tcfg_init(&t, test_broker_uri(b), version_of(_i), 4);
	t.c.username = alice;
	t.c.password = secret;
	r = attempt(&t);
	connected(&r);

	/* Mosquitto answers a wrong password "not authorized", not "bad user
	 * name or password"; the reason says what the broker said. */
	t.c.password = wrong;
	r = attempt(&t);
	failed_saying(&r, "refused by the broker", "not authorized",
		      version_of(_i) == 5 ? "(reason code 135)" : "(return code 5)", NULL);

	t.c.username = NULL;
	t.c.password = NULL;
	r = attempt(&t);
	failed_saying(&r, "refused by the broker", "not authorized", NULL);
	test_broker_free(b);
}
END_TEST

START_TEST(test_acl)
{
	struct test_broker *b = password_broker();
	struct tcfg t;
	struct rec r;

	/* Alice may publish nowhere, but mosquitto checks ACLs on PUBLISH and
	 * SUBSCRIBE only: nothing to report at CONNECT. */
	tcfg_init(&t, test_broker_uri(b), version_of(_i), 4);
	t.c.username = alice;
	t.c.password = secret;
	r = attempt(&t);
	connected(&r);
	test_broker_free(b);
}
END_TEST

static Suite *connect_fail_suite(void)
{
	Suite *s = suite_create("connect_fail");
	TCase *tc = tcase_create("broker");

	tcase_add_unchecked_fixture(tc, pki_setup, pki_teardown);
	/* Versions: loop index 0 = MQTT 3.1.1, 1 = MQTT 5. */
	tcase_add_loop_test(tc, test_refused, 0, 2);
	tcase_add_loop_test(tc, test_unresolvable, 0, 2);
	tcase_add_loop_test(tc, test_tls_server, 0, 2 * N_TLS_CASES);
	tcase_add_loop_test(tc, test_tls_client_cert, 0, 2);
	tcase_add_loop_test(tc, test_plain_to_tls_port, 0, 2);
	tcase_add_loop_test(tc, test_tls_to_plain_port, 0, 2);
	tcase_add_loop_test(tc, test_password, 0, 2);
	tcase_add_loop_test(tc, test_acl, 0, 2);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	char err[512];

	if (sgw_paho_load(true, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return EXIT_FAILURE;
	}
	/* A broker that closes on us must not kill us with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	return sgw_test_run(connect_fail_suite());
}
