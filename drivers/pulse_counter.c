/* SPDX-License-Identifier: MIT */
/*
 * pulse_counter: counts pulses on a GPIO line (water and gas meters with a
 * reed contact, S0 outputs of energy meters) and publishes on the sensor's
 * interval:
 *   total  units since the daemon started, scale 3 (count / per_unit)
 *   rate   units per hour over the last interval, scale 3
 * Keys: those of gpio_source.h (debounce default 10 ms), edge (rising |
 * falling: the debounced transition counted, default rising), per_unit
 * (pulses per unit, decimal with up to 3 digits, default 1; "1000" for
 * 1000 imp/kWh), unit (text of the total's unit, e.g. "kWh"; the rate's is
 * unit + "/h").
 *
 * The count lives in memory only: after a restart total starts at 0.
 * A pulse whose high or low phase is shorter than debounce is not counted:
 * S0 (DIN 43864) pulses last at least 30 ms, hence the 10 ms default.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "driver.h"
#include "gpio_source.h"
#include "util/clock.h"

#define COUNTER_DEBOUNCE_MS 10
#define UNIT_MAX 16

struct counter_config {
	struct sgw_gpio_source_config line;
	int edge_level;		/* debounced level whose arrival is a pulse */
	int64_t per_unit_milli;	/* pulses per unit, scale 3 */
};

struct counter_state {
	struct sgw_gpio_source src;
	int64_t count;		/* pulses since open */
	int64_t prev_count;	/* at the previous read() */
	int64_t prev_ns;
	bool have_prev;
};

/* indexed by the level an edge leads to: falling -> 0, rising -> 1 */
static const char *const edge_names[] = { "falling", "rising", NULL };

static int32_t saturate32(double v)
{
	if (!(v < INT32_MAX))	/* also NaN */
		return INT32_MAX;
	if (v < INT32_MIN)
		return INT32_MIN;
	return (int32_t)(v >= 0 ? v + 0.5 : v - 0.5);	/* half away from zero */
}

static int counter_configure(struct sgw_sensor_config *sc, struct sgw_keys *keys)
{
	struct counter_config *c;
	const char *unit;
	char rate_unit[UNIT_MAX + 3];
	int ret;

	c = calloc(1, sizeof(*c));
	if (!c) {
		sgw_diag_error(keys->d, sc->line, "out of memory");
		return -EINVAL;
	}
	ret = sgw_gpio_source_configure(sc, keys, COUNTER_DEBOUNCE_MS, &c->line);
	if (sgw_keys_enum(keys, "edge", edge_names, 1, &c->edge_level) < 0)
		ret = -EINVAL;
	if (sgw_keys_fixed(keys, "per_unit", 3, 1000, 1, INT64_C(1000000000),
			   &c->per_unit_milli) < 0)
		ret = -EINVAL;
	if (sgw_keys_str(keys, "unit", "", &unit) < 0) {
		ret = -EINVAL;
	} else if (snprintf(rate_unit, sizeof(rate_unit), "%s/h", unit) > UNIT_MAX + 2) {
		sgw_diag_error(keys->d, sgw_keys_find(keys, "unit")->line,
			       "unit: '%s' is longer than %d bytes", unit, UNIT_MAX);
		ret = -EINVAL;
	}
	if (ret == 0 && (sgw_sensor_add_channel(sc, "total", unit, 3, 3) < 0 ||
			 sgw_sensor_add_channel(sc, "rate", rate_unit, 3, 3) < 0)) {
		sgw_diag_error(keys->d, sc->line, "sensor %s: too many channels", sc->name);
		ret = -EINVAL;
	}
	if (ret < 0) {
		sgw_gpio_source_config_free(&c->line);
		free(c);
		return -EINVAL;
	}
	sc->priv = c;
	return 0;
}

static void counter_free_config(struct sgw_sensor_config *sc)
{
	struct counter_config *c = sc->priv;

	if (!c)
		return;
	sgw_gpio_source_config_free(&c->line);
	free(c);
	sc->priv = NULL;
}

static int counter_open(struct sgw_sensor *s)
{
	const struct counter_config *c = s->cfg->priv;
	struct counter_state *st;
	int ret;

	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	ret = sgw_gpio_source_open(&st->src, &c->line, s->cfg->name);
	if (ret < 0) {
		free(st);
		return ret;
	}
	s->state = st;
	return 0;
}

/* Count pulses until timeout_ms is over; readings go out through read(). */
static int counter_wait_event(struct sgw_sensor *s, int timeout_ms, int32_t *values,
			      uint32_t *valid)
{
	const struct counter_config *c = s->cfg->priv;
	struct counter_state *st = s->state;
	int64_t deadline = sgw_mono_ns();
	int level, ret;

	if (timeout_ms > 0)
		deadline += (int64_t)timeout_ms * 1000000;

	for (;;) {
		int64_t left = deadline - sgw_mono_ns();

		if (left <= 0)
			return 0;
		ret = sgw_gpio_source_wait(&st->src, (int)((left + 999999) / 1000000), &level);
		if (ret <= 0)
			return ret;
		if (level == c->edge_level)
			st->count++;
	}
}

static int counter_read(struct sgw_sensor *s, int32_t *values, uint32_t *valid)
{
	const struct counter_config *c = s->cfg->priv;
	struct counter_state *st = s->state;
	int64_t now = sgw_mono_ns();
	int ret;

	/* count edges the kernel queue lost, once they settle */
	ret = sgw_gpio_source_sync(&st->src);
	if (ret < 0)
		return ret;
	/* total = count / per_unit, scale 3: count * 10^3 * 10^3 / per_unit_milli */
	values[0] = saturate32((double)st->count * 1e6 / (double)c->per_unit_milli);
	*valid = 1u << 0;
	/* the first read after open has no interval behind it: no rate yet */
	if (st->have_prev && now > st->prev_ns) {
		double units = (double)(st->count - st->prev_count) * 1e3 /
			       (double)c->per_unit_milli;
		double hours = (double)(now - st->prev_ns) / 3.6e12;

		values[1] = saturate32(units / hours * 1e3);
		*valid |= 1u << 1;
	}
	st->prev_count = st->count;
	st->prev_ns = now;
	st->have_prev = true;
	return 0;
}

static void counter_close(struct sgw_sensor *s)
{
	struct counter_state *st = s->state;

	if (!st)
		return;
	sgw_gpio_source_close(&st->src);
	free(st);
	s->state = NULL;
}

const struct sgw_driver sgw_driver_pulse_counter = {
	.name = "pulse_counter",
	.summary = "pulse counter on a GPIO line (water, gas, S0 energy meters): total and rate",
	.configure = counter_configure,
	.free_config = counter_free_config,
	.open = counter_open,
	.read = counter_read,
	.wait_event = counter_wait_event,
	.close = counter_close,
};
