/* SPDX-License-Identifier: MIT */
/*
 * The actuator object: its lines, the words of a command payload, the
 * minimum interval between commands, and the dispatch to its kind.
 */
#include "actuator.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kind.h"

/* Longest command word looked at; longer payloads are no command. */
#define ACT_WORD_MAX 24
/* Bytes of a refused payload quoted in the error text. */
#define ACT_QUOTE_MAX 40

int act_line_set(struct sgw_actuator *a, unsigned int i, int level, int64_t now)
{
	level = !!level;
	if (a->level[i] == level)
		return 0;
	if (sgw_gpio_line_set(a->line[i], level) < 0)
		return -EIO;
	a->level[i] = level;
	if (!level)
		a->off_ns[i] = now;
	a->version++;
	return 0;
}

static unsigned int line_offset(const struct sgw_actuator_config *c, unsigned int i)
{
	if (c->kind == SGW_ACTUATOR_SWITCH)
		return c->offset;
	return i == 0 ? c->offset_up : c->offset_down;
}

int sgw_actuator_open(const struct sgw_actuator_config *c, int64_t now_ns,
		      struct sgw_actuator **out)
{
	struct sgw_actuator *a;
	unsigned int i;
	int ret;

	*out = NULL;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->c = c;
	a->kind = c->kind == SGW_ACTUATOR_COVER ? &act_cover_kind : &act_switch_kind;
	a->version = 1;
	a->seen_ns = now_ns;
	a->u.pulse_end = INT64_MAX;
	for (i = 0; i < a->kind->nlines; i++) {
		struct sgw_gpio_request req = {
			.chip = c->chip,
			.offset = line_offset(c, i),
			.active_low = c->active_low,
			.bias = SGW_GPIO_BIAS_AS_IS,
			.consumer = c->name,
		};

		/* the safe state from the request on: a cover's lines off */
		a->level[i] = c->kind == SGW_ACTUATOR_SWITCH && c->safe_on;
		/*
		 * As if the lines had just gone off: whatever ran before the
		 * start had its dead time too.
		 */
		a->off_ns[i] = now_ns;
		ret = sgw_gpio_output_open(&req, a->level[i], &a->line[i]);
		if (ret < 0)
			goto close_lines;
	}
	ret = a->kind->start(a, now_ns);
	if (ret < 0)
		goto close_lines;
	*out = a;
	return 0;

close_lines:
	while (i-- > 0)
		sgw_gpio_line_close(a->line[i]);
	free(a);
	return ret;
}

void sgw_actuator_close(struct sgw_actuator *a)
{
	if (!a)
		return;
	a->kind->safe(a, a->seen_ns);
	for (unsigned int i = 0; i < a->kind->nlines; i++)
		sgw_gpio_line_close(a->line[i]);
	free(a);
}

/* The latest time the caller gave, for sgw_actuator_close(), which has none. */
static void note_time(struct sgw_actuator *a, int64_t now_ns)
{
	if (now_ns > a->seen_ns)
		a->seen_ns = now_ns;
}

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\f' || ch == '\v';
}

/*
 * PAYLOAD without surrounding white space, upper-cased, into WORD; false
 * when it is too long to be a command.
 */
static bool payload_word(const char *p, size_t len, char word[ACT_WORD_MAX])
{
	size_t n = 0;

	while (len > 0 && is_space(p[0])) {
		p++;
		len--;
	}
	while (len > 0 && is_space(p[len - 1]))
		len--;
	if (len >= ACT_WORD_MAX)
		return false;
	for (n = 0; n < len; n++)
		word[n] = p[n] >= 'a' && p[n] <= 'z' ? (char)(p[n] - 'a' + 'A') : p[n];
	word[n] = '\0';
	return true;
}

/* PAYLOAD quoted for an error text: printable ASCII, '?' else, shortened. */
static void payload_quote(const char *p, size_t len, char *buf, size_t cap)
{
	size_t i, n = 0;

	if (cap < 8)
		return;
	buf[n++] = '"';
	for (i = 0; i < len && n < cap - 5; i++)
		buf[n++] = p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' ? p[i] : '?';
	if (i < len) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n++] = '"';
	buf[n] = '\0';
}

/* Refuse with RET and a sentence about the payload in ERR. */
static int refuse(int ret, const char *p, size_t len, char *err, size_t errcap,
		  const struct sgw_actuator *a)
{
	char q[ACT_QUOTE_MAX + 8];

	if (!err || errcap == 0)
		return ret;
	if (errcap > SGW_ACTUATOR_ERROR_MAX)
		errcap = SGW_ACTUATOR_ERROR_MAX;
	payload_quote(p, len, q, sizeof(q));
	switch (ret) {
	case -EINVAL:
		snprintf(err, errcap, "unknown command %s (%s)", q, a->kind->usage);
		break;
	case -ERANGE:
		snprintf(err, errcap, "position %s out of range 0..100", q);
		break;
	case -EAGAIN:
		snprintf(err, errcap, "command %s less than min_interval_ms = %u after the last one",
			 q, (unsigned int)a->c->min_interval_ms);
		break;
	case -ENODATA:
		snprintf(err, errcap, "position %s while the position is unknown (OPEN or CLOSE first)",
			 q);
		break;
	default:
		snprintf(err, errcap, "command %s failed: a line could not be written", q);
		break;
	}
	return ret;
}

int sgw_actuator_command(struct sgw_actuator *a, const void *payload, size_t len,
			 int64_t now_ns, char *err, size_t errcap)
{
	char word[ACT_WORD_MAX];
	int cmd, ret;

	if (err && errcap > 0)
		err[0] = '\0';
	note_time(a, now_ns);
	if (!payload_word(payload, len, word))
		return refuse(-EINVAL, payload, len, err, errcap, a);
	ret = a->kind->parse(word, &cmd);
	if (ret < 0)
		return refuse(ret, payload, len, err, errcap, a);
	if (a->obeyed && now_ns - a->last_cmd_ns < (int64_t)a->c->min_interval_ms * ACT_NS_PER_MS)
		return refuse(-EAGAIN, payload, len, err, errcap, a);
	ret = a->kind->command(a, cmd, now_ns);
	if (ret < 0)
		return refuse(ret, payload, len, err, errcap, a);
	a->obeyed = true;
	a->last_cmd_ns = now_ns;
	return 0;
}

int64_t sgw_actuator_next_deadline(const struct sgw_actuator *a)
{
	return a->kind->next_deadline(a);
}

void sgw_actuator_tick(struct sgw_actuator *a, int64_t now_ns)
{
	note_time(a, now_ns);
	if (now_ns >= a->kind->next_deadline(a))
		a->kind->tick(a, now_ns);
}

void sgw_actuator_safe(struct sgw_actuator *a, int64_t now_ns)
{
	note_time(a, now_ns);
	a->kind->safe(a, now_ns);
}

const char *sgw_actuator_state(const struct sgw_actuator *a)
{
	return a->kind->state(a);
}

int sgw_actuator_position(const struct sgw_actuator *a, int64_t now_ns)
{
	return a->kind->position(a, now_ns);
}

uint64_t sgw_actuator_version(const struct sgw_actuator *a)
{
	return a->version;
}

const struct sgw_actuator_config *sgw_actuator_config(const struct sgw_actuator *a)
{
	return a->c;
}
