/* SPDX-License-Identifier: MIT */
/*
 * Test helper: a private Mosquitto broker on 127.0.0.1.
 *
 * test_broker_start() picks a free port, writes a configuration into a fresh
 * mkdtemp directory, runs /usr/sbin/mosquitto (or $SGW_MOSQUITTO) on it and
 * returns once the port accepts connections.  The broker can be stopped and
 * started again on the same port, to test reconnects.  Brokers are killed
 * when the test process exits (atexit) and, through setpriv --pdeathsig, when
 * it dies without running atexit handlers (a Check timeout kills it with
 * SIGKILL).  The broker is started with posix_spawn(), which also works for
 * test programs run by qemu-user.
 *
 * Failures return NULL / -errno and describe the cause on stderr: this is
 * test code, and a test that cannot start its broker should say why.
 */
#ifndef SGW_TEST_BROKER_H
#define SGW_TEST_BROKER_H

struct test_broker;

/*
 * Start a broker that allows anonymous clients, without persistence.
 * EXTRA_CONF (may be NULL) is appended to the configuration after the
 * "listener" line, e.g. "cafile ...\ncertfile ...\nkeyfile ...\n" for TLS.
 */
struct test_broker *test_broker_start(const char *extra_conf);

/* Stop the broker process (SIGTERM, then SIGKILL after a deadline). */
int test_broker_stop(struct test_broker *b);
/* Stop it at once with SIGKILL: no clean shutdown. */
int test_broker_kill(struct test_broker *b);
/* Freeze / thaw it (SIGSTOP / SIGCONT): connections stay open, nothing is
 * answered, e.g. to keep messages in flight. */
int test_broker_pause(struct test_broker *b);
int test_broker_resume(struct test_broker *b);
/* Start it again on the same port and wait until it accepts connections. */
int test_broker_restart(struct test_broker *b);
/* Stop if running, remove the directory, free. */
void test_broker_free(struct test_broker *b);

int test_broker_port(const struct test_broker *b);
/* "tcp://127.0.0.1:PORT" (Paho form) */
const char *test_broker_uri(const struct test_broker *b);
/* "mqtt://127.0.0.1:PORT" (sensorgw configuration form) */
const char *test_broker_url(const struct test_broker *b);
/* The private directory: configuration, mosquitto.log; tests may add files. */
const char *test_broker_dir(const struct test_broker *b);
int test_broker_running(const struct test_broker *b);

/* A free TCP port on 127.0.0.1 (bind to port 0), or -errno. */
int test_free_port(void);

#endif
