/* SPDX-License-Identifier: MIT */
/* Actuator test support (see act_fixture.h). */
#include "act_fixture.h"

#include <errno.h>
#include <string.h>

int64_t act_now;
int act_fail_sets;

int __wrap_sgw_gpio_line_set(struct sgw_gpio_line *line, int value)
{
	if (act_fail_sets)
		return -EIO;
	return __real_sgw_gpio_line_set(line, value);
}

static int64_t now_of_test(void)
{
	return act_now;
}

void act_setup(void)
{
	act_now = 0;
	act_fail_sets = 0;
	sgw_gpio_sim_reset();
	sgw_gpio_sim_set_clock(now_of_test);
}

void act_teardown(void)
{
	sgw_gpio_sim_set_clock(NULL);
}

struct sgw_actuator_config act_switch_config(unsigned int offset)
{
	return (struct sgw_actuator_config){
		.name = "relay",
		.kind = SGW_ACTUATOR_SWITCH,
		.chip = "sim",
		.offset = offset,
	};
}

struct sgw_actuator_config act_cover_config(unsigned int up, unsigned int down,
					    uint32_t dead_time_ms, uint32_t travel_ms)
{
	return (struct sgw_actuator_config){
		.name = "blind",
		.kind = SGW_ACTUATOR_COVER,
		.chip = "sim",
		.offset_up = up,
		.offset_down = down,
		.dead_time_ms = dead_time_ms,
		.travel_ms = travel_ms,
	};
}

int act_cmd(struct sgw_actuator *a, const char *cmd, int64_t now, char *err, size_t errcap)
{
	char dummy[SGW_ACTUATOR_ERROR_MAX];

	act_now = now;
	if (!err) {
		err = dummy;
		errcap = sizeof(dummy);
	}
	return sgw_actuator_command(a, cmd, strlen(cmd), now, err, errcap);
}

void act_tick(struct sgw_actuator *a, int64_t now)
{
	act_now = now;
	sgw_actuator_tick(a, now);
}

size_t act_history(struct sgw_gpio_sim_change *ch, size_t max)
{
	return sgw_gpio_sim_history(ch, max);
}

void act_history_drop(void)
{
	struct sgw_gpio_sim_change ch[16];

	while (sgw_gpio_sim_history(ch, 16) > 0)
		;
}
