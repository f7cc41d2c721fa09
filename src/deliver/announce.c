/* SPDX-License-Identifier: MIT */
/* Home Assistant's discovery on one uplink; the contract is in announce.h. */
#include "announce.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "message/discovery.h"
#include "tag.h"
#include "util/filerep.h"
#include "util/log.h"

/* A state file larger than this is not ours: read as empty. */
#define STATE_MAX (4u << 20)

struct sgw_announce {
	struct sgw_uplink *u;
	char *status_topic;	/* <prefix>/status */
	char *path;		/* the state file */
	struct sgw_discovery_entity *e;
	size_t n;
	char **gone;		/* config topics announced before, no longer configured */
	size_t ngone;
	bool dirty;		/* the state file does not list what is configured */
	/* The round: removals, then entities; an ack counts in its round only. */
	uint32_t round;
	size_t next, acked;
	struct sgw_announce_stats st;
};

static size_t round_len(const struct sgw_announce *a)
{
	return a->ngone + a->n;
}

/* The state file's lines in a new array (*N); an absent file has none. */
static char **read_state(const char *path, size_t *n)
{
	char **lines = NULL, *buf, *p, *nl;
	struct stat sb;
	size_t k = 0, cap = 0;
	ssize_t got;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*n = 0;
	if (fd < 0)
		return NULL;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || sb.st_size > STATE_MAX ||
	    !(buf = malloc((size_t)sb.st_size + 1))) {
		close(fd);
		return NULL;
	}
	got = read(fd, buf, (size_t)sb.st_size);
	close(fd);
	if (got < 0)
		got = 0;
	buf[got] = '\0';
	for (p = buf; *p; p = nl + 1) {
		char **nv;

		nl = strchr(p, '\n');
		if (!nl)
			break;		/* a torn last line: not written by us */
		*nl = '\0';
		if (!*p)
			continue;
		if (k == cap) {
			cap = cap ? 2 * cap : 16;
			nv = realloc(lines, cap * sizeof(*nv));
			if (!nv)
				break;
			lines = nv;
		}
		if (!(lines[k] = strdup(p)))
			break;
		k++;
	}
	free(buf);
	*n = k;
	return lines;
}

static bool configured(const struct sgw_announce *a, const char *topic)
{
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->e[i].topic, topic) == 0)
			return true;
	return false;
}

/* What the state file lists and is no longer configured goes to a->gone. */
static void load_state(struct sgw_announce *a)
{
	size_t n, k = 0;
	char **lines = read_state(a->path, &n);

	a->dirty = n != a->n;
	for (size_t i = 0; i < n; i++) {
		if (i < a->n && strcmp(lines[i], a->e[i].topic) != 0)
			a->dirty = true;
		if (configured(a, lines[i]))
			free(lines[i]);
		else
			lines[k++] = lines[i];
	}
	if (k)
		a->dirty = true;
	a->gone = lines;
	a->ngone = k;
	a->st.removals = k;
}

static int write_state(struct sgw_announce *a)
{
	size_t len = 0, off = 0;
	char *buf;
	int err;

	for (size_t i = 0; i < a->n; i++)
		len += strlen(a->e[i].topic) + 1;
	buf = malloc(len + 1);
	if (!buf)
		return -ENOMEM;
	for (size_t i = 0; i < a->n; i++)
		off += (size_t)sprintf(buf + off, "%s\n", a->e[i].topic);
	err = sgw_file_replace(a->path, buf, len, true);
	free(buf);
	return err;
}

static void free_gone(struct sgw_announce *a)
{
	for (size_t i = 0; i < a->ngone; i++)
		free(a->gone[i]);
	free(a->gone);
	a->gone = NULL;
	a->ngone = 0;
}

