/* SPDX-License-Identifier: MIT */
/* A switch: one output line, "ON" / "OFF", an ON optionally ended by a pulse. */
#include <errno.h>
#include <string.h>

#include "kind.h"

static int switch_parse(const char *word, int *cmd)
{
	if (strcmp(word, "ON") == 0)
		*cmd = ACT_CMD_ON;
	else if (strcmp(word, "OFF") == 0)
		*cmd = ACT_CMD_OFF;
	else
		return -EINVAL;
	return 0;
}

/* An ON (re)starts the pulse: it ends pulse_ms after the last ON. */
static int switch_command(struct sgw_actuator *a, int cmd, int64_t now)
{
	int on = cmd == ACT_CMD_ON;
	int ret;

	ret = act_line_set(a, 0, on, now);
	if (ret < 0)
		return ret;
	if (on && a->c->pulse_ms > 0)
		a->u.pulse_end = now + (int64_t)a->c->pulse_ms * ACT_NS_PER_MS;
	else
		a->u.pulse_end = INT64_MAX;
	return 0;
}

/* initial_on is an ON like any other: with pulse_ms it ends by itself. */
static int switch_start(struct sgw_actuator *a, int64_t now)
{
	return switch_command(a, a->c->initial_on ? ACT_CMD_ON : ACT_CMD_OFF, now);
}

static void switch_tick(struct sgw_actuator *a, int64_t now)
{
	if (now < a->u.pulse_end)
		return;
	if (act_line_set(a, 0, 0, now) < 0)
		a->u.pulse_end = now + ACT_RETRY_NS;
	else
		a->u.pulse_end = INT64_MAX;
}

static int64_t switch_next_deadline(const struct sgw_actuator *a)
{
	return a->u.pulse_end;
}

/* The safe state holds: a safe ON is no pulse. */
static void switch_safe(struct sgw_actuator *a, int64_t now)
{
	a->u.pulse_end = INT64_MAX;
	if (act_line_set(a, 0, a->c->safe_on, now) < 0 && !a->c->safe_on)
		a->u.pulse_end = now + ACT_RETRY_NS;	/* keep trying to turn it off */
}

static const char *switch_state(const struct sgw_actuator *a)
{
	return a->level[0] ? "ON" : "OFF";
}

static int switch_position(const struct sgw_actuator *a, int64_t now)
{
	(void)a;
	(void)now;
	return -1;
}

const struct act_kind act_switch_kind = {
	.nlines = 1,
	.usage = "ON or OFF",
	.parse = switch_parse,
	.command = switch_command,
	.start = switch_start,
	.tick = switch_tick,
	.next_deadline = switch_next_deadline,
	.safe = switch_safe,
	.state = switch_state,
	.position = switch_position,
};
