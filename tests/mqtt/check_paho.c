/* SPDX-License-Identifier: MIT */
/*
 * Paho loaded at run time (src/mqtt/paho.c): which library a process gets, and
 * that a plain one maps no OpenSSL.  The choice is once per process, so
 * each case runs in a child of its own (also without Check's fork mode).
 */
#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <MQTTAsync.h>

#include "mqtt/paho.h"
#include "tests/fixtures/run.h"

/* In the child: report a failed condition and exit 1. */
#define EXPECT(cond)								\
	do {									\
		if (!(cond)) {							\
			fprintf(stderr, "%s:%d: failed: %s\n", __FILE__,	\
				__LINE__, #cond);				\
			_exit(1);						\
		}								\
	} while (0)

/* Run FN in a child process; it exits 0 when all went well. */
static void in_child(void (*fn)(void))
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		fn();
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "child failed (status 0x%x), see its message above", status);
}

/* Whether this process maps a file whose name contains NAME. */
static bool mapped(const char *name)
{
	char line[512];
	bool found = false;
	FILE *f = fopen("/proc/self/maps", "r");

	EXPECT(f != NULL);
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, name) != NULL;
	fclose(f);
	return found;
}

static int create_destroy(const char *uri)
{
	MQTTAsync c = NULL;
	int rc = MQTTAsync_create(&c, uri, "check-paho", MQTTCLIENT_PERSISTENCE_NONE, NULL);

	if (rc == MQTTASYNC_SUCCESS)
		MQTTAsync_destroy(&c);
	return rc;
}

static void plain_then_tls(void)
{
	char err[512] = "";

	EXPECT(sgw_paho_load(false, err, sizeof(err)) == 0);
	EXPECT(mapped(SGW_PAHO_LIB));
	EXPECT(!mapped(SGW_PAHO_LIB_TLS));
	EXPECT(!mapped("libcrypto"));
	EXPECT(!mapped("libssl"));
	EXPECT(sgw_paho_load(false, err, sizeof(err)) == 0);
	EXPECT(create_destroy("tcp://127.0.0.1:1883") == MQTTASYNC_SUCCESS);
	/* The build without TLS does not know the scheme. */
	EXPECT(create_destroy("ssl://127.0.0.1:8883") == MQTTASYNC_BAD_PROTOCOL);
	/* No second library: TLS needs a new process, and the error says so. */
	EXPECT(sgw_paho_load(true, err, sizeof(err)) == -EEXIST);
	EXPECT(strstr(err, SGW_PAHO_LIB) != NULL);
	EXPECT(strstr(err, SGW_PAHO_LIB_TLS) != NULL);
	EXPECT(!mapped(SGW_PAHO_LIB_TLS));
}

START_TEST(test_plain_then_tls)
{
	in_child(plain_then_tls);
}
END_TEST

static void tls_then_plain(void)
{
	char err[512] = "";

	EXPECT(sgw_paho_load(true, err, sizeof(err)) == 0);
	EXPECT(mapped(SGW_PAHO_LIB_TLS));
	EXPECT(mapped("libssl"));
	/* The TLS build serves plain brokers too: kept. */
	EXPECT(sgw_paho_load(false, err, sizeof(err)) == 0);
	EXPECT(!mapped(SGW_PAHO_LIB));
	EXPECT(create_destroy("ssl://127.0.0.1:8883") == MQTTASYNC_SUCCESS);
	EXPECT(create_destroy("tcp://127.0.0.1:1883") == MQTTASYNC_SUCCESS);
}

START_TEST(test_tls_then_plain)
{
	in_child(tls_then_plain);
}
END_TEST

static void implicit_plain(void)
{
	char err[512] = "";
	const char *s;

	/* Any Paho call before sgw_paho_load() loads the plain library. */
	s = MQTTAsync_strerror(MQTTASYNC_BAD_QOS);
	EXPECT(s != NULL && strstr(s, "not loaded") == NULL);
	EXPECT(mapped(SGW_PAHO_LIB));
	EXPECT(!mapped("libcrypto"));
	EXPECT(sgw_paho_load(true, err, sizeof(err)) == -EEXIST);
	EXPECT(sgw_paho_load(false, err, sizeof(err)) == 0);
}

START_TEST(test_implicit_plain)
{
	in_child(implicit_plain);
}
END_TEST

static Suite *paho_suite(void)
{
	Suite *s = suite_create("paho");
	TCase *tc = tcase_create("load");

	tcase_add_test(tc, test_plain_then_tls);
	tcase_add_test(tc, test_tls_then_plain);
	tcase_add_test(tc, test_implicit_plain);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return sgw_test_run(paho_suite());
}
