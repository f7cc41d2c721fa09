/* SPDX-License-Identifier: MIT */
/* libgpiod 2.x stand-in for check_gpio_gpiod2 (see mock_gpiod2.h). */
#include "mock_gpiod2.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MOCK_REQUESTS 8		/* line requests held at once */

struct gpiod_chip {
	const struct mock_gpiod2_chip *desc;
};

struct gpiod_chip_info {
	const struct mock_gpiod2_chip *desc;
};

struct gpiod_line_settings {
	enum gpiod_line_direction direction;
	enum gpiod_line_edge edge;
	enum gpiod_line_bias bias;
	enum gpiod_line_clock clock;
	bool active_low;
	enum gpiod_line_value output_value;
};

struct gpiod_line_config {
	unsigned int offsets[MOCK_REQUESTS];
	size_t num;
	struct gpiod_line_settings settings;	/* of every offset: one call adds them */
};

struct gpiod_request_config {
	char consumer[32];
};

struct gpiod_line_request {
	const struct mock_gpiod2_chip *chip;
	unsigned int offset;
};

struct gpiod_edge_event {
	enum gpiod_edge_event_type type;
	uint64_t ts_ns;
};

struct gpiod_edge_event_buffer {
	size_t capacity, num;
	struct gpiod_edge_event events[];
};

static const struct mock_gpiod2_chip chips_init[MOCK_GPIOD2_CHIPS] = {
	{ "gpiochip0", "gpio-brcmstb@107d508500", 32, 0 },
	{ "gpiochip2", "dup-label", 4, 0 },
	{ "gpiochip4", "pinctrl-rp1", 54, 0 },
	{ "gpiochip10", "dup-label", 4, 0 },
};

struct mock_gpiod2 mock_gpiod2;
static struct gpiod_line_request *held[MOCK_REQUESTS];

void mock_gpiod2_reset(void)
{
	memset(&mock_gpiod2, 0, sizeof(mock_gpiod2));
	memcpy(mock_gpiod2.chips, chips_init, sizeof(chips_init));
	memset(held, 0, sizeof(held));
}

void mock_gpiod2_push(enum gpiod_edge_event_type type, uint64_t ts_ns)
{
	if (mock_gpiod2.nevents < MOCK_GPIOD2_EVENTS) {
		mock_gpiod2.events[mock_gpiod2.nevents].type = type;
		mock_gpiod2.events[mock_gpiod2.nevents].ts_ns = ts_ns;
		mock_gpiod2.nevents++;
	}
}

static void *object_new(size_t size)
{
	void *p = calloc(1, size);

	if (p)
		mock_gpiod2.live_objects++;
	return p;
}

static void object_free(void *p)
{
	if (!p)
		return;
	free(p);
	mock_gpiod2.live_objects--;
}

/* ---------------------------------------------------------------- chips */

struct gpiod_chip *gpiod_chip_open(const char *path)
{
	const struct mock_gpiod2_chip *desc = NULL;
	const char *base = strrchr(path, '/');
	struct gpiod_chip *chip;
	struct stat st;

	snprintf(mock_gpiod2.last_path, sizeof(mock_gpiod2.last_path), "%s", path);
	if (stat(path, &st) < 0)
		return NULL;
	base = base ? base + 1 : path;
	for (int i = 0; i < MOCK_GPIOD2_CHIPS; i++) {
		if (strcmp(mock_gpiod2.chips[i].name, base) == 0)
			desc = &mock_gpiod2.chips[i];
	}
	if (!desc) {
		errno = ENOTTY;		/* libgpiod: not a character device */
		return NULL;
	}
	if (desc->open_errno) {
		errno = desc->open_errno;
		return NULL;
	}
	chip = calloc(1, sizeof(*chip));
	if (!chip)
		return NULL;
	chip->desc = desc;
	mock_gpiod2.open_chips++;
	return chip;
}

void gpiod_chip_close(struct gpiod_chip *chip)
{
	if (!chip)
		return;
	free(chip);
	mock_gpiod2.open_chips--;
}

struct gpiod_chip_info *gpiod_chip_get_info(struct gpiod_chip *chip)
{
	struct gpiod_chip_info *info = object_new(sizeof(*info));

	if (info)
		info->desc = chip->desc;
	return info;
}

void gpiod_chip_info_free(struct gpiod_chip_info *info)
{
	object_free(info);
}

const char *gpiod_chip_info_get_name(struct gpiod_chip_info *info)
{
	return info->desc->name;
}

const char *gpiod_chip_info_get_label(struct gpiod_chip_info *info)
{
	return info->desc->label;
}

/* ---------------------------------------------------------------- settings and configs */

