/* SPDX-License-Identifier: MIT */
/*
 * GPIO backend on the Linux character device, through libgpiod 2.x (v2 API):
 * one line request per line, holding its own file descriptor, so the chip
 * is closed as soon as the line is requested.  Edge events are read into a
 * buffer kept with the request, several at a time, and handed out one per
 * wait call.
 */
#include <dirent.h>
#include <errno.h>
#include <gpiod.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "gpio_backend.h"
#include "sysfs.h"

/*
 * Events read from the kernel at once: the kernel queues 16 per requested
 * line by default, so a bigger buffer would never fill.
 */
#define GPIOD2_EVENT_BATCH 16

struct gpiod2_handle {
	struct gpiod_line_request *request;
	struct gpiod_edge_event_buffer *events;	/* NULL for an output */
	unsigned int offset;
	size_t next, count;	/* events[next..count) not handed out yet */
};

static int errno_or(int fallback)
{
	return errno > 0 ? -errno : -fallback;
}

static enum gpiod_line_bias bias_of(enum sgw_gpio_bias bias)
{
	switch (bias) {
	case SGW_GPIO_BIAS_DISABLE:
		return GPIOD_LINE_BIAS_DISABLED;
	case SGW_GPIO_BIAS_PULL_UP:
		return GPIOD_LINE_BIAS_PULL_UP;
	case SGW_GPIO_BIAS_PULL_DOWN:
		return GPIOD_LINE_BIAS_PULL_DOWN;
	case SGW_GPIO_BIAS_AS_IS:
		break;
	}
	return GPIOD_LINE_BIAS_AS_IS;
}

/*
 * Open the chip at sysroot + DIR + NAME.  A file that is there but no GPIO
 * chip (libgpiod says ENOTTY or ENODEV) is no such chip either.
 */
static int chip_open(const char *dir, const char *name, struct gpiod_chip **out)
{
	char path[PATH_MAX];
	int ret;

	*out = NULL;
	ret = sgw_sysfs_path(path, sizeof(path), "%s%s", dir, name);
	if (ret < 0)
		return ret;
	errno = 0;
	*out = gpiod_chip_open(path);
	if (*out)
		return 0;
	if (errno == ENOTTY || errno == ENODEV)
		return -ENOENT;
	return errno_or(ENOENT);
}

/* Does the open chip carry NAME as its label or its kernel name? */
static int chip_is_named(struct gpiod_chip *chip, const char *name)
{
	struct gpiod_chip_info *info;
	int match;

	errno = 0;
	info = gpiod_chip_get_info(chip);
	if (!info)
		return errno_or(EIO);
	match = strcmp(gpiod_chip_info_get_label(info), name) == 0 ||
		strcmp(gpiod_chip_info_get_name(info), name) == 0;
	gpiod_chip_info_free(info);
	return match;
}

static int is_gpiochip(const struct dirent *e)
{
	return strncmp(e->d_name, "gpiochip", 8) == 0;
}

/*
 * The v2 API has no lookup by label: open each /dev/gpiochip* in number
 * order and ask.  The lowest-numbered chip wins if labels repeat.  When no
 * chip matches but one could not be asked (EACCES: not in group gpio), that
 * error is the answer, not -ENOENT: the chip may well be there.
 */
static int chip_open_label(const char *label, struct gpiod_chip **out)
{
	char dir[PATH_MAX];
	struct dirent **e;
	int n, ret, err = -ENOENT;

	*out = NULL;
	ret = sgw_sysfs_path(dir, sizeof(dir), "/dev");
	if (ret < 0)
		return ret;
	n = scandir(dir, &e, is_gpiochip, versionsort);
	if (n < 0)
		return errno_or(ENOENT);
	for (int i = 0; i < n; i++) {
		struct gpiod_chip *chip;

		if (!*out) {
			ret = chip_open("/dev/", e[i]->d_name, &chip);
			if (ret == 0) {
				ret = chip_is_named(chip, label);
				if (ret > 0)
					*out = chip;
				else
					gpiod_chip_close(chip);
			}
			if (ret < 0 && ret != -ENOENT && err == -ENOENT)
				err = ret;
		}
		free(e[i]);
	}
	free(e);
	return *out ? 0 : err;
}

