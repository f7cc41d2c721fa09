/* SPDX-License-Identifier: MIT */
/*
 * The gpiod GPIO backend against a libgpiod stand-in (tests/mocks/mock_gpiod.c):
 * request flags, chip lookup errors, event decoding and timestamps,
 * active-low on top.  The real character device is not exercised here.
 */
#include <check.h>
#include <errno.h>
#include <gpiod.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/hal/gpio.h"
#include "tests/fixtures/run.h"
#include "tests/mocks/mock_gpiod.h"
#include "util/clock.h"

static void setup(void)
{
	mock_gpiod_reset();
}

static struct timespec ts_of(int64_t ns)
{
	return (struct timespec){ ns / 1000000000, ns % 1000000000 };
}

START_TEST(lookup_and_flags)
{
	static const struct {
		enum sgw_gpio_bias bias;
		int flags;
	} cases[] = {
		{ SGW_GPIO_BIAS_AS_IS, 0 },
		{ SGW_GPIO_BIAS_DISABLE, GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE },
		{ SGW_GPIO_BIAS_PULL_UP, GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP },
		{ SGW_GPIO_BIAS_PULL_DOWN, GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN },
	};
	struct sgw_gpio_line *line;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* active-low is applied above the backend, never requested */
		struct sgw_gpio_request req = { "pinctrl-mock", 5, true, cases[i].bias, "porta" };

		ck_assert_int_eq(sgw_gpio_line_open(&req, &line), 0);
		ck_assert_int_eq(mock_gpiod.flags, cases[i].flags);
		ck_assert_uint_eq(mock_gpiod.offset, 5);
		ck_assert_str_eq(mock_gpiod.consumer, "porta");
		ck_assert_int_eq(mock_gpiod.open_chips, 1);
		sgw_gpio_line_close(line);
		ck_assert_int_eq(mock_gpiod.open_chips, 0);
	}
	struct sgw_gpio_request anon = { "gpiochip7", 0, false, SGW_GPIO_BIAS_AS_IS, NULL };
	ck_assert_int_eq(sgw_gpio_line_open(&anon, &line), 0);
	ck_assert_str_eq(mock_gpiod.consumer, "sensorgw");
	sgw_gpio_line_close(line);
}
END_TEST

START_TEST(open_errors)
{
	struct sgw_gpio_request req = { "gpiochip0", 0, false, SGW_GPIO_BIAS_AS_IS, NULL };
	struct sgw_gpio_line *line;

	ck_assert_int_eq(sgw_gpio_line_open(&req, &line), -ENOENT);
	ck_assert_ptr_null(line);
	req.chip = "gpiochip7";
	req.offset = MOCK_GPIOD_LINES;
	ck_assert_int_eq(sgw_gpio_line_open(&req, &line), -EINVAL);
	req.offset = 1;
	mock_gpiod.request_errno = EBUSY;
	ck_assert_int_eq(sgw_gpio_line_open(&req, &line), -EBUSY);
	/* nothing left open on the failure paths */
	ck_assert_int_eq(mock_gpiod.open_chips, 0);
}
END_TEST

START_TEST(events_and_levels)
{
	struct sgw_gpio_request req = { "gpiochip7", 2, false, SGW_GPIO_BIAS_AS_IS, NULL };
	struct sgw_gpio_line *line;
	struct sgw_gpio_event ev;
	int64_t now = sgw_mono_ns();
	struct timespec t1 = ts_of(now - 5000000), t2 = ts_of(now - 1000000);

	ck_assert_int_eq(sgw_gpio_line_open(&req, &line), 0);
	mock_gpiod.value = 1;
	ck_assert_int_eq(sgw_gpio_line_get(line), 1);
	ck_assert_int_eq(sgw_gpio_line_wait(line, 1500, &ev), 0);
	ck_assert_int_eq(mock_gpiod.last_timeout.tv_sec, 1);
	ck_assert_int_eq(mock_gpiod.last_timeout.tv_nsec, 500000000);
	mock_gpiod_push(GPIOD_LINE_EVENT_RISING_EDGE, &t1);
	mock_gpiod_push(GPIOD_LINE_EVENT_FALLING_EDGE, &t2);
	ck_assert_int_eq(sgw_gpio_line_wait(line, 10, &ev), 1);
	ck_assert_int_eq(ev.level, 1);
	ck_assert_int_eq(ev.ts_ns, now - 5000000);
	ck_assert_int_eq(sgw_gpio_line_wait(line, 10, &ev), 1);
	ck_assert_int_eq(ev.level, 0);
	ck_assert_int_eq(ev.ts_ns, now - 1000000);
	mock_gpiod.wait_errno = EIO;
	ck_assert_int_eq(sgw_gpio_line_wait(line, 10, &ev), -EIO);
	/* a signal is an early timeout, not a failure */
	mock_gpiod.wait_errno = EINTR;
	ck_assert_int_eq(sgw_gpio_line_wait(line, 10, &ev), 0);
	sgw_gpio_line_close(line);
}
END_TEST

