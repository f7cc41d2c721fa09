/* SPDX-License-Identifier: MIT */
/* gpio_input driver on the sim GPIO backend: keys, debounce, heartbeat, active_low. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/hal/gpio.h"
#include "tests/fixtures/drv_fixture.h"
#include "util/clock.h"

#define MS 1000000LL

static int wait_event(struct fx_sensor *fx, int timeout_ms, int32_t *v)
{
	uint32_t valid = 0;
	int ret = fx->sc.driver->wait_event(&fx->s, timeout_ms, v, &valid);

	ck_assert_uint_eq(valid, ret == 1 ? 1u : 0u);
	return ret;
}

START_TEST(configure_keys)
{
	const char *defaults[] = { "line=17", NULL };
	const char *full[] = { "chip=pinctrl-rp1", "line=4", "active_low=yes", "bias=pull-up",
			       "debounce=20ms", "quantity=door", NULL };
	const char *no_line[] = { "chip=sim", NULL };
	const char *bad_bias[] = { "line=1", "bias=pullup", NULL };
	const char *bad_line[] = { "line=-1", NULL };
	const char *bad_quantity[] = { "line=1", "quantity=front door", NULL };
	struct fx_sensor fx;

	ck_assert_int_eq(fx_configure(&fx, "gpio_input", defaults, 60000, 1000), 0);
	ck_assert_str_eq(fx.sc.bus, "gpio:gpiochip0:17");
	ck_assert_uint_eq(fx.sc.nchannels, 1);
	ck_assert_str_eq(fx.sc.ch[0].name, "state");
	ck_assert_int_eq(fx.sc.ch[0].scale, 0);
	ck_assert_ptr_nonnull(fx.sc.driver->wait_event);
	fx_free(&fx);

	ck_assert_int_eq(fx_configure(&fx, "gpio_input", full, 60000, 1000), 0);
	ck_assert_int_eq(fx_unused_keys(&fx), 0);
	ck_assert_str_eq(fx.sc.bus, "gpio:pinctrl-rp1:4");
	ck_assert_str_eq(fx.sc.ch[0].name, "door");
	fx_free(&fx);

	ck_assert_int_eq(fx_configure(&fx, "gpio_input", no_line, 60000, 1000), -EINVAL);
	ck_assert_ptr_nonnull(strstr(fx.msgs, "line"));
	fx_free(&fx);
	ck_assert_int_eq(fx_configure(&fx, "gpio_input", bad_bias, 60000, 1000), -EINVAL);
	ck_assert_ptr_nonnull(strstr(fx.msgs, "pullup"));
	fx_free(&fx);
	ck_assert_int_eq(fx_configure(&fx, "gpio_input", bad_line, 60000, 1000), -EINVAL);
	fx_free(&fx);
	ck_assert_int_eq(fx_configure(&fx, "gpio_input", bad_quantity, 60000, 1000), -EINVAL);
	fx_free(&fx);
}
END_TEST

START_TEST(bounce_gives_one_change)
{
	const char *kv[] = { "chip=sim", "line=2", "debounce=50ms", NULL };
	struct fx_sensor fx;
	int64_t t0;
	int32_t v;
	uint32_t valid;

	fx_start(&fx, "gpio_input", kv, 60000, 1000);
	ck_assert_int_eq(fx_read(&fx, &v, &valid), 0);
	ck_assert_int_eq(v, 0);
	/* five edges within 4 ms, ending high */
	t0 = sgw_mono_ns();
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(sgw_gpio_sim_set_at(2, !(i & 1), t0 + i * MS), 0);
	ck_assert_int_eq(wait_event(&fx, 10000, &v), 1);
	ck_assert_int_eq(v, 1);
	ck_assert_int_eq(wait_event(&fx, 200, &v), 0);
	ck_assert_int_eq(fx_read(&fx, &v, &valid), 0);
	ck_assert_int_eq(v, 1);

	/* a bounce that ends where it started is no change at all */
	t0 = sgw_mono_ns();
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(sgw_gpio_sim_set_at(2, i & 1, t0 + i * MS), 0);
	ck_assert_int_eq(wait_event(&fx, 300, &v), 0);
	fx_free(&fx);
}
END_TEST

START_TEST(settled_levels_read_late)
{
	const char *kv[] = { "chip=sim", "line=3", "debounce=50ms", NULL };
	struct fx_sensor fx;
	int64_t t0;
	int32_t v;

	fx_start(&fx, "gpio_input", kv, 60000, 1000);
	/*
	 * Edges that queued while the worker was away: high for 200 ms, then
	 * low.  Judged by their timestamps, both levels settled.
	 */
	t0 = sgw_mono_ns() - 1000 * MS;
	ck_assert_int_eq(sgw_gpio_sim_set_at(3, 1, t0), 0);
	ck_assert_int_eq(sgw_gpio_sim_set_at(3, 0, t0 + 200 * MS), 0);
	ck_assert_int_eq(wait_event(&fx, 10000, &v), 1);
	ck_assert_int_eq(v, 1);
	ck_assert_int_eq(wait_event(&fx, 10000, &v), 1);
	ck_assert_int_eq(v, 0);
	ck_assert_int_eq(wait_event(&fx, 100, &v), 0);
	/* a 10 ms spike is shorter than the window: ignored */
	t0 = sgw_mono_ns() - 1000 * MS;
	ck_assert_int_eq(sgw_gpio_sim_set_at(3, 1, t0), 0);
	ck_assert_int_eq(sgw_gpio_sim_set_at(3, 0, t0 + 10 * MS), 0);
	ck_assert_int_eq(wait_event(&fx, 200, &v), 0);
	fx_free(&fx);
}
END_TEST

