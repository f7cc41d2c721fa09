/* SPDX-License-Identifier: MIT */
/*
 * An [mqtt] or [mqtt NAME] section: the broker URI, the client ID, the
 * password file and the TLS files, checked while the configuration loads.
 */
#include "load_int.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "message/topic.h"
#include "util/parse.h"

#define PASSWORD_MAX 65535	/* MQTT binary data length */
#define DEFAULT_CLIENT_ID "sensorgw-{gateway}"
#define RATE_MAX 1000000	/* publishes a second: far beyond any broker */

/*
 * mqtt://HOST[:PORT] or mqtts://HOST[:PORT]; HOST may be an IPv6 literal in
 * brackets.  Returns NULL or what is wrong.
 */
static const char *parse_uri(const char *uri, bool *tls, const char **host, size_t *hostlen,
			     long *port)
{
	const char *p;

	if (strncmp(uri, "mqtt://", 7) == 0) {
		*tls = false;
		p = uri + 7;
	} else if (strncmp(uri, "mqtts://", 8) == 0) {
		*tls = true;
		p = uri + 8;
	} else {
		return "must start with mqtt:// or mqtts://";
	}
	*port = *tls ? 8883 : 1883;
	*host = p;
	if (*p == '[') {
		const char *close = strchr(p, ']');
		bool colon = false;

		if (!close)
			return "has '[' without ']'";
		for (const char *c = p + 1; c < close; c++) {
			if (!isxdigit((unsigned char)*c) && *c != ':' && *c != '.')
				return "has a bad IPv6 address";
			colon |= *c == ':';
		}
		if (!colon)
			return "has a bad IPv6 address";
		p = close + 1;
	} else {
		while (isalnum((unsigned char)*p) || *p == '.' || *p == '-' || *p == '_')
			p++;
		if (p == *host)
			return "has no host name";
	}
	*hostlen = (size_t)(p - *host);
	if (*p == ':') {
		if (sgw_parse_long(p + 1, 1, 65535, port))
			return "has a bad port (1..65535)";
		return NULL;
	}
	if (*p)
		return "must be mqtt[s]://HOST[:PORT] (no user, path or query)";
	return NULL;
}

/* What a file is that is not a regular one, for messages. */
static const char *file_kind(mode_t mode)
{
	return S_ISDIR(mode) ? "a directory" : S_ISFIFO(mode) ? "a FIFO" :
	       S_ISCHR(mode) ? "a character device" : S_ISBLK(mode) ? "a block device" :
	       S_ISSOCK(mode) ? "a socket" : "not a regular file";
}

/*
 * Open PATH, which must be a regular file, for reading; *ST is its status.
 * Never waits: anything else is refused before it is opened (open() of a
 * FIFO waits for a writer, a device may do anything), and opened without
 * blocking should it be swapped in meanwhile.  The fd, or -errno; -EINVAL
 * when it is not a regular file (file_kind(st->st_mode) says what it is).
 */
static int open_regular(const char *path, struct stat *st)
{
	int fd, err = 0;

	if (stat(path, st) < 0)
		return -errno;
	if (!S_ISREG(st->st_mode))
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, st) < 0)
		err = -errno;
	else if (!S_ISREG(st->st_mode))
		err = -EINVAL;
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

/* First line of PATH, for password_file; *ST its status.  0 or -errno / -EFBIG. */
static int read_secret(const char *path, char **out, struct stat *st)
{
	char *buf;
	size_t n = 0;
	int c, ret = 0, fd = open_regular(path, st);
	FILE *f;

	if (fd < 0)
		return fd;
	f = fdopen(fd, "r");
	if (!f) {
		ret = -errno;
		close(fd);
		return ret;
	}
	buf = malloc(PASSWORD_MAX + 1);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	while ((c = getc(f)) != EOF && c != '\n') {
		if (n == PASSWORD_MAX) {
			ret = -EFBIG;
			break;
		}
		buf[n++] = (char)c;
	}
	if (!ret && ferror(f))
		ret = errno ? -errno : -EIO;
	fclose(f);
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	if (ret) {
		explicit_bzero(buf, PASSWORD_MAX + 1);
		free(buf);
		return ret;
	}
	*out = buf;
	return 0;
}

