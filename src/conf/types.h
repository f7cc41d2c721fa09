/* SPDX-License-Identifier: MIT */
/*
 * The configuration's types: what the loader (src/load) makes of the INI
 * file and every other module reads.  Header only.
 *
 * Every value is range-checked; every error is reported through a
 * struct sgw_diag as "FILE:LINE: message"; a file with any error yields no
 * configuration at all (the daemon never starts half-configured).
 *
 * Sections:
 *   [gateway]        name, topic_prefix, format, state_dir, stats_interval, clock
 *   [mqtt]           the uplink; [mqtt NAME] for further ones; profile;
 *                    homeassistant: Home Assistant's MQTT discovery
 *                    (deliver/announce.h)
 *   [queue]          mode, sync, sync_interval, max_size, segment_size, when_full
 *   [sensor NAME]    one per sensor: driver, interval, timeout, bus, topic,
 *                    topic.Q / filter.Q / precision.Q per quantity Q,
 *                    plus driver-specific keys (see drivers/driver.h).
 *   [actuator NAME]  one per output: driver (gpio_output | cover), lines,
 *                    timings, topic, command_topic (src/actuate/).
 * Topic templates may use {prefix} {gateway} {sensor} {quantity}; an
 * actuator's {prefix} {gateway} {actuator}.
 */
#ifndef SGW_CONF_TYPES_H
#define SGW_CONF_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>


#define SGW_MAX_CHANNELS 8	/* quantities per sensor */
#define SGW_MAX_SENSORS 256
#define SGW_MAX_ACTUATORS 64
#define SGW_MAX_UPLINKS 4

enum sgw_format {
	SGW_FORMAT_PLAIN,	/* the value only: "23.46" */
	SGW_FORMAT_JSON,	/* {"value":23.46,"unit":"°C","ts":...,"seq":...} */
};

/* One "key = value" of a section, with its line. */
struct sgw_opt {
	char *key;
	char *value;
	int line;
	bool used;		/* taken by a getter (conf/keys.h) */
	struct sgw_opt *next;
};

/* One published quantity of a sensor. */
struct sgw_channel_config {
	char *name;		/* quantity: "temperature" */
	char *unit;		/* "°C"; may be "" */
	int scale;		/* decimal digits of the fixed-point value: scale 2, 2346 = 23.46 */
	int precision;		/* decimals published, 0..9 (default: driver's) */
	char *topic;		/* expanded topic */
	char *filter;		/* filter chain as written ("median 5, ema 0.2") or NULL */
	int filter_line;
};

struct sgw_driver;

struct sgw_sensor_config {
	char *name;		/* from "[sensor NAME]" */
	int line;		/* line of the section header */
	const struct sgw_driver *driver;
	char *bus;		/* sensors on the same bus share one worker thread */
	uint32_t interval_ms;	/* sampling period */
	uint32_t timeout_ms;	/* read deadline; a late read counts as a failure */
	enum sgw_format format;
	/*
	 * Publish a channel's value at least this often even when a filter
	 * (delta) holds it back, so a dashboard never goes stale; 0: off.
	 */
	uint32_t heartbeat_ms;
	struct sgw_opt *opts;	/* the driver's keys, in file order */
	void *priv;		/* driver's parsed settings (driver->configure) */
	/*
	 * Set by configure() when open/read never block (the simulator): they
	 * then run in the main thread, sparing two thread switches a reading.
	 */
	bool inline_io;
	uint32_t uplinks;	/* bit i: cfg->uplinks[i] carries it ([mqtt] sensors) */
	/*
	 * Its readings' QoS and retain flag, when set overriding those of
	 * each uplink that carries it; its error reports keep the uplink's.
	 */
	bool has_qos, has_retain;
	uint8_t qos;		/* 0..2 */
	bool retain;
	int qos_line;		/* of the qos key, else of the section */
	size_t nchannels;
	struct sgw_channel_config ch[SGW_MAX_CHANNELS];
};

/* [actuator NAME] driver: what the output lines drive. */
enum sgw_actuator_kind {
	SGW_ACTUATOR_SWITCH,	/* driver = gpio_output: one line, on/off, optional pulse */
	SGW_ACTUATOR_COVER,	/* driver = cover: an up and a down line, interlocked */
};

/* [actuator NAME]: an output driven by MQTT commands (src/actuate/). */
struct sgw_actuator_config {
	char *name;		/* from "[actuator NAME]" */
	int line;		/* line of the section header */
	enum sgw_actuator_kind kind;
	char *chip;		/* GPIO chip, as drivers/hal/gpio.h takes it */
	unsigned int offset;	/* switch: its line */
	unsigned int offset_up, offset_down;	/* cover: the two motor lines */
	bool active_low;	/* the lines are on when low */
	bool initial_on;	/* switch: state set at start (after the safe state) */
	bool safe_on;		/* switch: the safe state (a cover's is stopped) */
	uint32_t pulse_ms;	/* switch: ON turns itself off after this; 0: stays on */
	uint32_t dead_time_ms;	/* cover: both lines off this long between directions */
	uint32_t travel_ms;	/* cover: a full run from closed to open */
	uint32_t min_interval_ms;	/* commands closer than this are refused */
	char *topic;		/* state topic, expanded like a sensor's */
	char *command_topic;	/* default: topic + "/set" */
	bool retained_commands;	/* obey a command the broker kept (default: ignore) */
	bool safe_on_disconnect;	/* go to the safe state when every commanding uplink is lost */
};

