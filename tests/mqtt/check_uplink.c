/* SPDX-License-Identifier: MIT */
/*
 * The uplink's connection against a real mosquitto (tests/fixtures/broker.c):
 * the Last Will, connecting late, losing the connection, the status
 * messages, stopping, bad settings; and against a broker that drops every
 * connection after its CONNACK: the backoff.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mqtt/paho.h"
#include "tests/fixtures/broker.h"
#include "tests/fixtures/run.h"
#include "uplink_fixture.h"
#include "util/clock.h"

/* ----------------------------------------------------------------- tests */

/*
 * Runs first: it forks, and a fork is only safe before this process has
 * any Paho thread (with CK_FORK=no all tests share one process).
 */
START_TEST(test_last_will)
{
	struct test_broker *b = test_broker_start(NULL);
	const char *status = "gw/will/status";
	struct sub *s;
	struct sub_msg m;
	int pfd[2], st;
	pid_t parent = getpid(), child;
	char c = 0;

	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(pipe(pfd), 0);
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		struct tcfg t;
		struct rec r = { 0 };
		struct sgw_uplink *u;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(2);
		close(pfd[0]);
		tcfg_init(&t, test_broker_uri(b), version_of(_i), 4);
		u = sgw_uplink_new(&t.c, status, &rec_handler, &r);
		if (!u || sgw_uplink_start(u) < 0 || !run_until(u, &r, is_connected, 1, WAIT_MS))
			_exit(3);
		c = 'c';
		if (write(pfd[1], &c, 1) != 1)
			_exit(4);
		/* Keep the connection up (keepalive) until the parent kills us. */
		for (;;)
			run_until(u, &r, is_down, 1, WAIT_MS);
	}
	close(pfd[1]);
	{
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };

		ck_assert_int_eq(poll(&p, 1, 2 * WAIT_MS), 1);
		ck_assert_int_eq(read(pfd[0], &c, 1), 1);
		ck_assert_int_eq(c, 'c');
	}
	s = sub_open(test_broker_uri(b), status);
	ck_assert(sub_wait(s, sub_has, 1, WAIT_MS));
	m = sub_get(s, 0);
	ck_assert_str_eq(m.payload, "online");

	/* Die without a DISCONNECT: the broker must publish the will. */
	kill(child, SIGKILL);
	ck_assert_int_eq(waitpid(child, &st, 0), child);
	ck_assert(WIFSIGNALED(st));
	ck_assert_msg(sub_wait(s, sub_has, 2, WAIT_MS), "no Last Will");
	m = sub_get(s, 1);
	ck_assert_str_eq(m.topic, status);
	ck_assert_str_eq(m.payload, "offline");
	sub_close(s);

	m = retained_of(test_broker_uri(b), status);
	ck_assert_str_eq(m.payload, "offline");
	ck_assert_int_eq(m.retained, 1);
	close(pfd[0]);
	test_broker_free(b);
}
END_TEST

START_TEST(test_not_connected)
{
	struct rec r = { 0 };
	struct sgw_uplink *u;
	struct tcfg t;
	char uri[64];
	int port = test_free_port();

	/* Nobody listens on a port that was just free. */
	ck_assert_int_gt(port, 0);
	snprintf(uri, sizeof(uri), "tcp://127.0.0.1:%d", port);
	tcfg_init(&t, uri, version_of(_i), 4);
	u = sgw_uplink_new(&t.c, "gw/n/status", &rec_handler, &r);
	ck_assert_ptr_nonnull(u);
	ck_assert(!sgw_uplink_connected(u));
	ck_assert_int_eq(sgw_uplink_next_deadline(u), INT64_MAX);
	ck_assert_int_eq(sgw_uplink_publish(u, "n/t", "v", 1, 1), -ENOTCONN);
	ck_assert_int_eq(sgw_uplink_start(u), 0);
	ck_assert_int_eq(sgw_uplink_publish(u, "n/t", "v", 1, 1), -ENOTCONN);
	/* Refused: a retry gets scheduled, within reconnect_max. */
	run_until(u, &r, is_connected, 1, 300);
	ck_assert(!sgw_uplink_connected(u));
	ck_assert_int_eq(sgw_uplink_publish(u, "n/t", "v", 1, 1), -ENOTCONN);
	ck_assert_uint_eq(r.nack + r.nfail, 0);
	ck_assert_int_eq(r.connected, 0);
	/* Each refused attempt reaches the handler with Paho's reason. */
	ck_assert_int_ge(r.connect_failed, 1);
	ck_assert_msg(r.failed_why[0] != '\0', "no reason given");
	sgw_uplink_stop(u, 1000);
	ck_assert_int_eq(sgw_uplink_next_deadline(u), INT64_MAX);
	sgw_uplink_free(u);
}
END_TEST