struct sgw_announce *sgw_announce_new(const struct sgw_config *cfg,
				      const struct sgw_uplink_config *uc, struct sgw_uplink *u)
{
	struct sgw_announce *a = calloc(1, sizeof(*a));
	int err;

	if (!a)
		return NULL;
	a->u = u;
	if (asprintf(&a->status_topic, "%s/status", uc->homeassistant_prefix) < 0)
		a->status_topic = NULL;
	if (asprintf(&a->path, "%s/homeassistant.%s", cfg->gw.state_dir, uc->name) < 0)
		a->path = NULL;
	if (!a->status_topic || !a->path) {
		err = -ENOMEM;
		goto err_free;
	}
	err = sgw_discovery_build(cfg, (size_t)(uc - cfg->uplinks), uc->homeassistant_prefix, &a->e,
				  &a->n);
	if (err < 0)
		goto err_free;
	a->st.entities = a->n;
	/* The queue may be off: nothing else made the directory then. */
	if (mkdir(cfg->gw.state_dir, 0750) < 0 && errno != EEXIST)
		log_warn("%s", cfg->gw.state_dir);
	load_state(a);
	err = sgw_uplink_subscribe(u, a->status_topic);
	if (err < 0)
		goto err_free;
	return a;

err_free:
	sgw_announce_free(a);
	errno = -err;
	return NULL;
}

void sgw_announce_free(struct sgw_announce *a)
{
	if (!a)
		return;
	sgw_discovery_free(a->e, a->n);
	free_gone(a);
	free(a->status_topic);
	free(a->path);
	free(a);
}

void sgw_announce_start(struct sgw_announce *a)
{
	a->round++;
	a->st.rounds++;
	a->next = 0;
	a->acked = 0;
	sgw_announce_pump(a);
}

/* The round is through: the broker has what is configured, and nothing more. */
static void round_done(struct sgw_announce *a)
{
	const char *name = sgw_uplink_name(a->u);
	int err;

	if (!a->dirty)
		return;
	err = write_state(a);
	if (err < 0) {
		log_warnx("[mqtt %s] Home Assistant: %s: %s", name, a->path, strerror(-err));
		return;
	}
	if (a->ngone)
		log_info("[mqtt %s] Home Assistant: %zu entit%s announced, %zu removed", name, a->n,
			 a->n == 1 ? "y" : "ies", a->ngone);
	free_gone(a);
	a->dirty = false;
}

static void count_ack(struct sgw_announce *a)
{
	a->st.acked++;
	if (++a->acked == round_len(a))
		round_done(a);
}

void sgw_announce_pump(struct sgw_announce *a)
{
	while (a->next < round_len(a)) {
		size_t i = a->next;
		uint64_t tag = sgw_tag_make(SGW_TAG_ANNOUNCE, (uint64_t)a->round << 32 | i);
		const struct sgw_discovery_entity *e = i < a->ngone ? NULL : &a->e[i - a->ngone];
		int err;

		if (e)
			err = sgw_uplink_publish_ex(a->u, e->topic, e->payload, e->len, 1, true, tag);
		else
			err = sgw_uplink_publish_ex(a->u, a->gone[i], "", 0, 1, true, tag);
		if (err == -EAGAIN || err == -ENOTCONN)
			return;		/* the next ack, the next connect */
		a->next++;
		if (err < 0) {
			/* The message itself is refused: no round could carry it. */
			log_warnx("[mqtt %s] Home Assistant: %s: %s", sgw_uplink_name(a->u),
				  e ? e->topic : a->gone[i], strerror(-err));
			count_ack(a);
		}
	}
}

void sgw_announce_ack(struct sgw_announce *a, uint64_t tag)
{
	uint64_t k = sgw_tag_number(tag);

	if ((uint32_t)(k >> 32) != a->round)
		return;		/* an earlier round's */
	count_ack(a);
}

bool sgw_announce_message(struct sgw_announce *a, const char *topic, const void *payload,
			  size_t len, bool retained)
{
	if (strcmp(topic, a->status_topic) != 0)
		return false;
	if (!retained && len == 6 && memcmp(payload, "online", 6) == 0) {
		log_info("[mqtt %s] Home Assistant is online: announcing %zu entit%s again",
			 sgw_uplink_name(a->u), a->n, a->n == 1 ? "y" : "ies");
		sgw_announce_start(a);
	}
	return true;
}

void sgw_announce_get_stats(const struct sgw_announce *a, struct sgw_announce_stats *st)
{
	*st = a->st;
}
