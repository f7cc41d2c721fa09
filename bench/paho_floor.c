/* SPDX-License-Identifier: MIT */
/*
 * paho_floor: the least a Paho MQTTAsync publisher can do for the
 * benchmark's workload, the floor that sensorgw's own cost is measured
 * against.  It publishes what the gateway publishes, the way it does:
 *
 *  - N "sensors" due together every INTERVAL ms (sensorgw's scheduler gives
 *    equal periods one deadline), each one message "21.50" to
 *    bench/sNNN/temperature, QoS 1, no retain;
 *  - at most WINDOW publishes awaiting their PUBACK; the rest wait, in
 *    order, in this program (as in sensorgw's outbox);
 *  - one client, MQTT 3.1.1, clean session, no persistence, keepalive 60 s,
 *    sendWhileDisconnected off;
 *  - completion callbacks only post to the main thread (an eventfd), which
 *    sends the next messages: the same thread hand-off the gateway has.
 *
 * It does nothing else: no sensor reads, filters, payload formatting or
 * store and forward.  What the gateway costs above this per reading is the
 * gateway's; what this costs is the library's (and the kernel's).
 *
 * Usage: paho_floor -p PORT [-n SENSORS] [-i INTERVAL_MS] [-w WINDOW]
 *                   [-T none|error|protocol] [-b BATCH]
 * -b publishes BATCH readings at a time as one JSON array, as sensorgw's
 * batch = yes does ([{"topic":...,"value":...,"unit":...,"ts":...,"seq":...},
 * ...], made once) to bench/floor/batch.
 * -T sets Paho's trace level (default none: no trace callback at all;
 * sensorgw installs one at "protocol" to explain failed connects).
 * Runs until SIGTERM or SIGINT, then prints "sent=N acked=N" to stderr.
 */
#define _GNU_SOURCE
#include <MQTTAsync.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;
static int efd;
static atomic_long inflight;
static atomic_bool connected;
static atomic_ulong acked;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void post(void)
{
	uint64_t one = 1;

	if (write(efd, &one, sizeof(one)) < 0)
		perror("paho_floor: eventfd");
}

static void on_connect(void *ctx, MQTTAsync_successData *r)
{
	(void)ctx;
	(void)r;
	atomic_store(&connected, true);
	post();
}

static void on_connect_failure(void *ctx, MQTTAsync_failureData *r)
{
	(void)ctx;
	fprintf(stderr, "paho_floor: connect failed (%d)\n", r ? r->code : 0);
	stop = 1;
	post();
}

static void on_sent(void *ctx, MQTTAsync_successData *r)
{
	(void)ctx;
	(void)r;
	atomic_fetch_sub(&inflight, 1);
	atomic_fetch_add(&acked, 1);
	post();
}

static void on_send_failure(void *ctx, MQTTAsync_failureData *r)
{
	(void)ctx;
	/* At the end, the disconnect fails what is still in flight. */
	if (!stop)
		fprintf(stderr, "paho_floor: publish failed (%d)\n", r ? r->code : 0);
	stop = 1;
	post();
}

static void on_lost(void *ctx, char *cause)
{
	(void)ctx;
	fprintf(stderr, "paho_floor: connection lost: %s\n", cause ? cause : "?");
	stop = 1;
	post();
}

