/* SPDX-License-Identifier: MIT */
/*
 * Paho's threads: the clues to a failing connect, gathered per thread from
 * Paho's trace and OpenSSL's error lines; see why.h.  Paho runs the trace
 * callback under its log mutex and ssl_error_cb under its global one: both
 * only copy into the thread's record.
 */
#include "why.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <MQTTAsync.h>

static _Thread_local struct uplink_clues clues;
static pthread_once_t installed = PTHREAD_ONCE_INIT;

/* LINE without Paho's time stamp ("20240131 235959.123 "). */
static const char *trace_body(const char *line)
{
	static const char shape[] = "dddddddd dddddd.ddd ";

	for (size_t i = 0; shape[i]; i++) {
		bool digit = isdigit((unsigned char)line[i]);

		if (shape[i] == 'd' ? !digit : line[i] != shape[i])
			return line;
	}
	return line + sizeof(shape) - 1;
}

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Copy S up to its end or a line break, without trailing blanks. */
static void copy_trimmed(char *dst, size_t cap, const char *s, size_t n)
{
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
		n--;
	snprintf(dst, cap, "%.*s", (int)n, s);
}

/* "SSL alert write:fatal:unknown CA": a fatal one is kept; warnings (close notify) are not. */
static void alert(const char *s)
{
	bool sent = starts(s, "write:");

	if (!sent && !starts(s, "read:"))
		return;
	s = strchr(s, ':') + 1;
	if (!starts(s, "fatal:"))
		return;
	s += strlen("fatal:");
	copy_trimmed(clues.alert, sizeof(clues.alert), s, strlen(s));
	clues.alert_sent = sent;
}

static void on_trace(enum MQTTASYNC_TRACE_LEVELS level, char *line)
{
	const char *s, *p;

	(void)level;
	if (!line)
		return;
	s = trace_body(line);
	if (starts(s, "Connecting to serverURI ")) {
		/* A connect begins on this thread: what it saw before was another's. */
		memset(&clues, 0, sizeof(clues));
	} else if (starts(s, "getaddrinfo failed for addr ")) {
		if ((p = strstr(s, " with rc ")))
			clues.gai = (int)strtol(p + strlen(" with rc "), NULL, 10);
	} else if (starts(s, "SSL handshake started")) {
		memset(&clues, 0, sizeof(clues));
		clues.tls_begun = true;
	} else if (starts(s, "SSL certificate verification: ")) {
		clues.tls_done = true;
	} else if (starts(s, "SSL alert ")) {
		alert(s + strlen("SSL alert "));
	} else if (starts(s, "X509_check_host for hostname ")) {
		clues.host_failed = strstr(s, " failed") != NULL;
	} else if (isdigit((unsigned char)*s) && strstr(s, " -> CONNECT ")) {
		/* Paho checks the host as a name, then as an address: a
		 * CONNECT after a failed name check means the address matched. */
		clues.connect_sent = true;
		clues.host_failed = false;
	}
}

static void install(void)
{
	MQTTAsync_setTraceCallback(on_trace);
	MQTTAsync_setTraceLevel(MQTTASYNC_TRACE_ERROR);
}

void sgw_uplink_clues_connecting(bool begins)
{
	/* Uplinks live in the main thread, but tests run several at once:
	 * the count and the level it sets change together. */
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static int connecting;

	pthread_mutex_lock(&lock);
	connecting += begins ? 1 : -1;
	MQTTAsync_setTraceLevel(connecting > 0 ? MQTTASYNC_TRACE_PROTOCOL : MQTTASYNC_TRACE_ERROR);
	pthread_mutex_unlock(&lock);
}

void sgw_uplink_clues_install(void)
{
	pthread_once(&installed, install);
}

int sgw_uplink_clues_ssl_error(const char *str, size_t len, void *u)
{
	/* OpenSSL 1.1 and 3: "<thread>:error:<code>:<library>:<function>:<reason>:<file>:<line>:<data>" */
	const char *end = str + len, *f[7], *p;
	size_t n = 0;

	(void)u;
	if (clues.openssl[0])
		return 1;	/* the first error is the cause; drain the rest */
	p = memmem(str, len, ":error:", strlen(":error:"));
	if (!p) {
		copy_trimmed(clues.openssl, sizeof(clues.openssl), str, len);
		return 1;
	}
	for (p += strlen(":error:"), f[n++] = p; n < 7 && (p = memchr(p, ':', (size_t)(end - p)));)
		f[n++] = ++p;
	if (n < 5)
		return 1;
	/* The reason, and the extra data OpenSSL may add after the line number. */
	copy_trimmed(clues.openssl, sizeof(clues.openssl), f[3], (size_t)(f[4] - f[3] - 1));
	if (n == 7 && end - f[6] > 1 && f[6][0] != '\n') {
		size_t k = strlen(clues.openssl);

		snprintf(clues.openssl + k, sizeof(clues.openssl) - k, ": ");
		k = strlen(clues.openssl);
		copy_trimmed(clues.openssl + k, sizeof(clues.openssl) - k, f[6], (size_t)(end - f[6]));
	}
	return 1;
}

void sgw_uplink_clues_take(struct uplink_clues *c)
{
	*c = clues;
	memset(&clues, 0, sizeof(clues));
}

void sgw_uplink_clues_forget(void)
{
	memset(&clues, 0, sizeof(clues));
}
