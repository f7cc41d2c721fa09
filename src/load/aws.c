/* SPDX-License-Identifier: MIT */
/*
 * profile = aws-iot on an [mqtt NAME] section: what AWS IoT Core would
 * refuse or cut off at run time (a disconnect, a throttled publish, a
 * message dropped without a word) is refused here, as FILE:LINE, before
 * the daemon starts.  The limits are AWS IoT Core's message broker quotas
 * (AWS General Reference, "AWS IoT Core endpoints and quotas") and the
 * Basic Ingest rules (Developer Guide, "Reducing messaging costs with
 * Basic Ingest"):
 *
 *  - TLS with a client certificate, on port 8883, or on 443 with the ALPN
 *    protocol name x-amzn-mqtt-ca;
 *  - topics (and an actuator's command topic filter) of at most 256
 *    bytes and 7 slashes; a Basic Ingest topic's
 *    "$aws/rules/RULE/" does not count; no other '$' topic (those are
 *    refused for every broker by message/topic.h);
 *  - QoS 0 or 1, the uplink's and that of every sensor it carries
 *    ([sensor NAME] qos); retained messages are allowed (AWS IoT Core
 *    keeps them since 2021, within its own quotas); a client ID of at
 *    most 128 bytes; a keepalive of 30..1200 s; at most 100
 *    unacknowledged publishes per connection, and at most 100 publishes
 *    a second (max_rate: 100/s by default);
 *  - one connection attempt a second per client ID (reconnect_min: 2 s
 *    by default, no less).
 */
#include "load_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "message/topic.h"

#define AWS_ALPN "x-amzn-mqtt-ca"
#define AWS_CLIENT_ID_MAX 128
#define AWS_KEEPALIVE_MIN_S 30
#define AWS_KEEPALIVE_MAX_S 1200
#define AWS_INFLIGHT_MAX 100
#define AWS_RATE_MAX 100	/* publishes a second per connection */
#define AWS_TOPIC_MAX 256
#define AWS_TOPIC_SLASHES_MAX 7
/*
 * AWS IoT Core takes one CONNECT a second per client ID.  The backoff's
 * first delay is drawn from [reconnect_min / 2, reconnect_min]
 * (util/backoff.h): 2 s keeps every retry a second or more after the last.
 */
#define AWS_RECONNECT_MIN_MS 2000

/* KEY when the section has it, else the profile key: where a message belongs. */
static struct sgw_opt *key_or_profile(struct sgw_keys *ks, const char *key)
{
	struct sgw_opt *o = sgw_keys_find(ks, key);

	return o ? o : sgw_keys_find(ks, "profile");
}