START_TEST(change_waits_for_quiet)
{
	/* a long window, so that even a stalled test sees the first wait end early */
	const char *kv[] = { "chip=sim", "line=4", "debounce=2s", NULL };
	struct fx_sensor fx;
	int64_t t0;
	int32_t v;

	fx_start(&fx, "gpio_input", kv, 60000, 1000);
	t0 = sgw_mono_ns();
	ck_assert_int_eq(sgw_gpio_sim_set_at(4, 1, t0), 0);
	/* inside the window the change is not out yet, but kept */
	ck_assert_int_eq(wait_event(&fx, 10, &v), 0);
	ck_assert_int_eq(wait_event(&fx, 10000, &v), 1);
	ck_assert_int_eq(v, 1);
	ck_assert_int_ge(sgw_mono_ns() - t0, 2000 * MS);
	fx_free(&fx);
}
END_TEST

START_TEST(heartbeat_read)
{
	const char *kv[] = { "chip=sim", "line=5", "debounce=0", NULL };
	struct fx_sensor fx;
	int32_t v;
	uint32_t valid;

	ck_assert_int_eq(sgw_gpio_sim_set(5, 1), 0);
	fx_start(&fx, "gpio_input", kv, 60000, 1000);
	/* the level at open is the first state, no event needed */
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(fx_read(&fx, &v, &valid), 0);
		ck_assert_uint_eq(valid, 1);
		ck_assert_int_eq(v, 1);
	}
	ck_assert_int_eq(sgw_gpio_sim_set(5, 0), 0);
	ck_assert_int_eq(wait_event(&fx, 10000, &v), 1);
	ck_assert_int_eq(v, 0);
	ck_assert_int_eq(fx_read(&fx, &v, &valid), 0);
	ck_assert_int_eq(v, 0);
	fx_free(&fx);
}
END_TEST

START_TEST(active_low_inverts)
{
	const char *kv[] = { "chip=sim", "line=6", "active_low=true", "bias=pull-up",
			     "debounce=5ms", "quantity=door", NULL };
	struct fx_sensor fx;
	int32_t v;
	uint32_t valid;

	/* reed contact to ground, pulled up: open door = high = inactive */
	fx_start(&fx, "gpio_input", kv, 60000, 1000);
	ck_assert_int_eq(fx_read(&fx, &v, &valid), 0);
	ck_assert_int_eq(v, 0);
	ck_assert_int_eq(sgw_gpio_sim_set(6, 0), 0);
	ck_assert_int_eq(wait_event(&fx, 10000, &v), 1);
	ck_assert_int_eq(v, 1);
	ck_assert_int_eq(sgw_gpio_sim_set(6, 1), 0);
	ck_assert_int_eq(wait_event(&fx, 10000, &v), 1);
	ck_assert_int_eq(v, 0);
	fx_free(&fx);
}
END_TEST

START_TEST(lost_edges_resync)
{
	const char *kv[] = { "chip=sim", "line=7", "debounce=5ms", NULL };
	struct fx_sensor fx;
	int64_t t0 = sgw_mono_ns() - 1000 * MS;
	int32_t v;
	uint32_t valid;

	fx_start(&fx, "gpio_input", kv, 60000, 1000);
	/* 65 edges: the queue keeps 64, the last (the final level) is lost */
	for (int i = 0; i < 65; i++)
		ck_assert_int_eq(sgw_gpio_sim_set_at(7, !(i & 1), t0 + i * 10 * MS), 0);
	ck_assert_uint_eq(sgw_gpio_sim_dropped(7), 1);
	ck_assert_int_eq(sgw_gpio_sim_get(7), 1);
	while (wait_event(&fx, 100, &v) == 1)
		;
	ck_assert_int_eq(fx_read(&fx, &v, &valid), 0);	/* sees the line differ */
	ck_assert_int_eq(wait_event(&fx, 10000, &v), 1);
	ck_assert_int_eq(v, 1);
	fx_free(&fx);
}
END_TEST

START_TEST(open_errors)
{
	const char *busy[] = { "chip=sim", "line=8", NULL };
	const char *no_chip[] = { "chip=no-such-chip-label", "line=8", NULL };
	const char *bad_line[] = { "chip=sim", "line=64", NULL };
	struct fx_sensor a, b;

	fx_start(&a, "gpio_input", busy, 60000, 1000);
	ck_assert_int_eq(fx_configure(&b, "gpio_input", busy, 60000, 1000), 0);
	ck_assert_int_eq(fx_open(&b), -EBUSY);
	fx_free(&b);
	fx_free(&a);
	ck_assert_int_eq(fx_configure(&b, "gpio_input", no_chip, 60000, 1000), 0);
	ck_assert_int_eq(fx_open(&b), -ENOENT);
	fx_free(&b);
	ck_assert_int_eq(fx_configure(&b, "gpio_input", bad_line, 60000, 1000), 0);
	ck_assert_int_eq(fx_open(&b), -EINVAL);
	fx_free(&b);
}
END_TEST

int main(void)
{
	const TTest *tests[] = {
		configure_keys, bounce_gives_one_change, settled_levels_read_late,
		change_waits_for_quiet, heartbeat_read, active_low_inverts, lost_edges_resync,
		open_errors, NULL,
	};

	return fx_run_suite("gpio_input", "sim", sgw_gpio_sim_reset, NULL, 60, tests);
}
