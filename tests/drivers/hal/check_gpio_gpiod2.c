/* SPDX-License-Identifier: MIT */
/*
 * The libgpiod v2 GPIO backend against a libgpiod 2.x stand-in
 * (tests/mocks/mock_gpiod2.c) and a fake sysroot holding the chips' /dev
 * entries: chip lookup by number, name, path and label, the line settings
 * requested, values, events read in batches and handed out in order, error
 * mapping, what is released, active-low on top.  The real character device
 * is not exercised here.
 */
#include <check.h>
#include <errno.h>
#include <gpiod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/hal/gpio.h"
#include "tests/fixtures/drv_fixture.h"
#include "tests/fixtures/run.h"
#include "tests/mocks/mock_gpiod2.h"

static void setup(void)
{
	mock_gpiod2_reset();
	fx_clear();
	/* the mock's chips, a chip-like entry that is none, and a bystander */
	fx_write("/dev/gpiochip0", "");
	fx_write("/dev/gpiochip2", "");
	fx_write("/dev/gpiochip4", "");
	fx_write("/dev/gpiochip10", "");
	fx_write("/dev/gpiochip-bogus", "");
	fx_write("/dev/ttyAMA0", "");
}

/* Nothing the backend allocated is left but the requests still held. */
static void assert_nothing_leaked(int requests)
{
	ck_assert_int_eq(mock_gpiod2.open_chips, 0);
	ck_assert_int_eq(mock_gpiod2.open_requests, requests);
}

static struct sgw_gpio_line *open_ok(const char *chip, unsigned int offset)
{
	struct sgw_gpio_request req = { chip, offset, false, SGW_GPIO_BIAS_AS_IS, NULL };
	struct sgw_gpio_line *line;

	ck_assert_msg(sgw_gpio_line_open(&req, &line) == 0, "open %s %u", chip, offset);
	ck_assert_ptr_nonnull(line);
	return line;
}

START_TEST(lookup)
{
	static const struct {
		const char *descr, *chip, *dev;
	} cases[] = {
		{ "4", "gpiochip4", "/dev/gpiochip4" },
		{ "gpiochip4", "gpiochip4", "/dev/gpiochip4" },
		{ "/dev/gpiochip4", "gpiochip4", "/dev/gpiochip4" },
		{ "pinctrl-rp1", "gpiochip4", "/dev/gpiochip4" },
		{ "10", "gpiochip10", "/dev/gpiochip10" },
		{ "gpio-brcmstb@107d508500", "gpiochip0", "/dev/gpiochip0" },
		/* two chips share it: the lower number wins, not the first name */
		{ "dup-label", "gpiochip2", "/dev/gpiochip2" },
	};
	char want[4096];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sgw_gpio_line *line = open_ok(cases[i].descr, 1);

		ck_assert_msg(strcmp(mock_gpiod2.request_chip, cases[i].chip) == 0,
			      "%s: requested on %s", cases[i].descr, mock_gpiod2.request_chip);
		/* under the sysroot; a label search stops at the chip found */
		snprintf(want, sizeof(want), "%s%s", fx_sysroot(), cases[i].dev);
		ck_assert_str_eq(mock_gpiod2.last_path, want);
		assert_nothing_leaked(1);
		sgw_gpio_line_close(line);
		assert_nothing_leaked(0);
		ck_assert_int_eq(mock_gpiod2.live_objects, 0);
	}
}
END_TEST

START_TEST(settings)
{
	static const struct {
		enum sgw_gpio_bias bias;
		enum gpiod_line_bias want;
	} cases[] = {
		{ SGW_GPIO_BIAS_AS_IS, GPIOD_LINE_BIAS_AS_IS },
		{ SGW_GPIO_BIAS_DISABLE, GPIOD_LINE_BIAS_DISABLED },
		{ SGW_GPIO_BIAS_PULL_UP, GPIOD_LINE_BIAS_PULL_UP },
		{ SGW_GPIO_BIAS_PULL_DOWN, GPIOD_LINE_BIAS_PULL_DOWN },
	};
	struct sgw_gpio_line *line;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* active-low is applied above the backend, never requested */
		struct sgw_gpio_request req = { "pinctrl-rp1", 17, true, cases[i].bias, "porta" };

		ck_assert_int_eq(sgw_gpio_line_open(&req, &line), 0);
		ck_assert_int_eq(mock_gpiod2.bias, cases[i].want);
		ck_assert_int_eq(mock_gpiod2.direction, GPIOD_LINE_DIRECTION_INPUT);
		ck_assert_int_eq(mock_gpiod2.edge, GPIOD_LINE_EDGE_BOTH);
		ck_assert_int_eq(mock_gpiod2.clock, GPIOD_LINE_CLOCK_MONOTONIC);
		ck_assert(!mock_gpiod2.active_low);
		ck_assert_uint_eq(mock_gpiod2.request_lines, 1);
		ck_assert_uint_eq(mock_gpiod2.offset, 17);
		ck_assert_str_eq(mock_gpiod2.consumer, "porta");
		sgw_gpio_line_close(line);
	}
	line = open_ok("gpiochip0", 0);
	ck_assert_str_eq(mock_gpiod2.consumer, "sensorgw");
	sgw_gpio_line_close(line);
	ck_assert_int_eq(mock_gpiod2.live_objects, 0);
}
END_TEST

