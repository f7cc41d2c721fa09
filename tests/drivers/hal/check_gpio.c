/* SPDX-License-Identifier: MIT */
/* GPIO HAL: the sim backend, active-low handling, and the gpiod backend's error paths. */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/hal/gpio.h"
#include "tests/fixtures/run.h"
#include "tests/fixtures/tmpdir.h"
#include "util/clock.h"

static void setup(void)
{
	sgw_gpio_sim_reset();
}

static struct sgw_gpio_line *sim_open(unsigned int offset, bool active_low, enum sgw_gpio_bias bias)
{
	struct sgw_gpio_request req = { "sim", offset, active_low, bias, "test" };
	struct sgw_gpio_line *line = NULL;

	ck_assert_int_eq(sgw_gpio_line_open(&req, &line), 0);
	ck_assert_ptr_nonnull(line);
	return line;
}

START_TEST(sim_levels_and_edges)
{
	struct sgw_gpio_line *line = sim_open(3, false, SGW_GPIO_BIAS_AS_IS);
	struct sgw_gpio_event ev;

	ck_assert_int_eq(sgw_gpio_line_get(line), 0);
	ck_assert_int_eq(sgw_gpio_line_wait(line, 0, &ev), 0);
	ck_assert_int_eq(sgw_gpio_sim_set_at(3, 1, 1000), 0);
	ck_assert_int_eq(sgw_gpio_line_get(line), 1);
	ck_assert_int_eq(sgw_gpio_sim_get(3), 1);
	/* same level again: no edge */
	ck_assert_int_eq(sgw_gpio_sim_set_at(3, 1, 2000), 0);
	ck_assert_int_eq(sgw_gpio_sim_set_at(3, 0, 3000), 0);
	ck_assert_int_eq(sgw_gpio_line_wait(line, 1000, &ev), 1);
	ck_assert_int_eq(ev.level, 1);
	ck_assert_int_eq(ev.ts_ns, 1000);
	ck_assert_int_eq(sgw_gpio_line_wait(line, 1000, &ev), 1);
	ck_assert_int_eq(ev.level, 0);
	ck_assert_int_eq(ev.ts_ns, 3000);
	ck_assert_int_eq(sgw_gpio_line_wait(line, 10, &ev), 0);
	/* sgw_gpio_sim_set stamps with the event clock */
	int64_t before = sgw_mono_ns();
	ck_assert_int_eq(sgw_gpio_sim_set(3, 1), 0);
	ck_assert_int_eq(sgw_gpio_line_wait(line, 0, &ev), 1);
	ck_assert_int_ge(ev.ts_ns, before);
	ck_assert_int_le(ev.ts_ns, sgw_mono_ns());
	sgw_gpio_line_close(line);
}
END_TEST

START_TEST(sim_request_rules)
{
	struct sgw_gpio_request req = { "sim", 5, false, SGW_GPIO_BIAS_AS_IS, NULL };
	struct sgw_gpio_request bad = { "sim", SGW_GPIO_SIM_NLINES, false, SGW_GPIO_BIAS_AS_IS,
					NULL };
	struct sgw_gpio_line *a, *b;
	struct sgw_gpio_event ev;

	/* edges before the request are history, the level is kept */
	ck_assert_int_eq(sgw_gpio_sim_set(5, 1), 0);
	ck_assert_int_eq(sgw_gpio_line_open(&req, &a), 0);
	ck_assert_int_eq(sgw_gpio_line_get(a), 1);
	ck_assert_int_eq(sgw_gpio_line_wait(a, 0, &ev), 0);
	ck_assert_int_eq(sgw_gpio_line_open(&req, &b), -EBUSY);
	ck_assert_ptr_null(b);
	sgw_gpio_line_close(a);
	ck_assert_int_eq(sgw_gpio_line_open(&req, &b), 0);
	sgw_gpio_line_close(b);
	ck_assert_int_eq(sgw_gpio_line_open(&bad, &b), -EINVAL);
	ck_assert_int_eq(sgw_gpio_sim_set(SGW_GPIO_SIM_NLINES, 1), -EINVAL);
	ck_assert_int_eq(sgw_gpio_sim_get(SGW_GPIO_SIM_NLINES), -EINVAL);
	sgw_gpio_line_close(NULL);
}
END_TEST

