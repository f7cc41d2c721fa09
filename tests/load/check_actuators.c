/* SPDX-License-Identifier: MIT */
/*
 * [actuator NAME] sections and [mqtt] commands: the values and defaults
 * loaded, and each refusal reported at its FILE:LINE.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load/load.h"
#include "tests/fixtures/load_fixture.h"
#include "tests/fixtures/run.h"

/* Lines 1..9; an actuator section starts at line 10. */
#define BASE \
	"[gateway]\n" \
	"name = gw\n" \
	"[mqtt]\n" \
	"uri = mqtt://localhost\n" \
	"[sensor door]\n" \
	"driver = gpio_input\n" \
	"chip = sim\n" \
	"line = 4\n" \
	"\n"

/* TEXT loaded as "a.ini" into *r, as load() does with a file. */
static void load_text(const char *text, struct load *r)
{
	FILE *in, *out;

	memset(r, 0, sizeof(*r));
	in = fmemopen((void *)text, strlen(text), "r");
	out = open_memstream(&r->text, &r->len);
	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(out);
	r->diag.out = out;
	r->ret = sgw_config_load_stream(in, "a.ini", &r->diag, &r->cfg);
	fclose(in);
	fclose(out);
	r->diag.out = NULL;
}

static struct sgw_config *load_text_good(const char *text, struct load *r)
{
	load_text(text, r);
	ck_assert_msg(r->ret == 0 && r->diag.errors == 0, "ret %d, %d errors:\n%s",
		      r->ret, r->diag.errors, r->text);
	return r->cfg;
}

/* TEXT is refused with FRAG reported at LOC ("a.ini:12: "). */
static void refused(const char *text, const char *loc, const char *frag)
{
	struct load r;

	load_text(text, &r);
	assert_refused(&r, loc);
	assert_reported(&r, loc, frag);
	load_done(&r);
}

START_TEST(test_switch_defaults)
{
	struct load r;
	struct sgw_config *c = load_text_good(BASE
		"[actuator lamp]\n"
		"driver = gpio_output\n"
		"line = 17\n", &r);
	const struct sgw_actuator_config *a;

	ck_assert_uint_eq(c->nactuators, 1);
	a = &c->actuators[0];
	ck_assert_str_eq(a->name, "lamp");
	ck_assert_int_eq(a->line, 10);
	ck_assert_int_eq(a->kind, SGW_ACTUATOR_SWITCH);
	ck_assert_str_eq(a->chip, "gpiochip0");
	ck_assert_uint_eq(a->offset, 17);
	ck_assert(!a->active_low);
	ck_assert(!a->initial_on);
	ck_assert(!a->safe_on);
	ck_assert_uint_eq(a->pulse_ms, 0);
	ck_assert_uint_eq(a->min_interval_ms, 0);
	ck_assert_str_eq(a->topic, "sensorgw/gw/lamp");
	ck_assert_str_eq(a->command_topic, "sensorgw/gw/lamp/set");
	ck_assert(!a->retained_commands);
	ck_assert(!a->safe_on_disconnect);
	ck_assert(!c->uplinks[0].commands);
	load_done(&r);
}
END_TEST

START_TEST(test_switch_values)
{
	struct load r;
	struct sgw_config *c = load_text_good(
		"[gateway]\nname = gw\ntopic_prefix = home\n"
		"[mqtt]\nuri = mqtt://localhost\ncommands = yes\n"
		"[mqtt second]\nuri = mqtt://localhost:1884\n"
		"[sensor t]\ndriver = sim\n"
		"[actuator bell]\n"
		"driver = gpio_output\n"
		"chip = sim\n"
		"line = 3\n"
		"active_low = yes\n"
		"initial = on\n"
		"safe = on\n"
		"pulse = 250ms\n"
		"min_interval = 2s\n"
		"topic = {prefix}/doors/{actuator}/{gateway}\n"
		"command_topic = cmd/{actuator}\n"
		"retained_commands = yes\n"
		"safe_on_disconnect = yes\n", &r);
	const struct sgw_actuator_config *a = &c->actuators[0];

	ck_assert(c->uplinks[0].commands);
	ck_assert(!c->uplinks[1].commands);
	ck_assert_str_eq(a->chip, "sim");
	ck_assert_uint_eq(a->offset, 3);
	ck_assert(a->active_low);
	ck_assert(a->initial_on);
	ck_assert(a->safe_on);
	ck_assert_uint_eq(a->pulse_ms, 250);
	ck_assert_uint_eq(a->min_interval_ms, 2000);
	ck_assert_str_eq(a->topic, "home/doors/bell/gw");
	ck_assert_str_eq(a->command_topic, "cmd/bell");
	ck_assert(a->retained_commands);
	ck_assert(a->safe_on_disconnect);
	load_done(&r);
}
END_TEST

