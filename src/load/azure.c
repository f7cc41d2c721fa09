/* SPDX-License-Identifier: MIT */
/*
 * profile = azure-iot-hub on an [mqtt NAME] section: what Azure IoT Hub
 * would refuse is refused here, as FILE:LINE, and what it demands is made
 * from the device ID (Microsoft Learn, "Communicate with an IoT hub using
 * the MQTT protocol"; "Control access to IoT Hub with shared access
 * signatures"; "Understand the identity registry in your IoT hub"):
 *
 *  - MQTT 3.1.1 over TLS on port 8883 (443 carries MQTT over WebSockets,
 *    which sensorgw does not speak);
 *  - the client ID is the device ID, the username
 *    HUB/DEVICE/?api-version=2021-04-12, made here, never written;
 *  - the device signs in with an X.509 certificate (cert_file, key_file)
 *    or a SAS token made from its symmetric key (sas_key_file: Base64 of
 *    16..64 bytes), valid sas_ttl (1m..30d, 1h by default) and renewed
 *    before it expires (mqtt/azure.h);
 *  - QoS 0 or 1, no retained messages; no Home Assistant discovery and
 *    no actuator commands (the hub takes telemetry only, on the device's
 *    events topic, to which the uplink maps every topic: mqtt/azure.h).
 */
#include "load_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mqtt/azure.h"
#include "util/encode.h"

#define AZURE_PROFILE " (profile = azure-iot-hub)"
#define AZURE_PORT_WEBSOCKETS 443
#define AZURE_DEVICE_ID_MAX 128
#define AZURE_KEY_MIN 16	/* bytes of a device's symmetric key */
#define AZURE_KEY_MAX 64
#define AZURE_TTL_MIN_MS 60000u
#define AZURE_TTL_MAX_MS (30u * 24 * 3600 * 1000)
#define AZURE_TTL_DEFAULT_MS 3600000u

/* The keys only this profile knows. */
static const char *const azure_keys[] = { "device_id", "sas_key_file", "sas_ttl", NULL };

/* A device ID: up to 128 ASCII letters, digits and - . % _ * ? ! ( ) , : = @ $ ' */
static bool device_id_ok(const char *id)
{
	static const char punct[] = "-.%_*?!(),:=@$'";
	size_t n = 0;

	for (; id[n]; n++)
		if (!((id[n] >= 'A' && id[n] <= 'Z') || (id[n] >= 'a' && id[n] <= 'z') ||
		      (id[n] >= '0' && id[n] <= '9') || strchr(punct, id[n])))
			return false;
	return n > 0 && n <= AZURE_DEVICE_ID_MAX;
}

/* The device key of sas_key_file into U, or an error. */
static void read_sas_key(struct loader *l, struct sgw_keys *ks, struct sgw_uplink_config *u)
{
	unsigned char key[AZURE_KEY_MAX];
	char *path = NULL, *text = NULL;
	int n;

	if (!sgw_load_secret_file(l, ks, "sas_key_file", &path, &text)) {
		free(path);
		return;
	}
	n = sgw_b64_decode(text, strlen(text), key, sizeof(key));
	if (n < AZURE_KEY_MIN)
		sgw_keys_error(ks, sgw_keys_find(ks, "sas_key_file"),
			       "\"%s\" holds no device key: its first line must be the Base64 "
			       "of %d..%d bytes (the device's primary or secondary key)", path,
			       AZURE_KEY_MIN, AZURE_KEY_MAX);
	else if ((u->sas_key = sgw_load_alloc(l, malloc((size_t)n))))
		memcpy(u->sas_key, key, (size_t)(u->sas_key_len = (size_t)n));
	explicit_bzero(key, sizeof(key));
	explicit_bzero(text, strlen(text));
	free(text);
	free(path);
}

/* Sign-in: X.509 or a SAS token, one of them. */
static void check_auth(struct loader *l, struct sgw_keys *ks, struct sgw_uplink_config *u)
{
	struct sgw_opt *sas = sgw_keys_find(ks, "sas_key_file");
	struct sgw_opt *ttl = sgw_keys_find(ks, "sas_ttl");
	struct sgw_opt *cert = sgw_keys_find(ks, "cert_file");
	uint32_t ms;

	if (sas && cert) {
		sgw_keys_error(ks, sas, "a device signs in with a SAS token (sas_key_file) or "
			       "an X.509 certificate (cert_file), not both" AZURE_PROFILE);
		return;
	}
	if (!sas && !cert && !sgw_keys_find(ks, "key_file")) {
		sgw_keys_error(ks, sgw_keys_find(ks, "profile"),
			       "needs sas_key_file (the device's symmetric key) or cert_file and "
			       "key_file (its X.509 certificate)");
		return;
	}
	if (!sas) {
		if (ttl)
			sgw_keys_error(ks, ttl, "only with sas_key_file");
		return;
	}
	read_sas_key(l, ks, u);
	sgw_keys_duration(ks, "sas_ttl", AZURE_TTL_DEFAULT_MS, AZURE_TTL_MIN_MS, AZURE_TTL_MAX_MS,
			  &ms);
	if (ms % 1000) {
		sgw_keys_bad(ks, ttl, "is not a whole number of seconds");
		ms = AZURE_TTL_DEFAULT_MS;
	}
	u->sas_ttl_s = ms / 1000;
}