START_TEST(sim_active_low_and_bias)
{
	struct sgw_gpio_line *line = sim_open(7, true, SGW_GPIO_BIAS_PULL_UP);
	struct sgw_gpio_event ev;

	/* undriven with pull-up: physical 1, logical 0 */
	ck_assert_int_eq(sgw_gpio_sim_get(7), 1);
	ck_assert_int_eq(sgw_gpio_line_get(line), 0);
	/* a contact to ground: physical falling edge, logical rising */
	ck_assert_int_eq(sgw_gpio_sim_set(7, 0), 0);
	ck_assert_int_eq(sgw_gpio_line_get(line), 1);
	ck_assert_int_eq(sgw_gpio_line_wait(line, 1000, &ev), 1);
	ck_assert_int_eq(ev.level, 1);
	sgw_gpio_line_close(line);

	line = sim_open(8, false, SGW_GPIO_BIAS_PULL_DOWN);
	ck_assert_int_eq(sgw_gpio_line_get(line), 0);
	sgw_gpio_line_close(line);
}
END_TEST

START_TEST(sim_queue_overflow)
{
	struct sgw_gpio_line *line = sim_open(9, false, SGW_GPIO_BIAS_AS_IS);
	struct sgw_gpio_event ev;
	int n = 0;

	for (int i = 1; i <= 70; i++)
		ck_assert_int_eq(sgw_gpio_sim_set_at(9, i & 1, i), 0);
	ck_assert_uint_eq(sgw_gpio_sim_dropped(9), 6);
	while (sgw_gpio_line_wait(line, 0, &ev) == 1) {
		n++;
		ck_assert_int_eq(ev.ts_ns, n);	/* the oldest are kept, in order */
	}
	ck_assert_int_eq(n, 64);
	sgw_gpio_line_close(line);
}
END_TEST

static void *raise_line(void *arg)
{
	(void)arg;
	sgw_gpio_sim_set(11, 1);
	return NULL;
}

START_TEST(sim_wakes_waiter)
{
	struct sgw_gpio_line *line = sim_open(11, false, SGW_GPIO_BIAS_AS_IS);
	struct sgw_gpio_event ev;
	pthread_t t;
	int64_t t0 = sgw_mono_ns();

	ck_assert_int_eq(pthread_create(&t, NULL, raise_line, NULL), 0);
	/* the generous timeout is only a bound: the edge ends the wait */
	ck_assert_int_eq(sgw_gpio_line_wait(line, 20000, &ev), 1);
	ck_assert_int_eq(ev.level, 1);
	ck_assert_int_lt(sgw_mono_ns() - t0, 15000000000LL);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	sgw_gpio_line_close(line);
}
END_TEST

START_TEST(sim_wait_times_out)
{
	struct sgw_gpio_line *line = sim_open(12, false, SGW_GPIO_BIAS_AS_IS);
	struct sgw_gpio_event ev;
	int64_t t0 = sgw_mono_ns();

	ck_assert_int_eq(sgw_gpio_line_wait(line, 100, &ev), 0);
	ck_assert_int_ge(sgw_mono_ns() - t0, 100000000);
	sgw_gpio_line_close(line);
}
END_TEST

/* The sim clock of the output tests: what the test says it is. */
static int64_t test_now;

static int64_t now_of_test(void)
{
	return test_now;
}

static struct sgw_gpio_line *sim_output(unsigned int offset, bool active_low, int value)
{
	struct sgw_gpio_request req = { "sim", offset, active_low, SGW_GPIO_BIAS_AS_IS, "test" };
	struct sgw_gpio_line *line = NULL;

	ck_assert_int_eq(sgw_gpio_output_open(&req, value, &line), 0);
	ck_assert_ptr_nonnull(line);
	return line;
}