START_TEST(open_errors)
{
	static const char *const missing[] = {
		"1", "gpiochip1", "/dev/gpiochip1", "no-such-label",
		"/dev/ttyAMA0",		/* there, but no GPIO chip */
		"gpiochip-bogus",	/* neither a chip's name nor a label */
		"99999999999999999999",
	};
	struct sgw_gpio_request req = { NULL, 0, false, SGW_GPIO_BIAS_AS_IS, NULL };
	struct sgw_gpio_line *line, *held;

	for (size_t i = 0; i < sizeof(missing) / sizeof(missing[0]); i++) {
		req.chip = missing[i];
		ck_assert_msg(sgw_gpio_line_open(&req, &line) == -ENOENT, "chip %s", missing[i]);
		ck_assert_ptr_null(line);
	}
	/* no such line: the kernel's EINVAL */
	req.chip = "gpiochip2";
	req.offset = 4;
	ck_assert_int_eq(sgw_gpio_line_open(&req, &line), -EINVAL);
	ck_assert_ptr_null(line);
	/* taken: the kernel's EBUSY, until the holder lets go */
	req.offset = 3;
	held = open_ok("gpiochip2", 3);
	ck_assert_int_eq(sgw_gpio_line_open(&req, &line), -EBUSY);
	ck_assert_ptr_null(line);
	/* the same offset on another chip is another line */
	req.chip = "gpiochip10";
	ck_assert_int_eq(sgw_gpio_line_open(&req, &line), 0);
	sgw_gpio_line_close(line);
	sgw_gpio_line_close(held);
	req.chip = "dup-label";
	ck_assert_int_eq(sgw_gpio_line_open(&req, &line), 0);
	sgw_gpio_line_close(line);
	/* other request errors as they come */
	mock_gpiod2.request_errno = EPERM;
	ck_assert_int_eq(sgw_gpio_line_open(&req, &line), -EPERM);
	mock_gpiod2.request_errno = 0;
	/* a chip we may not open is that error, never a wrong match ... */
	mock_gpiod2.chips[0].open_errno = EACCES;	/* gpiochip0 */
	req.chip = "0";
	ck_assert_int_eq(sgw_gpio_line_open(&req, &line), -EACCES);
	req.chip = "no-such-label";
	ck_assert_int_eq(sgw_gpio_line_open(&req, &line), -EACCES);
	/* ... and does not hide a chip found after it */
	req.chip = "pinctrl-rp1";
	ck_assert_int_eq(sgw_gpio_line_open(&req, &line), 0);
	ck_assert_str_eq(mock_gpiod2.request_chip, "gpiochip4");
	sgw_gpio_line_close(line);
	/* no /dev at all */
	fx_clear();
	req.chip = "pinctrl-rp1";
	ck_assert_int_eq(sgw_gpio_line_open(&req, &line), -ENOENT);
	req.chip = "gpiochip4";
	ck_assert_int_eq(sgw_gpio_line_open(&req, &line), -ENOENT);
	/* nothing left open or allocated on the failure paths */
	assert_nothing_leaked(0);
	ck_assert_int_eq(mock_gpiod2.live_objects, 0);
}
END_TEST

START_TEST(values)
{
	struct sgw_gpio_line *line = open_ok("gpiochip4", 22);

	mock_gpiod2.value = 1;
	ck_assert_int_eq(sgw_gpio_line_get(line), 1);
	mock_gpiod2.value = 0;
	ck_assert_int_eq(sgw_gpio_line_get(line), 0);
	mock_gpiod2.get_errno = ENODEV;		/* the chip went away */
	ck_assert_int_eq(sgw_gpio_line_get(line), -ENODEV);
	sgw_gpio_line_close(line);
}
END_TEST

