/* SPDX-License-Identifier: MIT */
/*
 * The Paho client of an uplink, made from its configuration: creating and
 * freeing it, and the options of each connect.
 */
#include "uplink_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "azure.h"
#include "util/clock.h"

int sgw_uplink_connect_paho(struct sgw_uplink *u)
{
	MQTTAsync_connectOptions co = MQTTAsync_connectOptions_initializer;
	MQTTAsync_connectOptions co5 = MQTTAsync_connectOptions_initializer5;
	MQTTAsync_willOptions will = MQTTAsync_willOptions_initializer;
	MQTTAsync_SSLOptions ssl = MQTTAsync_SSLOptions_initializer;
	MQTTAsync_connectOptions *o;

	if (u->mqtt_version == 5) {
		o = &co5;
		o->cleanstart = 1;
		o->MQTTVersion = MQTTVERSION_5;
	} else {
		o = &co;
		o->cleansession = 1;
		o->MQTTVersion = MQTTVERSION_3_1_1;
	}
	sgw_uplink_set_connect_cbs(o, u->mqtt_version);
	o->context = u;
	o->keepAliveInterval = u->keepalive_s;
	o->maxInflight = (int)u->window + UPLINK_STATUS_SLOTS;
	o->connectTimeout = UPLINK_CONNECT_TIMEOUT_S;
	o->retryInterval = 0;
	/* Our own backoff, driven by the main loop, decides when to retry. */
	o->automaticReconnect = 0;
	o->username = u->username;
	o->password = u->password;

	will.topicName = u->status_topic;
	will.message = UPLINK_STATUS_OFFLINE;
	will.retained = !u->events_topic;	/* Azure IoT Hub keeps nothing */
	will.qos = 1;
	o->will = &will;

	if (u->tls) {
		struct stat sb;

		/* A directory of hashed certificates or one PEM bundle; neither
		 * given: OpenSSL's default paths (/etc/ssl/certs). */
		if (u->ca_file && stat(u->ca_file, &sb) == 0 && S_ISDIR(sb.st_mode))
			ssl.CApath = u->ca_file;
		else
			ssl.trustStore = u->ca_file;
		ssl.keyStore = u->cert_file;
		ssl.privateKey = u->key_file;
		ssl.enableServerCertAuth = 1;
		ssl.verify = 1;			/* host name check; Paho's default is off */
		ssl.protos = u->protos;
		ssl.protos_len = u->protos_len;
		/* OpenSSL's errors, one of the clues to a failure (why.h). */
		ssl.ssl_error_cb = sgw_uplink_clues_ssl_error;
		ssl.ssl_error_context = u;
		o->ssl = &ssl;
	}

	return MQTTAsync_connect(u->client, o);
}

int sgw_uplink_make_password(struct sgw_uplink *u)
{
	/* The token's expiry is wall-clock time, which the hub checks. */
	int64_t expiry = sgw_real_ms() / 1000 + u->sas_ttl_s;
	char *token = sgw_azure_sas_token(u->sas_resource, u->sas_key, u->sas_key_len, expiry);

	if (!token)
		return -errno;
	if (u->password)
		explicit_bzero(u->password, strlen(u->password));
	free(u->password);
	u->password = token;
	u->renew_ns = sgw_azure_renew_ns(sgw_mono_ns(), u->sas_ttl_s);
	return 0;
}

int sgw_uplink_errno(int rc)
{
	switch (rc) {
	case MQTTASYNC_DISCONNECTED:
		return -ENOTCONN;
	case MQTTASYNC_MAX_MESSAGES_INFLIGHT:
	case MQTTASYNC_MAX_BUFFERED_MESSAGES:
	case MQTTASYNC_MAX_BUFFERED:
	case MQTTASYNC_NO_MORE_MSGIDS:
		return -EAGAIN;
	case MQTTASYNC_BAD_UTF8_STRING:
	case MQTTASYNC_NULL_PARAMETER:
	case MQTTASYNC_BAD_QOS:
	case MQTTASYNC_BAD_STRUCTURE:
	case MQTTASYNC_BAD_MQTT_OPTION:
	case MQTTASYNC_BAD_PROTOCOL:
		return -EINVAL;
	case MQTTASYNC_SSL_NOT_SUPPORTED:
		return -EPROTONOSUPPORT;
	default:
		return -EIO;
	}
}

static int dup_opt(char **dst, const char *src)
{
	if (!src)
		return 0;
	*dst = strdup(src);
	return *dst ? 0 : -ENOMEM;
}

