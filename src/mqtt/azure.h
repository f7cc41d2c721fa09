/* SPDX-License-Identifier: MIT */
/*
 * Azure IoT Hub's side of MQTT for a device (Microsoft Learn, "Communicate
 * with an IoT hub using the MQTT protocol", and "Control access to IoT Hub
 * with shared access signatures"):
 *
 *  - telemetry goes only to devices/DEVICE/messages/events/, which a
 *    URL-encoded property bag may follow; the uplink publishes every
 *    topic there, the topic itself as the property "topic" (the one place
 *    that maps topics is sgw_azure_topic());
 *  - the password is a SAS token signed with the device key, which
 *    expires: the uplink makes a new one for every connect and reconnects
 *    before it runs out (sgw_azure_renew_ns()).
 */
#ifndef SGW_MQTT_AZURE_H
#define SGW_MQTT_AZURE_H

#include <stddef.h>
#include <stdint.h>

/* The API version the profile's username names: MQTT 3.1.1, the device API. */
#define SGW_AZURE_API_VERSION "2021-04-12"

/*
 * The topic Azure IoT Hub takes for TOPIC: EVENTS (the device's
 * "devices/DEVICE/messages/events/") followed by "topic=" and TOPIC
 * percent-encoded: "casa/sala/temperatura" ->
 * "devices/D/messages/events/topic=casa%2Fsala%2Ftemperatura".  A new
 * string, or NULL and errno.
 */
char *sgw_azure_topic(const char *events, const char *topic);

/*
 * The SAS token for RESOURCE ("HUB/devices/DEVICE"), signed with the
 * device key KEY (LEN bytes, Base64-decoded), that expires at EXPIRY_S
 * (seconds since the epoch):
 *   SharedAccessSignature sr=URI&sig=SIG&se=EXPIRY_S
 * with URI the percent-encoded RESOURCE and SIG the percent-encoded Base64
 * of HMAC-SHA256(KEY, URI "\n" EXPIRY_S).  A new string (the caller
 * clears and frees it), or NULL and errno: ENOMEM, or ELIBACC when
 * OpenSSL's libcrypto cannot be loaded (it is loaded on the first call,
 * with dlopen(): a gateway without SAS tokens never maps it).
 */
char *sgw_azure_sas_token(const char *resource, const unsigned char *key, size_t len,
			  int64_t expiry_s);

/*
 * When a connection made at MADE_NS (CLOCK_MONOTONIC ns) with a token
 * valid TTL_S seconds is renewed: after 80% of TTL_S, which leaves the
 * reconnect a fifth of the token's life (at least 12 s) before it expires.
 */
int64_t sgw_azure_renew_ns(int64_t made_ns, uint32_t ttl_s);

#endif