struct gpiod_line_settings *gpiod_line_settings_new(void)
{
	struct gpiod_line_settings *s = object_new(sizeof(*s));

	if (!s)
		return NULL;
	/* libgpiod's defaults */
	s->direction = GPIOD_LINE_DIRECTION_AS_IS;
	s->edge = GPIOD_LINE_EDGE_NONE;
	s->bias = GPIOD_LINE_BIAS_AS_IS;
	s->clock = GPIOD_LINE_CLOCK_MONOTONIC;
	s->output_value = GPIOD_LINE_VALUE_INACTIVE;
	return s;
}

void gpiod_line_settings_free(struct gpiod_line_settings *settings)
{
	object_free(settings);
}

int gpiod_line_settings_set_direction(struct gpiod_line_settings *settings,
				      enum gpiod_line_direction direction)
{
	settings->direction = direction;
	return 0;
}

int gpiod_line_settings_set_edge_detection(struct gpiod_line_settings *settings,
					   enum gpiod_line_edge edge)
{
	settings->edge = edge;
	return 0;
}

int gpiod_line_settings_set_bias(struct gpiod_line_settings *settings, enum gpiod_line_bias bias)
{
	settings->bias = bias;
	return 0;
}

int gpiod_line_settings_set_output_value(struct gpiod_line_settings *settings,
					 enum gpiod_line_value value)
{
	settings->output_value = value;
	return 0;
}

void gpiod_line_settings_set_active_low(struct gpiod_line_settings *settings, bool active_low)
{
	settings->active_low = active_low;
}

int gpiod_line_settings_set_event_clock(struct gpiod_line_settings *settings,
					enum gpiod_line_clock event_clock)
{
	settings->clock = event_clock;
	return 0;
}

struct gpiod_line_config *gpiod_line_config_new(void)
{
	return object_new(sizeof(struct gpiod_line_config));
}

void gpiod_line_config_free(struct gpiod_line_config *config)
{
	object_free(config);
}

int gpiod_line_config_add_line_settings(struct gpiod_line_config *config,
					const unsigned int *offsets, size_t num_offsets,
					struct gpiod_line_settings *settings)
{
	if (!num_offsets || config->num + num_offsets > MOCK_REQUESTS) {
		errno = EINVAL;
		return -1;
	}
	/* copied, as libgpiod does: the caller may free its settings */
	memcpy(config->offsets + config->num, offsets, num_offsets * sizeof(*offsets));
	config->num += num_offsets;
	config->settings = *settings;
	return 0;
}

struct gpiod_request_config *gpiod_request_config_new(void)
{
	return object_new(sizeof(struct gpiod_request_config));
}

void gpiod_request_config_free(struct gpiod_request_config *config)
{
	object_free(config);
}

void gpiod_request_config_set_consumer(struct gpiod_request_config *config, const char *consumer)
{
	snprintf(config->consumer, sizeof(config->consumer), "%s", consumer ? consumer : "");
}

/* ---------------------------------------------------------------- requests */

static bool line_held(const struct mock_gpiod2_chip *chip, unsigned int offset)
{
	for (int i = 0; i < MOCK_REQUESTS; i++) {
		if (held[i] && held[i]->chip == chip && held[i]->offset == offset)
			return true;
	}
	return false;
}

struct gpiod_line_request *gpiod_chip_request_lines(struct gpiod_chip *chip,
						    struct gpiod_request_config *req_cfg,
						    struct gpiod_line_config *line_cfg)
{
	struct gpiod_line_request *request;
	int slot = -1;

	if (!line_cfg || line_cfg->num == 0) {
		errno = EINVAL;
		return NULL;
	}
	if (mock_gpiod2.request_errno) {
		errno = mock_gpiod2.request_errno;
		return NULL;
	}
	for (size_t i = 0; i < line_cfg->num; i++) {
		if (line_cfg->offsets[i] >= chip->desc->lines) {
			errno = EINVAL;
			return NULL;
		}
		if (line_held(chip->desc, line_cfg->offsets[i])) {
			errno = EBUSY;
			return NULL;
		}
	}
	for (int i = 0; i < MOCK_REQUESTS && slot < 0; i++) {
		if (!held[i])
			slot = i;
	}
	request = slot < 0 ? NULL : calloc(1, sizeof(*request));
	if (!request) {
		errno = ENOMEM;
		return NULL;
	}
	request->chip = chip->desc;
	request->offset = line_cfg->offsets[0];
	held[slot] = request;
	mock_gpiod2.open_requests++;
	mock_gpiod2.request_chip = chip->desc->name;
	mock_gpiod2.request_lines = line_cfg->num;
	mock_gpiod2.offset = line_cfg->offsets[0];
	mock_gpiod2.direction = line_cfg->settings.direction;
	mock_gpiod2.edge = line_cfg->settings.edge;
	mock_gpiod2.bias = line_cfg->settings.bias;
	mock_gpiod2.clock = line_cfg->settings.clock;
	mock_gpiod2.active_low = line_cfg->settings.active_low;
	mock_gpiod2.output_value = line_cfg->settings.output_value;
	if (line_cfg->settings.direction == GPIOD_LINE_DIRECTION_OUTPUT)
		mock_gpiod2.value = line_cfg->settings.output_value == GPIOD_LINE_VALUE_ACTIVE;
	/* the kernel's default consumer is "?" */
	snprintf(mock_gpiod2.consumer, sizeof(mock_gpiod2.consumer), "%s",
		 req_cfg && req_cfg->consumer[0] ? req_cfg->consumer : "?");
	return request;
}

