/* SPDX-License-Identifier: MIT */
/* Keys and debouncer of a GPIO input line (see gpio_source.h). */
#include "gpio_source.h"
#include "util/clock.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static const char *const bias_names[] = { "as-is", "disable", "pull-up", "pull-down", NULL };

int sgw_gpio_source_configure(struct sgw_sensor_config *sc, struct sgw_keys *keys,
			      uint32_t debounce_def_ms, struct sgw_gpio_source_config *out)
{
	const char *chip;
	char *bus;
	long line;
	int bias, ret = 0;

	memset(out, 0, sizeof(*out));
	if (sgw_keys_str(keys, "chip", "gpiochip0", &chip) < 0)
		ret = -EINVAL;
	else if (!sgw_gpio_chip_name_ok(chip)) {
		sgw_diag_error(keys->d, sgw_keys_find(keys, "chip")->line,
			       "chip: '%s' is not a GPIO chip name, number or label", chip);
		ret = -EINVAL;
	}
	if (!sgw_keys_find(keys, "line")) {
		sgw_diag_error(keys->d, sc->line,
			       "sensor %s: key 'line' (GPIO line number) is required", sc->name);
		ret = -EINVAL;
	} else if (sgw_keys_long(keys, "line", 0, 0, SGW_GPIO_LINE_MAX, &line) < 0) {
		ret = -EINVAL;
	}
	if (sgw_keys_bool(keys, "active_low", false, &out->active_low) < 0)
		ret = -EINVAL;
	if (sgw_keys_enum(keys, "bias", bias_names, SGW_GPIO_BIAS_AS_IS, &bias) < 0)
		ret = -EINVAL;
	if (sgw_keys_duration(keys, "debounce", debounce_def_ms, 0, 10000,
			      &out->debounce_ms) < 0)
		ret = -EINVAL;
	if (ret < 0)
		return ret;

	out->line = (unsigned int)line;
	out->bias = (enum sgw_gpio_bias)bias;
	out->chip = strdup(chip);
	if (!out->chip || asprintf(&bus, "gpio:%s:%u", chip, out->line) < 0) {
		sgw_diag_error(keys->d, sc->line, "out of memory");
		free(out->chip);
		out->chip = NULL;
		return -EINVAL;
	}
	free(sc->bus);
	sc->bus = bus;
	return 0;
}

void sgw_gpio_source_config_free(struct sgw_gpio_source_config *c)
{
	free(c->chip);
	c->chip = NULL;
}

int sgw_gpio_source_open(struct sgw_gpio_source *src, const struct sgw_gpio_source_config *c,
			 const char *consumer)
{
	struct sgw_gpio_request req = {
		.chip = c->chip,
		.offset = c->line,
		.active_low = c->active_low,
		.bias = c->bias,
		.consumer = consumer,
	};
	int ret, v;

	memset(src, 0, sizeof(*src));
	ret = sgw_gpio_line_open(&req, &src->line);
	if (ret < 0)
		return ret;
	v = sgw_gpio_line_get(src->line);
	if (v < 0) {
		sgw_gpio_line_close(src->line);
		src->line = NULL;
		return v;
	}
	src->window_ns = (int64_t)c->debounce_ms * 1000000;
	src->stable = src->raw = v;
	return 0;
}

/*
 * Take one edge.  If the level before it had lasted the whole window, that
 * level has settled: commit it first (returns 1, *level set).
 */
static int source_feed(struct sgw_gpio_source *src, const struct sgw_gpio_event *ev, int *level)
{
	int committed = 0;

	if (src->pending && ev->ts_ns - src->last_ns >= src->window_ns &&
	    src->raw != src->stable) {
		src->stable = src->raw;
		*level = src->stable;
		committed = 1;
	}
	src->raw = ev->level;
	src->last_ns = ev->ts_ns;
	src->pending = true;
	return committed;
}

int sgw_gpio_source_wait(struct sgw_gpio_source *src, int timeout_ms, int *level)
{
	int64_t deadline = sgw_mono_ns();
	struct sgw_gpio_event ev;
	int ret;

	if (timeout_ms > 0)
		deadline += (int64_t)timeout_ms * 1000000;

	for (;;) {
		int64_t now = sgw_mono_ns(), until = deadline;

		if (src->pending) {
			int64_t quiet = src->last_ns + src->window_ns;

			if (now >= quiet) {
				/* the quiet is real only if no edge waits in the queue */
				ret = sgw_gpio_line_wait(src->line, 0, &ev);
				if (ret < 0)
					return ret;
				if (ret == 1) {
					if (source_feed(src, &ev, level))
						return 1;
					continue;
				}
				src->pending = false;
				if (src->raw != src->stable) {
					src->stable = src->raw;
					*level = src->stable;
					return 1;
				}
				continue;
			}
			if (quiet < until)
				until = quiet;
		}
		if (now >= deadline)
			return 0;
		ret = sgw_gpio_line_wait(src->line, (int)((until - now + 999999) / 1000000), &ev);
		if (ret < 0)
			return ret;
		if (ret == 1 && source_feed(src, &ev, level))
			return 1;
	}
}

int sgw_gpio_source_sync(struct sgw_gpio_source *src)
{
	struct sgw_gpio_event ev;
	int v, unused;

	if (src->pending)
		return 0;
	v = sgw_gpio_line_get(src->line);
	if (v < 0)
		return v;
	if (v != src->stable) {
		ev.level = v;
		ev.ts_ns = sgw_mono_ns();
		source_feed(src, &ev, &unused);
	}
	return 0;
}

void sgw_gpio_source_close(struct sgw_gpio_source *src)
{
	sgw_gpio_line_close(src->line);
	src->line = NULL;
}