START_TEST(test_cover)
{
	struct load r;
	struct sgw_config *c = load_text_good(BASE
		"[actuator blind]\n"
		"driver = cover\n"
		"line_up = 5\n"
		"line_down = 6\n"
		"travel_time = 20s\n"
		"[actuator awning]\n"
		"driver = cover\n"
		"chip = sim\n"
		"line_up = 5\n"
		"line_down = 6\n"
		"dead_time = 1s\n"
		"travel_time = 90s\n", &r);
	const struct sgw_actuator_config *a = &c->actuators[0];

	ck_assert_uint_eq(c->nactuators, 2);
	ck_assert_int_eq(a->kind, SGW_ACTUATOR_COVER);
	ck_assert_uint_eq(a->offset_up, 5);
	ck_assert_uint_eq(a->offset_down, 6);
	ck_assert_uint_eq(a->dead_time_ms, 500);
	ck_assert_uint_eq(a->travel_ms, 20000);
	ck_assert_str_eq(a->topic, "sensorgw/gw/blind");
	/* The same offsets on another chip are other lines. */
	a = &c->actuators[1];
	ck_assert_str_eq(a->chip, "sim");
	ck_assert_uint_eq(a->dead_time_ms, 1000);
	ck_assert_uint_eq(a->travel_ms, 90000);
	load_done(&r);
}
END_TEST

START_TEST(test_refusals)
{
	refused(BASE "[actuator x]\nline = 1\n", "a.ini:10: ", "[actuator x] missing required key \"driver\"");
	refused(BASE "[actuator x]\ndriver = relay\nline = 1\n", "a.ini:11: ", "[actuator x] driver: \"relay\"");
	refused(BASE "[actuator x]\ndriver = gpio_output\n", "a.ini:10: ", "[actuator x] missing required key \"line\"");
	refused(BASE "[actuator x]\ndriver = gpio_output\nline = 1024\n", "a.ini:12: ", "[actuator x] line: \"1024\" is out of range (0..1023)");
	refused(BASE "[actuator x]\ndriver = gpio_output\nline = -1\n", "a.ini:12: ", "[actuator x] line: \"-1\"");
	refused(BASE "[actuator x]\ndriver = gpio_output\nline = 1\ninitial = maybe\n", "a.ini:13: ", "[actuator x] initial: \"maybe\"");
	refused(BASE "[actuator x]\ndriver = gpio_output\nline = 1\nsafe = yes\n", "a.ini:13: ", "[actuator x] safe: \"yes\"");
	refused(BASE "[actuator x]\ndriver = gpio_output\nline = 1\npulse = 25h\n", "a.ini:13: ", "[actuator x] pulse: \"25h\" is out of range");
	refused(BASE "[actuator x]\ndriver = gpio_output\nline = 1\nmin_interval = 2h\n", "a.ini:13: ", "[actuator x] min_interval: \"2h\" is out of range");
	refused(BASE "[actuator x]\ndriver = gpio_output\nline = 1\nchip = gpio chip\n", "a.ini:13: ", "[actuator x] chip: \"gpio chip\" is not a GPIO chip");
	refused(BASE "[actuator x]\ndriver = gpio_output\nline = 1\nactive_low = 2\n", "a.ini:13: ", "[actuator x] active_low: \"2\" is not a boolean");
	refused(BASE "[actuator x]\ndriver = gpio_output\nline = 1\ncolour = red\n", "a.ini:13: ", "[actuator x] colour: unknown key");
	/* Keys of the other driver, each at its line. */
	refused(BASE "[actuator x]\ndriver = gpio_output\nline = 1\ntravel_time = 10s\n", "a.ini:13: ", "[actuator x] travel_time: only for driver = cover");
	refused(BASE "[actuator x]\ndriver = gpio_output\nline = 1\nline_up = 2\n", "a.ini:13: ", "[actuator x] line_up: only for driver = cover");
	refused(BASE "[actuator x]\ndriver = cover\nline_up = 1\nline_down = 2\ntravel_time = 5s\npulse = 1s\n", "a.ini:15: ", "[actuator x] pulse: only for driver = gpio_output");
	refused(BASE "[actuator x]\ndriver = cover\nline = 1\nline_up = 1\nline_down = 2\ntravel_time = 5s\n", "a.ini:12: ", "[actuator x] line: only for driver = gpio_output");
	refused(BASE "[actuator x]\ndriver = cover\nline_up = 1\nline_down = 2\ntravel_time = 5s\ninitial = on\n", "a.ini:15: ", "[actuator x] initial: only for driver = gpio_output");
	/* A cover's own values. */
	refused(BASE "[actuator x]\ndriver = cover\nline_up = 1\nline_down = 2\n", "a.ini:10: ", "[actuator x] missing required key \"travel_time\"");
	refused(BASE "[actuator x]\ndriver = cover\nline_down = 2\ntravel_time = 5s\n", "a.ini:10: ", "[actuator x] missing required key \"line_up\"");
	refused(BASE "[actuator x]\ndriver = cover\nline_up = 2\nline_down = 2\ntravel_time = 5s\n", "a.ini:13: ", "[actuator x] line_down: \"2\" is line_up too");
	refused(BASE "[actuator x]\ndriver = cover\nline_up = 1\nline_down = 2\ntravel_time = 50ms\n", "a.ini:14: ", "[actuator x] travel_time: \"50ms\" is out of range (100ms..10m)");
	refused(BASE "[actuator x]\ndriver = cover\nline_up = 1\nline_down = 2\ntravel_time = 5s\ndead_time = 1ms\n", "a.ini:15: ", "[actuator x] dead_time: \"1ms\" is out of range (10ms..1m)");
	/* Topics. */
	refused(BASE "[actuator x]\ndriver = gpio_output\nline = 1\ntopic = a/+/b\n", "a.ini:13: ", "[actuator x] topic: \"a/+/b\": wildcards");
	refused(BASE "[actuator x]\ndriver = gpio_output\nline = 1\ncommand_topic = a/{sensor}\n", "a.ini:13: ", "[actuator x] command_topic: \"a/{sensor}\": variable not available here");
	refused(BASE "[actuator x]\ndriver = gpio_output\nline = 1\ntopic = \n", "a.ini:13: ", "[actuator x] topic: empty value");
}
END_TEST

