/* SPDX-License-Identifier: MIT */
/*
 * gpio_input: a digital input (door contact, PIR, button) on a GPIO line.
 *
 * Publishes the debounced level on every change (an event source: the
 * worker waits in wait_event()) and on the sensor's interval as a
 * heartbeat (read()).  One channel, named by the key "quantity" (default
 * "state"), scale 0: 1 = active (high, or low with active_low), 0 = inactive.
 * Keys: those of gpio_source.h (debounce default 50 ms) and quantity.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "gpio_source.h"

#define INPUT_DEBOUNCE_MS 50	/* mechanical contacts bounce for 1..20 ms */

struct input_state {
	struct sgw_gpio_source src;
};

static bool quantity_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 32)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return false;
	return true;
}

static int input_configure(struct sgw_sensor_config *sc, struct sgw_keys *keys)
{
	struct sgw_gpio_source_config *c;
	const char *quantity;
	int ret;

	c = calloc(1, sizeof(*c));
	if (!c) {
		sgw_diag_error(keys->d, sc->line, "out of memory");
		return -EINVAL;
	}
	ret = sgw_gpio_source_configure(sc, keys, INPUT_DEBOUNCE_MS, c);
	if (sgw_keys_str(keys, "quantity", "state", &quantity) < 0) {
		ret = -EINVAL;
	} else if (!quantity_ok(quantity)) {
		sgw_diag_error(keys->d, sgw_keys_find(keys, "quantity")->line,
			       "quantity: '%s' must be 1..32 of [A-Za-z0-9_-]", quantity);
		ret = -EINVAL;
	}
	if (ret == 0 && sgw_sensor_add_channel(sc, quantity, "", 0, 0) < 0) {
		sgw_diag_error(keys->d, sc->line, "sensor %s: too many channels", sc->name);
		ret = -EINVAL;
	}
	if (ret < 0) {
		sgw_gpio_source_config_free(c);
		free(c);
		return -EINVAL;
	}
	sc->priv = c;
	return 0;
}

static void input_free_config(struct sgw_sensor_config *sc)
{
	if (!sc->priv)
		return;
	sgw_gpio_source_config_free(sc->priv);
	free(sc->priv);
	sc->priv = NULL;
}

static int input_open(struct sgw_sensor *s)
{
	struct input_state *st;
	int ret;

	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	ret = sgw_gpio_source_open(&st->src, s->cfg->priv, s->cfg->name);
	if (ret < 0) {
		free(st);
		return ret;
	}
	s->state = st;
	return 0;
}

static int input_read(struct sgw_sensor *s, int32_t *values, uint32_t *valid)
{
	struct input_state *st = s->state;
	int ret;

	ret = sgw_gpio_source_sync(&st->src);
	if (ret < 0)
		return ret;
	values[0] = st->src.stable;
	*valid = 1;
	return 0;
}

static int input_wait_event(struct sgw_sensor *s, int timeout_ms, int32_t *values,
			    uint32_t *valid)
{
	struct input_state *st = s->state;
	int level, ret;

	ret = sgw_gpio_source_wait(&st->src, timeout_ms, &level);
	if (ret != 1)
		return ret;
	values[0] = level;
	*valid = 1;
	return 1;
}

static void input_close(struct sgw_sensor *s)
{
	struct input_state *st = s->state;

	if (!st)
		return;
	sgw_gpio_source_close(&st->src);
	free(st);
	s->state = NULL;
}

const struct sgw_driver sgw_driver_gpio_input = {
	.name = "gpio_input",
	.summary = "digital input on a GPIO line (door, PIR, button), debounced",
	.configure = input_configure,
	.free_config = input_free_config,
	.open = input_open,
	.read = input_read,
	.wait_event = input_wait_event,
	.close = input_close,
};