static int alpn_wire(struct sgw_uplink *u, const char *alpn)
{
	size_t n;

	if (!alpn)
		return 0;
	n = strlen(alpn);
	if (n == 0 || n > 255)
		return -EINVAL;
	/* One allocation per uplink: every connect passes the same bytes. */
	u->protos = malloc(n + 2);
	if (!u->protos)
		return -ENOMEM;
	u->protos[0] = (unsigned char)n;
	memcpy(u->protos + 1, alpn, n);
	u->protos[n + 1] = '\0';
	u->protos_len = (unsigned int)n + 1;
	return 0;
}

/* Everything sgw_uplink_new() allocates before the Paho client, and U. */
static void free_fields(struct sgw_uplink *u)
{
	sgw_inflight_free(&u->inflight);
	sgw_uplink_free_subs(u);
	if (u->password)
		explicit_bzero(u->password, strlen(u->password));
	free(u->password);
	if (u->sas_key)
		explicit_bzero(u->sas_key, u->sas_key_len);
	free(u->sas_key);
	free(u->sas_resource);
	free(u->events_topic);
	free(u->protos);
	free(u->name);
	free(u->server_uri);
	free(u->client_id);
	free(u->username);
	free(u->ca_file);
	free(u->cert_file);
	free(u->key_file);
	free(u->status_topic);
	free(u);
}

static uint64_t backoff_seed(const struct sgw_uplink *u)
{
	/* Differs between uplinks and gateways, so that they do not retry in
	 * lockstep after a broker restart. */
	return ((uint64_t)sgw_real_ms() << 20) ^ (uint64_t)sgw_mono_ns() ^
	       (uint64_t)(uintptr_t)u ^ ((uint64_t)getpid() << 16);
}

/* A Paho client for U's broker in *OUT, its callbacks set. */
static int create_paho(struct sgw_uplink *u, MQTTAsync *out)
{
	MQTTAsync_createOptions co = MQTTAsync_createOptions_initializer;
	MQTTAsync_createOptions co5 = MQTTAsync_createOptions_initializer5;
	MQTTAsync_createOptions *o = u->mqtt_version == 5 ? &co5 : &co;
	int rc;

	o->sendWhileDisconnected = 0;
	/* Paho counts queued publish commands against this also when online;
	 * the window (plus status messages and QoS 0) must fit. */
	o->maxBufferedMessages = (int)u->window + UPLINK_STATUS_SLOTS + 100;
	o->MQTTVersion = u->mqtt_version == 5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1;
	/* No persistence: the daemon's own queue keeps what must survive. */
	rc = MQTTAsync_createWithOptions(out, u->server_uri, u->client_id,
					 MQTTCLIENT_PERSISTENCE_NONE, NULL, o);
	if (rc != MQTTASYNC_SUCCESS) {
		*out = NULL;
		return sgw_uplink_errno(rc);
	}
	rc = MQTTAsync_setCallbacks(*out, u, sgw_uplink_lost_cb, sgw_uplink_arrived_cb, NULL);
	if (rc != MQTTASYNC_SUCCESS) {
		MQTTAsync_destroy(out);
		return sgw_uplink_errno(rc);
	}
	return 0;
}

int sgw_uplink_renew_paho(struct sgw_uplink *u)
{
	MQTTAsync fresh;
	int r = create_paho(u, &fresh);

	if (r < 0)
		return r;
	/*
	 * The new client exists before the old one goes: with no client left,
	 * Paho would stop its threads (waiting for them) and start them again.
	 * Paho 1.3.12 frees the publishes it never sent but not their topic
	 * and payload, which it had copied (eclipse/paho.mqtt.c issue #1474,
	 * fixed in later releases): those bytes stay allocated, and only when
	 * a connection died with the caller's publishes unwritten.
	 */
	MQTTAsync_destroy(&u->client);
	u->client = fresh;
	return 0;
}

