/* SPDX-License-Identifier: MIT */
/*
 * Private to src/actuate: the actuator object and the ops table each kind
 * (switch.c, cover.c) fills.  actuator.c owns the lines, the payload's
 * words and min_interval_ms; a kind decides what a command does to its
 * lines and when.
 */
#ifndef SGW_ACTUATE_KIND_H
#define SGW_ACTUATE_KIND_H

#include <stdbool.h>
#include <stdint.h>

#include "actuator.h"
#include "drivers/hal/gpio.h"

#define ACT_MAX_LINES 2
/* A line write that failed in a tick is tried again this much later. */
#define ACT_RETRY_NS ((int64_t)100 * 1000000)
#define ACT_NS_PER_MS ((int64_t)1000000)

/* Commands a kind's parse() returns besides a cover's position 0..100. */
enum act_command {
	ACT_CMD_OFF = -1,
	ACT_CMD_ON = -2,
	ACT_CMD_OPEN = -3,
	ACT_CMD_CLOSE = -4,
	ACT_CMD_STOP = -5,
};

struct act_kind {
	unsigned int nlines;
	const char *usage;	/* the commands, for the error text */
	/*
	 * The upper-case word WORD as a command in *CMD: 0, -EINVAL (not
	 * one of this kind's) or -ERANGE (a position outside 0..100).
	 */
	int (*parse)(const char *word, int *cmd);
	/* Obey CMD at NOW: 0, -ENODATA (position unknown) or -EIO. */
	int (*command)(struct sgw_actuator *a, int cmd, int64_t now);
	/* The state after the safe state, at open: 0 or -EIO. */
	int (*start)(struct sgw_actuator *a, int64_t now);
	void (*tick)(struct sgw_actuator *a, int64_t now);
	int64_t (*next_deadline)(const struct sgw_actuator *a);
	void (*safe)(struct sgw_actuator *a, int64_t now);
	const char *(*state)(const struct sgw_actuator *a);
	int (*position)(const struct sgw_actuator *a, int64_t now);
};

extern const struct act_kind act_switch_kind;
extern const struct act_kind act_cover_kind;

enum act_motion {
	ACT_IDLE,	/* both lines off */
	ACT_WAIT,	/* both off, a run starts at the deadline (dead time) */
	ACT_RUN,	/* one line on until the deadline */
};

struct act_cover {
	enum act_motion motion;
	int dir;		/* WAIT, RUN: +1 up (line 0), -1 down (line 1) */
	bool full;		/* a run to the end (OPEN, CLOSE), else to target_ns */
	bool known;		/* pos_ns is worth something */
	int64_t target_ns;	/* position as travel time from closed */
	int64_t pos_ns;		/* at rest, or where the run started */
	int64_t run_start;	/* RUN: when the line went on */
	int64_t deadline;	/* WAIT: when the line goes on; RUN: off */
};

struct sgw_actuator {
	const struct sgw_actuator_config *c;
	const struct act_kind *kind;
	struct sgw_gpio_line *line[ACT_MAX_LINES];	/* switch: [0]; cover: up, down */
	int level[ACT_MAX_LINES];	/* logical, as last written */
	int64_t off_ns[ACT_MAX_LINES];	/* when each line last went off */
	int64_t seen_ns;		/* the latest now_ns given */
	bool obeyed;			/* last_cmd_ns is set */
	int64_t last_cmd_ns;
	uint64_t version;
	union {
		int64_t pulse_end;	/* switch: INT64_MAX when none */
		struct act_cover cover;
	} u;
};

/*
 * Drive line I to the logical LEVEL at NOW (nothing when it is there
 * already): 0 or -EIO.  The one place lines are written, so that the
 * version follows every change and off_ns every line going off.
 */
int act_line_set(struct sgw_actuator *a, unsigned int i, int level, int64_t now);

#endif