void sgw_aws_check_uplink(struct loader *l, struct sgw_keys *ks, struct sgw_uplink_config *u,
			  long port)
{
	struct sgw_opt *o;

	if (u->uri && !u->tls)
		sgw_keys_bad(ks, sgw_keys_find(ks, "uri"),
			     "AWS IoT Core takes MQTT only over TLS: mqtts:// (profile = aws-iot)");
	else if (u->uri && port != 8883 && port != 443)
		sgw_keys_bad(ks, sgw_keys_find(ks, "uri"),
			     "AWS IoT Core takes MQTT on port 8883, or on 443 with alpn = " AWS_ALPN
			     " (profile = aws-iot)");
	if (u->tls && !u->cert_file && !u->key_file && !sgw_keys_find(ks, "cert_file") &&
	    !sgw_keys_find(ks, "key_file"))
		sgw_keys_bad(ks, sgw_keys_find(ks, "profile"),
			     "needs cert_file and key_file: AWS IoT Core knows a device by its "
			     "X.509 client certificate");
	if (u->tls && port == 443) {
		o = sgw_keys_find(ks, "alpn");
		if (!o && !u->alpn)
			u->alpn = sgw_load_strdup(l, AWS_ALPN);
		else if (u->alpn && strcmp(u->alpn, AWS_ALPN) != 0)
			sgw_keys_bad(ks, o, "AWS IoT Core takes MQTT on port 443 only with alpn = "
				     AWS_ALPN " (profile = aws-iot)");
	}
	if (u->qos == 2)
		sgw_keys_bad(ks, sgw_keys_find(ks, "qos"),
			     "AWS IoT Core does not support QoS 2 (profile = aws-iot)");
	if (u->client_id && strlen(u->client_id) > AWS_CLIENT_ID_MAX)
		sgw_keys_bad(ks, key_or_profile(ks, "client_id"),
			     "makes a client ID of %zu bytes; AWS IoT Core allows %d "
			     "(profile = aws-iot)", strlen(u->client_id), AWS_CLIENT_ID_MAX);
	if (u->keepalive_s < AWS_KEEPALIVE_MIN_S || u->keepalive_s > AWS_KEEPALIVE_MAX_S)
		sgw_keys_bad(ks, key_or_profile(ks, "keepalive"),
			     "AWS IoT Core takes a keepalive of %ds..%ds (profile = aws-iot)",
			     AWS_KEEPALIVE_MIN_S, AWS_KEEPALIVE_MAX_S);
	if (u->max_inflight > AWS_INFLIGHT_MAX) {
		if ((o = sgw_keys_find(ks, "max_inflight")))
			sgw_keys_bad(ks, o, "AWS IoT Core allows at most %d unacknowledged publishes "
				     "per connection (profile = aws-iot)", AWS_INFLIGHT_MAX);
		else
			u->max_inflight = AWS_INFLIGHT_MAX;
	}
	if (!u->max_rate && !sgw_keys_find(ks, "max_rate"))
		u->max_rate = AWS_RATE_MAX;
	else if (u->max_rate > AWS_RATE_MAX)
		sgw_keys_bad(ks, sgw_keys_find(ks, "max_rate"),
			     "AWS IoT Core takes at most %d publishes a second per connection "
			     "(profile = aws-iot)", AWS_RATE_MAX);
	if (u->reconnect_min_ms < AWS_RECONNECT_MIN_MS) {
		if ((o = sgw_keys_find(ks, "reconnect_min")))
			sgw_keys_bad(ks, o, "AWS IoT Core takes one connection attempt a second per "
				     "client ID, and retries come as early as half of reconnect_min: "
				     "2s at least (profile = aws-iot)");
		else
			u->reconnect_min_ms = AWS_RECONNECT_MIN_MS;
		if (u->reconnect_max_ms < AWS_RECONNECT_MIN_MS)
			sgw_keys_bad(ks, key_or_profile(ks, "reconnect_max"),
				     "is less than reconnect_min, which is 2s at least for AWS IoT Core "
				     "(profile = aws-iot)");
	}
}

static size_t slashes(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '/';
	return n;
}

/*
 * TOPIC followed by SUFFIX (published as one topic) within AWS IoT Core's
 * limits; else an error at LINE, WHO saying whose topic it is, WHAT which
 * one ("" or " (of its error reports)").
 */
static bool topic_fits(struct loader *l, const struct sgw_uplink_config *u, const char *label,
		       int line, const char *who, const char *topic, const char *suffix,
		       const char *what)
{
	size_t skip = sgw_topic_basic_ingest(topic);
	size_t len = strlen(topic) - skip + strlen(suffix);
	size_t ns = slashes(topic + skip) + slashes(suffix);
	const char *basic = skip ? " after the Basic Ingest prefix" : "";
	char q[96], *full = sgw_load_printf(l, "%s%s", topic, suffix);

	if (!full)
		return false;
	sgw_keys_quote(full, q, sizeof(q));
	free(full);
	if (len > AWS_TOPIC_MAX)
		sgw_diag_error(l->d, line, "%s: topic %s%s is %zu bytes%s; AWS IoT Core allows %d "
			       "(%s profile = aws-iot, line %d)", who, q, what, len, basic,
			       AWS_TOPIC_MAX, label, u->profile_line);
	else if (ns > AWS_TOPIC_SLASHES_MAX)
		sgw_diag_error(l->d, line, "%s: topic %s%s has %zu slashes%s; AWS IoT Core allows %d "
			       "(%s profile = aws-iot, line %d)", who, q, what, ns, basic,
			       AWS_TOPIC_SLASHES_MAX, label, u->profile_line);
	else
		return true;
	return false;
}