/* Counts reconnect attempts: each failure schedules a new deadline. */
START_TEST(test_broker_starts_later)
{
	struct test_broker *b = test_broker_start(NULL);
	struct attempts a = { .last = INT64_MAX };
	struct rec r = { 0 };
	struct sgw_uplink *u;
	struct tcfg t;

	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(test_broker_stop(b), 0);
	tcfg_init(&t, test_broker_uri(b), version_of(_i), 4);
	t.c.reconnect_min_ms = 20;
	t.c.reconnect_max_ms = 200;
	u = sgw_uplink_new(&t.c, "gw/l/status", &rec_handler, &r);
	ck_assert_ptr_nonnull(u);
	ck_assert_int_eq(sgw_uplink_start(u), 0);
	attempts_seen = &a;
	ck_assert(run_until(u, &r, count_attempts, 6, WAIT_MS));
	ck_assert_int_eq(r.connected, 0);
	/* Capped: no wait beyond reconnect_max (plus scheduling slack). */
	ck_assert_int_le(a.max_gap_ns, 200 * 1000000LL);

	ck_assert_int_eq(test_broker_restart(b), 0);
	ck_assert_msg(run_until(u, &r, is_connected, 1, WAIT_MS), "no connect after broker start");
	ck_assert_int_eq(sgw_uplink_next_deadline(u), INT64_MAX);
	ck_assert_int_eq(sgw_uplink_publish(u, "l/t", "v", 1, 9), 0);
	ck_assert(run_until(u, &r, reported, 1, WAIT_MS));
	ck_assert_uint_eq(r.nack, 1);
	ck_assert_uint_eq(r.ack[0], 9);

	sgw_uplink_stop(u, 5000);
	sgw_uplink_free(u);
	test_broker_free(b);
}
END_TEST

START_TEST(test_loss_fails_inflight)
{
	struct test_broker *b = test_broker_start(NULL);
	struct rec r = { 0 };
	struct sgw_uplink_stats st;
	struct sgw_uplink *u;
	struct sub *s;
	struct tcfg t;
	int counts[64] = { 0 };

	ck_assert_ptr_nonnull(b);
	tcfg_init(&t, test_broker_uri(b), version_of(_i), 16);
	u = up_connect(&t, "gw/f/status", &r);
	/* Wait for the "online" ack, so that all that stays in flight is ours. */
	ck_assert_int_eq(sgw_uplink_publish(u, "f/t", "first", 5, 1), 0);
	ck_assert(run_until(u, &r, reported, 1, WAIT_MS));
	ck_assert_uint_eq(r.ack[0], 1);

	/* A frozen broker answers nothing: these stay in flight. */
	ck_assert_int_eq(test_broker_pause(b), 0);
	for (uint64_t tag = 10; tag < 20; tag++)
		ck_assert_int_eq(sgw_uplink_publish(u, "f/t", "lost?", 5, tag), 0);
	ck_assert_uint_eq(sgw_uplink_inflight(u), 10);
	ck_assert_int_eq(test_broker_kill(b), 0);

	ck_assert_msg(run_until(u, &r, is_down, 1, WAIT_MS), "loss not noticed");
	ck_assert_int_eq(r.disconnected, 1);
	ck_assert_uint_eq(r.nack, 1);
	ck_assert_uint_eq(r.nfail, 10);
	for (size_t i = 0; i < 10; i++)
		ck_assert_uint_eq(r.fail[i], 10 + i);	/* oldest first */
	ck_assert_uint_eq(sgw_uplink_inflight(u), 0);
	ck_assert_int_eq(sgw_uplink_publish(u, "f/t", "v", 1, 30), -ENOTCONN);
	ck_assert_int_lt(sgw_uplink_next_deadline(u), INT64_MAX);

	/* Back: message ids restart with the clean session; completions of the
	 * new connection must land on the new tags only. */
	ck_assert_int_eq(test_broker_restart(b), 0);
	ck_assert_msg(run_until(u, &r, is_connected, 2, WAIT_MS), "no reconnect");
	s = sub_open(test_broker_uri(b), "f/#");
	for (uint64_t tag = 40; tag < 50; tag++)
		ck_assert_int_eq(sgw_uplink_publish(u, "f/t", "again", 5, tag), 0);
	ck_assert(run_until(u, &r, reported, 21, WAIT_MS));
	ck_assert(sub_wait(s, sub_has, 10, WAIT_MS));
	ck_assert_uint_eq(r.nfail, 10);
	ck_assert_uint_eq(r.nack, 11);
	for (size_t i = 0; i < 10; i++)
		ck_assert_uint_eq(r.ack[1 + i], 40 + i);

	/* Each tag reported exactly once. */
	for (size_t i = 0; i < r.nack; i++)
		counts[r.ack[i]]++;
	for (size_t i = 0; i < r.nfail; i++)
		counts[r.fail[i]]++;
	for (size_t i = 0; i < 64; i++)
		ck_assert_int_le(counts[i], 1);

	sgw_uplink_get_stats(u, &st);
	ck_assert_uint_eq(st.connects, 2);
	ck_assert_uint_eq(st.disconnects, 1);
	ck_assert_uint_eq(st.failed, 10);
	ck_assert_uint_eq(st.acked, 11);
	ck_assert_uint_eq(st.published, 21);

	sgw_uplink_stop(u, 5000);
	sgw_uplink_free(u);
	sub_close(s);
	test_broker_free(b);
}
END_TEST

