/* SPDX-License-Identifier: MIT */
/* libgpiod 1.6 stand-in for check_gpio_gpiod (see mock_gpiod.h). */
#include "mock_gpiod.h"

#include <errno.h>
#include <gpiod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct gpiod_chip {
	struct gpiod_line *lines[MOCK_GPIOD_LINES];
};

struct gpiod_line {
	unsigned int offset;
};

struct mock_gpiod mock_gpiod;

void mock_gpiod_reset(void)
{
	memset(&mock_gpiod, 0, sizeof(mock_gpiod));
}

void mock_gpiod_push(int type, const struct timespec *ts)
{
	if (mock_gpiod.nevents < MOCK_GPIOD_EVENTS) {
		mock_gpiod.events[mock_gpiod.nevents].type = type;
		mock_gpiod.events[mock_gpiod.nevents].ts = *ts;
		mock_gpiod.nevents++;
	}
}

struct gpiod_chip *gpiod_chip_open_lookup(const char *descr)
{
	struct gpiod_chip *chip;

	if (strcmp(descr, "gpiochip7") != 0 && strcmp(descr, "pinctrl-mock") != 0 &&
	    strcmp(descr, "7") != 0 && strcmp(descr, "/dev/gpiochip7") != 0) {
		errno = ENOENT;
		return NULL;
	}
	chip = calloc(1, sizeof(*chip));
	if (!chip)
		return NULL;
	mock_gpiod.open_chips++;
	return chip;
}

void gpiod_chip_close(struct gpiod_chip *chip)
{
	for (int i = 0; i < MOCK_GPIOD_LINES; i++)
		free(chip->lines[i]);
	free(chip);
	mock_gpiod.open_chips--;
}

struct gpiod_line *gpiod_chip_get_line(struct gpiod_chip *chip, unsigned int offset)
{
	if (offset >= MOCK_GPIOD_LINES) {
		errno = EINVAL;
		return NULL;
	}
	if (!chip->lines[offset]) {
		chip->lines[offset] = calloc(1, sizeof(struct gpiod_line));
		if (!chip->lines[offset])
			return NULL;
		chip->lines[offset]->offset = offset;
	}
	return chip->lines[offset];
}

int gpiod_line_request_both_edges_events_flags(struct gpiod_line *line, const char *consumer,
					       int flags)
{
	if (mock_gpiod.request_errno) {
		errno = mock_gpiod.request_errno;
		return -1;
	}
	mock_gpiod.offset = line->offset;
	mock_gpiod.flags = flags;
	mock_gpiod.output = false;
	snprintf(mock_gpiod.consumer, sizeof(mock_gpiod.consumer), "%s", consumer);
	return 0;
}

int gpiod_line_request_output(struct gpiod_line *line, const char *consumer, int default_val)
{
	if (mock_gpiod.request_errno) {
		errno = mock_gpiod.request_errno;
		return -1;
	}
	mock_gpiod.offset = line->offset;
	mock_gpiod.flags = 0;
	mock_gpiod.output = true;
	mock_gpiod.value = default_val;
	snprintf(mock_gpiod.consumer, sizeof(mock_gpiod.consumer), "%s", consumer);
	return 0;
}

int gpiod_line_set_value(struct gpiod_line *line, int value)
{
	(void)line;
	if (mock_gpiod.set_errno) {
		errno = mock_gpiod.set_errno;
		return -1;
	}
	mock_gpiod.sets++;
	mock_gpiod.value = value;
	return 0;
}

int gpiod_line_get_value(struct gpiod_line *line)
{
	(void)line;
	return mock_gpiod.value;
}

int gpiod_line_event_wait(struct gpiod_line *line, const struct timespec *timeout)
{
	(void)line;
	mock_gpiod.waits++;
	mock_gpiod.last_timeout = *timeout;
	if (mock_gpiod.wait_errno) {
		errno = mock_gpiod.wait_errno;
		return -1;
	}
	return mock_gpiod.next_event < mock_gpiod.nevents;
}

int gpiod_line_event_read(struct gpiod_line *line, struct gpiod_line_event *event)
{
	(void)line;
	if (mock_gpiod.next_event >= mock_gpiod.nevents) {
		errno = EAGAIN;
		return -1;
	}
	event->event_type = mock_gpiod.events[mock_gpiod.next_event].type;
	event->ts = mock_gpiod.events[mock_gpiod.next_event].ts;
	mock_gpiod.next_event++;
	return 0;
}