static bool is_number(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
	}
	return true;
}

/*
 * The chip names libgpiod 1.6's open_lookup accepted, all under the
 * sysroot: a number ("0"), a path ("/dev/gpiochip0"), a kernel name
 * ("gpiochip0") or a label ("pinctrl-rp1": the header on the Pi 5, whose
 * chip number changed between kernels, so users should name it by label).
 */
static int chip_lookup(const char *descr, struct gpiod_chip **out)
{
	if (is_number(descr))
		return chip_open("/dev/gpiochip", descr, out);
	if (strchr(descr, '/'))
		return chip_open("", descr, out);
	if (strncmp(descr, "gpiochip", 8) == 0 && is_number(descr + 8))
		return chip_open("/dev/", descr, out);
	return chip_open_label(descr, out);
}

/*
 * Request OFFSET on CHIP as an input with edge events on both edges, bias as
 * asked, physical levels (active-low is applied above the backends) and
 * CLOCK_MONOTONIC timestamps; or, with OUTPUT, as an output at the
 * physical VALUE.  The kernel says EINVAL for an offset past the chip's
 * lines and EBUSY for a line already requested.
 */
static int line_request(struct gpiod_chip *chip, const struct sgw_gpio_request *req,
			bool output, int value, struct gpiod_line_request **out)
{
	struct gpiod_line_settings *settings;
	struct gpiod_request_config *req_cfg;
	struct gpiod_line_config *line_cfg;
	int ret;

	errno = 0;
	settings = gpiod_line_settings_new();
	if (!settings)
		return errno_or(ENOMEM);
	if (output)
		ret = gpiod_line_settings_set_direction(settings, GPIOD_LINE_DIRECTION_OUTPUT) < 0 ||
		      gpiod_line_settings_set_output_value(settings, value ? GPIOD_LINE_VALUE_ACTIVE
								   : GPIOD_LINE_VALUE_INACTIVE) < 0;
	else
		ret = gpiod_line_settings_set_direction(settings, GPIOD_LINE_DIRECTION_INPUT) < 0 ||
		      gpiod_line_settings_set_edge_detection(settings, GPIOD_LINE_EDGE_BOTH) < 0 ||
		      gpiod_line_settings_set_bias(settings, bias_of(req->bias)) < 0 ||
		      gpiod_line_settings_set_event_clock(settings,
							  GPIOD_LINE_CLOCK_MONOTONIC) < 0;
	if (ret) {
		ret = errno_or(EINVAL);
		goto free_settings;
	}
	line_cfg = gpiod_line_config_new();
	if (!line_cfg) {
		ret = errno_or(ENOMEM);
		goto free_settings;
	}
	if (gpiod_line_config_add_line_settings(line_cfg, &req->offset, 1, settings) < 0) {
		ret = errno_or(EINVAL);
		goto free_line_cfg;
	}
	req_cfg = gpiod_request_config_new();
	if (!req_cfg) {
		ret = errno_or(ENOMEM);
		goto free_line_cfg;
	}
	gpiod_request_config_set_consumer(req_cfg, req->consumer ? req->consumer : "sensorgw");
	errno = 0;
	*out = gpiod_chip_request_lines(chip, req_cfg, line_cfg);
	ret = *out ? 0 : errno_or(EIO);

	gpiod_request_config_free(req_cfg);
free_line_cfg:
	gpiod_line_config_free(line_cfg);
free_settings:
	gpiod_line_settings_free(settings);
	return ret;
}

