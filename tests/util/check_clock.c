/* SPDX-License-Identifier: MIT */
/*
 * The clock: the rule that tells a synchronised clock from adjtimex(2)'s
 * answer, the kernel's clocks and boot id, and with a fake clock the moment
 * of synchronisation, stamps before and after it, the wall time worked out
 * for the ones before, and stamps of another boot.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/timex.h>

#include "tests/fixtures/fakeclock.h"
#include "tests/fixtures/run.h"
#include "util/clock.h"

static struct fake_clock fc;

static void teardown(void)
{
	fake_clock_remove();
}

static bool rule(int status, long maxerror)
{
	struct timex tx = { .status = status, .maxerror = maxerror };

	return sgw_clock_timex_synced(&tx);
}

START_TEST(test_rule)
{
	/* At boot, and after settimeofday(): the kernel's ntp_clear(). */
	ck_assert(!rule(STA_UNSYNC, SGW_CLOCK_MAXERROR_CAP_US));
	/* systemd-timesyncd (and ntpd): STA_UNSYNC cleared, maxerror 0 and growing. */
	ck_assert(rule(STA_PLL, 0));
	ck_assert(rule(STA_PLL, 1000000));
	/* chrony without rtcsync: STA_UNSYNC stays, maxerror is its error bound. */
	ck_assert(rule(STA_UNSYNC | STA_PLL, 17288));
	ck_assert(rule(STA_UNSYNC, SGW_CLOCK_MAXERROR_CAP_US - 1));
	/* chrony when it loses its sources: maxerror back at the cap. */
	ck_assert(!rule(STA_UNSYNC | STA_PLL, SGW_CLOCK_MAXERROR_CAP_US));
}
END_TEST

START_TEST(test_kernel)
{
	struct timespec mono, boot;
	struct timex tx = { .modes = 0 };
	char id[64] = "";
	int r = sgw_clock_check();
	FILE *f;

	/* What the kernel says, as adjtimex() says it (or it cannot be read). */
	if (adjtimex(&tx) < 0)
		ck_assert_int_eq(r, -errno);
	else
		ck_assert_int_eq(r, sgw_clock_timex_synced(&tx));
	ck_assert(sgw_clock_synced() == (r == 1));
	/* The boot clock counts suspend: never behind the monotonic clock. */
	clock_gettime(CLOCK_MONOTONIC, &mono);
	ck_assert_int_ge(sgw_boot_ms(), mono.tv_sec * 1000 + mono.tv_nsec / 1000000);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	ck_assert_int_le(sgw_boot_ms() - (boot.tv_sec * 1000 + boot.tv_nsec / 1000000), 1000);
	/* The boot is the same all along, and it is boot_id's when that can be read. */
	ck_assert(sgw_clock_boot() != 0);
	ck_assert(sgw_clock_boot() == sgw_clock_boot());
	f = fopen("/proc/sys/kernel/random/boot_id", "r");
	if (f && fgets(id, sizeof(id), f)) {
		unsigned long long a, b, c, d, e;

		ck_assert_int_eq(sscanf(id, "%8llx-%4llx-%4llx-%4llx-%12llx", &a, &b, &c, &d, &e), 5);
		ck_assert(sgw_clock_boot() == ((a << 32 | b << 16 | c) ^ (d << 48 | e)));
	}
	if (f)
		fclose(f);
}
END_TEST