START_TEST(events)
{
	struct sgw_gpio_line *line = open_ok("gpiochip4", 5);
	struct sgw_gpio_event ev;

	/* nothing pending: the timeout is passed on in nanoseconds */
	ck_assert_int_eq(sgw_gpio_line_wait(line, 1500, &ev), 0);
	ck_assert_int_eq(mock_gpiod2.last_timeout_ns, 1500000000LL);
	ck_assert_int_eq(mock_gpiod2.reads, 0);
	ck_assert_int_eq(sgw_gpio_line_wait(line, 0, &ev), 0);
	ck_assert_int_eq(mock_gpiod2.last_timeout_ns, 0);
	/* three edges: read in one go, handed out one per call, in order */
	mock_gpiod2_push(GPIOD_EDGE_EVENT_RISING_EDGE, 1000000001);
	mock_gpiod2_push(GPIOD_EDGE_EVENT_FALLING_EDGE, 1000500002);
	mock_gpiod2_push(GPIOD_EDGE_EVENT_RISING_EDGE, 123456789012345);
	mock_gpiod2.waits = 0;
	ck_assert_int_eq(sgw_gpio_line_wait(line, 10, &ev), 1);
	ck_assert_int_eq(ev.level, 1);
	ck_assert_int_eq(ev.ts_ns, 1000000001);
	ck_assert_int_eq(mock_gpiod2.reads, 1);
	ck_assert_uint_ge(mock_gpiod2.last_max_events, 3);
	ck_assert_int_eq(sgw_gpio_line_wait(line, 10, &ev), 1);
	ck_assert_int_eq(ev.level, 0);
	ck_assert_int_eq(ev.ts_ns, 1000500002);
	ck_assert_int_eq(sgw_gpio_line_wait(line, 10, &ev), 1);
	ck_assert_int_eq(ev.level, 1);
	ck_assert_int_eq(ev.ts_ns, 123456789012345);
	/* the buffered ones needed no wait */
	ck_assert_int_eq(mock_gpiod2.waits, 1);
	ck_assert_int_eq(mock_gpiod2.reads, 1);
	ck_assert_int_eq(sgw_gpio_line_wait(line, 10, &ev), 0);
	ck_assert_int_eq(mock_gpiod2.waits, 2);
	sgw_gpio_line_close(line);
}
END_TEST

START_TEST(events_in_batches)
{
	struct sgw_gpio_line *line = open_ok("gpiochip4", 6);
	struct sgw_gpio_event ev;
	int n = 0;

	/* more than one read holds: nothing lost or reordered across reads */
	for (int i = 0; i < 40; i++)
		mock_gpiod2_push(i % 2 ? GPIOD_EDGE_EVENT_FALLING_EDGE : GPIOD_EDGE_EVENT_RISING_EDGE,
				 (uint64_t)(i + 1) * 1000);
	while (sgw_gpio_line_wait(line, 10, &ev) == 1) {
		ck_assert_int_eq(ev.level, n % 2 ? 0 : 1);
		ck_assert_int_eq(ev.ts_ns, (int64_t)(n + 1) * 1000);
		n++;
	}
	ck_assert_int_eq(n, 40);
	ck_assert_int_gt(mock_gpiod2.reads, 1);
	ck_assert_int_lt(mock_gpiod2.reads, 40);
	sgw_gpio_line_close(line);
}
END_TEST

START_TEST(wait_errors)
{
	struct sgw_gpio_line *line = open_ok("gpiochip4", 7);
	struct sgw_gpio_event ev;

	mock_gpiod2_push(GPIOD_EDGE_EVENT_RISING_EDGE, 5000);
	mock_gpiod2.wait_errno = EIO;
	ck_assert_int_eq(sgw_gpio_line_wait(line, 10, &ev), -EIO);
	/* a signal is an early timeout, not a failure */
	mock_gpiod2.wait_errno = EINTR;
	ck_assert_int_eq(sgw_gpio_line_wait(line, 10, &ev), 0);
	mock_gpiod2.wait_errno = 0;
	mock_gpiod2.read_errno = ENODEV;
	ck_assert_int_eq(sgw_gpio_line_wait(line, 10, &ev), -ENODEV);
	mock_gpiod2.read_errno = EINTR;
	ck_assert_int_eq(sgw_gpio_line_wait(line, 10, &ev), 0);
	/* the edge was never read, so it is still there */
	mock_gpiod2.read_errno = 0;
	ck_assert_int_eq(sgw_gpio_line_wait(line, 10, &ev), 1);
	ck_assert_int_eq(ev.ts_ns, 5000);
	sgw_gpio_line_close(line);
}
END_TEST

START_TEST(active_low)
{
	struct sgw_gpio_request req = { "pinctrl-rp1", 3, true, SGW_GPIO_BIAS_PULL_UP, NULL };
	struct sgw_gpio_line *line;
	struct sgw_gpio_event ev;

	ck_assert_int_eq(sgw_gpio_line_open(&req, &line), 0);
	mock_gpiod2.value = 1;
	ck_assert_int_eq(sgw_gpio_line_get(line), 0);
	mock_gpiod2.value = 0;
	ck_assert_int_eq(sgw_gpio_line_get(line), 1);
	mock_gpiod2_push(GPIOD_EDGE_EVENT_FALLING_EDGE, 7000);
	ck_assert_int_eq(sgw_gpio_line_wait(line, 10, &ev), 1);
	ck_assert_int_eq(ev.level, 1);
	sgw_gpio_line_close(line);
}
END_TEST

