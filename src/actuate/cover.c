/* SPDX-License-Identifier: MIT */
/*
 * A cover: an up and a down line, never on together, with dead_time_ms
 * between one going off and the other going on (the motor must stop
 * before it turns the other way).  The position is kept as travel time
 * from closed, in ns, and estimated linearly while a line is on.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kind.h"

#define UP 0		/* line index of the direction +1 */
#define DOWN 1

static int line_of(int dir)
{
	return dir > 0 ? UP : DOWN;
}

/* travel_ms as ns; at least 1 ms, so that positions divide by it. */
static int64_t travel_ns(const struct sgw_actuator *a)
{
	return (int64_t)(a->c->travel_ms > 0 ? a->c->travel_ms : 1) * ACT_NS_PER_MS;
}

/* "0".."100", decimal digits and an optional sign. */
static int parse_percent(const char *word, int *pct)
{
	const char *p = word;
	char *end;
	long v;

	if (*p == '+' || *p == '-')
		p++;
	if (*p < '0' || *p > '9')
		return -EINVAL;
	errno = 0;
	v = strtol(word, &end, 10);
	if (*end != '\0')
		return -EINVAL;
	if (errno == ERANGE || v < 0 || v > 100)
		return -ERANGE;
	*pct = (int)v;
	return 0;
}

static int cover_parse(const char *word, int *cmd)
{
	if (strcmp(word, "OPEN") == 0)
		*cmd = ACT_CMD_OPEN;
	else if (strcmp(word, "CLOSE") == 0)
		*cmd = ACT_CMD_CLOSE;
	else if (strcmp(word, "STOP") == 0)
		*cmd = ACT_CMD_STOP;
	else
		return parse_percent(word, cmd);
	return 0;
}

/* Where the cover is at NOW, as travel time from closed. */
static int64_t pos_at(const struct sgw_actuator *a, int64_t now)
{
	const struct act_cover *cv = &a->u.cover;
	int64_t t, pos;

	if (cv->motion != ACT_RUN)
		return cv->pos_ns;
	/* a run ends at its deadline, even when the tick comes late */
	t = now < cv->deadline ? now : cv->deadline;
	t = t > cv->run_start ? t - cv->run_start : 0;
	pos = cv->pos_ns + (cv->dir > 0 ? t : -t);
	if (pos < 0)
		return 0;
	return pos < travel_ns(a) ? pos : travel_ns(a);
}

/*
 * Start the run planned in the cover (dir, full, target_ns) from rest,
 * at NOW or, while the other line's dead time lasts, at its end.  The
 * interlock: no line goes on while the other is on or has been off for
 * less than dead_time_ms.
 */
static int begin_run(struct sgw_actuator *a, int64_t now)
{
	struct act_cover *cv = &a->u.cover;
	int on = line_of(cv->dir), other = !on;
	int64_t ready = a->off_ns[other] + (int64_t)a->c->dead_time_ms * ACT_NS_PER_MS;
	int64_t dist;
	int ret;

	if (a->level[other]) {
		cv->motion = ACT_IDLE;	/* it could not be turned off */
		return -EIO;
	}
	if (now < ready) {
		cv->motion = ACT_WAIT;
		cv->deadline = ready;
		return 0;
	}
	ret = act_line_set(a, on, 1, now);
	if (ret < 0) {
		cv->motion = ACT_IDLE;
		return ret;
	}
	dist = cv->full ? travel_ns(a) : llabs(cv->target_ns - cv->pos_ns);
	cv->motion = ACT_RUN;
	cv->run_start = now;
	cv->deadline = now + dist;
	return 0;
}

/* Bring a run or a wait to rest at NOW: 0, or -EIO with the run going on. */
static int halt(struct sgw_actuator *a, int64_t now)
{
	struct act_cover *cv = &a->u.cover;
	int64_t pos = pos_at(a, now);
	int ret;

	if (cv->motion == ACT_RUN) {
		ret = act_line_set(a, line_of(cv->dir), 0, now);
		if (ret < 0)
			return ret;
		cv->pos_ns = pos;
	}
	cv->motion = ACT_IDLE;
	return 0;
}

