/* SPDX-License-Identifier: MIT */
/*
 * The uplink's subscriptions against a real mosquitto: messages published
 * by mosquitto_pub reach on_message from sgw_uplink_dispatch(), retained or
 * not; subscriptions are renewed after the broker restarts; the inbound
 * mailbox drops what exceeds its bounds and counts it.
 */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mqtt/paho.h"
#include "tests/fixtures/broker.h"
#include "tests/fixtures/run.h"
#include "uplink_fixture.h"
#include "util/clock.h"

#define MSG_MAX 512

struct got {
	char topic[64];
	char payload[64];
	size_t len;
	bool retained;
};

/* The uplink fixture's record first: rec_handler's members take it. */
struct msgrec {
	struct rec r;
	size_t n;
	struct got m[MSG_MAX];
	bool nul_ok;		/* every payload came NUL-terminated */
};

static void on_msg(void *arg, struct sgw_uplink *u, const char *topic, const void *payload,
		   size_t len, bool retained)
{
	struct msgrec *mr = arg;
	struct got *g;

	if (((const char *)payload)[len] != '\0')
		mr->nul_ok = false;
	if (mr->n >= MSG_MAX) {
		mr->n++;
		return;
	}
	g = &mr->m[mr->n++];
	snprintf(g->topic, sizeof(g->topic), "%s", topic);
	snprintf(g->payload, sizeof(g->payload), "%.*s", (int)(len < 63 ? len : 63),
		 (const char *)payload);
	g->len = len;
	g->retained = retained;
}

static struct sgw_uplink_handler msg_handler;

static struct sgw_uplink *msg_uplink(struct tcfg *t, const char *status, struct msgrec *mr)
{
	struct sgw_uplink *u;

	msg_handler = rec_handler;
	msg_handler.on_message = on_msg;
	mr->nul_ok = true;
	u = sgw_uplink_new(&t->c, status, &msg_handler, mr);
	ck_assert_ptr_nonnull(u);
	return u;
}

static bool subscribed(struct sgw_uplink *u, struct rec *r, size_t n)
{
	struct sgw_uplink_stats st;

	sgw_uplink_get_stats(u, &st);
	return st.subscribed >= n;
}

static bool got(struct sgw_uplink *u, struct rec *r, size_t n)
{
	return ((struct msgrec *)r)->n >= n;
}

/* Run "INPUT | mosquitto_pub" at QoS 1 to broker B with ARGS; it waits for its PUBACK. */
static void pub_from(const struct test_broker *b, const char *input, const char *args)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "%s%smosquitto_pub -h 127.0.0.1 -p %d -q 1 %s",
		 input ? input : "", input ? " | " : "", test_broker_port(b), args);
	ck_assert_msg(system(cmd) == 0, "failed: %s", cmd);
}

static void pub(const struct test_broker *b, const char *args)
{
	pub_from(b, NULL, args);
}

START_TEST(test_messages_arrive)
{
	struct test_broker *b = test_broker_start(NULL);
	struct msgrec *mr = calloc(1, sizeof(*mr));
	struct sgw_uplink_stats st;
	struct sgw_uplink *u;
	struct tcfg t;

	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_nonnull(mr);
	/* Kept by the broker from before the subscription. */
	pub(b, "-r -t cmd/kept -m k1");
	tcfg_init(&t, test_broker_uri(b), version_of(_i), 4);
	u = msg_uplink(&t, "gw/m/status", mr);
	ck_assert_int_eq(sgw_uplink_subscribe(u, "cmd/#"), 0);
	ck_assert_int_eq(sgw_uplink_subscribe(u, "cmd/#"), 0);	/* kept once */
	ck_assert_int_eq(sgw_uplink_subscribe(u, "x/+/y"), 0);
	ck_assert_int_eq(sgw_uplink_subscribe(u, ""), -EINVAL);
	ck_assert_int_eq(sgw_uplink_subscribe(u, NULL), -EINVAL);
	ck_assert_int_eq(sgw_uplink_start(u), 0);
	ck_assert(run_until(u, &mr->r, is_connected, 1, WAIT_MS));
	ck_assert_msg(run_until(u, &mr->r, subscribed, 2, WAIT_MS), "no SUBACK");
	ck_assert(run_until(u, &mr->r, got, 1, WAIT_MS));
	ck_assert_str_eq(mr->m[0].topic, "cmd/kept");
	ck_assert_str_eq(mr->m[0].payload, "k1");
	ck_assert(mr->m[0].retained);

	pub(b, "-t cmd/a -m hello");
	pub(b, "-t not/mine -m no");
	pub(b, "-t x/1/y -n");
	ck_assert(run_until(u, &mr->r, got, 3, WAIT_MS));
	ck_assert_str_eq(mr->m[1].topic, "cmd/a");
	ck_assert_str_eq(mr->m[1].payload, "hello");
	ck_assert_uint_eq(mr->m[1].len, 5);
	ck_assert(!mr->m[1].retained);
	/* "not/mine" went to nobody: the next one is the empty message. */
	ck_assert_str_eq(mr->m[2].topic, "x/1/y");
	ck_assert_uint_eq(mr->m[2].len, 0);

	/* Added while connected: subscribed at once. */
	ck_assert_int_eq(sgw_uplink_subscribe(u, "late/#"), 0);
	ck_assert(run_until(u, &mr->r, subscribed, 3, WAIT_MS));
	pub(b, "-t late/z -m zz");
	ck_assert(run_until(u, &mr->r, got, 4, WAIT_MS));
	ck_assert_str_eq(mr->m[3].topic, "late/z");
	ck_assert_str_eq(mr->m[3].payload, "zz");
	ck_assert(mr->nul_ok);

	sgw_uplink_get_stats(u, &st);
	ck_assert_uint_eq(st.received, 4);
	ck_assert_uint_eq(st.sub_failed, 0);
	ck_assert_uint_eq(st.dropped_in, 0);
	sgw_uplink_stop(u, 5000);
	sgw_uplink_free(u);
	test_broker_free(b);
	free(mr);
}
END_TEST

