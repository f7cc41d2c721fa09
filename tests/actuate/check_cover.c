/* SPDX-License-Identifier: MIT */
/*
 * A cover on the sim GPIO chip: the interlock (never both lines on, the
 * dead time between them), runs that end by themselves, the position
 * estimated from the travel time, STOP, refused commands; then 10 000
 * random commands at random times with the lines' history checked.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act_fixture.h"
#include "tests/fixtures/run.h"

#define UP 20
#define DOWN 21
#define DEAD_MS 500
#define TRAVEL_MS 10000

static struct sgw_actuator_config conf;

static struct sgw_actuator *open_cover(int64_t now)
{
	struct sgw_actuator *a = NULL;

	conf = act_cover_config(UP, DOWN, DEAD_MS, TRAVEL_MS);
	act_now = now;
	ck_assert_int_eq(sgw_actuator_open(&conf, now, &a), 0);
	ck_assert_ptr_nonnull(a);
	return a;
}

static void assert_lines(int up, int down)
{
	ck_assert_int_eq(sgw_gpio_sim_get(UP), up);
	ck_assert_int_eq(sgw_gpio_sim_get(DOWN), down);
}

/* Tick at the deadline, which must be WHEN. */
static void tick_at(struct sgw_actuator *a, int64_t when)
{
	ck_assert_int_eq(sgw_actuator_next_deadline(a), when);
	act_tick(a, when - 1);
	ck_assert_int_eq(sgw_actuator_next_deadline(a), when);
	act_tick(a, when);
}

/* From open: a full OPEN run from T, over at T + travel. */
static struct sgw_actuator *open_and_open(int64_t t)
{
	struct sgw_actuator *a = open_cover(0);

	ck_assert_int_eq(act_cmd(a, "OPEN", t, NULL, 0), 0);
	tick_at(a, t + TRAVEL_MS * MS);
	ck_assert_str_eq(sgw_actuator_state(a), "open");
	act_history_drop();
	return a;
}

START_TEST(full_run_makes_position_known)
{
	struct sgw_gpio_sim_change ch[4];
	char err[SGW_ACTUATOR_ERROR_MAX];
	struct sgw_actuator *a = open_cover(0);
	const int64_t t = 10000 * MS;
	uint64_t v;

	assert_lines(0, 0);
	ck_assert_str_eq(sgw_actuator_state(a), "stopped");
	ck_assert_int_eq(sgw_actuator_position(a, 0), -1);
	ck_assert_int_eq(sgw_actuator_next_deadline(a), INT64_MAX);
	ck_assert_int_eq(act_cmd(a, "50", t, err, sizeof(err)), -ENODATA);
	ck_assert_ptr_nonnull(strstr(err, "\"50\""));
	ck_assert_ptr_nonnull(strstr(err, "unknown"));

	ck_assert_int_eq(act_cmd(a, "open", t, NULL, 0), 0);
	assert_lines(1, 0);
	ck_assert_str_eq(sgw_actuator_state(a), "opening");
	/* unknown all along the run, positions refused */
	ck_assert_int_eq(sgw_actuator_position(a, t + 5000 * MS), -1);
	ck_assert_int_eq(act_cmd(a, "50", t + 5000 * MS, NULL, 0), -ENODATA);
	/* a second OPEN: nothing, the same end */
	ck_assert_int_eq(act_cmd(a, "OPEN", t + 6000 * MS, NULL, 0), 0);
	v = sgw_actuator_version(a);
	tick_at(a, t + TRAVEL_MS * MS);
	assert_lines(0, 0);
	ck_assert_str_eq(sgw_actuator_state(a), "open");
	ck_assert_int_eq(sgw_actuator_position(a, t + TRAVEL_MS * MS), 100);
	ck_assert_uint_ne(sgw_actuator_version(a), v);
	ck_assert_int_eq(sgw_actuator_next_deadline(a), INT64_MAX);
	ck_assert_uint_eq(act_history(ch, 4), 2);
	ck_assert_int_eq(ch[0].offset, UP);
	ck_assert_int_eq(ch[0].ts_ns, t);
	ck_assert_int_eq(ch[1].ts_ns, t + TRAVEL_MS * MS);

	/* CLOSE runs the full travel too, and knows it is closed */
	ck_assert_int_eq(act_cmd(a, "CLOSE", 30000 * MS, NULL, 0), 0);
	assert_lines(0, 1);
	ck_assert_str_eq(sgw_actuator_state(a), "closing");
	ck_assert_int_eq(sgw_actuator_position(a, 32500 * MS), 75);
	tick_at(a, 40000 * MS);
	ck_assert_str_eq(sgw_actuator_state(a), "closed");
	ck_assert_int_eq(sgw_actuator_position(a, 40000 * MS), 0);
	sgw_actuator_close(a);
}
END_TEST

