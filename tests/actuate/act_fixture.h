/* SPDX-License-Identifier: MIT */
/*
 * Actuator tests on the sim GPIO chip: configurations, and a time line the
 * test lays out, the same for the actuator (now_ns) and for the stamps of
 * the sim output history.
 */
#ifndef SGW_TEST_ACT_FIXTURE_H
#define SGW_TEST_ACT_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "actuate/actuator.h"
#include "conf/types.h"
#include "drivers/hal/gpio.h"

#define MS ((int64_t)1000000)

/* The test's clock: what the sim history stamps changes with. */
extern int64_t act_now;

/* Reset the sim chip and its history, and stamp changes with act_now. */
void act_setup(void);
void act_teardown(void);

/* A switch on sim line OFFSET, all else zero / false. */
struct sgw_actuator_config act_switch_config(unsigned int offset);
/* A cover on sim lines UP and DOWN with the given times. */
struct sgw_actuator_config act_cover_config(unsigned int up, unsigned int down,
					    uint32_t dead_time_ms, uint32_t travel_ms);

/* sgw_actuator_command() of the string CMD at act_now = NOW. */
int act_cmd(struct sgw_actuator *a, const char *cmd, int64_t now, char *err, size_t errcap);
/* act_now = NOW, then sgw_actuator_tick(). */
void act_tick(struct sgw_actuator *a, int64_t now);

/*
 * Line writes fail with -EIO while this is nonzero: the test programs link
 * with -Wl,--wrap=sgw_gpio_line_set, so that the actuator's writes go
 * through __wrap_sgw_gpio_line_set() below.
 */
extern int act_fail_sets;
int __wrap_sgw_gpio_line_set(struct sgw_gpio_line *line, int value);
int __real_sgw_gpio_line_set(struct sgw_gpio_line *line, int value);

/* Take the sim output history into CH (MAX at most); returns how many. */
size_t act_history(struct sgw_gpio_sim_change *ch, size_t max);
/* Forget the sim output history so far. */
void act_history_drop(void);

#endif
