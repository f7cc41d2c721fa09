/* SPDX-License-Identifier: MIT */
/* pulse_counter driver on the sim GPIO backend: totals, rate, debounce, edges. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/hal/gpio.h"
#include "tests/fixtures/drv_fixture.h"
#include "util/clock.h"

#define MS 1000000LL

/* Let the driver take in every edge queued so far (it publishes nothing itself). */
static void drain(struct fx_sensor *fx)
{
	int32_t v[2];
	uint32_t valid = 0;

	ck_assert_int_eq(fx->sc.driver->wait_event(&fx->s, 200, v, &valid), 0);
	ck_assert_uint_eq(valid, 0);
}

/*
 * N pulses on OFFSET, in the past: high for 20 ms, low for 20 ms, each
 * edge followed by 3 bounces 0.3 ms apart.
 */
static void pulses(unsigned int offset, int n)
{
	int64_t t = sgw_mono_ns() - (int64_t)n * 40 * MS - 500 * MS;

	for (int i = 0; i < n; i++, t += 40 * MS) {
		for (int half = 0; half < 2; half++) {
			int level = !half;
			int64_t e = t + half * 20 * MS;

			ck_assert_int_eq(sgw_gpio_sim_set_at(offset, level, e), 0);
			ck_assert_int_eq(sgw_gpio_sim_set_at(offset, !level, e + MS / 3), 0);
			ck_assert_int_eq(sgw_gpio_sim_set_at(offset, level, e + 2 * MS / 3), 0);
		}
	}
}

START_TEST(configure_keys)
{
	const char *kv[] = { "chip=sim", "line=1", "per_unit=1000", "unit=kWh", "edge=falling",
			     "debounce=2ms", NULL };
	const char *defaults[] = { "line=22", NULL };
	const char *bad_edge[] = { "line=1", "edge=both", NULL };
	const char *bad_per_unit[] = { "line=1", "per_unit=0", NULL };
	const char *long_unit[] = { "line=1", "unit=kilowatt-hours-ish", NULL };
	struct fx_sensor fx;

	ck_assert_int_eq(fx_configure(&fx, "pulse_counter", kv, 60000, 1000), 0);
	ck_assert_int_eq(fx_unused_keys(&fx), 0);
	ck_assert_str_eq(fx.sc.bus, "gpio:sim:1");
	ck_assert_uint_eq(fx.sc.nchannels, 2);
	ck_assert_str_eq(fx.sc.ch[0].name, "total");
	ck_assert_str_eq(fx.sc.ch[0].unit, "kWh");
	ck_assert_int_eq(fx.sc.ch[0].scale, 3);
	ck_assert_str_eq(fx.sc.ch[1].name, "rate");
	ck_assert_str_eq(fx.sc.ch[1].unit, "kWh/h");
	ck_assert_int_eq(fx.sc.ch[1].scale, 3);
	ck_assert_ptr_nonnull(fx.sc.driver->wait_event);
	fx_free(&fx);

	ck_assert_int_eq(fx_configure(&fx, "pulse_counter", defaults, 60000, 1000), 0);
	ck_assert_str_eq(fx.sc.bus, "gpio:gpiochip0:22");
	ck_assert_str_eq(fx.sc.ch[1].unit, "/h");
	fx_free(&fx);

	ck_assert_int_eq(fx_configure(&fx, "pulse_counter", bad_edge, 60000, 1000), -EINVAL);
	fx_free(&fx);
	ck_assert_int_eq(fx_configure(&fx, "pulse_counter", bad_per_unit, 60000, 1000), -EINVAL);
	ck_assert_ptr_nonnull(strstr(fx.msgs, "per_unit"));
	fx_free(&fx);
	ck_assert_int_eq(fx_configure(&fx, "pulse_counter", long_unit, 60000, 1000), -EINVAL);
	fx_free(&fx);
}
END_TEST