START_TEST(active_low)
{
	struct sgw_gpio_request req = { "gpiochip7", 3, true, SGW_GPIO_BIAS_PULL_UP, NULL };
	struct sgw_gpio_line *line;
	struct sgw_gpio_event ev;
	struct timespec t = ts_of(sgw_mono_ns());

	ck_assert_int_eq(sgw_gpio_line_open(&req, &line), 0);
	mock_gpiod.value = 1;
	ck_assert_int_eq(sgw_gpio_line_get(line), 0);
	mock_gpiod.value = 0;
	ck_assert_int_eq(sgw_gpio_line_get(line), 1);
	mock_gpiod_push(GPIOD_LINE_EVENT_FALLING_EDGE, &t);
	ck_assert_int_eq(sgw_gpio_line_wait(line, 10, &ev), 1);
	ck_assert_int_eq(ev.level, 1);
	sgw_gpio_line_close(line);
}
END_TEST

START_TEST(foreign_timestamps)
{
	struct sgw_gpio_request req = { "gpiochip7", 4, false, SGW_GPIO_BIAS_AS_IS, NULL };
	struct sgw_gpio_line *line;
	struct sgw_gpio_event ev;
	/* CLOCK_REALTIME stamps, as kernels before 5.7 gave v1 events */
	struct timespec real;
	int64_t before;

	clock_gettime(CLOCK_REALTIME, &real);
	ck_assert_int_eq(sgw_gpio_line_open(&req, &line), 0);
	mock_gpiod_push(GPIOD_LINE_EVENT_RISING_EDGE, &real);
	before = sgw_mono_ns();
	ck_assert_int_eq(sgw_gpio_line_wait(line, 10, &ev), 1);
	/* replaced by the time of reading */
	ck_assert_int_ge(ev.ts_ns, before);
	ck_assert_int_le(ev.ts_ns, sgw_mono_ns());
	sgw_gpio_line_close(line);
}
END_TEST

START_TEST(output)
{
	struct sgw_gpio_request req = { "pinctrl-mock", 6, false, SGW_GPIO_BIAS_PULL_UP, "relay" };
	struct sgw_gpio_line *line;

	ck_assert_int_eq(sgw_gpio_output_open(&req, 1, &line), 0);
	ck_assert(mock_gpiod.output);
	ck_assert_uint_eq(mock_gpiod.offset, 6);
	ck_assert_int_eq(mock_gpiod.value, 1);
	ck_assert_str_eq(mock_gpiod.consumer, "relay");
	ck_assert_int_eq(sgw_gpio_line_set(line, 0), 0);
	ck_assert_int_eq(mock_gpiod.value, 0);
	ck_assert_int_eq(sgw_gpio_line_get(line), 0);
	ck_assert_int_eq(sgw_gpio_line_set(line, 5), 0);
	ck_assert_int_eq(mock_gpiod.value, 1);
	ck_assert_int_eq(mock_gpiod.sets, 2);
	mock_gpiod.set_errno = EIO;
	ck_assert_int_eq(sgw_gpio_line_set(line, 0), -EIO);
	ck_assert_int_eq(mock_gpiod.value, 1);
	sgw_gpio_line_close(line);
	ck_assert_int_eq(mock_gpiod.open_chips, 0);

	/* active-low: the logical value is inverted for the library */
	req.active_low = true;
	ck_assert_int_eq(sgw_gpio_output_open(&req, 1, &line), 0);
	ck_assert_int_eq(mock_gpiod.value, 0);
	mock_gpiod.set_errno = 0;
	ck_assert_int_eq(sgw_gpio_line_set(line, 0), 0);
	ck_assert_int_eq(mock_gpiod.value, 1);
	ck_assert_int_eq(sgw_gpio_line_get(line), 0);
	sgw_gpio_line_close(line);

	/* failures release what was taken */
	mock_gpiod.request_errno = EBUSY;
	ck_assert_int_eq(sgw_gpio_output_open(&req, 0, &line), -EBUSY);
	ck_assert_ptr_null(line);
	ck_assert_int_eq(mock_gpiod.open_chips, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("gpio_gpiod");
	TCase *tc = tcase_create("mock");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, lookup_and_flags);
	tcase_add_test(tc, open_errors);
	tcase_add_test(tc, events_and_levels);
	tcase_add_test(tc, active_low);
	tcase_add_test(tc, foreign_timestamps);
	tcase_add_test(tc, output);
	suite_add_tcase(s, tc);
	return sgw_test_run(s);
}
