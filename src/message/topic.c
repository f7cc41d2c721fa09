/* SPDX-License-Identifier: MIT */
#include "topic.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/utf8.h"

#define BASIC_INGEST "$aws/rules/"

size_t sgw_topic_basic_ingest(const char *topic)
{
	size_t n = strlen(BASIC_INGEST), rule = 0;

	if (strncmp(topic, BASIC_INGEST, n) != 0)
		return 0;
	while ((topic[n + rule] >= 'a' && topic[n + rule] <= 'z') ||
	       (topic[n + rule] >= 'A' && topic[n + rule] <= 'Z') ||
	       (topic[n + rule] >= '0' && topic[n + rule] <= '9') || topic[n + rule] == '_')
		rule++;
	if (rule == 0 || rule > SGW_TOPIC_RULE_MAX || topic[n + rule] != '/' ||
	    topic[n + rule + 1] == '\0')
		return 0;
	return n + rule + 1;
}

const char *sgw_topic_validate(const char *topic)
{
	size_t len = strlen(topic);

	if (len == 0)
		return "empty topic";
	if (len > SGW_TOPIC_MAX)
		return "topic longer than 65535 bytes";
	if (topic[0] == '$' && !sgw_topic_basic_ingest(topic))
		return "topics starting with '$' are reserved for the broker "
		       "(except AWS IoT Basic Ingest: $aws/rules/RULE/...)";
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		int n = sgw_utf8_decode(topic + i, len - i, &cp);

		if (n < 0)
			return "invalid UTF-8 in topic";
		/* MQTT: topics SHOULD NOT hold control characters; we refuse them. */
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
			return "control character in topic";
		if (cp == '+' || cp == '#')
			return "wildcards '+' and '#' are not allowed in a publish topic";
		i += (size_t)n;
	}
	return NULL;
}

static const char *lookup(const struct sgw_topic_vars *v, const char *name, size_t len,
			  bool *known)
{
	static const struct {
		const char *name;
		size_t off;
	} names[] = {
		{ "prefix", offsetof(struct sgw_topic_vars, prefix) },
		{ "gateway", offsetof(struct sgw_topic_vars, gateway) },
		{ "sensor", offsetof(struct sgw_topic_vars, sensor) },
		{ "quantity", offsetof(struct sgw_topic_vars, quantity) },
		{ "actuator", offsetof(struct sgw_topic_vars, actuator) },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strlen(names[i].name) == len && memcmp(names[i].name, name, len) == 0) {
			*known = true;
			return *(const char *const *)((const char *)v + names[i].off);
		}
	}
	*known = false;
	return NULL;
}

/* Append LEN bytes to the growing buffer, refusing to pass SGW_TOPIC_MAX. */
static int append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (n > SGW_TOPIC_MAX - *len)
		return -E2BIG;
	if (*len + n + 1 > *cap) {
		size_t ncap = *cap ? *cap : 64;
		char *nbuf;

		while (ncap < *len + n + 1)
			ncap *= 2;
		nbuf = realloc(*buf, ncap);
		if (!nbuf)
			return -ENOMEM;
		*buf = nbuf;
		*cap = ncap;
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}

int sgw_topic_expand(const char *tmpl, const struct sgw_topic_vars *vars,
		     char **out, const char **why)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	const char *p = tmpl;
	int ret;

	*out = NULL;
	ret = append(&buf, &len, &cap, "", 0);
	while (ret == 0 && *p) {
		const char *open = strchr(p, '{');
		const char *close, *val;
		bool known;

		if (!open) {
			ret = append(&buf, &len, &cap, p, strlen(p));
			break;
		}
		ret = append(&buf, &len, &cap, p, (size_t)(open - p));
		if (ret)
			break;
		close = strchr(open + 1, '}');
		if (!close) {
			*why = "'{' without a closing '}'";
			ret = -EINVAL;
			break;
		}
		val = lookup(vars, open + 1, (size_t)(close - open - 1), &known);
		if (!known) {
			*why = "unknown variable (use {prefix} {gateway} {sensor} {quantity} {actuator})";
			ret = -EINVAL;
			break;
		}
		if (!val) {
			*why = "variable not available here";
			ret = -EINVAL;
			break;
		}
		ret = append(&buf, &len, &cap, val, strlen(val));
		p = close + 1;
	}
	if (ret == -E2BIG)
		*why = "longer than 65535 bytes after expansion";
	if (ret) {
		free(buf);
		return ret;
	}
	*out = buf;
	return 0;
}