/* The subscriber has seen a message on "q/marker" (called under its lock). */
static bool sub_has_marker(struct sub *s, size_t unused)
{
	for (size_t i = 0; i < s->n && i < SUB_MAX; i++)
		if (strcmp(s->msg[i].topic, "q/marker") == 0)
			return true;
	return false;
}

/*
 * Publishes that Paho had not written when the connection died stay in its
 * command queue (1.3, also with a clean session) and would go out first on
 * the next connection: after the uplink reported them failed, so the
 * caller sends them again (twice), and ahead of the older messages that
 * were lost on the wire and are sent again too (out of order).  A frozen
 * broker reads nothing: a message larger than the sockets' buffers stays
 * half written, and the small ones after it wait in Paho's queue.  They are
 * retained, so that the broker keeps whatever of them reaches it.
 */
START_TEST(test_loss_drops_unsent)
{
	const size_t big_len = (size_t)32 << 20;
	struct test_broker *b = test_broker_start(NULL);
	char *big = calloc(1, big_len), topic[32];
	struct sgw_uplink_stats st;
	struct rec r = { 0 };
	struct sgw_uplink *u;
	struct sub *s;
	struct tcfg t;

	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_nonnull(big);
	tcfg_init(&t, test_broker_uri(b), version_of(_i), 16);
	u = up_connect(&t, "gw/q/status", &r);
	ck_assert_int_eq(test_broker_pause(b), 0);
	ck_assert_int_eq(sgw_uplink_publish(u, "q/big", big, big_len, 1), 0);
	for (uint64_t tag = 2; tag < 6; tag++) {
		snprintf(topic, sizeof(topic), "q/late/%" PRIu64, tag);
		ck_assert_int_eq(sgw_uplink_publish_ex(u, topic, "late", 4, 1, true, tag), 0);
	}
	ck_assert_int_eq(test_broker_kill(b), 0);
	ck_assert_msg(run_until(u, &r, is_down, 1, WAIT_MS), "loss not noticed");
	ck_assert_uint_eq(r.nfail, 5);
	sgw_uplink_get_stats(u, &st);
	ck_assert_uint_eq(st.renewed, 1);

	/* Connected again once "online" was acknowledged: whatever Paho had
	 * kept went out before it. */
	ck_assert_int_eq(test_broker_restart(b), 0);
	ck_assert_msg(run_until(u, &r, is_connected, 2, WAIT_MS), "no reconnect");
	s = sub_open(test_broker_uri(b), "q/#");
	ck_assert_int_eq(sgw_uplink_publish(u, "q/marker", "m", 1, 9), 0);
	ck_assert(run_until(u, &r, reported, 6, WAIT_MS));
	ck_assert_uint_eq(r.ack[0], 9);
	ck_assert(sub_wait(s, sub_has_marker, 0, WAIT_MS));
	for (size_t i = 0; i < s->n; i++) {
		struct sub_msg m = sub_get(s, i);

		ck_assert_msg(strncmp(m.topic, "q/late/", 7) != 0,
			      "%s, reported failed, reached the broker", m.topic);
	}

	sgw_uplink_stop(u, 5000);
	sgw_uplink_free(u);
	sub_close(s);
	test_broker_free(b);
	free(big);
}
END_TEST

