/* SPDX-License-Identifier: MIT */
/*
 * What the uplink tests share: an independent Paho subscriber in the test
 * process (struct sub) that reads what arrives at the broker, a handler
 * that records what the uplink reports (struct rec), the main loop in
 * miniature (run_until), uplink settings (struct tcfg) and a throw-away
 * PKI made by openssl for the TLS tests.  Every wait is a poll() on the
 * uplink's fd or a condition variable with a deadline.
 */
#ifndef SGW_UPLINK_FIXTURE_H
#define SGW_UPLINK_FIXTURE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <MQTTAsync.h>

#include "mqtt/uplink.h"

/* Generous: a slow 2-core machine, valgrind, qemu. */
#define WAIT_MS 30000
#define MAX_TAGS 512
#define SUB_MAX 512

struct sub_msg {
	char topic[128];
	char payload[128];
	int retained;
};

struct sub {
	MQTTAsync c;
	pthread_mutex_t m;
	pthread_cond_t cv;
	int state;		/* 0 waiting, 1 done, -1 failed */
	size_t n;
	struct sub_msg msg[SUB_MAX];
};

/* Connect, subscribe to FILTER at QoS 1, and wait for the SUBACK. */
struct sub *sub_open(const char *uri, const char *filter);
/* Wait until PRED(s, arg) under the lock; false at the deadline. */
bool sub_wait(struct sub *s, bool (*pred)(struct sub *, size_t), size_t arg, int ms);
bool sub_has(struct sub *s, size_t n);
struct sub_msg sub_get(struct sub *s, size_t i);
void sub_close(struct sub *s);
/* The first message on a fresh subscription to TOPIC: the retained one. */
struct sub_msg retained_of(const char *uri, const char *topic);

struct rec {
	uint64_t ack[MAX_TAGS], fail[MAX_TAGS];
	size_t nack, nfail;
	int connected, disconnected, connect_failed;
	char why[128], failed_why[256];
};

/* Records into the struct rec given as the handler's argument. */
extern const struct sgw_uplink_handler rec_handler;

typedef bool (*cond_fn)(struct sgw_uplink *u, struct rec *r, size_t arg);
/* Poll the uplink up to its reconnect deadline, dispatch, tick; until COND or MS. */
bool run_until(struct sgw_uplink *u, struct rec *r, cond_fn cond, size_t arg, int ms);
bool is_connected(struct sgw_uplink *u, struct rec *r, size_t n);
bool reported(struct sgw_uplink *u, struct rec *r, size_t n);
bool is_down(struct sgw_uplink *u, struct rec *r, size_t n);
bool below_window(struct sgw_uplink *u, struct rec *r, size_t n);

struct attempts {
	int64_t last;
	int n;
	int64_t max_gap_ns;
};

/* Counts reconnect attempts: each failure schedules a new deadline. */
extern struct attempts *attempts_seen;
bool count_attempts(struct sgw_uplink *u, struct rec *r, size_t n);

struct tcfg {
	struct sgw_uplink_config c;
	char uri[64], id[64], name[16];
};

void tcfg_init(struct tcfg *t, const char *uri, int version, int window);
/* A new uplink reporting to R, started and connected. */
struct sgw_uplink *up_connect(struct tcfg *t, const char *status, struct rec *r);
/* Loop index to MQTT version: 0 = 3.1.1, 1 = 5. */
int version_of(int i);

struct pki {
	char dir[64];
	char ca[128], other_ca[128], conf[512];
	char client_cert[128], client_key[128];
};

/*
 * A throw-away PKI made by tests/fixtures/pki.sh: a CA, another CA, and, signed by the
 * first, server certificates for 127.0.0.1 ("srv"), for another host name
 * ("wrong_host") and one that expired in 2020 ("expired"), all with the key
 * srv.key, and a client certificate.  P->conf is the broker's TLS
 * configuration with "srv".
 */
void pki_make(struct pki *p);
/* The broker's TLS configuration with server certificate CERT ("srv", "expired", ...). */
void pki_conf(const struct pki *p, const char *cert, char *buf, size_t cap);
void pki_free(struct pki *p);

#endif
