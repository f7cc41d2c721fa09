/* SPDX-License-Identifier: MIT */
/*
 * A stand-in for the parts of libgpiod 1.6 that drivers/hal/gpio_gpiod.c
 * calls, linked into one test program ahead of the real library, so that
 * the backend's use of the API (flags, event decoding, error mapping) is
 * tested on machines without GPIO chips.  One chip, "gpiochip7" labelled
 * "pinctrl-mock", with MOCK_GPIOD_LINES lines.
 */
#ifndef SGW_TEST_MOCK_GPIOD_H
#define SGW_TEST_MOCK_GPIOD_H

#include <stdbool.h>
#include <time.h>

#define MOCK_GPIOD_LINES 8
#define MOCK_GPIOD_EVENTS 16

struct mock_gpiod {
	/* set by the test */
	int value;			/* physical level gpiod_line_get_value() returns */
	int request_errno;		/* nonzero: the request fails with it */
	int wait_errno;			/* nonzero: event_wait fails with it */
	int set_errno;			/* nonzero: set_value fails with it */
	struct {
		int type;		/* GPIOD_LINE_EVENT_RISING_EDGE / _FALLING_EDGE */
		struct timespec ts;
	} events[MOCK_GPIOD_EVENTS];
	int nevents, next_event;
	/* seen by the test */
	int open_chips;			/* opened and not closed */
	unsigned int offset;
	int flags;			/* of the last request */
	bool output;			/* the last request was an output */
	int sets;			/* gpiod_line_set_value() calls (value: the level set) */
	char consumer[32];
	struct timespec last_timeout;
	int waits;
};

extern struct mock_gpiod mock_gpiod;

void mock_gpiod_reset(void);
void mock_gpiod_push(int type, const struct timespec *ts);

#endif