START_TEST(release)
{
	struct sgw_gpio_line *a = open_ok("gpiochip4", 8), *b = open_ok("gpiochip4", 9);

	/* each line holds its request and event buffer, no chip */
	assert_nothing_leaked(2);
	ck_assert_int_eq(mock_gpiod2.live_objects, 2);
	sgw_gpio_line_close(a);
	assert_nothing_leaked(1);
	ck_assert_int_eq(mock_gpiod2.live_objects, 1);
	/* released for good: it can be requested again */
	a = open_ok("gpiochip4", 8);
	sgw_gpio_line_close(a);
	sgw_gpio_line_close(b);
	sgw_gpio_line_close(NULL);
	assert_nothing_leaked(0);
	ck_assert_int_eq(mock_gpiod2.live_objects, 0);
}
END_TEST

START_TEST(output)
{
	struct sgw_gpio_request req = { "pinctrl-rp1", 23, false, SGW_GPIO_BIAS_PULL_UP, "relay" };
	struct sgw_gpio_line *line, *other;

	ck_assert_int_eq(sgw_gpio_output_open(&req, 1, &line), 0);
	ck_assert_int_eq(mock_gpiod2.direction, GPIOD_LINE_DIRECTION_OUTPUT);
	ck_assert_int_eq(mock_gpiod2.output_value, GPIOD_LINE_VALUE_ACTIVE);
	/* outputs have no edge detection and no bias asked */
	ck_assert_int_eq(mock_gpiod2.edge, GPIOD_LINE_EDGE_NONE);
	ck_assert_int_eq(mock_gpiod2.bias, GPIOD_LINE_BIAS_AS_IS);
	ck_assert(!mock_gpiod2.active_low);
	ck_assert_uint_eq(mock_gpiod2.offset, 23);
	ck_assert_str_eq(mock_gpiod2.consumer, "relay");
	/* the request alone: no chip, no event buffer */
	assert_nothing_leaked(1);
	ck_assert_int_eq(mock_gpiod2.live_objects, 0);
	ck_assert_int_eq(sgw_gpio_line_get(line), 1);
	ck_assert_int_eq(sgw_gpio_line_set(line, 0), 0);
	ck_assert_int_eq(mock_gpiod2.value, 0);
	ck_assert_int_eq(sgw_gpio_line_set(line, 3), 0);
	ck_assert_int_eq(mock_gpiod2.value, 1);
	ck_assert_int_eq(mock_gpiod2.sets, 2);
	mock_gpiod2.set_errno = EIO;
	ck_assert_int_eq(sgw_gpio_line_set(line, 0), -EIO);
	ck_assert_int_eq(mock_gpiod2.value, 1);
	mock_gpiod2.set_errno = 0;
	/* taken: EBUSY, nothing left behind */
	ck_assert_int_eq(sgw_gpio_output_open(&req, 0, &other), -EBUSY);
	ck_assert_ptr_null(other);
	sgw_gpio_line_close(line);
	assert_nothing_leaked(0);

	/* active-low: the logical value is inverted for the library */
	req.active_low = true;
	ck_assert_int_eq(sgw_gpio_output_open(&req, 1, &line), 0);
	ck_assert_int_eq(mock_gpiod2.output_value, GPIOD_LINE_VALUE_INACTIVE);
	ck_assert_int_eq(sgw_gpio_line_set(line, 0), 0);
	ck_assert_int_eq(mock_gpiod2.value, 1);
	ck_assert_int_eq(sgw_gpio_line_get(line), 0);
	sgw_gpio_line_close(line);
	req.offset = 54;	/* past the chip's lines */
	ck_assert_int_eq(sgw_gpio_output_open(&req, 0, &line), -EINVAL);
	assert_nothing_leaked(0);
	ck_assert_int_eq(mock_gpiod2.live_objects, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("gpio_gpiod2");
	TCase *tc = tcase_create("mock");

	fx_sysroot();
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, lookup);
	tcase_add_test(tc, settings);
	tcase_add_test(tc, open_errors);
	tcase_add_test(tc, values);
	tcase_add_test(tc, events);
	tcase_add_test(tc, events_in_batches);
	tcase_add_test(tc, wait_errors);
	tcase_add_test(tc, active_low);
	tcase_add_test(tc, release);
	tcase_add_test(tc, output);
	suite_add_tcase(s, tc);
	return sgw_test_run(s);
}
