/* SPDX-License-Identifier: MIT */
/*
 * A debounced GPIO input as the drivers gpio_input and pulse_counter use
 * it: the keys that name and set up the line, and a debouncer over its
 * edge events.
 *
 * Keys: chip (default gpiochip0; a name, number, label or "sim"), line
 * (required), active_low (false), bias (as-is | disable | pull-up |
 * pull-down), debounce (duration; the default is the driver's).
 *
 * Debouncing: a level counts once the line has kept it for the debounce
 * window, judged on the edges' kernel timestamps, so edges that queued up
 * while the worker was busy are judged by when they happened, not by when
 * they were read.  A bounce (any number of edges inside the window) thus
 * yields at most one change; a pulse shorter than the window is ignored.
 */
#ifndef SGW_GPIO_SOURCE_H
#define SGW_GPIO_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "driver.h"
#include "drivers/hal/gpio.h"

struct sgw_gpio_source_config {
	char *chip;
	unsigned int line;
	bool active_low;
	enum sgw_gpio_bias bias;
	uint32_t debounce_ms;
};

/*
 * For a driver's configure(): parse the keys above into *out and set
 * sc->bus to "gpio:<chip>:<line>" (each event source gets its own worker).
 * Returns 0 or -EINVAL after reporting through keys; *out is then empty.
 */
int sgw_gpio_source_configure(struct sgw_sensor_config *sc, struct sgw_keys *keys,
			      uint32_t debounce_def_ms, struct sgw_gpio_source_config *out);
void sgw_gpio_source_config_free(struct sgw_gpio_source_config *c);

/* An open debounced line.  The fields are the debouncer's: read stable only. */
struct sgw_gpio_source {
	struct sgw_gpio_line *line;
	int64_t window_ns;
	int stable;		/* debounced logical level */
	int raw;		/* level after the last edge seen */
	int64_t last_ns;	/* timestamp of that edge */
	bool pending;		/* edges seen that have not settled yet */
};

/* Request the line (CONSUMER shows in gpioinfo) and take its level as stable. */
int sgw_gpio_source_open(struct sgw_gpio_source *src, const struct sgw_gpio_source_config *c,
			 const char *consumer);
/*
 * Wait up to timeout_ms for the debounced level to change: 1 with the new
 * level in *level, 0 on timeout, -errno.  Edges not yet settled at the
 * timeout are kept for the next call.
 */
int sgw_gpio_source_wait(struct sgw_gpio_source *src, int timeout_ms, int *level);
/*
 * Compare the line's level with the debounced one while no edge is pending;
 * a difference (edges lost to a full kernel queue) is fed to the debouncer
 * as an edge now, so it settles like any other.  0 or -errno.
 */
int sgw_gpio_source_sync(struct sgw_gpio_source *src);
void sgw_gpio_source_close(struct sgw_gpio_source *src);

#endif