START_TEST(test_status_online_offline)
{
	struct test_broker *b = test_broker_start(NULL);
	const char *status = "gw/s/status";
	struct rec r = { 0 };
	struct sgw_uplink *u;
	struct sub_msg m;
	struct sub *s;
	struct tcfg t;

	ck_assert_ptr_nonnull(b);
	tcfg_init(&t, test_broker_uri(b), version_of(_i), 4);
	u = up_connect(&t, status, &r);
	s = sub_open(test_broker_uri(b), status);
	ck_assert(sub_wait(s, sub_has, 1, WAIT_MS));
	m = sub_get(s, 0);
	ck_assert_str_eq(m.payload, "online");

	/* In flight when stop begins: acked while stop waits for it. */
	ck_assert_int_eq(sgw_uplink_publish(u, "s/t", "last", 4, 77), 0);
	sgw_uplink_stop(u, 10000);
	ck_assert_uint_eq(r.nack, 1);
	ck_assert_uint_eq(r.ack[0], 77);
	ck_assert_uint_eq(r.nfail, 0);
	ck_assert_int_eq(r.disconnected, 1);
	ck_assert_str_eq(r.why, "stopped");
	ck_assert(!sgw_uplink_connected(u));
	ck_assert_int_eq(sgw_uplink_next_deadline(u), INT64_MAX);
	ck_assert_int_eq(sgw_uplink_publish(u, "s/t", "v", 1, 78), -ENOTCONN);

	ck_assert(sub_wait(s, sub_has, 2, WAIT_MS));
	m = sub_get(s, 1);
	ck_assert_str_eq(m.payload, "offline");
	sub_close(s);
	m = retained_of(test_broker_uri(b), status);
	ck_assert_str_eq(m.payload, "offline");
	ck_assert_int_eq(m.retained, 1);

	/* Stopping twice, or a stopped uplink, is harmless. */
	sgw_uplink_stop(u, 1000);
	ck_assert_int_eq(r.disconnected, 1);

	/* And it can start again: "online" once more. */
	ck_assert_int_eq(sgw_uplink_start(u), 0);
	ck_assert(run_until(u, &r, is_connected, 2, WAIT_MS));
	s = sub_open(test_broker_uri(b), status);
	ck_assert(sub_wait(s, sub_has, 1, WAIT_MS));
	m = sub_get(s, 0);
	ck_assert_str_eq(m.payload, "online");
	sub_close(s);

	sgw_uplink_stop(u, 5000);
	sgw_uplink_free(u);
	test_broker_free(b);
}
END_TEST

START_TEST(test_stop_broker_down)
{
	struct test_broker *b = test_broker_start(NULL);
	struct rec r = { 0 };
	struct sgw_uplink *u;
	struct tcfg t;
	int64_t t0;

	ck_assert_ptr_nonnull(b);
	tcfg_init(&t, test_broker_uri(b), version_of(_i), 4);
	u = up_connect(&t, "gw/d/status", &r);
	ck_assert_int_eq(test_broker_pause(b), 0);
	ck_assert_int_eq(sgw_uplink_publish(u, "d/t", "v", 1, 5), 0);
	/* Nothing is acked by a frozen broker: stop gives up at its deadline
	 * and reports the tag as failed. */
	t0 = sgw_mono_ns();
	sgw_uplink_stop(u, 500);
	ck_assert_int_lt(sgw_mono_ns() - t0, 10000 * 1000000LL);
	ck_assert_uint_eq(r.nfail, 1);
	ck_assert_uint_eq(r.fail[0], 5);
	ck_assert_uint_eq(sgw_uplink_inflight(u), 0);
	sgw_uplink_free(u);
	test_broker_free(b);
}
END_TEST

/* A "broker" that answers each CONNECT with a CONNACK and closes at once. */
struct dropper {
	int fd, port, version;
	atomic_int stop, connacks;
	pthread_t th;
};

static void *dropper_run(void *arg)
{
	static const unsigned char ack3[] = { 0x20, 2, 0, 0 }, ack5[] = { 0x20, 3, 0, 0, 0 };
	struct dropper *d = arg;
	const unsigned char *ack = d->version == 5 ? ack5 : ack3;
	size_t len = d->version == 5 ? sizeof(ack5) : sizeof(ack3);

	while (!atomic_load(&d->stop)) {
		struct pollfd p = { .fd = d->fd, .events = POLLIN };
		char buf[512];
		int c;

		if (poll(&p, 1, 50) != 1 || (c = accept(d->fd, NULL, NULL)) < 0)
			continue;
		/* The CONNECT arrives in one piece on loopback. */
		if (read(c, buf, sizeof(buf)) > 0 && write(c, ack, len) == (ssize_t)len)
			atomic_fetch_add(&d->connacks, 1);
		close(c);
	}
	return NULL;
}