/* What an uplink's broker is, for the limits it imposes ([mqtt NAME] profile). */
enum sgw_uplink_profile {
	SGW_PROFILE_NONE,	/* any MQTT broker */
	SGW_PROFILE_AWS_IOT,	/* AWS IoT Core: its limits checked at load (src/load/aws.c) */
	SGW_PROFILE_AZURE_IOT_HUB,	/* Azure IoT Hub: its rules at load (src/load/azure.c) */
};

struct sgw_uplink_config {
	char *name;		/* "mqtt" or "mqtt NAME" section, name part or "default" */
	int line;
	enum sgw_uplink_profile profile;
	int profile_line;	/* of the profile key, else of the section */
	char *uri;		/* as written: mqtt://host[:port] or mqtts://host[:port] */
	char *server_uri;	/* Paho form: tcp://host:port or ssl://host:port */
	bool tls;
	char *client_id;
	char *username;		/* NULL: none */
	char *password;		/* read from password_file at load time; NULL: none */
	char *password_file;
	char *ca_file, *cert_file, *key_file;	/* TLS; NULL: system default / none */
	char *alpn;		/* TLS ALPN protocol name or NULL */
	int keepalive_s;	/* 5..65535 */
	int qos;		/* 0..2 */
	bool retain;
	int mqtt_version;	/* 4 = MQTT 3.1.1, 5 = MQTT 5 */
	int max_inflight;	/* bounded in-flight window, 1..65535 */
	uint32_t max_rate;	/* publishes a second at most; 0: unlimited */
	char *sensors;		/* "NAME, NAME": the sensors it carries, as written; NULL: all */
	int sensors_line;
	uint32_t reconnect_min_ms, reconnect_max_ms;
	bool homeassistant;	/* announce the channels by Home Assistant's MQTT discovery */
	char *homeassistant_prefix;	/* its discovery prefix; "homeassistant" */
	bool commands;		/* may command actuators (default: no) */
	/*
	 * profile = azure-iot-hub: every topic is published as a property of
	 * the device's telemetry topic (mqtt/azure.h); NULL for other brokers.
	 */
	char *events_topic;	/* "devices/DEVICE/messages/events/" */
	/* ... and a SAS token made from the device key is the password. */
	unsigned char *sas_key;	/* the decoded device key; NULL: X.509 or no Azure */
	size_t sas_key_len;
	char *sas_resource;	/* "HUB/devices/DEVICE", the token's resource URI */
	uint32_t sas_ttl_s;	/* a token's validity, 60..30 days */
	/* batch = yes: readings go out as JSON arrays on batch_topic (deliver/batch.h). */
	bool batch;
	int batch_line;		/* of the batch key, else of the section */
	uint32_t batch_bytes;	/* a batch's payload at most, 256..131072 */
	uint32_t batch_readings;	/* readings a batch at most, 1..1000 */
	uint32_t batch_wait_ms;	/* how long a batch's first reading may wait, 0..60 s */
	char *batch_topic;	/* expanded; default "<prefix>/<gateway>/batch" */
};

enum sgw_queue_mode {
	SGW_QUEUE_MODE_AUTO,	/* disk only while an uplink cannot take readings */
	SGW_QUEUE_MODE_ALWAYS,	/* every reading through the disk queue */
	SGW_QUEUE_MODE_OFF,	/* memory only: readings are lost on a restart while offline */
};

/* [queue]: the store-and-forward disk queue in <state_dir>/queue. */
struct sgw_queue_config {
	enum sgw_queue_mode mode;
	bool sync_always;	/* sync = always: durable before counted */
	uint32_t sync_interval_ms;	/* group commit period (sync = interval) */
	uint64_t max_size;	/* bytes of segments at most */
	uint64_t segment_size;
	bool refuse_when_full;	/* when_full = refuse (else drop_oldest) */
};

/* [gateway] clock: when the wall clock counts as right (util/clock.h). */
enum sgw_clock_mode {
	SGW_CLOCK_NTP,		/* once a time daemon has synchronised it */
	SGW_CLOCK_RTC,		/* from boot: set from a battery-backed RTC or a VM's host */
};

struct sgw_gateway_config {
	char *name;		/* default: host name */
	char *topic_prefix;	/* default: "sensorgw" */
	char *status_topic;	/* expanded "<prefix>/<gateway>/status" */
	enum sgw_format format;	/* default format of sensors */
	uint32_t heartbeat_ms;	/* default heartbeat of sensors; 0: off */
	char *state_dir;	/* queue and state files */
	uint32_t stats_interval_ms;	/* <status topic>/stats and the status file */
	enum sgw_clock_mode clock;	/* default: SGW_CLOCK_NTP */
};

struct sgw_config {
	char *path;
	struct sgw_gateway_config gw;
	struct sgw_queue_config queue;
	size_t nuplinks;
	struct sgw_uplink_config uplinks[SGW_MAX_UPLINKS];
	size_t nsensors;
	struct sgw_sensor_config *sensors;
	size_t nactuators;
	struct sgw_actuator_config *actuators;
};

#endif
