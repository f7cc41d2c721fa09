/* SPDX-License-Identifier: MIT */
/* The main thread's side of why.h: a failed connect in words. */
#include "why.h"

#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <MQTTAsync.h>

/* MQTT 3.1.1 CONNACK return codes (section 3.2.2.3). */
static const char *const connack_311[] = {
	[1] = "unacceptable protocol version",
	[2] = "client identifier rejected",
	[3] = "server unavailable",
	[4] = "bad user name or password",
	[5] = "not authorized",
};

/* MQTT 5 CONNACK reason codes (section 3.2.2.2). */
static const char *const connack_5[] = {
	[0x80] = "unspecified error",
	[0x81] = "malformed packet",
	[0x82] = "protocol error",
	[0x83] = "implementation specific error",
	[0x84] = "unsupported protocol version",
	[0x85] = "client identifier not valid",
	[0x86] = "bad user name or password",
	[0x87] = "not authorized",
	[0x88] = "server unavailable",
	[0x89] = "server busy",
	[0x8A] = "banned",
	[0x8C] = "bad authentication method",
	[0x90] = "topic name invalid",
	[0x95] = "packet too large",
	[0x97] = "quota exceeded",
	[0x99] = "payload format invalid",
	[0x9A] = "retain not supported",
	[0x9B] = "QoS not supported",
	[0x9C] = "use another server",
	[0x9D] = "server moved",
	[0x9F] = "connection rate exceeded",
};

/* The fatal alerts that a failed check of the broker's certificate sends (OpenSSL's words). */
static const struct {
	const char *alert, *says;
} verify_alerts[] = {
	{ "unknown CA",
	  "unknown CA: the broker's certificate is not signed by a trusted CA (ca_file)" },
	{ "certificate expired", "the broker's certificate has expired (or the clock is wrong)" },
	{ "bad certificate", "bad certificate (not valid yet? check the clock)" },
	{ "certificate revoked", "the broker's certificate is revoked" },
};

/* Appends to a fixed buffer; the text is cut when it is full. */
struct text {
	char *buf;
	size_t cap, len;
};

__attribute__((format(printf, 2, 3)))
static void say(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->len + 1 >= t->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->len = (size_t)n < t->cap - t->len ? t->len + (size_t)n : t->cap - 1;
}

/* "ssl://host:port": HOST and PORT, each cut to its buffer. */
static void split_server(const char *server, char *host, size_t hcap, char *port, size_t pcap)
{
	const char *h = strstr(server, "://"), *colon;

	h = h ? h + 3 : server;
	colon = strrchr(h, ':');
	if (!colon || strchr(colon, ']'))
		colon = h + strlen(h);
	snprintf(host, hcap, "%.*s", (int)(colon - h), h);
	snprintf(port, pcap, "%s", *colon ? colon + 1 : "");
}

static bool is(const char *a, const char *b)
{
	return a && strcmp(a, b) == 0;
}

static void refused(struct text *t, const struct uplink_failure *f)
{
	const char *const *names = f->mqtt_version == 5 ? connack_5 : connack_311;
	size_t n = f->mqtt_version == 5 ? sizeof(connack_5) / sizeof(connack_5[0])
					: sizeof(connack_311) / sizeof(connack_311[0]);
	const char *kind = f->mqtt_version == 5 ? "reason" : "return";

	if ((size_t)f->code < n && names[f->code])
		say(t, "refused by the broker: %s (%s code %d)", names[f->code], kind, f->code);
	else
		say(t, "refused by the broker (%s code %d)", kind, f->code);
}

/* A fatal alert we sent: our check of the broker's certificate failed. */
static void alert_sent(struct text *t, const struct uplink_clues *c)
{
	say(t, "TLS: %s: ", c->openssl[0] ? c->openssl : "the broker's certificate is refused");
	for (size_t i = 0; i < sizeof(verify_alerts) / sizeof(verify_alerts[0]); i++)
		if (is(c->alert, verify_alerts[i].alert)) {
			say(t, "%s", verify_alerts[i].says);
			return;
		}
	say(t, "alert \"%s\"", c->alert);
}

/* A fatal alert the broker sent, or it closed the connection after the handshake. */
static void broker_ended(struct text *t, const struct uplink_failure *f, const struct uplink_clues *c)
{
	/* OpenSSL 3.0 and 3.5 name TLS 1.3's "certificate required" "unknown". */
	if (c->alert[0] && !is(c->alert, "unknown"))
		say(t, "TLS: the broker ended the connection with alert \"%s\"", c->alert);
	else
		say(t, "TLS: the broker closed the connection after the handshake");
	if (is(c->alert, "no application protocol"))
		say(t, "; check alpn");
	else if (!f->client_cert)
		say(t, "; it may require a client certificate (cert_file, key_file)");
	else if (c->alert[0])
		say(t, "; it may not accept the client certificate (cert_file)");
}

/* True when the clues of a TLS connect explain the failure (said into T). */
static bool tls_reason(struct text *t, const struct uplink_failure *f, const struct uplink_clues *c,
		       const char *host, const char *port)
{
	if (c->alert[0] && c->alert_sent)
		alert_sent(t, c);
	else if (c->host_failed)
		say(t, "TLS: the broker's certificate is not valid for the host name %s", host);
	else if (c->alert[0] || (c->tls_done && c->connect_sent))
		broker_ended(t, f, c);
	else if (c->openssl[0])
		say(t, "TLS: %s", c->openssl);
	else if (c->tls_begun && !c->tls_done)
		say(t, "TLS: the connection closed during the handshake (is port %s a TLS port?)", port);
	else
		return false;
	return true;
}

void sgw_uplink_explain(char *buf, size_t len, const struct uplink_failure *f,
			const struct uplink_clues *c)
{
	static const struct uplink_clues none;
	struct text t = { .buf = buf, .cap = len };
	const char *paho = f->paho && *f->paho ? f->paho : NULL;
	char host[256], port[16];

	if (!len)
		return;
	buf[0] = '\0';
	if (!c)
		c = &none;
	split_server(f->server ? f->server : "", host, sizeof(host), port, sizeof(port));
	if (is(paho, "CONNACK return code") && f->code > 0)
		refused(&t, f);
	else if (c->gai)
		say(&t, "cannot resolve the host name %s: %s", host, gai_strerror(c->gai));
	else if (is(paho, "TCP connect timeout"))
		/* Whatever the handshake got to: the broker stopped answering. */
		say(&t, "timed out: no answer from %s:%s within %d s", host, port, f->timeout_s);
	else if (f->tls && tls_reason(&t, f, c, host, port))
		;
	else if (!paho && f->code == MQTTASYNC_FAILURE)
		/* connect() failed at once: no route, or a refusal the kernel
		 * had already seen (loopback). */
		say(&t, "connection refused, or no network or route to %s", host);
	else if (is(paho, "TCP/TLS connect failure"))
		say(&t, "connection refused (or no route to %s)", host);
	else if (is(paho, "TCP connect completion failure") || is(paho, "socket error"))
		say(&t, "the broker closed the connection before accepting it%s",
		    f->tls ? "" : " (a TLS port? then mqtts://)");
	else
		say(&t, "%s%s%s", MQTTAsync_strerror(f->code), paho ? ": " : "", paho ? paho : "");
}
