/* SPDX-License-Identifier: MIT */
/*
 * Sim GPIO backend: SGW_GPIO_SIM_NLINES software lines on the chip "sim".
 * Tests and the demo drive levels with sgw_gpio_sim_set(); a requested line
 * queues one edge per change of level, like the kernel's line-event FIFO
 * (which drops new events when full), and waiters sleep on a condition
 * variable on CLOCK_MONOTONIC.  Output lines drive the level themselves and
 * leave a history of their changes (and a trace file, see gpio.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "gpio_backend.h"
#include "util/clock.h"

#define SIM_QUEUE 64	/* edges kept per line while nobody reads them */

struct sim_line {
	bool driven;		/* else the line floats and reads its bias */
	int drive;		/* level when driven */
	bool requested;
	bool output;		/* requested as an output */
	int trace_fd;		/* output: SENSORGW_GPIO_SIM_TRACE, or -1 */
	enum sgw_gpio_bias bias;
	struct sgw_gpio_event q[SIM_QUEUE];
	unsigned int head, count;
	unsigned long dropped;
};

static pthread_mutex_t sim_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sim_cond;
static pthread_once_t sim_once = PTHREAD_ONCE_INIT;
static struct sim_line sim_lines[SGW_GPIO_SIM_NLINES];
/* Output changes of every line, oldest at hist_head (sgw_gpio_sim_history()). */
static struct sgw_gpio_sim_change sim_hist[SGW_GPIO_SIM_HISTORY];
static size_t hist_head, hist_count;
static unsigned long hist_dropped;
static int64_t (*sim_now)(void);

static void sim_init(void)
{
	pthread_condattr_t attr;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&sim_cond, &attr);
	pthread_condattr_destroy(&attr);
}

static void sim_lock_all(void)
{
	pthread_once(&sim_once, sim_init);
	pthread_mutex_lock(&sim_lock);
}

/* Physical level; caller holds sim_lock. */
static int sim_level(const struct sim_line *l)
{
	if (l->driven)
		return l->drive;
	return l->requested && l->bias == SGW_GPIO_BIAS_PULL_UP;
}

static void sim_queue_edge(struct sim_line *l, int level, int64_t ts_ns)
{
	if (l->count == SIM_QUEUE) {
		l->dropped++;
		return;
	}
	l->q[(l->head + l->count) % SIM_QUEUE] = (struct sgw_gpio_event){ level, ts_ns };
	l->count++;
}

int sgw_gpio_sim_set_at(unsigned int offset, int value, int64_t ts_ns)
{
	struct sim_line *l;
	int old;

	if (offset >= SGW_GPIO_SIM_NLINES)
		return -EINVAL;
	sim_lock_all();
	l = &sim_lines[offset];
	old = sim_level(l);
	l->driven = true;
	l->drive = !!value;
	if (l->requested && l->drive != old) {
		sim_queue_edge(l, l->drive, ts_ns);
		pthread_cond_broadcast(&sim_cond);
	}
	pthread_mutex_unlock(&sim_lock);
	return 0;
}

int sgw_gpio_sim_set(unsigned int offset, int value)
{
	return sgw_gpio_sim_set_at(offset, value, sgw_mono_ns());
}

int sgw_gpio_sim_get(unsigned int offset)
{
	int v;

	if (offset >= SGW_GPIO_SIM_NLINES)
		return -EINVAL;
	sim_lock_all();
	v = sim_level(&sim_lines[offset]);
	pthread_mutex_unlock(&sim_lock);
	return v;
}

unsigned long sgw_gpio_sim_dropped(unsigned int offset)
{
	unsigned long n;

	if (offset >= SGW_GPIO_SIM_NLINES)
		return 0;
	sim_lock_all();
	n = sim_lines[offset].dropped;
	pthread_mutex_unlock(&sim_lock);
	return n;
}

void sgw_gpio_sim_reset(void)
{
	sim_lock_all();
	for (unsigned int i = 0; i < SGW_GPIO_SIM_NLINES; i++) {
		struct sim_line *l = &sim_lines[i];

		if (l->requested)
			continue;
		*l = (struct sim_line){ 0 };
	}
	hist_head = hist_count = 0;
	hist_dropped = 0;
	pthread_mutex_unlock(&sim_lock);
}

size_t sgw_gpio_sim_history(struct sgw_gpio_sim_change *ch, size_t max)
{
	size_t n = 0;

	sim_lock_all();
	while (n < max && hist_count > 0) {
		ch[n++] = sim_hist[hist_head];
		hist_head = (hist_head + 1) % SGW_GPIO_SIM_HISTORY;
		hist_count--;
	}
	pthread_mutex_unlock(&sim_lock);
	return n;
}

unsigned long sgw_gpio_sim_history_dropped(void)
{
	unsigned long n;

	sim_lock_all();
	n = hist_dropped;
	pthread_mutex_unlock(&sim_lock);
	return n;
}

