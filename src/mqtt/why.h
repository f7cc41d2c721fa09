/* SPDX-License-Identifier: MIT */
/*
 * Why a connect failed, in a few words a user understands.  Private to the
 * uplink (src/mqtt); the tests use it too.
 *
 * What Paho's connect failure carries (MQTTAsync 1.3.12 as in bookworm and
 * 1.3.14 as in trixie, MQTTAsyncUtils.c) is a code and one of a few fixed
 * messages, each the same for quite different causes:
 *
 *   no message, code -1          the connect failed before a packet was
 *                                sent: the host name did not resolve, or
 *                                connect() failed at once (no route, or
 *                                a refusal already seen)
 *   "TCP/TLS connect failure"    the TCP connect failed (refused,
 *                                unreachable), or the TLS handshake did,
 *                                Paho's own host-name check included, or
 *                                writing the CONNECT did
 *   "TCP connect timeout"        no CONNACK within the connect timeout
 *   "TCP connect completion failure", "socket error"
 *                                the connection broke before the CONNACK
 *   "CONNACK return code"        the broker refused: the code is the MQTT
 *                                3.1.1 return code (1..5) or, with MQTT 5,
 *                                the reason code (0x80 and up)
 *
 * The rest comes through two side channels, both on the Paho thread that
 * goes on to report the failure, in the same call:
 *  - MQTTAsync_SSLOptions.ssl_error_cb, OpenSSL's error queue: "certificate
 *    verify failed", but not the verification's reason;
 *  - Paho's trace at MQTTASYNC_TRACE_PROTOCOL: getaddrinfo()'s error, the
 *    TLS alerts sent and received (the one we send names the verification's
 *    reason: "unknown CA", "certificate expired"), the end of the
 *    handshake, Paho's host-name check and the CONNECT packet.
 * Neither names the connection it is about, so the clues are kept per
 * thread and taken by the connect callbacks that run on the same thread:
 * a failure takes them, a success or a loss forgets them.  With several
 * TLS uplinks connecting at the same moment a clue of one may, rarely,
 * colour the reason another one gives; none is ever lost for the uplink
 * that saw it fail.
 *
 * Paho's trace is the library's log, not its API: should its wording
 * change, the clues go missing and the reasons fall back to what the
 * failure itself carries.
 */
#ifndef SGW_MQTT_WHY_H
#define SGW_MQTT_WHY_H

#include <stdbool.h>
#include <stddef.h>

/* What Paho's threads saw of a connect, until its outcome. */
struct uplink_clues {
	int gai;		/* getaddrinfo()'s error (EAI_*), 0: none */
	bool tls_begun;		/* a TLS handshake began */
	bool tls_done;		/* ... and ended, the certificate chain verified */
	bool host_failed;	/* then Paho's host-name check failed */
	bool connect_sent;	/* the CONNECT packet was written, or tried */
	bool alert_sent;	/* ALERT is one we sent (else the broker did) */
	char alert[48];		/* a fatal TLS alert, OpenSSL's words: "unknown CA" */
	char openssl[96];	/* OpenSSL's first error: "certificate verify failed" */
};

/*
 * Install the trace callback that gathers the clues (once per process;
 * it sets Paho's trace level, which is global, to TRACE_ERROR).
 */
void sgw_uplink_clues_install(void);
/*
 * A connect begins (BEGINS) or is over, in whatever way.  While any is
 * under way the trace level is TRACE_PROTOCOL, which the clues need;
 * otherwise TRACE_ERROR: at TRACE_PROTOCOL Paho formats a line for every
 * packet (bench/paho_floor -T shows the cost per message).
 */
void sgw_uplink_clues_connecting(bool begins);
/* For MQTTAsync_SSLOptions.ssl_error_cb: one line of OpenSSL's error queue. */
int sgw_uplink_clues_ssl_error(const char *str, size_t len, void *u);
/* Paho's threads: this thread's clues into *C (zeroed when none), then forget them. */
void sgw_uplink_clues_take(struct uplink_clues *c);
/* Paho's threads: a connect succeeded or a connection ended; forget the clues. */
void sgw_uplink_clues_forget(void);

/* A failed connect as Paho reported it, and the uplink's settings that explain it. */
struct uplink_failure {
	int code;		/* Paho's code; a CONNACK's return or reason code */
	const char *paho;	/* Paho's message, NULL or "" when none */
	int mqtt_version;	/* 4 (3.1.1) or 5 */
	bool tls;		/* mqtts:// */
	bool client_cert;	/* cert_file is set */
	const char *server;	/* tcp://host:port or ssl://host:port */
	int timeout_s;		/* the connect timeout */
};

/*
 * The reason for F in words, into BUF (LEN bytes, cut if longer), e.g.
 * "connection refused", "cannot resolve broker.example: Name or service not
 * known", "TLS: certificate verify failed: unknown CA ...", "refused by the
 * broker: not authorized (return code 5)".  Main thread.
 */
void sgw_uplink_explain(char *buf, size_t len, const struct uplink_failure *f,
			const struct uplink_clues *c);

#endif
