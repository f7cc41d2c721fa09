/* SPDX-License-Identifier: MIT */
/*
 * A switch on the sim GPIO chip: commands, pulses to the nanosecond of the
 * test's time line, active-low, the safe and initial states, the minimum
 * interval, refused payloads and failing line writes.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "act_fixture.h"
#include "tests/fixtures/run.h"

static struct sgw_actuator *open_ok(const struct sgw_actuator_config *c, int64_t now)
{
	struct sgw_actuator *a = NULL;

	act_now = now;
	ck_assert_int_eq(sgw_actuator_open(c, now, &a), 0);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_eq(sgw_actuator_config(a), c);
	return a;
}

START_TEST(on_off)
{
	struct sgw_actuator_config c = act_switch_config(4);
	struct sgw_gpio_sim_change ch[4];
	struct sgw_actuator *a = open_ok(&c, 0);
	uint64_t v = sgw_actuator_version(a);

	ck_assert_str_eq(sgw_actuator_state(a), "OFF");
	ck_assert_int_eq(sgw_gpio_sim_get(4), 0);
	ck_assert_int_eq(sgw_actuator_position(a, 0), -1);
	ck_assert_int_eq(sgw_actuator_next_deadline(a), INT64_MAX);
	ck_assert_int_eq(act_cmd(a, "ON", 10 * MS, NULL, 0), 0);
	ck_assert_int_eq(sgw_gpio_sim_get(4), 1);
	ck_assert_str_eq(sgw_actuator_state(a), "ON");
	ck_assert_uint_ne(sgw_actuator_version(a), v);
	v = sgw_actuator_version(a);
	/* no pulse: it stays on */
	ck_assert_int_eq(sgw_actuator_next_deadline(a), INT64_MAX);
	act_tick(a, 100000 * MS);
	ck_assert_int_eq(sgw_gpio_sim_get(4), 1);
	/* ON again changes nothing, not even the version */
	ck_assert_int_eq(act_cmd(a, "on", 20 * MS, NULL, 0), 0);
	ck_assert_uint_eq(sgw_actuator_version(a), v);
	/* case and surrounding white space do not matter */
	ck_assert_int_eq(act_cmd(a, " \toff\r\n", 30 * MS, NULL, 0), 0);
	ck_assert_int_eq(sgw_gpio_sim_get(4), 0);
	ck_assert_str_eq(sgw_actuator_state(a), "OFF");
	ck_assert_uint_ne(sgw_actuator_version(a), v);
	/* the payload need not be NUL-terminated: LEN counts */
	act_now = 40 * MS;
	ck_assert_int_eq(sgw_actuator_command(a, "ONWARD", 2, 40 * MS, NULL, 0), 0);
	ck_assert_int_eq(sgw_gpio_sim_get(4), 1);

	ck_assert_uint_eq(act_history(ch, 4), 3);
	ck_assert_int_eq(ch[0].level, 1);
	ck_assert_int_eq(ch[0].ts_ns, 10 * MS);
	ck_assert_int_eq(ch[1].level, 0);
	ck_assert_int_eq(ch[1].ts_ns, 30 * MS);
	ck_assert_int_eq(ch[2].ts_ns, 40 * MS);
	sgw_actuator_close(a);
	/* closing applies the safe state: off */
	ck_assert_int_eq(sgw_gpio_sim_get(4), 0);
}
END_TEST

START_TEST(pulse)
{
	struct sgw_actuator_config c = act_switch_config(5);
	struct sgw_gpio_sim_change ch[4];
	struct sgw_actuator *a;
	const int64_t t0 = 1000 * MS;

	c.pulse_ms = 250;
	a = open_ok(&c, 0);
	ck_assert_int_eq(act_cmd(a, "ON", t0, NULL, 0), 0);
	ck_assert_int_eq(sgw_actuator_next_deadline(a), t0 + 250 * MS);
	act_tick(a, t0 + 250 * MS - 1);
	ck_assert_int_eq(sgw_gpio_sim_get(5), 1);
	ck_assert_str_eq(sgw_actuator_state(a), "ON");
	act_tick(a, t0 + 250 * MS);
	ck_assert_int_eq(sgw_gpio_sim_get(5), 0);
	ck_assert_str_eq(sgw_actuator_state(a), "OFF");
	ck_assert_int_eq(sgw_actuator_next_deadline(a), INT64_MAX);
	ck_assert_uint_eq(act_history(ch, 4), 2);
	ck_assert_int_eq(ch[1].ts_ns - ch[0].ts_ns, 250 * MS);

	/* a second ON restarts the pulse; an OFF ends it early */
	ck_assert_int_eq(act_cmd(a, "ON", 2 * t0, NULL, 0), 0);
	ck_assert_int_eq(act_cmd(a, "ON", 2 * t0 + 100 * MS, NULL, 0), 0);
	ck_assert_int_eq(sgw_actuator_next_deadline(a), 2 * t0 + 350 * MS);
	ck_assert_int_eq(act_cmd(a, "OFF", 2 * t0 + 200 * MS, NULL, 0), 0);
	ck_assert_int_eq(sgw_actuator_next_deadline(a), INT64_MAX);
	ck_assert_uint_eq(act_history(ch, 4), 2);
	ck_assert_int_eq(ch[1].ts_ns - ch[0].ts_ns, 200 * MS);

	/* the safe state cancels a pulse */
	ck_assert_int_eq(act_cmd(a, "ON", 3 * t0, NULL, 0), 0);
	act_now = 3 * t0 + MS;
	sgw_actuator_safe(a, 3 * t0 + MS);
	ck_assert_int_eq(sgw_gpio_sim_get(5), 0);
	ck_assert_int_eq(sgw_actuator_next_deadline(a), INT64_MAX);
	sgw_actuator_close(a);
}
END_TEST

