/* SPDX-License-Identifier: MIT */
/* GPIO backend on the Linux character device, through libgpiod 1.6 (v1 API). */
#include <errno.h>
#include <gpiod.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "gpio_backend.h"
#include "util/clock.h"

struct gpiod_handle {
	struct gpiod_chip *chip;
	struct gpiod_line *line;
};

static int bias_flags(enum sgw_gpio_bias bias)
{
	switch (bias) {
	case SGW_GPIO_BIAS_DISABLE:
		return GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE;
	case SGW_GPIO_BIAS_PULL_UP:
		return GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP;
	case SGW_GPIO_BIAS_PULL_DOWN:
		return GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN;
	case SGW_GPIO_BIAS_AS_IS:
		break;
	}
	return 0;
}

static int errno_or(int fallback)
{
	return errno > 0 ? -errno : -fallback;
}

/*
 * Request REQ's line: as an input with edge events on both edges, or with
 * OUTPUT as an output at the physical VALUE (bias is for inputs).
 */
static int handle_open(const struct sgw_gpio_request *req, bool output, int value, void **priv)
{
	const char *consumer = req->consumer ? req->consumer : "sensorgw";
	struct gpiod_handle *h;
	int ret;

	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	/*
	 * open_lookup accepts a number, a /dev path, a name ("gpiochip4") or
	 * a label ("pinctrl-rp1": the header on the Pi 5, whose chip number
	 * changed between kernels, so users should name it by label).
	 */
	errno = 0;
	h->chip = gpiod_chip_open_lookup(req->chip);
	if (!h->chip) {
		ret = errno_or(ENOENT);
		goto free_handle;
	}
	errno = 0;
	h->line = gpiod_chip_get_line(h->chip, req->offset);
	if (!h->line) {
		ret = errno_or(EINVAL);
		goto close_chip;
	}
	errno = 0;
	if (output)
		ret = gpiod_line_request_output(h->line, consumer, value);
	else
		ret = gpiod_line_request_both_edges_events_flags(h->line, consumer,
								 bias_flags(req->bias));
	if (ret < 0) {
		ret = errno_or(EIO);
		goto close_chip;
	}
	*priv = h;
	return 0;

close_chip:
	gpiod_chip_close(h->chip);
free_handle:
	free(h);
	return ret;
}

static int gpiod_open(const struct sgw_gpio_request *req, void **priv)
{
	return handle_open(req, false, 0, priv);
}

static int gpiod_open_output(const struct sgw_gpio_request *req, int value, void **priv)
{
	return handle_open(req, true, value, priv);
}

static int gpiod_get(void *priv)
{
	struct gpiod_handle *h = priv;
	int v;

	errno = 0;
	v = gpiod_line_get_value(h->line);
	return v < 0 ? errno_or(EIO) : v;
}

static int gpiod_set(void *priv, int value)
{
	struct gpiod_handle *h = priv;

	errno = 0;
	return gpiod_line_set_value(h->line, value) < 0 ? errno_or(EIO) : 0;
}

static int gpiod_wait(void *priv, int timeout_ms, struct sgw_gpio_event *ev)
{
	struct gpiod_handle *h = priv;
	struct timespec to = { timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000 };
	struct gpiod_line_event e;
	int64_t now;
	int ret;

	errno = 0;
	ret = gpiod_line_event_wait(h->line, &to);
	if (ret < 0)
		return errno == EINTR ? 0 : errno_or(EIO);
	if (ret == 0)
		return 0;
	errno = 0;
	if (gpiod_line_event_read(h->line, &e) < 0)
		return errno_or(EIO);
	ev->level = e.event_type == GPIOD_LINE_EVENT_RISING_EDGE;
	ev->ts_ns = (int64_t)e.ts.tv_sec * 1000000000 + e.ts.tv_nsec;
	/*
	 * Kernels before 5.7 stamped v1 line events with CLOCK_REALTIME;
	 * such a stamp (or any other far from our clock) is replaced by the
	 * time we read the event, which only makes debouncing conservative.
	 */
	now = sgw_mono_ns();
	if (ev->ts_ns > now || now - ev->ts_ns > (int64_t)3600 * 1000000000)
		ev->ts_ns = now;
	return 1;
}

static void gpiod_close(void *priv)
{
	struct gpiod_handle *h = priv;

	gpiod_chip_close(h->chip);	/* releases the line too */
	free(h);
}

const struct sgw_gpio_ops sgw_gpio_gpiod_ops = {
	.name = "gpiod",
	.open = gpiod_open,
	.open_output = gpiod_open_output,
	.get = gpiod_get,
	.set = gpiod_set,
	.wait = gpiod_wait,
	.close = gpiod_close,
};