static void on_trace(enum MQTTASYNC_TRACE_LEVELS level, char *message)
{
	(void)level;
	(void)message;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static long arg_long(const char *s, long lo, long hi, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "paho_floor: %s: \"%s\" is not in %ld..%ld\n", what, s, lo, hi);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	long port = 0, sensors = 100, interval_ms = 100, window = 32;
	const char *trace = "none";
	MQTTAsync_createOptions co = MQTTAsync_createOptions_initializer;
	MQTTAsync_connectOptions opts = MQTTAsync_connectOptions_initializer;
	MQTTAsync client;
	char uri[64], (*topics)[40];
	int64_t next;
	unsigned long sent = 0;
	long due = 0, cursor = 0, batch = 1;
	char *batch_text = NULL;
	size_t batch_len = 0;
	int c, rc;

	while ((c = getopt(argc, argv, "p:n:i:w:T:b:")) != -1) {
		switch (c) {
		case 'p': port = arg_long(optarg, 1, 65535, "-p"); break;
		case 'n': sensors = arg_long(optarg, 1, 100000, "-n"); break;
		case 'i': interval_ms = arg_long(optarg, 1, 3600000, "-i"); break;
		case 'w': window = arg_long(optarg, 1, 65535, "-w"); break;
		case 'T': trace = optarg; break;
		case 'b': batch = arg_long(optarg, 1, 1000, "-b"); break;
		default:
			fprintf(stderr, "usage: paho_floor -p PORT [-n SENSORS] [-i INTERVAL_MS] "
					"[-w WINDOW] [-T none|error|protocol] [-b BATCH]\n");
			return 2;
		}
	}
	if (!port) {
		fprintf(stderr, "paho_floor: -p PORT is required\n");
		return 2;
	}
	if (strcmp(trace, "protocol") == 0 || strcmp(trace, "error") == 0) {
		MQTTAsync_setTraceCallback(on_trace);
		MQTTAsync_setTraceLevel(strcmp(trace, "protocol") == 0 ? MQTTASYNC_TRACE_PROTOCOL
								       : MQTTASYNC_TRACE_ERROR);
	} else if (strcmp(trace, "none") != 0) {
		fprintf(stderr, "paho_floor: -T: \"%s\" is not none, error or protocol\n", trace);
		return 2;
	}
	topics = calloc((size_t)sensors, sizeof(*topics));
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!topics || efd < 0) {
		perror("paho_floor");
		return 1;
	}
	for (long i = 0; i < sensors; i++)
		snprintf(topics[i], sizeof(topics[i]), "bench/s%03ld/temperature", i + 1);
	if (batch > 1) {
		/* One array made once, of the size sensorgw's would have. */
		batch_text = malloc((size_t)batch * 128 + 2);
		if (!batch_text) {
			perror("paho_floor");
			return 1;
		}
		batch_len = 0;
		batch_text[batch_len++] = '[';
		for (long i = 0; i < batch; i++)
			batch_len += (size_t)sprintf(batch_text + batch_len,
				"%s{\"topic\":\"%s\",\"value\":21.5,\"unit\":\"\xc2\xb0""C\","
				"\"ts\":1763769600123,\"seq\":%ld}", i ? "," : "",
				topics[i % sensors], 1000000 + i);
		batch_text[batch_len++] = ']';
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);

	snprintf(uri, sizeof(uri), "tcp://127.0.0.1:%ld", port);
	co.sendWhileDisconnected = 0;
	co.maxBufferedMessages = (int)window + 100;
	co.MQTTVersion = MQTTVERSION_3_1_1;
	rc = MQTTAsync_createWithOptions(&client, uri, "paho-floor", MQTTCLIENT_PERSISTENCE_NONE,
					 NULL, &co);
	if (rc != MQTTASYNC_SUCCESS ||
	    MQTTAsync_setConnectionLostCallback(client, NULL, on_lost) != MQTTASYNC_SUCCESS) {
		fprintf(stderr, "paho_floor: cannot create the client (%d)\n", rc);
		return 1;
	}
	opts.keepAliveInterval = 60;
	opts.cleansession = 1;
	opts.MQTTVersion = MQTTVERSION_3_1_1;
	opts.maxInflight = (int)window + 2;
	opts.onSuccess = on_connect;
	opts.onFailure = on_connect_failure;
	rc = MQTTAsync_connect(client, &opts);
	if (rc != MQTTASYNC_SUCCESS) {
		fprintf(stderr, "paho_floor: connect: %d\n", rc);
		return 1;
	}

	next = now_ns();
	while (!stop) {
		struct pollfd pfd = { .fd = efd, .events = POLLIN };
		int64_t wait_ns = next - now_ns();
		uint64_t drain;

		if (wait_ns <= 0) {
			/* Every sensor is due at this deadline; a late loop skips
			 * the deadlines it missed, as the gateway's scheduler does. */
			due += sensors;
			do
				next += interval_ms * 1000000;
			while (next <= now_ns());
			wait_ns = 0;
		}
		while (atomic_load(&connected) && due >= batch && atomic_load(&inflight) < window) {
			MQTTAsync_responseOptions ro = MQTTAsync_responseOptions_initializer;
			MQTTAsync_message m = MQTTAsync_message_initializer;

			m.payload = batch > 1 ? batch_text : "21.50";
			m.payloadlen = batch > 1 ? (int)batch_len : 5;
			m.qos = 1;
			ro.onSuccess = on_sent;
			ro.onFailure = on_send_failure;
			atomic_fetch_add(&inflight, 1);
			rc = MQTTAsync_sendMessage(client, batch > 1 ? "bench/floor/batch" : topics[cursor],
						   &m, &ro);
			if (rc != MQTTASYNC_SUCCESS) {
				atomic_fetch_sub(&inflight, 1);
				fprintf(stderr, "paho_floor: sendMessage: %d\n", rc);
				stop = 1;
				break;
			}
			cursor = (cursor + 1) % sensors;
			due -= batch;
			sent += (unsigned long)batch;
		}
		if (poll(&pfd, 1, wait_ns > 0 ? (int)((wait_ns + 999999) / 1000000) : 0) > 0 &&
		    read(efd, &drain, sizeof(drain)) < 0 && errno != EAGAIN)
			perror("paho_floor: eventfd");
	}
	fprintf(stderr, "sent=%lu acked=%lu\n", sent, atomic_load(&acked));
	MQTTAsync_disconnect(client, NULL);
	usleep(100000);
	MQTTAsync_destroy(&client);
	free(topics);
	free(batch_text);
	return 0;
}