START_TEST(total_and_rate)
{
	const char *kv[] = { "chip=sim", "line=2", "per_unit=4", "debounce=5ms", NULL };
	struct fx_sensor fx;
	int64_t a0, a1, b0, b1;
	double lo, hi;
	int32_t v[2];
	uint32_t valid;

	fx_start(&fx, "pulse_counter", kv, 60000, 1000);
	a0 = sgw_mono_ns();
	ck_assert_int_eq(fx_read(&fx, v, &valid), 0);
	a1 = sgw_mono_ns();
	/* no interval behind the first read: total only */
	ck_assert_uint_eq(valid, 1);
	ck_assert_int_eq(v[0], 0);

	pulses(2, 10);
	drain(&fx);
	b0 = sgw_mono_ns();
	ck_assert_int_eq(fx_read(&fx, v, &valid), 0);
	b1 = sgw_mono_ns();
	ck_assert_uint_eq(valid, 3);
	ck_assert_int_eq(v[0], 2500);	/* 10 pulses at 4 per unit: 2.500 */
	/* 2.5 units over the time between the reads, per hour, scale 3 */
	lo = 2.5 * 3.6e12 / (double)(b1 - a0) * 1e3;
	hi = 2.5 * 3.6e12 / (double)(b0 - a1) * 1e3;
	ck_assert_msg(v[1] >= (int32_t)lo - 1 && v[1] <= (int32_t)hi + 1,
		      "rate %d not in [%.0f, %.0f]", v[1], lo, hi);

	/* nothing more: the total stays, the rate drops to 0 */
	drain(&fx);
	ck_assert_int_eq(fx_read(&fx, v, &valid), 0);
	ck_assert_uint_eq(valid, 3);
	ck_assert_int_eq(v[0], 2500);
	ck_assert_int_eq(v[1], 0);

	pulses(2, 3);
	drain(&fx);
	ck_assert_int_eq(fx_read(&fx, v, &valid), 0);
	ck_assert_int_eq(v[0], 3250);
	ck_assert_int_gt(v[1], 0);
	fx_free(&fx);
}
END_TEST

START_TEST(fractional_per_unit)
{
	/* 0.5 pulses per unit: every pulse is 2 units (e.g. 2 litres per pulse) */
	const char *kv[] = { "chip=sim", "line=3", "per_unit=0.5", "edge=falling", NULL };
	struct fx_sensor fx;
	int32_t v[2];
	uint32_t valid;

	fx_start(&fx, "pulse_counter", kv, 60000, 1000);
	pulses(3, 7);
	drain(&fx);
	ck_assert_int_eq(fx_read(&fx, v, &valid), 0);
	ck_assert_int_eq(v[0], 14000);
	fx_free(&fx);
}
END_TEST

START_TEST(short_pulse_ignored)
{
	const char *kv[] = { "chip=sim", "line=4", "debounce=10ms", NULL };
	struct fx_sensor fx;
	int64_t t = sgw_mono_ns() - 1000 * MS;
	int32_t v[2];
	uint32_t valid;

	fx_start(&fx, "pulse_counter", kv, 60000, 1000);
	/* 3 ms spike: noise, not a pulse; then a real 30 ms pulse */
	ck_assert_int_eq(sgw_gpio_sim_set_at(4, 1, t), 0);
	ck_assert_int_eq(sgw_gpio_sim_set_at(4, 0, t + 3 * MS), 0);
	ck_assert_int_eq(sgw_gpio_sim_set_at(4, 1, t + 100 * MS), 0);
	ck_assert_int_eq(sgw_gpio_sim_set_at(4, 0, t + 130 * MS), 0);
	drain(&fx);
	ck_assert_int_eq(fx_read(&fx, v, &valid), 0);
	ck_assert_int_eq(v[0], 1000);
	fx_free(&fx);
}
END_TEST

START_TEST(pulses_in_real_time)
{
	const char *kv[] = { "chip=sim", "line=5", "debounce=1ms", NULL };
	struct fx_sensor fx;
	int32_t v[2];
	uint32_t valid;

	/* edges stamped as they happen, while the driver is not waiting */
	fx_start(&fx, "pulse_counter", kv, 60000, 1000);
	for (int i = 0; i < 5; i++) {
		int64_t t = sgw_mono_ns();

		ck_assert_int_eq(sgw_gpio_sim_set(5, 1), 0);
		while (sgw_mono_ns() - t < 3 * MS)
			;	/* spin: the phase must outlast the window by construction */
		t = sgw_mono_ns();
		ck_assert_int_eq(sgw_gpio_sim_set(5, 0), 0);
		while (sgw_mono_ns() - t < 3 * MS)
			;
	}
	drain(&fx);
	ck_assert_int_eq(fx_read(&fx, v, &valid), 0);
	ck_assert_int_eq(v[0], 5000);
	fx_free(&fx);
}
END_TEST

int main(void)
{
	const TTest *tests[] = {
		configure_keys, total_and_rate, fractional_per_unit, short_pulse_ignored,
		pulses_in_real_time, NULL,
	};

	return fx_run_suite("pulse_counter", "sim", sgw_gpio_sim_reset, NULL, 60, tests);
}
