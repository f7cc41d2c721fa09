/* SPDX-License-Identifier: MIT */
#include "clock.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/random.h>
#include <unistd.h>

/* ------------------------------------------------------------ the kernel */

static int64_t ms_of(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t kernel_wall_ms(void *arg)
{
	(void)arg;
	return ms_of(CLOCK_REALTIME);
}

static int64_t kernel_boot_ms(void *arg)
{
	(void)arg;
	return ms_of(CLOCK_BOOTTIME);
}

static int kernel_synced(void *arg)
{
	struct timex tx = { .modes = 0 };	/* read only: no privilege needed */

	(void)arg;
	if (adjtimex(&tx) < 0)
		return -errno;
	return sgw_clock_timex_synced(&tx);
}

static uint64_t kernel_boot_id;
static pthread_once_t kernel_boot_once = PTHREAD_ONCE_INIT;

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The boot_id UUID's 128 bits folded to 64; 0 when it cannot be read. */
static uint64_t read_boot_id(void)
{
	char buf[64];
	uint64_t hi = 0, lo = 0;
	unsigned digits = 0;
	ssize_t n;
	int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	for (ssize_t i = 0; i < n && buf[i] != '\n'; i++) {
		int d = hex_digit(buf[i]);

		if (buf[i] == '-')
			continue;
		if (d < 0 || digits == 32)
			return 0;
		if (digits++ < 16)
			hi = hi << 4 | (uint64_t)d;
		else
			lo = lo << 4 | (uint64_t)d;
	}
	return digits == 32 ? hi ^ lo : 0;
}

static void kernel_boot_init(void)
{
	uint64_t id = read_boot_id();

	/*
	 * Unreadable (a /proc without sys, ProcSubset=pid): a number of this
	 * process's own, so that no earlier run's boot time is trusted.
	 */
	if (id == 0 && getrandom(&id, sizeof(id), GRND_NONBLOCK) != (ssize_t)sizeof(id))
		id = (uint64_t)getpid() << 32 ^ (uint64_t)ms_of(CLOCK_MONOTONIC);
	kernel_boot_id = id ? id : 1;
}

static uint64_t kernel_boot(void *arg)
{
	(void)arg;
	pthread_once(&kernel_boot_once, kernel_boot_init);
	return kernel_boot_id;
}

static const struct sgw_clock_source kernel = {
	.wall_ms = kernel_wall_ms,
	.boot_ms = kernel_boot_ms,
	.synced = kernel_synced,
	.boot = kernel_boot,
};

/* ------------------------------------------------------------ state */

static const struct sgw_clock_source *src = &kernel;
/* Set once, LEAD first: a thread that sees SYNCED sees the lead. */
static atomic_bool synced;
static _Atomic int64_t lead;	/* wall - boot, in ms, when found synchronised */

int64_t sgw_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * SGW_NS_PER_S + ts.tv_nsec;
}

int64_t sgw_real_ms(void)
{
	return src->wall_ms(src->arg);
}

int64_t sgw_boot_ms(void)
{
	return src->boot_ms(src->arg);
}

struct timespec sgw_clock_after_ms(clockid_t clock, int64_t ms)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	ts.tv_sec += (time_t)(ms / 1000);
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

bool sgw_clock_timex_synced(const struct timex *tx)
{
	return !(tx->status & STA_UNSYNC) || tx->maxerror < SGW_CLOCK_MAXERROR_CAP_US;
}

bool sgw_clock_trust(void)
{
	int64_t boot, wall;

	if (sgw_clock_synced())
		return false;
	boot = src->boot_ms(src->arg);
	wall = src->wall_ms(src->arg);
	atomic_store(&lead, wall - boot);
	atomic_store(&synced, true);
	return true;
}

int sgw_clock_check(void)
{
	int r;

	if (sgw_clock_synced())
		return 0;
	r = src->synced(src->arg);
	if (r <= 0)
		return r;
	return sgw_clock_trust() ? 1 : 0;
}

bool sgw_clock_synced(void)
{
	return atomic_load(&synced);
}

bool sgw_clock_lead(int64_t *lead_ms)
{
	if (!sgw_clock_synced())
		return false;
	*lead_ms = atomic_load(&lead);
	return true;
}

struct sgw_stamp sgw_clock_stamp(void)
{
	struct sgw_stamp s = { .wall_ms = src->wall_ms(src->arg) };

	if (!sgw_clock_synced()) {
		s.boot_ms = src->boot_ms(src->arg);
		s.boot = sgw_clock_boot();
		s.unsynced = true;
	}
	return s;
}

bool sgw_clock_fix(struct sgw_stamp *s)
{
	if (!s->unsynced || !sgw_clock_synced() || s->boot != sgw_clock_boot())
		return false;
	s->wall_ms = s->boot_ms + atomic_load(&lead);
	s->unsynced = false;
	return true;
}

uint64_t sgw_clock_boot(void)
{
	return src->boot(src->arg);
}

void sgw_clock_use(const struct sgw_clock_source *s)
{
	src = s ? s : &kernel;
	atomic_store(&synced, false);
	atomic_store(&lead, 0);
}