void gpiod_line_request_release(struct gpiod_line_request *request)
{
	if (!request)
		return;
	for (int i = 0; i < MOCK_REQUESTS; i++) {
		if (held[i] == request)
			held[i] = NULL;
	}
	free(request);
	mock_gpiod2.open_requests--;
}

enum gpiod_line_value gpiod_line_request_get_value(struct gpiod_line_request *request,
						   unsigned int offset)
{
	if (offset != request->offset) {
		errno = EINVAL;
		return GPIOD_LINE_VALUE_ERROR;
	}
	if (mock_gpiod2.get_errno) {
		errno = mock_gpiod2.get_errno;
		return GPIOD_LINE_VALUE_ERROR;
	}
	return mock_gpiod2.value ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE;
}

int gpiod_line_request_set_value(struct gpiod_line_request *request, unsigned int offset,
				 enum gpiod_line_value value)
{
	if (offset != request->offset) {
		errno = EINVAL;
		return -1;
	}
	if (mock_gpiod2.set_errno) {
		errno = mock_gpiod2.set_errno;
		return -1;
	}
	mock_gpiod2.sets++;
	mock_gpiod2.value = value == GPIOD_LINE_VALUE_ACTIVE;
	return 0;
}

int gpiod_line_request_wait_edge_events(struct gpiod_line_request *request, int64_t timeout_ns)
{
	(void)request;
	mock_gpiod2.waits++;
	mock_gpiod2.last_timeout_ns = timeout_ns;
	if (mock_gpiod2.wait_errno) {
		errno = mock_gpiod2.wait_errno;
		return -1;
	}
	return mock_gpiod2.next_event < mock_gpiod2.nevents;
}

int gpiod_line_request_read_edge_events(struct gpiod_line_request *request,
					struct gpiod_edge_event_buffer *buffer, size_t max_events)
{
	size_t n = 0;

	(void)request;
	mock_gpiod2.reads++;
	mock_gpiod2.last_max_events = max_events;
	if (mock_gpiod2.read_errno) {
		errno = mock_gpiod2.read_errno;
		return -1;
	}
	if (max_events > buffer->capacity)
		max_events = buffer->capacity;
	/* overwrites what the buffer held, as libgpiod does */
	while (n < max_events && mock_gpiod2.next_event < mock_gpiod2.nevents) {
		buffer->events[n].type = mock_gpiod2.events[mock_gpiod2.next_event].type;
		buffer->events[n].ts_ns = mock_gpiod2.events[mock_gpiod2.next_event].ts_ns;
		mock_gpiod2.next_event++;
		n++;
	}
	buffer->num = n;
	return (int)n;
}

/* ---------------------------------------------------------------- edge events */

struct gpiod_edge_event_buffer *gpiod_edge_event_buffer_new(size_t capacity)
{
	struct gpiod_edge_event_buffer *b;

	if (capacity == 0)
		capacity = 64;
	if (capacity > 1024)
		capacity = 1024;
	b = object_new(sizeof(*b) + capacity * sizeof(b->events[0]));
	if (b)
		b->capacity = capacity;
	return b;
}

void gpiod_edge_event_buffer_free(struct gpiod_edge_event_buffer *buffer)
{
	object_free(buffer);
}

struct gpiod_edge_event *gpiod_edge_event_buffer_get_event(struct gpiod_edge_event_buffer *buffer,
							   unsigned long index)
{
	if (index >= buffer->num) {
		errno = EINVAL;
		return NULL;
	}
	return &buffer->events[index];
}

enum gpiod_edge_event_type gpiod_edge_event_get_event_type(struct gpiod_edge_event *event)
{
	return event->type;
}

uint64_t gpiod_edge_event_get_timestamp_ns(struct gpiod_edge_event *event)
{
	return event->ts_ns;
}