/* A file that must be readable now (certificates, keys): open it and see. */
static int check_readable(const char *path, struct stat *st)
{
	char c;
	int ret = 0;
	int fd = open_regular(path, st);

	if (fd < 0)
		return fd;
	if (read(fd, &c, 1) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* Why KEY's file PATH (status ST) cannot be used: an error at KEY's line. */
static void file_error(struct sgw_keys *ks, const char *key, const char *path, int err,
		       const struct stat *st)
{
	struct sgw_opt *o = sgw_keys_find(ks, key);

	if (err == -EINVAL)
		sgw_keys_error(ks, o, "cannot read \"%s\": it is %s, not a regular file", path,
			       file_kind(st->st_mode));
	else
		sgw_keys_error(ks, o, "cannot read \"%s\": %s", path,
			       err == -EFBIG ? "first line longer than 65535 bytes" : strerror(-err));
}

/*
 * A secret (password_file, key_file) that every user of the machine may
 * read: a warning, not an error, so that a setup that ran before keeps
 * running; -n and the start both show it, with what to do.
 */
static void check_private(struct loader *l, struct sgw_keys *ks, const char *key,
			  const char *path, const struct stat *st)
{
	if (!(st->st_mode & S_IROTH))
		return;
	sgw_diag_warning(l->d, sgw_keys_find(ks, key)->line,
			 "%s %s: \"%s\" is readable by every user (mode %04o); keep it private: "
			 "chmod 0640 and chown root:sensorgw (the group sensorgw runs as)",
			 ks->label, key, path, (unsigned)(st->st_mode & 07777));
}

bool sgw_load_secret_file(struct loader *l, struct sgw_keys *ks, const char *key, char **path,
			  char **value)
{
	struct stat st;
	const char *v;
	int err;

	if (sgw_keys_str(ks, key, NULL, &v) != 1 || !(*path = sgw_load_path(l, v)))
		return false;
	err = read_secret(*path, value, &st);
	if (err == -ENOMEM)
		l->nomem = true;
	else if (err)
		file_error(ks, key, *path, err, &st);
	else
		check_private(l, ks, key, *path, &st);
	return !err;
}

/* Path-valued key that must name a readable file: resolved, checked; SECRET: not public. */
static char *keys_file(struct loader *l, struct sgw_keys *ks, const char *key, bool secret)
{
	struct stat st;
	const char *v;
	char *path;
	int err;

	if (sgw_keys_str(ks, key, NULL, &v) != 1)
		return NULL;
	path = sgw_load_path(l, v);
	if (path && (err = check_readable(path, &st)) != 0)
		file_error(ks, key, path, err, &st);
	else if (path && secret)
		check_private(l, ks, key, path, &st);
	return path;
}

/* max_rate = N/s, N publishes a second (1..RATE_MAX); absent: 0, unlimited. */
static void keys_rate(struct sgw_keys *ks, uint32_t *out)
{
	struct sgw_opt *o;
	const char *slash;
	char num[16];
	long n;
	int err;

	*out = 0;
	if (sgw_keys_get(ks, "max_rate", &o) != 1)
		return;
	slash = strchr(o->value, '/');
	if (!slash || strcmp(slash, "/s") != 0 || (size_t)(slash - o->value) >= sizeof(num)) {
		sgw_keys_bad(ks, o, "is not a rate: N/s, N publishes a second");
		return;
	}
	memcpy(num, o->value, (size_t)(slash - o->value));
	num[slash - o->value] = '\0';
	err = sgw_parse_long(num, 1, RATE_MAX, &n);
	if (err == -ERANGE)
		sgw_keys_bad(ks, o, "is out of range (1/s..%d/s)", RATE_MAX);
	else if (err)
		sgw_keys_bad(ks, o, "is not a rate: N/s, N publishes a second");
	else
		*out = (uint32_t)n;
}

/*
 * Brokers run for anyone to try MQTT out: every client may subscribe to
 * "#" there, and publish anywhere.
 */
static const char *const public_brokers[] = {
	"test.mosquitto.org", "broker.hivemq.com", "broker.emqx.io", "mqtt.eclipseprojects.io", NULL,
};

/*
 * A warning, not an error (trying a setup out on such a broker is what
 * they are for): readings are public there, and with commands anyone
 * could send them.  Only TLS with a username (an account of one's own on
 * such a service) passes quietly.
 */
static void check_public_broker(struct loader *l, const struct sgw_keys *ks,
				const struct sgw_uplink_config *u, const char *host, size_t hostlen)
{
	/* "test.mosquitto.org." is the same host. */
	if (hostlen > 1 && host[hostlen - 1] == '.')
		hostlen--;
	if (u->tls && u->username)
		return;
	for (int i = 0; public_brokers[i]; i++)
		if (strlen(public_brokers[i]) == hostlen &&
		    strncasecmp(public_brokers[i], host, hostlen) == 0) {
			sgw_diag_warning(l->d, u->line,
					 "%s uri: %s is a public test broker: anyone can read and "
					 "write these topics; use a broker of your own, or TLS with "
					 "a username", ks->label, public_brokers[i]);
			return;
		}
}

void sgw_resolve_uplink(struct loader *l, const struct sgw_section *s,
			struct sgw_uplink_config *u)
{
	static const char *const protocols[] = { "3.1.1", "5", NULL };
	static const char *const profiles[] = { "none", "aws-iot", "azure-iot-hub", NULL };
	static const char *const tls_keys[] = { "ca_file", "cert_file", "key_file", "alpn", NULL };
	struct sgw_gateway_config *gw = &l->cfg->gw;
	struct sgw_topic_vars vars = { .prefix = gw->topic_prefix, .gateway = gw->name };
	struct sgw_keys ks;
	struct sgw_opt *o, *omin, *omax;
	const char *v, *why, *host = NULL;
	size_t hostlen = 0;
	long port = 0, n;
	uint32_t ms;
	int proto, profile, ret;

	sgw_load_section_keys(l, s, &ks);
	u->name = sgw_load_strdup(l, s->name ? s->name : "default");
	u->line = s->line;
	sgw_keys_enum(&ks, "profile", profiles, SGW_PROFILE_NONE, &profile);
	u->profile = (enum sgw_uplink_profile)profile;
	o = sgw_keys_find(&ks, "profile");
	u->profile_line = o ? o->line : s->line;

	ret = sgw_keys_str(&ks, "uri", NULL, &v);
	if (ret == 0)
		sgw_keys_missing(&ks, "uri");
	if (ret == 1 && (why = parse_uri(v, &u->tls, &host, &hostlen, &port))) {
		sgw_keys_bad(&ks, sgw_keys_find(&ks, "uri"), "%s", why);
		port = 0;
	} else if (ret == 1) {
		u->uri = sgw_load_strdup(l, v);
		u->server_uri = sgw_load_printf(l, "%s://%.*s:%ld", u->tls ? "ssl" : "tcp",
						(int)hostlen, host, port);
	}

	sgw_keys_str(&ks, "client_id", DEFAULT_CLIENT_ID, &v);
	if (vars.prefix && vars.gateway) {
		ret = sgw_topic_expand(v, &vars, &u->client_id, &why);
		if (ret == -ENOMEM)
			l->nomem = true;
		else if (ret && (o = sgw_keys_find(&ks, "client_id")))
			sgw_keys_bad(&ks, o, "%s (client_id may use {gateway} and {prefix})", why);
	}

	if (sgw_keys_str(&ks, "username", NULL, &v) == 1)
		u->username = sgw_load_strdup(l, v);
	sgw_load_secret_file(l, &ks, "password_file", &u->password_file, &u->password);

	sgw_keys_duration(&ks, "keepalive", 60000, 5000, 65535000, &ms);
	if (ms % 1000 && (o = sgw_keys_find(&ks, "keepalive"))) {
		sgw_keys_bad(&ks, o, "is not a whole number of seconds");
		ms = 60000;
	}
	u->keepalive_s = (int)(ms / 1000);
	sgw_keys_long(&ks, "qos", 1, 0, 2, &n);
	u->qos = (int)n;
	sgw_keys_bool(&ks, "retain", false, &u->retain);
	sgw_keys_enum(&ks, "protocol", protocols, 0, &proto);
	u->mqtt_version = proto == 1 ? 5 : 4;
	sgw_keys_long(&ks, "max_inflight", 32, 1, 65535, &n);
	u->max_inflight = (int)n;
	keys_rate(&ks, &u->max_rate);
	if (sgw_keys_str(&ks, "sensors", NULL, &v) == 1) {
		u->sensors = sgw_load_strdup(l, v);
		u->sensors_line = sgw_keys_find(&ks, "sensors")->line;
	}
	sgw_keys_duration(&ks, "reconnect_min", 1000, 10, 3600000, &u->reconnect_min_ms);
	sgw_keys_duration(&ks, "reconnect_max", 60000, 10, 86400000, &u->reconnect_max_ms);
	if (u->reconnect_min_ms > u->reconnect_max_ms) {
		char a[32], b[32];

		omin = sgw_keys_find(&ks, "reconnect_min");
		omax = sgw_keys_find(&ks, "reconnect_max");
		sgw_duration_format(u->reconnect_min_ms, a, sizeof(a));
		sgw_duration_format(u->reconnect_max_ms, b, sizeof(b));
		sgw_diag_error(l->d, (omax ? omax : omin)->line,
			       "%s reconnect_min (%s) is greater than reconnect_max (%s)",
			       ks.label, a, b);
	}

	if (u->uri && !u->tls) {
		for (int i = 0; tls_keys[i]; i++) {
			if ((o = sgw_keys_find(&ks, tls_keys[i])))
				sgw_keys_error(&ks, o, "only for mqtts:// URIs (uri is %s)", u->uri);
		}
	} else {
		u->ca_file = keys_file(l, &ks, "ca_file", false);
		u->cert_file = keys_file(l, &ks, "cert_file", false);
		u->key_file = keys_file(l, &ks, "key_file", true);
		if (!u->cert_file != !u->key_file) {
			o = sgw_keys_find(&ks, u->cert_file ? "cert_file" : "key_file");
			sgw_keys_error(&ks, o, "cert_file and key_file go together");
		}
		if (sgw_keys_str(&ks, "alpn", NULL, &v) == 1) {
			bool ok = strlen(v) <= 255;

			for (const char *c = v; *c; c++)
				ok &= *c > 0x20 && *c < 0x7f;
			if (!ok)
				sgw_keys_bad(&ks, sgw_keys_find(&ks, "alpn"), "is not a protocol name (1..255 printable ASCII)");
			else
				u->alpn = sgw_load_strdup(l, v);
		}
	}
	sgw_keys_bool(&ks, "homeassistant", false, &u->homeassistant);
	sgw_keys_str(&ks, "homeassistant_prefix", "homeassistant", &v);
	why = sgw_topic_validate(v);
	if (!why && v[strlen(v) - 1] == '/')
		why = "ends with '/'";
	if (why)
		sgw_keys_bad(&ks, sgw_keys_find(&ks, "homeassistant_prefix"), "%s", why);
	else
		u->homeassistant_prefix = sgw_load_strdup(l, v);
	sgw_keys_bool(&ks, "commands", false, &u->commands);
	if (u->uri)
		check_public_broker(l, &ks, u, host, hostlen);
	if (u->password_file && !u->username && u->mqtt_version == 4 &&
	    u->profile != SGW_PROFILE_AZURE_IOT_HUB)
		sgw_keys_error(&ks, sgw_keys_find(&ks, "password_file"),
			       "MQTT 3.1.1 sends a password only with a username");
	sgw_resolve_uplink_batch(l, &ks, u);
	if (u->profile == SGW_PROFILE_AWS_IOT)
		sgw_aws_check_uplink(l, &ks, u, port);
	sgw_azure_check_uplink(l, &ks, u, host, hostlen, port);
	sgw_keys_report_unused(&ks, "");
}

/* Set U's bit (index I) in the sensor NAME (LEN bytes); false when there is none. */
static bool carry(struct sgw_config *cfg, size_t i, const char *name, size_t len)
{
	for (size_t k = 0; k < cfg->nsensors; k++) {
		struct sgw_sensor_config *sc = &cfg->sensors[k];

		if (strlen(sc->name) == len && memcmp(sc->name, name, len) == 0) {
			sc->uplinks |= 1u << i;
			return true;
		}
	}
	return false;
}

void sgw_resolve_uplink_sensors(struct loader *l)
{
	struct sgw_config *cfg = l->cfg;

	for (size_t i = 0; i < cfg->nuplinks; i++) {
		const struct sgw_uplink_config *u = &cfg->uplinks[i];
		const char *p = u->sensors;
		char label[SGW_SECTION_LABEL_MAX];

		if (!p) {
			for (size_t k = 0; k < cfg->nsensors; k++)
				cfg->sensors[k].uplinks |= 1u << i;
			continue;
		}
		sgw_load_uplink_label(l, i, label, sizeof(label));
		while (*p) {
			const char *name, *end;

			while (*p == ' ' || *p == '\t')
				p++;
			name = p;
			end = p + strcspn(p, ",");
			p = *end ? end + 1 : end;
			while (end > name && (end[-1] == ' ' || end[-1] == '\t'))
				end--;
			if (end == name)
				sgw_diag_error(l->d, u->sensors_line,
					       "%s sensors: \"%s\" has an empty name", label, u->sensors);
			else if (!carry(cfg, i, name, (size_t)(end - name)))
				sgw_diag_error(l->d, u->sensors_line,
					       "%s sensors: \"%.*s\" is not a [sensor NAME] section",
					       label, (int)(end - name), name);
		}
	}
	for (size_t k = 0; k < cfg->nsensors && cfg->nuplinks; k++)
		if (!cfg->sensors[k].uplinks)
			sgw_diag_warning(l->d, cfg->sensors[k].line,
					 "[sensor %s] goes to no uplink: no [mqtt] section's sensors "
					 "lists it", cfg->sensors[k].name);
}