START_TEST(dead_time_on_reversal)
{
	struct sgw_gpio_sim_change ch[8];
	struct sgw_actuator *a = open_cover(0);
	const int64_t t = 10000 * MS;

	ck_assert_int_eq(act_cmd(a, "OPEN", t, NULL, 0), 0);
	/* the other way: the up line off at once, the down line after the dead time */
	ck_assert_int_eq(act_cmd(a, "CLOSE", t + 2000 * MS, NULL, 0), 0);
	assert_lines(0, 0);
	ck_assert_str_eq(sgw_actuator_state(a), "stopped");
	tick_at(a, t + 2000 * MS + DEAD_MS * MS);
	assert_lines(0, 1);
	ck_assert_str_eq(sgw_actuator_state(a), "closing");
	/* and back again: the same */
	ck_assert_int_eq(act_cmd(a, "OPEN", t + 3000 * MS, NULL, 0), 0);
	assert_lines(0, 0);
	tick_at(a, t + 3500 * MS);
	assert_lines(1, 0);
	ck_assert_uint_eq(act_history(ch, 8), 5);
	ck_assert_int_eq(ch[1].offset, UP);
	ck_assert_int_eq(ch[1].level, 0);
	ck_assert_int_eq(ch[2].offset, DOWN);
	ck_assert_int_eq(ch[2].level, 1);
	ck_assert_int_eq(ch[2].ts_ns - ch[1].ts_ns, DEAD_MS * MS);
	ck_assert_int_eq(ch[4].ts_ns - ch[3].ts_ns, DEAD_MS * MS);

	/* a STOP in between does not shorten the dead time */
	ck_assert_int_eq(act_cmd(a, "STOP", t + 4000 * MS, NULL, 0), 0);
	ck_assert_int_eq(act_cmd(a, "CLOSE", t + 4100 * MS, NULL, 0), 0);
	assert_lines(0, 0);
	tick_at(a, t + 4500 * MS);
	assert_lines(0, 1);
	/* STOP while waiting cancels the run to come */
	ck_assert_int_eq(act_cmd(a, "OPEN", t + 5000 * MS, NULL, 0), 0);
	ck_assert_int_eq(act_cmd(a, "STOP", t + 5100 * MS, NULL, 0), 0);
	ck_assert_int_eq(sgw_actuator_next_deadline(a), INT64_MAX);
	act_tick(a, t + 6000 * MS);
	assert_lines(0, 0);
	/* long after, the other way starts at once */
	ck_assert_int_eq(act_cmd(a, "OPEN", t + 7000 * MS, NULL, 0), 0);
	assert_lines(1, 0);
	/* same for the first run after open: the lines count as just off */
	sgw_actuator_close(a);
	a = open_cover(100 * MS);
	ck_assert_int_eq(act_cmd(a, "CLOSE", 200 * MS, NULL, 0), 0);
	assert_lines(0, 0);
	tick_at(a, 600 * MS);
	assert_lines(0, 1);
	sgw_actuator_close(a);
	assert_lines(0, 0);
}
END_TEST