static void dropper_start(struct dropper *d, int version)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);

	memset(d, 0, sizeof(*d));
	d->version = version;
	d->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(d->fd, 0);
	ck_assert_int_eq(bind(d->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(d->fd, 16), 0);
	ck_assert_int_eq(getsockname(d->fd, (struct sockaddr *)&a, &al), 0);
	d->port = ntohs(a.sin_port);
	ck_assert_int_eq(pthread_create(&d->th, NULL, dropper_run, d), 0);
}

static void dropper_stop(struct dropper *d)
{
	atomic_store(&d->stop, 1);
	pthread_join(d->th, NULL);
	close(d->fd);
}

/*
 * Connections that die right after their CONNACK, before anything was
 * acknowledged on them, do not reset the backoff: the delays grow to
 * reconnect_max instead of hammering the broker every reconnect_min.  Nor
 * do they reach the handler as connections.
 */
START_TEST(test_dropping_broker_backoff)
{
	struct attempts a = { .last = INT64_MAX };
	struct rec r = { 0 };
	struct sgw_uplink *u;
	struct dropper d;
	struct tcfg t;
	char uri[64];

	dropper_start(&d, version_of(_i));
	snprintf(uri, sizeof(uri), "tcp://127.0.0.1:%d", d.port);
	tcfg_init(&t, uri, version_of(_i), 4);
	t.c.reconnect_min_ms = 20;
	t.c.reconnect_max_ms = 800;
	u = sgw_uplink_new(&t.c, "gw/b/status", &rec_handler, &r);
	ck_assert_ptr_nonnull(u);
	ck_assert_int_eq(sgw_uplink_start(u), 0);
	attempts_seen = &a;
	/* Delays drawn from [d/2, d], d = 20, 40, ... 640, 800 ms. */
	ck_assert(run_until(u, &r, count_attempts, 8, 4 * WAIT_MS));
	/* The connections were made, then lost before anything was
	 * acknowledged: to the handler, connecting failed. */
	ck_assert_int_ge(atomic_load(&d.connacks), 2);
	ck_assert_int_eq(r.connected, 0);
	ck_assert_int_ge(r.connect_failed, 2);
	ck_assert_int_eq(sgw_uplink_publish(u, "b/t", "v", 1, 1), -ENOTCONN);
	ck_assert_msg(a.max_gap_ns >= 150 * 1000000LL, "longest delay %lld ms",
		      (long long)(a.max_gap_ns / 1000000));
	sgw_uplink_stop(u, 1000);
	sgw_uplink_free(u);
	dropper_stop(&d);
}
END_TEST

/* A loss that stop meets on its way is reported once, as the loss. */
START_TEST(test_stop_meets_loss)
{
	struct test_broker *b = test_broker_start(NULL);
	struct rec r = { 0 };
	struct sgw_uplink_stats st;
	struct sgw_uplink *u;
	struct pollfd p;
	struct tcfg t;

	ck_assert_ptr_nonnull(b);
	tcfg_init(&t, test_broker_uri(b), version_of(_i), 4);
	u = up_connect(&t, "gw/m/status", &r);
	/* After this ack (and the "online" one before it) nothing else is due. */
	ck_assert_int_eq(sgw_uplink_publish(u, "m/t", "v", 1, 1), 0);
	ck_assert(run_until(u, &r, reported, 1, WAIT_MS));
	ck_assert_int_eq(test_broker_kill(b), 0);
	/* Paho has posted the loss; the uplink has not seen it yet. */
	p = (struct pollfd){ .fd = sgw_uplink_fd(u), .events = POLLIN };
	ck_assert_int_eq(poll(&p, 1, WAIT_MS), 1);
	ck_assert_int_eq(r.disconnected, 0);

	sgw_uplink_stop(u, 1000);
	ck_assert_int_eq(r.disconnected, 1);
	ck_assert_str_ne(r.why, "stopped");
	sgw_uplink_get_stats(u, &st);
	ck_assert_uint_eq(st.disconnects, 1);
	sgw_uplink_free(u);
	test_broker_free(b);
}
END_TEST

struct resume {
	struct test_broker *b;
	int ms;
};