void sgw_gpio_sim_set_clock(int64_t (*now)(void))
{
	sim_lock_all();
	sim_now = now;
	pthread_mutex_unlock(&sim_lock);
}

/*
 * Drive output line L to VALUE and note a change of level in the history
 * and the trace; caller holds sim_lock.
 */
static void sim_drive(struct sim_line *l, int value)
{
	int old = sim_level(l);
	int64_t ts;

	l->driven = true;
	l->drive = !!value;
	if (l->drive == old)
		return;
	ts = sim_now ? sim_now() : sgw_mono_ns();
	if (hist_count == SGW_GPIO_SIM_HISTORY) {
		hist_dropped++;
	} else {
		sim_hist[(hist_head + hist_count) % SGW_GPIO_SIM_HISTORY] =
			(struct sgw_gpio_sim_change){ (unsigned int)(l - sim_lines), l->drive, ts };
		hist_count++;
	}
	if (l->trace_fd >= 0) {
		char buf[64];
		int n = snprintf(buf, sizeof(buf), "%lld %u %d\n", (long long)ts,
				 (unsigned int)(l - sim_lines), l->drive);

		/* one write per line: with O_APPEND, lines of several writers never mix */
		if (write(l->trace_fd, buf, (size_t)n) < 0) {
			/* a trace is for tests: losing it must not fail the line */
		}
	}
}

/* Mark the line at REQ's offset requested; caller holds sim_lock. */
static int sim_request(const struct sgw_gpio_request *req, struct sim_line **out)
{
	struct sim_line *l;

	if (req->offset >= SGW_GPIO_SIM_NLINES)
		return -EINVAL;
	l = &sim_lines[req->offset];
	if (l->requested)
		return -EBUSY;
	l->requested = true;
	l->bias = req->bias;
	l->head = l->count = 0;	/* no edges from before the request */
	l->trace_fd = -1;
	*out = l;
	return 0;
}

static int sim_open(const struct sgw_gpio_request *req, void **priv)
{
	struct sim_line *l;
	int ret;

	sim_lock_all();
	ret = sim_request(req, &l);
	if (ret == 0)
		*priv = l;
	pthread_mutex_unlock(&sim_lock);
	return ret;
}

static int sim_open_output(const struct sgw_gpio_request *req, int value, void **priv)
{
	const char *trace = getenv("SENSORGW_GPIO_SIM_TRACE");
	struct sim_line *l;
	int fd = -1;
	int ret;

	if (trace && *trace) {
		fd = open(trace, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0)
			return -errno;
	}
	sim_lock_all();
	ret = sim_request(req, &l);
	if (ret == 0) {
		l->output = true;
		l->trace_fd = fd;
		fd = -1;
		sim_drive(l, value);
		*priv = l;
	}
	pthread_mutex_unlock(&sim_lock);
	if (fd >= 0)
		close(fd);
	return ret;
}

static int sim_get(void *priv)
{
	int v;

	sim_lock_all();
	v = sim_level(priv);
	pthread_mutex_unlock(&sim_lock);
	return v;
}

static int sim_set(void *priv, int value)
{
	struct sim_line *l = priv;
	int ret = 0;

	sim_lock_all();
	if (l->output)
		sim_drive(l, value);
	else
		ret = -EPERM;	/* the kernel's answer for an input */
	pthread_mutex_unlock(&sim_lock);
	return ret;
}

static int sim_wait(void *priv, int timeout_ms, struct sgw_gpio_event *ev)
{
	struct sim_line *l = priv;
	/* sim_cond waits on CLOCK_MONOTONIC (sim_init). */
	struct timespec deadline = sgw_clock_after_ms(CLOCK_MONOTONIC, timeout_ms);
	int ret = 0;

	sim_lock_all();
	while (l->count == 0 && ret == 0) {
		if (timeout_ms == 0)
			break;
		ret = pthread_cond_timedwait(&sim_cond, &sim_lock, &deadline);
	}
	if (l->count > 0) {
		*ev = l->q[l->head];
		l->head = (l->head + 1) % SIM_QUEUE;
		l->count--;
		ret = 1;
	} else {
		ret = ret == ETIMEDOUT || ret == 0 ? 0 : -ret;
	}
	pthread_mutex_unlock(&sim_lock);
	return ret;
}

static void sim_close(void *priv)
{
	struct sim_line *l = priv;

	sim_lock_all();
	l->requested = false;
	l->output = false;
	l->head = l->count = 0;
	if (l->trace_fd >= 0)
		close(l->trace_fd);
	l->trace_fd = -1;
	pthread_mutex_unlock(&sim_lock);
}

const struct sgw_gpio_ops sgw_gpio_sim_ops = {
	.name = "sim",
	.open = sim_open,
	.open_output = sim_open_output,
	.get = sim_get,
	.set = sim_set,
	.wait = sim_wait,
	.close = sim_close,
};