START_TEST(positions)
{
	const int64_t t = 30000 * MS;
	struct sgw_actuator *a = open_and_open(10000 * MS);
	struct sgw_gpio_sim_change ch[4];
	char err[SGW_ACTUATOR_ERROR_MAX];

	ck_assert_int_eq(act_cmd(a, "25", t, NULL, 0), 0);
	assert_lines(0, 1);
	ck_assert_str_eq(sgw_actuator_state(a), "closing");
	/* 3.75 s of 10 s down from 100 %: 62.5 %, rounded */
	ck_assert_int_eq(sgw_actuator_position(a, t + 3750 * MS), 63);
	tick_at(a, t + 7500 * MS);
	assert_lines(0, 0);
	ck_assert_str_eq(sgw_actuator_state(a), "stopped");
	ck_assert_int_eq(sgw_actuator_position(a, t + 9000 * MS), 25);
	ck_assert_uint_eq(act_history(ch, 4), 2);
	ck_assert_int_eq(ch[1].ts_ns - ch[0].ts_ns, 7500 * MS);

	/* where it is already: nothing */
	ck_assert_int_eq(act_cmd(a, " 25 ", t + 10000 * MS, NULL, 0), 0);
	ck_assert_int_eq(sgw_actuator_next_deadline(a), INT64_MAX);
	/* up to 60, then 80 on the way: a new end, no stop */
	ck_assert_int_eq(act_cmd(a, "60", t + 20000 * MS, NULL, 0), 0);
	assert_lines(1, 0);
	ck_assert_int_eq(sgw_actuator_next_deadline(a), t + 23500 * MS);
	ck_assert_int_eq(act_cmd(a, "80", t + 21000 * MS, NULL, 0), 0);
	ck_assert_int_eq(sgw_actuator_next_deadline(a), t + 25500 * MS);
	ck_assert_int_eq(act_cmd(a, "30", t + 22000 * MS, NULL, 0), 0);
	/* 45 % when turned: it waits, then runs 1.5 s down */
	assert_lines(0, 0);
	ck_assert_int_eq(sgw_actuator_position(a, t + 22000 * MS), 45);
	tick_at(a, t + 22500 * MS);
	tick_at(a, t + 24000 * MS);
	ck_assert_int_eq(sgw_actuator_position(a, t + 24000 * MS), 30);
	/* STOP halfway keeps the estimate */
	ck_assert_int_eq(act_cmd(a, "100", t + 30000 * MS, NULL, 0), 0);
	ck_assert_int_eq(act_cmd(a, "STOP", t + 33000 * MS, NULL, 0), 0);
	assert_lines(0, 0);
	ck_assert_int_eq(sgw_actuator_position(a, t + 40000 * MS), 60);
	ck_assert_str_eq(sgw_actuator_state(a), "stopped");
	/* 100 by position reaches "open" */
	ck_assert_int_eq(act_cmd(a, "100", t + 41000 * MS, NULL, 0), 0);
	tick_at(a, t + 45000 * MS);
	ck_assert_str_eq(sgw_actuator_state(a), "open");

	/* out of range, not numbers */
	ck_assert_int_eq(act_cmd(a, "101", t + 50000 * MS, err, sizeof(err)), -ERANGE);
	ck_assert_ptr_nonnull(strstr(err, "\"101\""));
	ck_assert_int_eq(act_cmd(a, "-1", t + 50000 * MS, err, sizeof(err)), -ERANGE);
	ck_assert_int_eq(act_cmd(a, "99999999999999999999", t + 50000 * MS, err, sizeof(err)),
			 -ERANGE);
	ck_assert_int_eq(act_cmd(a, "50.5", t + 50000 * MS, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(act_cmd(a, "5 0", t + 50000 * MS, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(act_cmd(a, "0x10", t + 50000 * MS, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(act_cmd(a, "ON", t + 50000 * MS, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "OPEN, CLOSE, STOP"));
	ck_assert_int_eq(act_cmd(a, "+0", t + 50000 * MS, err, sizeof(err)), 0);
	assert_lines(0, 1);
	sgw_actuator_close(a);
	assert_lines(0, 0);
}
END_TEST

START_TEST(safe_state)
{
	struct sgw_actuator *a = open_and_open(10000 * MS);

	ck_assert_int_eq(act_cmd(a, "0", 30000 * MS, NULL, 0), 0);
	act_now = 32000 * MS;
	sgw_actuator_safe(a, 32000 * MS);
	assert_lines(0, 0);
	ck_assert_int_eq(sgw_actuator_next_deadline(a), INT64_MAX);
	ck_assert_int_eq(sgw_actuator_position(a, 40000 * MS), 80);
	/* a run waiting for its dead time is cancelled too */
	ck_assert_int_eq(act_cmd(a, "OPEN", 32100 * MS, NULL, 0), 0);
	assert_lines(0, 0);
	act_now = 32200 * MS;
	sgw_actuator_safe(a, 32200 * MS);
	ck_assert_int_eq(sgw_actuator_next_deadline(a), INT64_MAX);
	act_tick(a, 40000 * MS);
	assert_lines(0, 0);

	/* a line that will not go off: tried again, the run ends where it was */
	ck_assert_int_eq(act_cmd(a, "0", 41000 * MS, NULL, 0), 0);
	act_fail_sets = 1;
	act_now = 43000 * MS;
	sgw_actuator_safe(a, 43000 * MS);
	assert_lines(0, 1);
	ck_assert_int_eq(sgw_actuator_next_deadline(a), 43100 * MS);
	act_fail_sets = 0;
	act_tick(a, 43100 * MS);
	assert_lines(0, 0);
	/* 80 % less 2 s of 10 s, not the 0 % it was going to */
	ck_assert_int_eq(sgw_actuator_position(a, 50000 * MS), 60);
	sgw_actuator_close(a);
}
END_TEST

START_TEST(failing_line)
{
	struct sgw_actuator *a = open_cover(0);
	char err[SGW_ACTUATOR_ERROR_MAX];
	uint64_t v = sgw_actuator_version(a);

	act_fail_sets = 1;
	ck_assert_int_eq(act_cmd(a, "OPEN", 1000 * MS, err, sizeof(err)), -EIO);
	ck_assert_ptr_nonnull(strstr(err, "\"OPEN\""));
	ck_assert_str_eq(sgw_actuator_state(a), "stopped");
	ck_assert_uint_eq(sgw_actuator_version(a), v);
	act_fail_sets = 0;
	ck_assert_int_eq(act_cmd(a, "OPEN", 2000 * MS, NULL, 0), 0);
	/* the end of the run fails: tried again until the line is off */
	act_fail_sets = 1;
	act_tick(a, 12000 * MS);
	ck_assert_str_eq(sgw_actuator_state(a), "opening");
	ck_assert_int_gt(sgw_actuator_next_deadline(a), 12000 * MS);
	/* and the other way cannot start while this line is on */
	ck_assert_int_eq(act_cmd(a, "CLOSE", 12050 * MS, NULL, 0), -EIO);
	assert_lines(1, 0);
	act_fail_sets = 0;
	act_tick(a, sgw_actuator_next_deadline(a));
	assert_lines(0, 0);
	ck_assert_str_eq(sgw_actuator_state(a), "open");
	sgw_actuator_close(a);
}
END_TEST

/* xorshift64*: the same commands for the same seed on every machine. */
static uint64_t rng;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545F4914F6CDD1DULL) >> 32) % n;
}

/* The lines as the history says, checked change by change. */
struct lines_seen {
	int level[2];
	int64_t off_ns[2];
	int64_t last_ns;
	unsigned long changes, reversals;
};

static void check_history(struct lines_seen *ls, uint64_t seed)
{
	struct sgw_gpio_sim_change ch[16];
	size_t n;

	while ((n = act_history(ch, 16)) > 0) {
		for (size_t i = 0; i < n; i++) {
			int me = ch[i].offset == UP ? 0 : 1, other = !me;

			ck_assert_msg(ch[i].ts_ns >= ls->last_ns, "seed %llu: time went back",
				      (unsigned long long)seed);
			ls->last_ns = ch[i].ts_ns;
			ls->changes++;
			ls->level[me] = ch[i].level;
			if (!ch[i].level) {
				ls->off_ns[me] = ch[i].ts_ns;
				continue;
			}
			ck_assert_msg(!ls->level[other], "seed %llu: both lines on at %lld ns",
				      (unsigned long long)seed, (long long)ch[i].ts_ns);
			ck_assert_msg(ch[i].ts_ns - ls->off_ns[other] >= DEAD_MS * MS,
				      "seed %llu: line %u on %lld ns after the other went off",
				      (unsigned long long)seed, ch[i].offset,
				      (long long)(ch[i].ts_ns - ls->off_ns[other]));
			if (ch[i].ts_ns - ls->off_ns[other] < 2 * DEAD_MS * MS)
				ls->reversals++;
		}
	}
	ck_assert_uint_eq(sgw_gpio_sim_history_dropped(), 0);
}

START_TEST(random_commands)
{
	static const char *const garbage[] = {
		"", "OPENN", "open please", "50%", "1e2", "ON", "-", "STOP STOP", "\x01\xff",
	};
	const char *env = getenv("SGW_ACTUATE_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 0) : 0x5eed2026ULL;
	struct lines_seen ls = { .off_ns = { 0, 0 } };
	unsigned long obeyed = 0, refused = 0;
	struct sgw_actuator *a;
	int64_t t = 0;

	printf("random_commands: seed %llu (SGW_ACTUATE_SEED=N to repeat)\n",
	       (unsigned long long)seed);
	fflush(stdout);
	rng = seed ? seed : 1;
	a = open_cover(0);
	conf.min_interval_ms = 20;
	for (int i = 0; i < 10000; i++) {
		char cmd[32];
		int ret;

		/* mostly within a run or a dead time, sometimes long after */
		t += rnd(10) == 0 ? (int64_t)rnd(15000) * MS : (int64_t)rnd(800 * 1000) * 1000;
		while (sgw_actuator_next_deadline(a) <= t)
			act_tick(a, sgw_actuator_next_deadline(a));
		switch (rnd(7)) {
		case 0:
			snprintf(cmd, sizeof(cmd), "OPEN");
			break;
		case 1:
			snprintf(cmd, sizeof(cmd), "close");
			break;
		case 2:
			snprintf(cmd, sizeof(cmd), "STOP");
			break;
		case 3:
		case 4:
			snprintf(cmd, sizeof(cmd), "%d", (int)rnd(111) - 5);
			break;
		case 5:
			snprintf(cmd, sizeof(cmd), "%s",
				 garbage[rnd(sizeof(garbage) / sizeof(garbage[0]))]);
			break;
		default:
			snprintf(cmd, sizeof(cmd), " %u \n", rnd(101));
			break;
		}
		ret = act_cmd(a, cmd, t, NULL, 0);
		ck_assert_msg(ret == 0 || ret == -EINVAL || ret == -ERANGE || ret == -EAGAIN ||
			      ret == -ENODATA, "seed %llu: \"%s\" gave %d",
			      (unsigned long long)seed, cmd, ret);
		if (ret == 0)
			obeyed++;
		else
			refused++;
		check_history(&ls, seed);
		/* what the actuator says is what the lines are */
		ck_assert_int_eq(ls.level[0], sgw_gpio_sim_get(UP));
		ck_assert_int_eq(ls.level[1], sgw_gpio_sim_get(DOWN));
		ck_assert_int_eq(ls.level[0],
				 strcmp(sgw_actuator_state(a), "opening") == 0);
		ck_assert_int_eq(ls.level[1],
				 strcmp(sgw_actuator_state(a), "closing") == 0);
		ret = sgw_actuator_position(a, t);
		ck_assert_int_ge(ret, -1);
		ck_assert_int_le(ret, 100);
	}
	while (sgw_actuator_next_deadline(a) != INT64_MAX)
		act_tick(a, sgw_actuator_next_deadline(a));
	check_history(&ls, seed);
	sgw_actuator_close(a);
	check_history(&ls, seed);
	assert_lines(0, 0);
	printf("random_commands: %lu obeyed, %lu refused, %lu line changes, %lu after a dead time\n",
	       obeyed, refused, ls.changes, ls.reversals);
	/* the time line must have tried the interlock, not just passed by it */
	ck_assert_uint_gt(obeyed, 2000);
	ck_assert_uint_gt(ls.reversals, 200);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("actuate_cover");
	TCase *tc = tcase_create("cover");

	tcase_add_checked_fixture(tc, act_setup, act_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, full_run_makes_position_known);
	tcase_add_test(tc, dead_time_on_reversal);
	tcase_add_test(tc, positions);
	tcase_add_test(tc, safe_state);
	tcase_add_test(tc, failing_line);
	tcase_add_test(tc, random_commands);
	suite_add_tcase(s, tc);
	return sgw_test_run(s);
}