static void *resume_later(void *arg)
{
	struct resume *rs = arg;

	poll(NULL, 0, rs->ms);
	test_broker_resume(rs->b);
	return NULL;
}

/* Whether the broker's log has a line with NEEDLE, within MS. */
static bool broker_logged(struct test_broker *b, const char *needle, int ms)
{
	int64_t end = sgw_mono_ns() + (int64_t)ms * SGW_NS_PER_MS;
	char path[PATH_MAX], line[512];

	snprintf(path, sizeof(path), "%s/mosquitto.log", test_broker_dir(b));
	do {
		FILE *f = fopen(path, "r");
		bool found = false;

		while (f && !found && fgets(line, sizeof(line), f))
			found = strstr(line, needle) != NULL;
		if (f)
			fclose(f);
		if (found)
			return true;
		poll(NULL, 0, 50);
	} while (sgw_mono_ns() < end);
	return false;
}

/*
 * A connect under way cannot be called off: stop waits for its outcome
 * and, when it succeeds, leaves with a DISCONNECT (no Last Will), telling
 * the handler of neither.
 */
START_TEST(test_stop_while_connecting)
{
	struct test_broker *b = test_broker_start(NULL);
	const char *status = "gw/c/status";
	struct resume rs = { .b = b, .ms = 300 };
	struct rec r = { 0 };
	struct sgw_uplink *u;
	struct sub_msg m;
	struct tcfg t;
	char clean[128];
	pthread_t th;

	ck_assert_ptr_nonnull(b);
	tcfg_init(&t, test_broker_uri(b), version_of(_i), 4);
	u = sgw_uplink_new(&t.c, status, &rec_handler, &r);
	ck_assert_ptr_nonnull(u);
	/* The kernel takes the connection; the frozen broker answers later. */
	ck_assert_int_eq(test_broker_pause(b), 0);
	ck_assert_int_eq(sgw_uplink_start(u), 0);
	ck_assert_int_eq(pthread_create(&th, NULL, resume_later, &rs), 0);
	sgw_uplink_stop(u, WAIT_MS);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_int_eq(r.connected, 0);
	ck_assert_int_eq(r.disconnected, 0);
	ck_assert_int_eq(r.connect_failed, 0);
	snprintf(clean, sizeof(clean), "Client %s disconnected.", t.id);
	ck_assert_msg(broker_logged(b, clean, WAIT_MS), "no DISCONNECT from %s", t.id);
	m = retained_of(test_broker_uri(b), status);
	ck_assert_str_eq(m.payload, "offline");
	sgw_uplink_free(u);
	test_broker_free(b);
}
END_TEST

START_TEST(test_bad_config)
{
	struct tcfg t;

	tcfg_init(&t, "tcp://127.0.0.1:1", 4, 4);
	t.c.max_inflight = 0;
	errno = 0;
	ck_assert_ptr_null(sgw_uplink_new(&t.c, "s", NULL, NULL));
	ck_assert_int_eq(errno, EINVAL);
	tcfg_init(&t, "tcp://127.0.0.1:1", 3, 4);
	ck_assert_ptr_null(sgw_uplink_new(&t.c, "s", NULL, NULL));
	tcfg_init(&t, "tcp://127.0.0.1:1", 4, 4);
	ck_assert_ptr_null(sgw_uplink_new(&t.c, NULL, NULL, NULL));
	sgw_uplink_free(NULL);
}
END_TEST

static Suite *uplink_suite(void)
{
	Suite *s = suite_create("uplink");
	TCase *tc = tcase_create("broker");

	/* Versions: loop index 0 = MQTT 3.1.1, 1 = MQTT 5. */
	tcase_add_loop_test(tc, test_last_will, 0, 2);
	tcase_add_loop_test(tc, test_not_connected, 0, 2);
	tcase_add_loop_test(tc, test_broker_starts_later, 0, 2);
	tcase_add_loop_test(tc, test_loss_fails_inflight, 0, 2);
	tcase_add_loop_test(tc, test_loss_drops_unsent, 0, 2);
	tcase_add_loop_test(tc, test_status_online_offline, 0, 2);
	tcase_add_loop_test(tc, test_stop_broker_down, 0, 2);
	tcase_add_loop_test(tc, test_dropping_broker_backoff, 0, 2);
	tcase_add_loop_test(tc, test_stop_meets_loss, 0, 2);
	tcase_add_loop_test(tc, test_stop_while_connecting, 0, 2);
	tcase_add_test(tc, test_bad_config);
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
	return sgw_test_run(uplink_suite());
}