START_TEST(test_before_and_after_sync)
{
	/* Booted in 1970 (no fake-hwclock), 5 s after the boot. */
	struct sgw_stamp before, after, again;

	fake_clock_install(&fc, 5000, 5000);
	ck_assert(!sgw_clock_synced());
	ck_assert_int_eq(sgw_clock_check(), 0);
	before = sgw_clock_stamp();
	ck_assert(before.unsynced);
	ck_assert_int_eq(before.wall_ms, 5000);
	ck_assert_int_eq(before.boot_ms, 5000);
	ck_assert(before.boot == sgw_clock_boot());
	again = before;
	ck_assert(!sgw_clock_fix(&again));
	ck_assert_mem_eq(&again, &before, sizeof(again));

	/* A minute later a time daemon sets the clock: 2023-11-14T22:13:20Z. */
	fake_clock_advance(&fc, 60000);
	fake_clock_sync(&fc, INT64_C(1700000000000));
	ck_assert(!sgw_clock_synced());		/* not until it is looked at */
	ck_assert(sgw_clock_stamp().unsynced);
	fake_clock_advance(&fc, 250);
	ck_assert_int_eq(sgw_clock_check(), 1);	/* the moment */
	ck_assert(sgw_clock_synced());
	ck_assert_int_eq(sgw_clock_check(), 0);	/* once */

	/* Taken 60.25 s before the moment the clock was 1700000000250. */
	ck_assert(sgw_clock_fix(&before));
	ck_assert(!before.unsynced);
	ck_assert_int_eq(before.wall_ms, INT64_C(1700000000250) - 60250);
	ck_assert(!sgw_clock_fix(&before));	/* done once */
	ck_assert_int_eq(before.wall_ms, INT64_C(1700000000000) - 60000);

	fake_clock_advance(&fc, 1000);
	after = sgw_clock_stamp();
	ck_assert(!after.unsynced);
	ck_assert_int_eq(after.wall_ms, INT64_C(1700000001250));
	ck_assert(!sgw_clock_fix(&after));
	ck_assert_int_eq(after.wall_ms, INT64_C(1700000001250));
	/* The time daemon steps the clock again: what was found stays. */
	fake_clock_sync(&fc, INT64_C(1700000009999));
	again = (struct sgw_stamp){ .wall_ms = 1, .boot_ms = 7000, .boot = sgw_clock_boot(),
				    .unsynced = true };
	ck_assert(sgw_clock_fix(&again));
	ck_assert_int_eq(again.wall_ms, INT64_C(1700000000250) - 65250 + 7000);
}
END_TEST

START_TEST(test_other_boot)
{
	struct sgw_stamp old;

	/* fake-hwclock: the time saved at the last shutdown. */
	fake_clock_install(&fc, INT64_C(1690000000000), 3000);
	old = sgw_clock_stamp();
	ck_assert(old.unsynced);
	/* Power cut, a new boot; the new process finds the clock synchronised at once. */
	fake_clock_reboot(&fc, INT64_C(1690000001000), 2000);
	ck_assert(!sgw_clock_synced());
	ck_assert(sgw_clock_boot() != old.boot);
	fake_clock_sync(&fc, INT64_C(1700000000000));
	ck_assert_int_eq(sgw_clock_check(), 1);
	/* Its boot time counted in the boot before: nothing to work out from it. */
	ck_assert(!sgw_clock_fix(&old));
	ck_assert(old.unsynced);
	ck_assert_int_eq(old.wall_ms, INT64_C(1690000000000));
}
END_TEST

START_TEST(test_cannot_tell)
{
	struct sgw_stamp s;

	fake_clock_install(&fc, INT64_C(1700000000000), 10000);
	atomic_store(&fc.synced, -EPERM);	/* a seccomp filter without adjtimex */
	s = sgw_clock_stamp();
	ck_assert_int_eq(sgw_clock_check(), -EPERM);
	ck_assert(!sgw_clock_synced());
	fake_clock_advance(&fc, 500);
	ck_assert(sgw_clock_trust());
	ck_assert(sgw_clock_synced());
	ck_assert(!sgw_clock_trust());
	ck_assert_int_eq(sgw_clock_check(), 0);
	/* Taken as right: the clock's lead over the boot clock as it is. */
	ck_assert(sgw_clock_fix(&s));
	ck_assert_int_eq(s.wall_ms, INT64_C(1700000000000));
	ck_assert(!sgw_clock_stamp().unsynced);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("clock");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_rule);
	tcase_add_test(tc, test_kernel);
	tcase_add_test(tc, test_before_and_after_sync);
	tcase_add_test(tc, test_other_boot);
	tcase_add_test(tc, test_cannot_tell);
	suite_add_tcase(s, tc);
	return sgw_test_run(s);
}