START_TEST(active_low)
{
	struct sgw_actuator_config c = act_switch_config(6);
	struct sgw_actuator *a;

	c.active_low = true;
	a = open_ok(&c, 0);
	/* off is high on the pin */
	ck_assert_int_eq(sgw_gpio_sim_get(6), 1);
	ck_assert_int_eq(act_cmd(a, "ON", MS, NULL, 0), 0);
	ck_assert_int_eq(sgw_gpio_sim_get(6), 0);
	ck_assert_str_eq(sgw_actuator_state(a), "ON");
	sgw_actuator_close(a);
	ck_assert_int_eq(sgw_gpio_sim_get(6), 1);
}
END_TEST

START_TEST(safe_and_initial_states)
{
	struct sgw_actuator_config c = act_switch_config(7);
	struct sgw_gpio_sim_change ch[4];
	struct sgw_actuator *a;

	/* safe first, then the initial state */
	c.safe_on = true;
	c.initial_on = false;
	a = open_ok(&c, 5 * MS);
	ck_assert_str_eq(sgw_actuator_state(a), "OFF");
	ck_assert_uint_eq(act_history(ch, 4), 2);
	ck_assert_int_eq(ch[0].level, 1);
	ck_assert_int_eq(ch[1].level, 0);
	ck_assert_int_eq(ch[1].ts_ns, 5 * MS);
	/* the safe state on demand, and on close */
	act_now = 6 * MS;
	sgw_actuator_safe(a, 6 * MS);
	ck_assert_int_eq(sgw_gpio_sim_get(7), 1);
	ck_assert_str_eq(sgw_actuator_state(a), "ON");
	ck_assert_int_eq(act_cmd(a, "OFF", 7 * MS, NULL, 0), 0);
	sgw_actuator_close(a);
	ck_assert_int_eq(sgw_gpio_sim_get(7), 1);
	act_history_drop();

	/* the initial state on, with a pulse: it ends by itself */
	c = act_switch_config(8);
	c.initial_on = true;
	c.pulse_ms = 40;
	a = open_ok(&c, 100 * MS);
	ck_assert_int_eq(sgw_gpio_sim_get(8), 1);
	ck_assert_str_eq(sgw_actuator_state(a), "ON");
	ck_assert_int_eq(sgw_actuator_next_deadline(a), 140 * MS);
	act_tick(a, 140 * MS);
	ck_assert_int_eq(sgw_gpio_sim_get(8), 0);
	sgw_actuator_close(a);

	/* a line taken cannot be opened twice; nothing is left requested */
	c = act_switch_config(9);
	a = open_ok(&c, 0);
	struct sgw_actuator *b = (struct sgw_actuator *)1;
	ck_assert_int_eq(sgw_actuator_open(&c, 0, &b), -EBUSY);
	ck_assert_ptr_null(b);
	c.offset = SGW_GPIO_SIM_NLINES;
	ck_assert_int_eq(sgw_actuator_open(&c, 0, &b), -EINVAL);
	sgw_actuator_close(a);
	sgw_actuator_close(NULL);
}
END_TEST