static int cover_command(struct sgw_actuator *a, int cmd, int64_t now)
{
	struct act_cover *cv = &a->u.cover;
	int64_t pos = pos_at(a, now), target = 0;
	bool full = cmd == ACT_CMD_OPEN || cmd == ACT_CMD_CLOSE;
	int dir, ret;

	if (cmd >= 0 && !cv->known)
		return -ENODATA;
	if (cmd == ACT_CMD_OPEN) {
		dir = 1;
	} else if (cmd == ACT_CMD_CLOSE) {
		dir = -1;
	} else if (cmd == ACT_CMD_STOP) {
		dir = 0;
	} else {
		target = cmd * travel_ns(a) / 100;
		dir = target > pos ? 1 : target < pos ? -1 : 0;
	}
	if (dir != 0 && cv->motion != ACT_IDLE && dir == cv->dir) {
		/* on its way already: a new end, no stop */
		if (full && cv->full)
			return 0;
		cv->full = full;
		cv->target_ns = target;
		if (cv->motion == ACT_RUN) {
			cv->pos_ns = pos;
			cv->run_start = now;
			cv->deadline = now + (full ? travel_ns(a) : llabs(target - pos));
		}
		return 0;
	}
	ret = halt(a, now);
	if (ret < 0 || dir == 0)
		return ret;
	cv->dir = dir;
	cv->full = full;
	cv->target_ns = target;
	return begin_run(a, now);
}

/* At open: stopped (the lines were requested off), the position unknown. */
static int cover_start(struct sgw_actuator *a, int64_t now)
{
	(void)now;
	a->u.cover = (struct act_cover){ .motion = ACT_IDLE };
	return 0;
}

static void cover_tick(struct sgw_actuator *a, int64_t now)
{
	struct act_cover *cv = &a->u.cover;

	if (cv->motion == ACT_IDLE || now < cv->deadline)
		return;
	if (cv->motion == ACT_WAIT) {
		begin_run(a, now);	/* a failure leaves it stopped */
		return;
	}
	if (act_line_set(a, line_of(cv->dir), 0, now) < 0) {
		cv->deadline = now + ACT_RETRY_NS;
		return;
	}
	cv->motion = ACT_IDLE;
	if (cv->full) {
		cv->pos_ns = cv->dir > 0 ? travel_ns(a) : 0;
		if (!cv->known)
			a->version++;
		cv->known = true;
	} else {
		cv->pos_ns = cv->target_ns;
	}
}

static int64_t cover_next_deadline(const struct sgw_actuator *a)
{
	return a->u.cover.motion == ACT_IDLE ? INT64_MAX : a->u.cover.deadline;
}

/*
 * Stopped.  A line that will not go off is tried again at the next tick,
 * the run ending where it is now rather than where it was going.
 */
static void cover_safe(struct sgw_actuator *a, int64_t now)
{
	struct act_cover *cv = &a->u.cover;

	if (halt(a, now) < 0) {
		cv->pos_ns = pos_at(a, now);
		cv->run_start = now;
		cv->full = false;
		cv->target_ns = cv->pos_ns;
		cv->deadline = now + ACT_RETRY_NS;
		return;
	}
	act_line_set(a, UP, 0, now);
	act_line_set(a, DOWN, 0, now);
}

static const char *cover_state(const struct sgw_actuator *a)
{
	const struct act_cover *cv = &a->u.cover;

	if (cv->motion == ACT_RUN)
		return cv->dir > 0 ? "opening" : "closing";
	if (cv->known && cv->pos_ns == travel_ns(a))
		return "open";
	if (cv->known && cv->pos_ns == 0)
		return "closed";
	return "stopped";
}

static int cover_position(const struct sgw_actuator *a, int64_t now)
{
	if (!a->u.cover.known)
		return -1;
	return (int)((pos_at(a, now) * 100 + travel_ns(a) / 2) / travel_ns(a));
}

const struct act_kind act_cover_kind = {
	.nlines = 2,
	.usage = "OPEN, CLOSE, STOP or a position 0..100",
	.parse = cover_parse,
	.command = cover_command,
	.start = cover_start,
	.tick = cover_tick,
	.next_deadline = cover_next_deadline,
	.safe = cover_safe,
	.state = cover_state,
	.position = cover_position,
};
