/* SPDX-License-Identifier: MIT */
/*
 * Loader internals.  Not an API.  Calls flow one way:
 *
 *   load.c         both passes, freeing
 *     gateway.c    [gateway]
 *     queue.c      [queue]
 *     mqtt.c       [mqtt] and [mqtt NAME]
 *       aws.c        profile = aws-iot: AWS IoT Core's limits
 *       azure.c      profile = azure-iot-hub: Azure IoT Hub's rules
 *     sensor.c     [sensor NAME]
 *       quantities.c   topic.Q / filter.Q / precision.Q, topics
 *     actuator.c   [actuator NAME], lines and topics across sections
 *   common.c       what they all use: memory, paths, a section's keys
 */
#ifndef SGW_LOAD_INT_H
#define SGW_LOAD_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "conf/keys.h"
#include "conf/reader.h"
#include "load.h"

/* [gateway] and [sensor] heartbeat: at most a week. */
#define MAX_HEARTBEAT_MS (7u * 24 * 3600 * 1000)

/* The resolving pass over what the reader made of the file. */
struct loader {
	struct sgw_diag *d;
	char *dir;		/* absolute directory of the file: base of relative paths */
	bool nomem;		/* memory ran out: resolving stops */
	struct sgw_ini ini;
	struct sgw_config *cfg;
	int *topic_line;	/* [sensor * SGW_MAX_CHANNELS]: line of each topic */
};

/* common.c */

/* P, or NULL after noting that memory ran out (l->nomem). */
void *sgw_load_alloc(struct loader *l, void *p);
char *sgw_load_strdup(struct loader *l, const char *s);
__attribute__((format(printf, 2, 3)))
char *sgw_load_printf(struct loader *l, const char *fmt, ...);
/* P, or P taken from the directory of the INI file: a new string or NULL. */
char *sgw_load_path(struct loader *l, const char *p);
/* The keys of S, named as S in messages. */
void sgw_load_section_keys(struct loader *l, const struct sgw_section *s, struct sgw_keys *ks);
/* The same for the one section KIND ([gateway], [queue]); none when it is absent. */
void sgw_load_unique_keys(struct loader *l, enum sgw_section_kind kind, struct sgw_keys *ks);
/* "[mqtt]" or "[mqtt NAME]": how messages name cfg->uplinks[I] (BUF, SIZE). */
const char *sgw_load_uplink_label(struct loader *l, size_t i, char *buf, size_t size);
/* The values of "format" in [gateway] and [sensor NAME]: enum sgw_format. */
extern const char *const sgw_load_format_names[];

/* gateway.c, queue.c: l->cfg->gw and l->cfg->queue; [gateway] goes first. */
void sgw_resolve_gateway(struct loader *l);
void sgw_resolve_queue(struct loader *l);

/* mqtt.c: section S into U. */
void sgw_resolve_uplink(struct loader *l, const struct sgw_section *s,
			struct sgw_uplink_config *u);
/*
 * KEY names a file of secrets: its path in *PATH, its first line in *VALUE
 * (the caller clears and frees it); a file that cannot be read is an error,
 * one every user may read a warning.  True when *VALUE was read.
 */
bool sgw_load_secret_file(struct loader *l, struct sgw_keys *ks, const char *key, char **path,
			  char **value);
/* Each uplink's sensors = list into the sensors' uplinks masks; once all are resolved. */
void sgw_resolve_uplink_sensors(struct loader *l);

/* aws.c: profile = aws-iot, checked against AWS IoT Core's limits. */

/* U's batch keys (KS, its section), in src/load/batch.c. */
void sgw_resolve_uplink_batch(struct loader *l, struct sgw_keys *ks,
			      struct sgw_uplink_config *u);
/* U's own keys (KS, its section; PORT, its URI's, 0 when the URI is bad). */
void sgw_aws_check_uplink(struct loader *l, struct sgw_keys *ks, struct sgw_uplink_config *u,
			  long port);
/*
 * The topics every aws-iot uplink publishes and the QoS of the sensors it
 * carries; once all sections are resolved.
 */
void sgw_aws_check_topics(struct loader *l);

/*
 * azure.c: profile = azure-iot-hub, Azure IoT Hub's rules, and the keys
 * of no other profile (device_id, sas_key_file, sas_ttl).  KS is U's
 * section; HOST (HOSTLEN bytes) and PORT its URI's (PORT 0: a bad URI).
 */
void sgw_azure_check_uplink(struct loader *l, struct sgw_keys *ks, struct sgw_uplink_config *u,
			    const char *host, size_t hostlen, long port);
/* azure.c: no sensor an azure-iot-hub uplink carries asks for QoS 2. */
void sgw_azure_check_sensors(struct loader *l);

/* sensor.c: section S into SC, which is in l->cfg->sensors. */
void sgw_resolve_sensor(struct loader *l, struct sgw_section *s, struct sgw_sensor_config *sc);

/* actuator.c: section S into A, which is in l->cfg->actuators; after the sensors. */
void sgw_resolve_actuator(struct loader *l, struct sgw_section *s, struct sgw_actuator_config *a);
/* Lines two outputs (or an output and an input) share, topics shared: reported. */
void sgw_check_actuators(struct loader *l);

/* quantities.c */

/* What a per-quantity key sets: "topic.temperature" -> QKEY_TOPIC, "temperature". */
enum sgw_qkey_kind { SGW_QKEY_TOPIC, SGW_QKEY_FILTER, SGW_QKEY_PRECISION, SGW_QKEY_NONE };
enum sgw_qkey_kind sgw_qkey_split(const char *key, const char **quantity);
/*
 * The channels SC's driver declared: per-quantity keys QKEYS (NQ of them,
 * already checked for a quantity and a value), else the sensor's TOPIC,
 * FILTER, PRECISION (NULL, NULL, -1: absent) and the defaults.  KS is the
 * sensor's keys, for messages.
 */
void sgw_resolve_channels(struct loader *l, struct sgw_keys *ks, struct sgw_sensor_config *sc,
			  struct sgw_opt **qkeys, size_t nq, const struct sgw_opt *topic,
			  const struct sgw_opt *filter, long precision);
/* Two quantities on one topic, or one on the status topic: reported. */
void sgw_check_topics_unique(struct loader *l);

#endif