/*
 * Every topic U (cfg->uplinks[BIT]) publishes: its sensors' readings',
 * their error reports', the status', the batches'; and its sensors' QoS.
 */
static void check_uplink_sensors(struct loader *l, const struct sgw_uplink_config *u, size_t bit)
{
	const struct sgw_config *cfg = l->cfg;
	char who[SGW_KEYS_LABEL_MAX + 64], label[SGW_SECTION_LABEL_MAX];

	sgw_load_uplink_label(l, bit, label, sizeof(label));
	for (size_t i = 0; i < cfg->nsensors && !l->nomem; i++) {
		const struct sgw_sensor_config *sc = &cfg->sensors[i];

		if (!(sc->uplinks & (1u << bit)))
			continue;
		if (sc->has_qos && sc->qos == 2)
			sgw_diag_error(l->d, sc->qos_line, "[sensor %s] qos: \"2\" AWS IoT Core does "
				       "not support QoS 2 (%s profile = aws-iot, line %d)", sc->name,
				       label, u->profile_line);
		for (size_t c = 0; c < sc->nchannels; c++) {
			int line = l->topic_line[i * SGW_MAX_CHANNELS + c];

			if (!sc->ch[c].topic)
				continue;
			snprintf(who, sizeof(who), "[sensor %s] %s", sc->name, sc->ch[c].name);
			/* health.c publishes a sensor's failures to <topic>/error. */
			if (topic_fits(l, u, label, line, who, sc->ch[c].topic, "", ""))
				topic_fits(l, u, label, line, who, sc->ch[c].topic, "/error",
					   " (where its errors go)");
		}
	}
	if (cfg->gw.status_topic) {
		snprintf(who, sizeof(who), "%s profile", label);
		/* stats.c publishes the statistics to <status topic>/stats. */
		if (topic_fits(l, u, label, u->profile_line, who, cfg->gw.status_topic, "",
			       " (the status topic)"))
			topic_fits(l, u, label, u->profile_line, who, cfg->gw.status_topic, "/stats",
				   " (the statistics topic)");
	}
	if (u->batch && u->batch_topic) {
		snprintf(who, sizeof(who), "%s batch", label);
		topic_fits(l, u, label, u->batch_line, who, u->batch_topic, "", " (the batch topic)");
	}
}

/*
 * The actuators' topics: each is published on every uplink (its state,
 * /position and /error), and its command topic is subscribed to on an
 * uplink with commands = yes; AWS IoT Core's limits are the same for a
 * topic filter.
 */
static void check_uplink_actuators(struct loader *l, const struct sgw_uplink_config *u,
				   size_t bit)
{
	const struct sgw_config *cfg = l->cfg;
	char who[SGW_KEYS_LABEL_MAX + 64], label[SGW_SECTION_LABEL_MAX];

	sgw_load_uplink_label(l, bit, label, sizeof(label));
	for (size_t i = 0; i < cfg->nactuators && !l->nomem; i++) {
		const struct sgw_actuator_config *a = &cfg->actuators[i];

		if (!a->topic)
			continue;
		snprintf(who, sizeof(who), "[actuator %s]", a->name);
		if (topic_fits(l, u, label, a->line, who, a->topic, "/position",
			       " (where its position goes)") &&
		    topic_fits(l, u, label, a->line, who, a->topic, "/error",
			       " (where its errors go)") && u->commands && a->command_topic)
			topic_fits(l, u, label, a->line, who, a->command_topic, "",
				   " (its commands)");
	}
}

void sgw_aws_check_topics(struct loader *l)
{
	for (size_t i = 0; i < l->cfg->nuplinks && !l->nomem; i++)
		if (l->cfg->uplinks[i].profile == SGW_PROFILE_AWS_IOT) {
			check_uplink_sensors(l, &l->cfg->uplinks[i], i);
			check_uplink_actuators(l, &l->cfg->uplinks[i], i);
		}
}