struct sgw_uplink *sgw_uplink_new(const struct sgw_uplink_config *cfg, const char *status_topic,
				  const struct sgw_uplink_handler *h, void *arg)
{
	static const struct sgw_uplink_handler no_handler;
	struct sgw_uplink *u;
	int r;

	if (!cfg || !cfg->server_uri || !cfg->client_id || !status_topic || !*status_topic ||
	    cfg->max_inflight < 1 || cfg->max_inflight > 65535 - UPLINK_STATUS_SLOTS ||
	    cfg->qos < 0 || cfg->qos > 2 || (cfg->mqtt_version != 4 && cfg->mqtt_version != 5) ||
	    cfg->keepalive_s < 0) {
		errno = EINVAL;
		return NULL;
	}
	/*
	 * No MQTTAsync_global_init(): Paho initialises itself from a library
	 * constructor and, by default, OpenSSL too (which OpenSSL 3 does on its
	 * own anyway).  Called while another Paho client exists, global_init
	 * re-creates Paho's mutexes and its send thread's condition variable:
	 * every command then waits for that thread's 1 s timeout.
	 */
	sgw_uplink_clues_install();

	u = calloc(1, sizeof(*u));
	if (!u)
		return NULL;
	u->h = h ? h : &no_handler;
	u->harg = arg;
	r = dup_opt(&u->name, cfg->name ? cfg->name : "default");
	if (!r) r = dup_opt(&u->server_uri, cfg->server_uri);
	if (!r) r = dup_opt(&u->client_id, cfg->client_id);
	if (!r) r = dup_opt(&u->username, cfg->username);
	if (!r) r = dup_opt(&u->password, cfg->password);
	if (!r) r = dup_opt(&u->ca_file, cfg->ca_file);
	if (!r) r = dup_opt(&u->cert_file, cfg->cert_file);
	if (!r) r = dup_opt(&u->key_file, cfg->key_file);
	if (!r) r = dup_opt(&u->events_topic, cfg->events_topic);
	if (!r) r = dup_opt(&u->sas_resource, cfg->sas_resource);
	if (!r && u->events_topic)
		r = (u->status_topic = sgw_azure_topic(u->events_topic, status_topic)) ? 0 : -errno;
	else if (!r)
		r = dup_opt(&u->status_topic, status_topic);
	if (!r && cfg->sas_key) {
		if (!cfg->sas_resource || !cfg->username || !cfg->sas_key_len || cfg->sas_ttl_s < 1)
			r = -EINVAL;
		else if ((u->sas_key = malloc(cfg->sas_key_len)))
			memcpy(u->sas_key, cfg->sas_key, u->sas_key_len = cfg->sas_key_len);
		else
			r = -ENOMEM;
	}
	if (!r && cfg->tls) r = alpn_wire(u, cfg->alpn);
	if (r)
		goto err_free_fields;
	u->keepalive_s = cfg->keepalive_s;
	u->qos = cfg->qos;
	u->retain = cfg->retain;
	u->mqtt_version = cfg->mqtt_version;
	u->tls = cfg->tls;
	u->window = (size_t)cfg->max_inflight;
	u->sas_ttl_s = cfg->sas_ttl_s;
	u->state = UPLINK_IDLE;
	u->next_ns = INT64_MAX;
	sgw_backoff_init(&u->backoff, cfg->reconnect_min_ms, cfg->reconnect_max_ms, backoff_seed(u));

	r = sgw_inflight_init(&u->inflight, u->window + UPLINK_STATUS_SLOTS + 2);
	if (r)
		goto err_free_fields;
	u->events = sgw_mailbox_new(sizeof(struct uplink_event));
	if (!u->events) {
		r = -errno;
		goto err_free_fields;
	}
	r = -pthread_mutex_init(&u->lock, NULL);
	if (r)
		goto err_free_mailbox;

	r = create_paho(u, &u->client);
	if (r < 0)
		goto err_destroy_lock;
	return u;

err_destroy_lock:
	pthread_mutex_destroy(&u->lock);
err_free_mailbox:
	sgw_mailbox_free(u->events);
err_free_fields:
	free_fields(u);
	errno = -r;
	return NULL;
}

void sgw_uplink_free(struct sgw_uplink *u)
{
	if (!u)
		return;
	/* After destroy no callback runs for this client: the mailbox is ours. */
	MQTTAsync_destroy(&u->client);
	if (u->state == UPLINK_CONNECTING)
		sgw_uplink_clues_connecting(false);
	sgw_uplink_drain_inbound(u);
	sgw_mailbox_free(u->events);
	pthread_mutex_destroy(&u->lock);
	free_fields(u);
}

void sgw_uplink_exit(struct sgw_uplink *u)
{
	/*
	 * Destroying the last client makes Paho stop its threads and free its
	 * global lists, waiting for the threads only so long; a thread still
	 * at work in the library then meets freed memory
	 * (eclipse-paho/paho.mqtt.c#1669).  A settled client has nothing left
	 * to do, and the exit frees it all anyway: it stays.  One whose connect
	 * is still under way is destroyed, which closes its socket under
	 * Paho's locks, before the exit handlers (OpenSSL's among them) run.
	 */
	if (u && u->settled)
		return;
	sgw_uplink_free(u);
}
