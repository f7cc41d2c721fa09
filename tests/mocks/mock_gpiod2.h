/* SPDX-License-Identifier: MIT */
/*
 * A stand-in for the parts of libgpiod 2.x that drivers/hal/gpio_gpiod2.c
 * calls, linked into one test program ahead of the real library, so that
 * the backend's use of the v2 API (chip lookup, line settings, event
 * batches, error mapping, what it frees) is tested on machines without GPIO
 * chips.
 *
 * gpiod_chip_open() behaves as libgpiod's: ENOENT unless the path exists,
 * so the backend must look under the sysroot the test made; then the last
 * path component picks one of these chips (ENOTTY for any other file):
 *
 *   gpiochip0   "gpio-brcmstb@107d508500"   32 lines
 *   gpiochip2   "dup-label"                  4 lines
 *   gpiochip4   "pinctrl-rp1"               54 lines
 *   gpiochip10  "dup-label"                  4 lines
 *
 * Line requests behave as the kernel's: EINVAL for an offset past the
 * chip's lines, EBUSY for a line already requested and not released.
 */
#ifndef SGW_TEST_MOCK_GPIOD2_H
#define SGW_TEST_MOCK_GPIOD2_H

#include <gpiod.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MOCK_GPIOD2_CHIPS 4
#define MOCK_GPIOD2_EVENTS 64	/* events the kernel side holds for the test */

struct mock_gpiod2_chip {
	const char *name;		/* the /dev entry and kernel name */
	const char *label;
	unsigned int lines;
	int open_errno;			/* set by the test: opening fails with it */
};

struct mock_gpiod2 {
	struct mock_gpiod2_chip chips[MOCK_GPIOD2_CHIPS];
	/* set by the test */
	int value;			/* level gpiod_line_request_get_value() returns */
	int get_errno;			/* nonzero: reading the value fails with it */
	int set_errno;			/* nonzero: setting the value fails with it */
	int request_errno;		/* nonzero: the request fails with it */
	int wait_errno;			/* nonzero: waiting fails with it */
	int read_errno;			/* nonzero: reading events fails with it */
	struct {
		enum gpiod_edge_event_type type;
		uint64_t ts_ns;
	} events[MOCK_GPIOD2_EVENTS];
	int nevents, next_event;
	/* seen by the test */
	int open_chips;			/* opened and not closed */
	int open_requests;		/* requested and not released */
	int live_objects;		/* settings, configs, infos, buffers not freed */
	char last_path[PATH_MAX];	/* of the last gpiod_chip_open() */
	const char *request_chip;	/* name of the chip of the last request */
	size_t request_lines;		/* offsets in the last request */
	unsigned int offset;		/* its (first) offset */
	enum gpiod_line_direction direction;
	enum gpiod_line_edge edge;
	enum gpiod_line_bias bias;
	enum gpiod_line_clock clock;
	bool active_low;
	enum gpiod_line_value output_value;	/* of the last request's settings */
	int sets;			/* gpiod_line_request_set_value() calls (value: the level set) */
	char consumer[32];
	int64_t last_timeout_ns;
	int waits, reads;
	size_t last_max_events;		/* asked of the last read */
};

extern struct mock_gpiod2 mock_gpiod2;

/* Forget everything but the chip table, which is set back to the above. */
void mock_gpiod2_reset(void);
/* Queue an edge for the requested line. */
void mock_gpiod2_push(enum gpiod_edge_event_type type, uint64_t ts_ns);

#endif