/* Request REQ's line as an input or, with OUTPUT, an output at VALUE. */
static int handle_open(const struct sgw_gpio_request *req, bool output, int value, void **priv)
{
	struct gpiod2_handle *h;
	struct gpiod_chip *chip;
	int ret;

	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->offset = req->offset;
	errno = 0;
	/* an output has no events to read */
	h->events = output ? NULL : gpiod_edge_event_buffer_new(GPIOD2_EVENT_BATCH);
	if (!output && !h->events) {
		ret = errno_or(ENOMEM);
		goto free_handle;
	}
	ret = chip_lookup(req->chip, &chip);
	if (ret < 0)
		goto free_events;
	ret = line_request(chip, req, output, value, &h->request);
	/* the request has a descriptor of its own: the chip is not needed */
	gpiod_chip_close(chip);
	if (ret < 0)
		goto free_events;
	*priv = h;
	return 0;

free_events:
	gpiod_edge_event_buffer_free(h->events);
free_handle:
	free(h);
	return ret;
}

static int gpiod2_open(const struct sgw_gpio_request *req, void **priv)
{
	return handle_open(req, false, 0, priv);
}

static int gpiod2_open_output(const struct sgw_gpio_request *req, int value, void **priv)
{
	return handle_open(req, true, value, priv);
}

static int gpiod2_get(void *priv)
{
	struct gpiod2_handle *h = priv;
	enum gpiod_line_value v;

	errno = 0;
	v = gpiod_line_request_get_value(h->request, h->offset);
	if (v == GPIOD_LINE_VALUE_ERROR)
		return errno_or(EIO);
	return v == GPIOD_LINE_VALUE_ACTIVE;
}

static int gpiod2_set(void *priv, int value)
{
	struct gpiod2_handle *h = priv;

	errno = 0;
	if (gpiod_line_request_set_value(h->request, h->offset,
					 value ? GPIOD_LINE_VALUE_ACTIVE
					       : GPIOD_LINE_VALUE_INACTIVE) < 0)
		return errno_or(EIO);
	return 0;
}

static int gpiod2_wait(void *priv, int timeout_ms, struct sgw_gpio_event *ev)
{
	struct gpiod2_handle *h = priv;
	struct gpiod_edge_event *e;
	int ret;

	if (h->next == h->count) {
		errno = 0;
		ret = gpiod_line_request_wait_edge_events(h->request, (int64_t)timeout_ms * 1000000);
		if (ret < 0)
			return errno == EINTR ? 0 : errno_or(EIO);
		if (ret == 0)
			return 0;
		errno = 0;
		ret = gpiod_line_request_read_edge_events(h->request, h->events,
							  GPIOD2_EVENT_BATCH);
		if (ret < 0)
			return errno == EINTR || errno == EAGAIN ? 0 : errno_or(EIO);
		h->next = 0;
		h->count = (size_t)ret;
		if (h->count == 0)
			return 0;
	}
	e = gpiod_edge_event_buffer_get_event(h->events, h->next++);
	ev->level = gpiod_edge_event_get_event_type(e) == GPIOD_EDGE_EVENT_RISING_EDGE;
	/*
	 * CLOCK_MONOTONIC as requested: the v2 uAPI (Linux >= 5.10) never used
	 * CLOCK_REALTIME unless asked, unlike v1 events before 5.7.
	 */
	ev->ts_ns = (int64_t)gpiod_edge_event_get_timestamp_ns(e);
	return 1;
}

static void gpiod2_close(void *priv)
{
	struct gpiod2_handle *h = priv;

	gpiod_line_request_release(h->request);
	gpiod_edge_event_buffer_free(h->events);
	free(h);
}

const struct sgw_gpio_ops sgw_gpio_gpiod_ops = {
	.name = "gpiod",
	.open = gpiod2_open,
	.open_output = gpiod2_open_output,
	.get = gpiod2_get,
	.set = gpiod2_set,
	.wait = gpiod2_wait,
	.close = gpiod2_close,
};