START_TEST(sim_output_drives_level)
{
	struct sgw_gpio_sim_change ch[8];
	struct sgw_gpio_line *a, *b;

	sgw_gpio_sim_set_clock(now_of_test);
	test_now = 100;
	a = sim_output(5, false, 1);
	/* active-low: logical 0 is physical 1 */
	test_now = 200;
	b = sim_output(6, true, 0);
	ck_assert_int_eq(sgw_gpio_sim_get(5), 1);
	ck_assert_int_eq(sgw_gpio_sim_get(6), 1);
	ck_assert_int_eq(sgw_gpio_line_get(b), 0);
	test_now = 300;
	ck_assert_int_eq(sgw_gpio_line_set(b, 1), 0);
	ck_assert_int_eq(sgw_gpio_sim_get(6), 0);
	ck_assert_int_eq(sgw_gpio_line_get(b), 1);
	/* no change, no history */
	test_now = 400;
	ck_assert_int_eq(sgw_gpio_line_set(a, 7), 0);
	test_now = 500;
	ck_assert_int_eq(sgw_gpio_line_set(a, 0), 0);
	ck_assert_int_eq(sgw_gpio_sim_get(5), 0);

	ck_assert_uint_eq(sgw_gpio_sim_history(ch, 8), 4);
	ck_assert_uint_eq(ch[0].offset, 5);
	ck_assert_int_eq(ch[0].level, 1);
	ck_assert_int_eq(ch[0].ts_ns, 100);
	ck_assert_uint_eq(ch[1].offset, 6);
	ck_assert_int_eq(ch[1].level, 1);
	ck_assert_int_eq(ch[1].ts_ns, 200);
	ck_assert_uint_eq(ch[2].offset, 6);
	ck_assert_int_eq(ch[2].level, 0);
	ck_assert_int_eq(ch[2].ts_ns, 300);
	ck_assert_uint_eq(ch[3].offset, 5);
	ck_assert_int_eq(ch[3].level, 0);
	ck_assert_int_eq(ch[3].ts_ns, 500);
	/* taken: gone */
	ck_assert_uint_eq(sgw_gpio_sim_history(ch, 8), 0);

	/* an output keeps its level when released, and the line is free again */
	ck_assert_int_eq(sgw_gpio_line_set(b, 0), 0);
	sgw_gpio_line_close(b);
	ck_assert_int_eq(sgw_gpio_sim_get(6), 1);
	b = sim_output(6, false, 1);
	sgw_gpio_line_close(b);
	sgw_gpio_line_close(a);
	sgw_gpio_sim_set_clock(NULL);
}
END_TEST

START_TEST(sim_output_rules)
{
	struct sgw_gpio_request req = { "sim", 9, false, SGW_GPIO_BIAS_AS_IS, NULL };
	struct sgw_gpio_line *in, *out;
	struct sgw_gpio_sim_change ch;

	in = sim_open(9, false, SGW_GPIO_BIAS_AS_IS);
	ck_assert_int_eq(sgw_gpio_output_open(&req, 1, &out), -EBUSY);
	ck_assert_ptr_null(out);
	/* an input cannot be driven */
	ck_assert_int_eq(sgw_gpio_line_set(in, 1), -EPERM);
	ck_assert_int_eq(sgw_gpio_sim_get(9), 0);
	sgw_gpio_line_close(in);
	req.offset = SGW_GPIO_SIM_NLINES;
	ck_assert_int_eq(sgw_gpio_output_open(&req, 1, &out), -EINVAL);
	ck_assert_uint_eq(sgw_gpio_sim_history(&ch, 1), 0);
}
END_TEST

