/* SPDX-License-Identifier: MIT */
/*
 * Clocks: CLOCK_MONOTONIC for schedules, deadlines and GPIO event times,
 * CLOCK_REALTIME (the wall clock) and CLOCK_BOOTTIME for time stamps.  The
 * one place that reads them, and that knows whether the wall clock is right.
 *
 * A Raspberry Pi has no real-time clock: it boots with the time saved at the
 * last shutdown (fake-hwclock), or in 1970, and the wall clock is right only
 * once a time daemon (systemd-timesyncd, chrony, ntpd) has set it.  Until
 * sgw_clock_check() finds it synchronised, a time stamp also keeps the boot
 * time (CLOCK_BOOTTIME counts suspend and never jumps) and the boot it was
 * taken in; from that moment sgw_clock_fix() gives such a stamp its wall
 * time: its boot time plus the wall clock's lead over the boot clock at that
 * moment.  A boot time means nothing in another boot: those stamps stay
 * unsynchronised for good.
 */
#ifndef SGW_CLOCK_H
#define SGW_CLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/timex.h>
#include <time.h>

#define SGW_NS_PER_MS 1000000LL
#define SGW_NS_PER_S 1000000000LL

/*
 * The kernel's cap on adjtimex(2)'s maxerror, in µs (NTP_PHASE_LIMIT): the
 * value at boot and after settimeofday(), which nothing but a time daemon
 * lowers.
 */
#define SGW_CLOCK_MAXERROR_CAP_US 16000000L

/* When something happened, as far as the clocks know. */
struct sgw_stamp {
	int64_t wall_ms;	/* CLOCK_REALTIME, ms since the epoch, as read */
	int64_t boot_ms;	/* CLOCK_BOOTTIME, ms; only when UNSYNCED */
	uint64_t boot;		/* sgw_clock_boot() of its boot; only when UNSYNCED */
	bool unsynced;		/* WALL_MS was read before the clock was known right */
};

/* CLOCK_MONOTONIC in ns. */
int64_t sgw_mono_ns(void);
/* CLOCK_REALTIME in ms since the epoch, right or not. */
int64_t sgw_real_ms(void);
/* CLOCK_BOOTTIME in ms. */
int64_t sgw_boot_ms(void);
/*
 * CLOCK's time MS milliseconds (>= 0) from now, as pthread_cond_timedwait()
 * takes it (CLOCK_REALTIME unless the condition variable was set to another).
 */
struct timespec sgw_clock_after_ms(clockid_t clock, int64_t ms);

/*
 * The rule, from adjtimex(2)'s answer TX: the wall clock is synchronised
 * when STA_UNSYNC is clear or maxerror is below the kernel's cap.  The
 * kernel sets STA_UNSYNC and maxerror = 16 s at boot and whenever the clock
 * is set (settimeofday(): fake-hwclock, date -s); maxerror then grows by
 * 500 µs a second up to the cap, where the kernel sets STA_UNSYNC again.  A
 * time daemon that disciplines the clock lowers maxerror to its error bound
 * and clears STA_UNSYNC, except chrony without rtcsync, which leaves the
 * flag set (it would let the kernel write the RTC) but keeps maxerror low.
 */
bool sgw_clock_timex_synced(const struct timex *tx);

/*
 * Look whether the wall clock is synchronised (main thread; once a second
 * until it is).  The first time it is, the wall clock's lead over the boot
 * clock is noted for sgw_clock_fix(), and from then on stamps are taken
 * synchronised.  Returns 1 then (the moment older stamps can be fixed), 0
 * when nothing changed (not synchronised yet, or it was before), -errno
 * when the clock's state cannot be read (adjtimex() refused by a seccomp
 * filter: nothing changes; see sgw_clock_trust()).
 */
int sgw_clock_check(void);
/*
 * Take the wall clock as right from now on, as sgw_clock_check() does when
 * it finds it synchronised: for a clock set from a battery-backed RTC, or
 * one whose state cannot be read.  True when it was not so before.
 */
bool sgw_clock_trust(void);
/* Found synchronised (or trusted) by now.  Any thread. */
bool sgw_clock_synced(void);
/*
 * Once synchronised: true and *LEAD_MS, the wall clock's lead over the boot
 * clock then, which sgw_clock_fix() adds to a boot time.
 */
bool sgw_clock_lead(int64_t *lead_ms);

/* Now: unsynchronised, with the boot time, until the clock is found right.  Any thread. */
struct sgw_stamp sgw_clock_stamp(void);
/*
 * Give S, taken unsynchronised in this boot, its wall time now that the
 * clock is synchronised: true.  False when nothing changed: S was
 * synchronised, the clock is not yet, or S is from another boot.
 */
bool sgw_clock_fix(struct sgw_stamp *s);
/*
 * This boot: 64 bits of the kernel's boot_id (/proc/sys/kernel/random/boot_id),
 * or, when that cannot be read, a random number of this process's own (a
 * stamp of an earlier run then counts as another boot's).  Never 0.
 */
uint64_t sgw_clock_boot(void);

/*
 * Where the wall and boot clocks, the clock's state and the boot come from:
 * the kernel, or a test's fake.  SYNCED returns 1 (synchronised), 0 (not)
 * or -errno (cannot tell); BOOT never 0.
 */
struct sgw_clock_source {
	int64_t (*wall_ms)(void *arg);
	int64_t (*boot_ms)(void *arg);
	int (*synced)(void *arg);
	uint64_t (*boot)(void *arg);
	void *arg;
};

/*
 * Read the clocks from SRC (NULL: the kernel) and forget what was found:
 * not synchronised.  For tests, while no other thread uses the clock; SRC
 * outlives its use.  CLOCK_MONOTONIC is always the kernel's.
 */
void sgw_clock_use(const struct sgw_clock_source *src);

#endif