START_TEST(test_names_and_lines)
{
	refused(BASE "[actuator x]\ndriver = gpio_output\nline = 1\n[actuator x]\ndriver = gpio_output\nline = 2\n",
		"a.ini:13: ", "duplicate actuator name \"x\" (first at line 10)");
	refused(BASE "[actuator door]\ndriver = gpio_output\nline = 1\n",
		"a.ini:10: ", "[actuator door]: the name of [sensor door] (line 5) too");
	refused(BASE "[actuator]\ndriver = gpio_output\nline = 1\n",
		"a.ini:10: ", "actuator section without a name");
	/* Two outputs on one line: the later one is refused, at its key. */
	refused(BASE "[actuator x]\ndriver = gpio_output\nline = 7\n"
		"[actuator y]\ndriver = cover\nline_up = 8\nline_down = 7\ntravel_time = 5s\n",
		"a.ini:16: ", "[actuator y] line_down: chip gpiochip0 line 7 is also [actuator x] line (line 12)");
	/* An output on a sensor's input line. */
	refused(BASE "[actuator x]\ndriver = gpio_output\nchip = sim\nline = 4\n",
		"a.ini:13: ", "[actuator x] line: chip sim line 4 is the input of [sensor door] (line 5)");
}
END_TEST

START_TEST(test_topic_collisions)
{
	/* The default state topic of one is the command topic of another. */
	refused(BASE "[actuator x]\ndriver = gpio_output\nline = 1\n"
		"[actuator y]\ndriver = gpio_output\nline = 2\ncommand_topic = sensorgw/gw/x\n",
		"a.ini:16: ", "[actuator y] command_topic: \"sensorgw/gw/x\" is also [actuator x] topic");
	/* A cover's position topic on another's state topic. */
	refused(BASE "[actuator x]\ndriver = cover\nline_up = 1\nline_down = 2\ntravel_time = 5s\n"
		"[actuator y]\ndriver = gpio_output\nline = 3\ntopic = sensorgw/gw/x/position\n",
		"a.ini:18: ", "[actuator y] topic: \"sensorgw/gw/x/position\" is also [actuator x] topic/position");
	/* A sensor's topic. */
	refused(BASE "[actuator x]\ndriver = gpio_output\nline = 1\ntopic = sensorgw/door/state\n",
		"a.ini:13: ", "[actuator x] topic: \"sensorgw/door/state\" is also the topic of [sensor door] state");
	/* The status topic. */
	refused(BASE "[actuator x]\ndriver = gpio_output\nline = 1\ncommand_topic = sensorgw/gw/status\n",
		"a.ini:13: ", "[actuator x] command_topic: \"sensorgw/gw/status\" is the gateway's status topic");
}
END_TEST

START_TEST(test_commands_key)
{
	refused("[mqtt]\nuri = mqtt://localhost\ncommands = sometimes\n[sensor t]\ndriver = sim\n",
		"a.ini:3: ", "[mqtt] commands: \"sometimes\" is not a boolean");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("load_actuators");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_switch_defaults);
	tcase_add_test(tc, test_switch_values);
	tcase_add_test(tc, test_cover);
	tcase_add_test(tc, test_refusals);
	tcase_add_test(tc, test_names_and_lines);
	tcase_add_test(tc, test_topic_collisions);
	tcase_add_test(tc, test_commands_key);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return sgw_test_run(suite());
}