/* What MQTT allows and Azure IoT Hub does not. */
static void check_mqtt(struct sgw_keys *ks, const struct sgw_uplink_config *u, long port)
{
	struct sgw_opt *o;

	if (u->uri && !u->tls)
		sgw_keys_bad(ks, sgw_keys_find(ks, "uri"),
			     "Azure IoT Hub takes MQTT only over TLS: mqtts://" AZURE_PROFILE);
	else if (u->uri && port == AZURE_PORT_WEBSOCKETS)
		sgw_keys_bad(ks, sgw_keys_find(ks, "uri"),
			     "port 443 is Azure IoT Hub's MQTT over WebSockets, which sensorgw "
			     "does not speak: use port 8883 (the default of mqtts://)" AZURE_PROFILE);
	if ((o = sgw_keys_find(ks, "client_id")))
		sgw_keys_error(ks, o, "the client ID is the device ID (device_id)" AZURE_PROFILE);
	if ((o = sgw_keys_find(ks, "username")) || (o = sgw_keys_find(ks, "password_file")))
		sgw_keys_error(ks, o, "the profile makes the username and the password from "
			       "device_id and sas_key_file" AZURE_PROFILE);
	if (u->qos == 2)
		sgw_keys_bad(ks, sgw_keys_find(ks, "qos"),
			     "Azure IoT Hub does not support QoS 2" AZURE_PROFILE);
	if (u->retain)
		sgw_keys_bad(ks, sgw_keys_find(ks, "retain"),
			     "Azure IoT Hub keeps no retained messages" AZURE_PROFILE);
	if (u->mqtt_version != 4)
		sgw_keys_bad(ks, sgw_keys_find(ks, "protocol"),
			     "Azure IoT Hub's device API is MQTT 3.1.1" AZURE_PROFILE);
	if (u->homeassistant)
		sgw_keys_bad(ks, sgw_keys_find(ks, "homeassistant"),
			     "Azure IoT Hub takes telemetry only, no Home Assistant discovery"
			     AZURE_PROFILE);
	/* The hub sends a device its messages on devices/ID/messages/devicebound/ only. */
	if (u->commands)
		sgw_keys_bad(ks, sgw_keys_find(ks, "commands"),
			     "Azure IoT Hub lets a device subscribe to its cloud-to-device "
			     "messages only, not to actuators' command topics" AZURE_PROFILE);
}

void sgw_azure_check_uplink(struct loader *l, struct sgw_keys *ks, struct sgw_uplink_config *u,
			    const char *host, size_t hostlen, long port)
{
	struct sgw_opt *o;
	const char *id;

	if (u->profile != SGW_PROFILE_AZURE_IOT_HUB) {
		for (int i = 0; azure_keys[i]; i++)
			if ((o = sgw_keys_find(ks, azure_keys[i])))
				sgw_keys_error(ks, o, "only with profile = azure-iot-hub");
		return;
	}
	check_mqtt(ks, u, port);
	check_auth(l, ks, u);
	if (sgw_keys_str(ks, "device_id", NULL, &id) != 1) {
		if (!sgw_keys_find(ks, "device_id"))
			sgw_keys_missing(ks, "device_id");
		return;
	}
	if (!device_id_ok(id)) {
		sgw_keys_bad(ks, sgw_keys_find(ks, "device_id"),
			     "is not a device ID: 1..%d ASCII letters, digits and - . %% _ * ? ! ( ) "
			     ", : = @ $ '", AZURE_DEVICE_ID_MAX);
		return;
	}
	if (!host)
		return;
	free(u->client_id);
	u->client_id = sgw_load_strdup(l, id);
	free(u->username);
	u->username = sgw_load_printf(l, "%.*s/%s/?api-version=" SGW_AZURE_API_VERSION,
				      (int)hostlen, host, id);
	u->events_topic = sgw_load_printf(l, "devices/%s/messages/events/", id);
	if (u->sas_key)
		u->sas_resource = sgw_load_printf(l, "%.*s/devices/%s", (int)hostlen, host, id);
}

/*
 * A sensor an Azure uplink carries may not ask for QoS 2 ([sensor NAME]
 * qos), which the hub refuses.  Its retain = yes is not refused: the
 * uplink publishes nothing retained (mqtt/azure.h), and the sensor may
 * also go to a broker that keeps it.
 */
void sgw_azure_check_sensors(struct loader *l)
{
	const struct sgw_config *cfg = l->cfg;
	char label[SGW_SECTION_LABEL_MAX];

	for (size_t u = 0; u < cfg->nuplinks; u++) {
		if (cfg->uplinks[u].profile != SGW_PROFILE_AZURE_IOT_HUB)
			continue;
		sgw_load_uplink_label(l, u, label, sizeof(label));
		for (size_t i = 0; i < cfg->nsensors; i++) {
			const struct sgw_sensor_config *sc = &cfg->sensors[i];

			if ((sc->uplinks & (1u << u)) && sc->has_qos && sc->qos == 2)
				sgw_diag_error(l->d, sc->qos_line, "[sensor %s] qos: \"2\" Azure IoT Hub "
					       "does not support QoS 2 (%s profile = azure-iot-hub, "
					       "line %d)", sc->name, label, cfg->uplinks[u].profile_line);
		}
	}
}