START_TEST(sim_history_overflow)
{
	struct sgw_gpio_line *line = sim_output(1, false, 0);
	struct sgw_gpio_sim_change ch;
	size_t n = 0;

	sgw_gpio_sim_set_clock(now_of_test);
	for (int i = 0; i < SGW_GPIO_SIM_HISTORY + 10; i++) {
		test_now = i;
		ck_assert_int_eq(sgw_gpio_line_set(line, !(i & 1)), 0);
	}
	ck_assert_uint_eq(sgw_gpio_sim_history_dropped(), 10);
	/* the oldest are kept, in order */
	while (sgw_gpio_sim_history(&ch, 1) == 1) {
		ck_assert_int_eq(ch.ts_ns, (int64_t)n);
		ck_assert_int_eq(ch.level, !(n & 1));
		n++;
	}
	ck_assert_uint_eq(n, SGW_GPIO_SIM_HISTORY);
	sgw_gpio_line_close(line);
	sgw_gpio_sim_reset();
	ck_assert_uint_eq(sgw_gpio_sim_history_dropped(), 0);
	sgw_gpio_sim_set_clock(NULL);
}
END_TEST

START_TEST(sim_trace_file)
{
	char dir[256], path[300], text[256];
	struct sgw_gpio_line *a, *b;
	size_t n;
	FILE *f;

	test_mkdtemp(dir, sizeof(dir), "gpiotrace");
	snprintf(path, sizeof(path), "%s/trace", dir);
	ck_assert_int_eq(setenv("SENSORGW_GPIO_SIM_TRACE", path, 1), 0);
	sgw_gpio_sim_set_clock(now_of_test);
	test_now = 1000;
	a = sim_output(20, true, 0);	/* physical 1 at once */
	test_now = 2000;
	b = sim_output(21, false, 0);	/* stays 0: nothing */
	test_now = 3000;
	ck_assert_int_eq(sgw_gpio_line_set(b, 1), 0);
	test_now = 4000;
	ck_assert_int_eq(sgw_gpio_line_set(a, 1), 0);
	sgw_gpio_line_close(a);
	sgw_gpio_line_close(b);
	unsetenv("SENSORGW_GPIO_SIM_TRACE");
	sgw_gpio_sim_set_clock(NULL);

	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	ck_assert_str_eq(text, "1000 20 1\n3000 21 1\n4000 20 0\n");
	test_rm_tree(dir);
}
END_TEST

START_TEST(gpiod_chip_not_found)
{
	static const char *const names[] = {
		"no-such-chip-label", "gpiochip250", "/dev/gpiochip250", "250",
	};
	struct sgw_gpio_line *line;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct sgw_gpio_request req = { names[i], 0, false, SGW_GPIO_BIAS_PULL_UP, NULL };

		ck_assert_msg(sgw_gpio_line_open(&req, &line) == -ENOENT, "chip %s", names[i]);
		ck_assert_ptr_null(line);
	}
	struct sgw_gpio_request empty = { "", 0, false, SGW_GPIO_BIAS_AS_IS, NULL };
	ck_assert_int_eq(sgw_gpio_line_open(&empty, &line), -EINVAL);
	ck_assert_int_eq(sgw_gpio_output_open(&empty, 0, &line), -EINVAL);
	struct sgw_gpio_request out = { names[0], 0, false, SGW_GPIO_BIAS_AS_IS, NULL };
	ck_assert_int_eq(sgw_gpio_output_open(&out, 0, &line), -ENOENT);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("gpio");
	TCase *sim = tcase_create("sim"), *gpiod = tcase_create("gpiod");

	tcase_add_checked_fixture(sim, setup, NULL);
	tcase_set_timeout(sim, 60);
	tcase_add_test(sim, sim_levels_and_edges);
	tcase_add_test(sim, sim_request_rules);
	tcase_add_test(sim, sim_active_low_and_bias);
	tcase_add_test(sim, sim_queue_overflow);
	tcase_add_test(sim, sim_wakes_waiter);
	tcase_add_test(sim, sim_wait_times_out);
	tcase_add_test(sim, sim_output_drives_level);
	tcase_add_test(sim, sim_output_rules);
	tcase_add_test(sim, sim_history_overflow);
	tcase_add_test(sim, sim_trace_file);
	suite_add_tcase(s, sim);
	tcase_add_test(gpiod, gpiod_chip_not_found);
	suite_add_tcase(s, gpiod);
	return sgw_test_run(s);
}