START_TEST(min_interval)
{
	struct sgw_actuator_config c = act_switch_config(10);
	char err[SGW_ACTUATOR_ERROR_MAX];
	struct sgw_gpio_sim_change ch[4];
	struct sgw_actuator *a;

	c.min_interval_ms = 1000;
	a = open_ok(&c, 0);
	/* the first command has nothing to wait for */
	ck_assert_int_eq(act_cmd(a, "ON", MS, err, sizeof(err)), 0);
	ck_assert_int_eq(act_cmd(a, "OFF", 1000 * MS, err, sizeof(err)), -EAGAIN);
	ck_assert_ptr_nonnull(strstr(err, "\"OFF\""));
	ck_assert_ptr_nonnull(strstr(err, "1000"));
	/* refused: the line untouched */
	ck_assert_int_eq(sgw_gpio_sim_get(10), 1);
	ck_assert_str_eq(sgw_actuator_state(a), "ON");
	ck_assert_int_eq(act_cmd(a, "OFF", 1001 * MS, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "");
	/* refused commands do not count: the interval runs from 1001 ms */
	ck_assert_int_eq(act_cmd(a, "BANG", 1500 * MS, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(act_cmd(a, "ON", 1900 * MS, err, sizeof(err)), -EAGAIN);
	ck_assert_int_eq(act_cmd(a, "ON", 2001 * MS, err, sizeof(err)), 0);
	ck_assert_uint_eq(act_history(ch, 4), 3);
	ck_assert_int_eq(ch[1].ts_ns, 1001 * MS);
	ck_assert_int_eq(ch[2].ts_ns, 2001 * MS);
	sgw_actuator_close(a);
}
END_TEST

START_TEST(bad_payloads)
{
	static const struct {
		const char *payload;
		size_t len;
		const char *quoted;
	} cases[] = {
		{ "", 0, "\"\"" },
		{ "   ", 3, "\"   \"" },
		{ "ONN", 3, "\"ONN\"" },
		{ "ON OFF", 6, "\"ON OFF\"" },
		{ "OPEN", 4, "\"OPEN\"" },
		{ "1", 1, "\"1\"" },
		{ "O\0N", 3, "\"O?N\"" },
		{ "\"ON\"", 4, "\"?ON?\"" },
	};
	struct sgw_actuator_config c = act_switch_config(11);
	char err[SGW_ACTUATOR_ERROR_MAX], small[12];
	char big[300];
	struct sgw_gpio_sim_change ch;
	struct sgw_actuator *a = open_ok(&c, 0);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(sgw_actuator_command(a, cases[i].payload, cases[i].len,
						      MS, err, sizeof(err)), -EINVAL);
		ck_assert_msg(strstr(err, "unknown command") && strstr(err, cases[i].quoted),
			      "case %zu: %s", i, err);
	}
	/* a long payload is quoted shortened, within the bound */
	memset(big, 'x', sizeof(big));
	memcpy(big, "ONE", 3);
	ck_assert_int_eq(sgw_actuator_command(a, big, sizeof(big), MS, err, sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "\"ONExxx"));
	ck_assert_ptr_nonnull(strstr(err, "...\""));
	ck_assert_uint_lt(strlen(err), SGW_ACTUATOR_ERROR_MAX);
	/* a small buffer is never overrun; none at all is fine */
	ck_assert_int_eq(sgw_actuator_command(a, "NO", 2, MS, small, sizeof(small)), -EINVAL);
	ck_assert_uint_eq(strlen(small), sizeof(small) - 1);
	ck_assert_int_eq(sgw_actuator_command(a, "NO", 2, MS, NULL, 0), -EINVAL);
	/* nothing happened */
	ck_assert_int_eq(sgw_gpio_sim_get(11), 0);
	ck_assert_uint_eq(act_history(&ch, 1), 0);
	sgw_actuator_close(a);
}
END_TEST

START_TEST(failing_line)
{
	struct sgw_actuator_config c = act_switch_config(12);
	char err[SGW_ACTUATOR_ERROR_MAX];
	struct sgw_actuator *a;
	uint64_t v;

	c.pulse_ms = 100;
	a = open_ok(&c, 0);
	v = sgw_actuator_version(a);
	act_fail_sets = 1;
	ck_assert_int_eq(act_cmd(a, "ON", MS, err, sizeof(err)), -EIO);
	ck_assert_ptr_nonnull(strstr(err, "\"ON\""));
	ck_assert_str_eq(sgw_actuator_state(a), "OFF");
	ck_assert_uint_eq(sgw_actuator_version(a), v);
	ck_assert_int_eq(sgw_actuator_next_deadline(a), INT64_MAX);
	act_fail_sets = 0;
	ck_assert_int_eq(act_cmd(a, "ON", 2 * MS, err, sizeof(err)), 0);
	/* the end of the pulse fails: it is tried again, not forgotten */
	act_fail_sets = 1;
	act_tick(a, 102 * MS);
	ck_assert_str_eq(sgw_actuator_state(a), "ON");
	ck_assert_int_gt(sgw_actuator_next_deadline(a), 102 * MS);
	act_fail_sets = 0;
	act_tick(a, sgw_actuator_next_deadline(a));
	ck_assert_str_eq(sgw_actuator_state(a), "OFF");
	ck_assert_int_eq(sgw_gpio_sim_get(12), 0);
	sgw_actuator_close(a);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("actuate_switch");
	TCase *tc = tcase_create("switch");

	tcase_add_checked_fixture(tc, act_setup, act_teardown);
	tcase_add_test(tc, on_off);
	tcase_add_test(tc, pulse);
	tcase_add_test(tc, active_low);
	tcase_add_test(tc, safe_and_initial_states);
	tcase_add_test(tc, min_interval);
	tcase_add_test(tc, bad_payloads);
	tcase_add_test(tc, failing_line);
	suite_add_tcase(s, tc);
	return sgw_test_run(s);
}