START_TEST(test_resubscribed_after_restart)
{
	struct test_broker *b = test_broker_start(NULL);
	struct msgrec *mr = calloc(1, sizeof(*mr));
	struct sgw_uplink *u;
	struct tcfg t;

	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_nonnull(mr);
	tcfg_init(&t, test_broker_uri(b), version_of(_i), 4);
	u = msg_uplink(&t, "gw/r/status", mr);
	ck_assert_int_eq(sgw_uplink_subscribe(u, "set/#"), 0);
	ck_assert_int_eq(sgw_uplink_start(u), 0);
	ck_assert(run_until(u, &mr->r, subscribed, 1, WAIT_MS));
	pub(b, "-t set/1 -m before");
	ck_assert(run_until(u, &mr->r, got, 1, WAIT_MS));

	/* A broker without persistence forgets every subscription. */
	ck_assert_int_eq(test_broker_stop(b), 0);
	ck_assert(run_until(u, &mr->r, is_down, 1, WAIT_MS));
	ck_assert_int_eq(test_broker_restart(b), 0);
	ck_assert_msg(run_until(u, &mr->r, is_connected, 2, WAIT_MS), "no reconnect");
	ck_assert_msg(run_until(u, &mr->r, subscribed, 2, WAIT_MS), "not subscribed again");
	pub(b, "-t set/2 -m after");
	ck_assert(run_until(u, &mr->r, got, 2, WAIT_MS));
	ck_assert_str_eq(mr->m[1].topic, "set/2");
	ck_assert_str_eq(mr->m[1].payload, "after");

	sgw_uplink_stop(u, 5000);
	sgw_uplink_free(u);
	test_broker_free(b);
	free(mr);
}
END_TEST

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Paho's thread fills the mailbox while the main thread dispatches nothing. */
START_TEST(test_inbox_bounded)
{
	const int flood = SGW_UPLINK_INBOX_MSGS + 40;
	struct test_broker *b = test_broker_start(NULL);
	struct msgrec *mr = calloc(1, sizeof(*mr));
	struct sgw_uplink_stats st;
	struct sgw_uplink *u;
	struct tcfg t;
	char input[64];
	int64_t deadline;

	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_nonnull(mr);
	tcfg_init(&t, test_broker_uri(b), version_of(_i), 4);
	u = msg_uplink(&t, "gw/b/status", mr);
	ck_assert_int_eq(sgw_uplink_subscribe(u, "flood/#"), 0);
	ck_assert_int_eq(sgw_uplink_start(u), 0);
	ck_assert(run_until(u, &mr->r, subscribed, 1, WAIT_MS));

	/* One line, one message: 1, 2, ... */
	snprintf(input, sizeof(input), "seq 1 %d", flood);
	pub_from(b, input, "-t flood/n -l");
	deadline = sgw_mono_ns() + (int64_t)WAIT_MS * 1000000;
	do {
		sleep_ms(20);
		sgw_uplink_get_stats(u, &st);
	} while (st.dropped_in < (uint64_t)(flood - SGW_UPLINK_INBOX_MSGS) && sgw_mono_ns() < deadline);
	ck_assert_uint_eq(st.dropped_in, flood - SGW_UPLINK_INBOX_MSGS);

	/* What was kept arrives in order; the rest was dropped, not queued. */
	sgw_uplink_dispatch(u);
	ck_assert_uint_eq(mr->n, SGW_UPLINK_INBOX_MSGS);
	for (size_t i = 0; i < mr->n; i++) {
		char want[24];

		snprintf(want, sizeof(want), "%zu", i + 1);
		ck_assert_str_eq(mr->m[i].payload, want);
	}

	/* Room again; a message larger than the byte bound never fits. */
	snprintf(input, sizeof(input), "head -c %d /dev/zero", SGW_UPLINK_INBOX_BYTES + 1);
	pub_from(b, input, "-t flood/big -s");
	pub(b, "-t flood/end -m end");
	ck_assert(run_until(u, &mr->r, got, SGW_UPLINK_INBOX_MSGS + 1, WAIT_MS));
	ck_assert_str_eq(mr->m[SGW_UPLINK_INBOX_MSGS].topic, "flood/end");
	sgw_uplink_get_stats(u, &st);
	ck_assert_uint_eq(st.dropped_in, flood - SGW_UPLINK_INBOX_MSGS + 1);
	ck_assert_uint_eq(st.received, SGW_UPLINK_INBOX_MSGS + 1);

	sgw_uplink_stop(u, 5000);
	sgw_uplink_free(u);
	test_broker_free(b);
	free(mr);
}
END_TEST

static Suite *subscribe_suite(void)
{
	Suite *s = suite_create("subscribe");
	TCase *tc = tcase_create("broker");

	/* Versions: loop index 0 = MQTT 3.1.1, 1 = MQTT 5. */
	tcase_add_loop_test(tc, test_messages_arrive, 0, 2);
	tcase_add_loop_test(tc, test_resubscribed_after_restart, 0, 2);
	tcase_add_loop_test(tc, test_inbox_bounded, 0, 2);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	char err[512];

	if (sgw_paho_load(false, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return EXIT_FAILURE;
	}
	signal(SIGPIPE, SIG_IGN);
	return sgw_test_run(subscribe_suite());
}
