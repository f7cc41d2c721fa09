/* SPDX-License-Identifier: MIT */
/*
 * Bus workers against fake drivers (tests/mocks/fake_driver.h) that record
 * which thread called them and that the test can hold inside read() or
 * fail.  Every wait is a condition wait with a deadline of seconds: no
 * sleep stands in for a proof, so the suite holds on a loaded machine,
 * under ASan and under qemu-user (where Check's fork mode is off and the
 * cases share one process).
 */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "sense/worker.h"
#include "tests/fixtures/run.h"
#include "tests/mocks/fake_driver.h"
#include "util/clock.h"

/*
 * The case's pool.  A failed assertion leaves the case early; the teardown
 * then lets every held read return and stops the pool, so that no thread of
 * a failed case runs on into the next one when they share the process
 * (Check's fork mode off).
 */
static struct sgw_workers *pool;
/* test_free_with_stuck_driver's, apart: its abandoned thread outlives the case. */
static struct fake stuck_fake;
static struct sgw_sensor_config stuck_sc;
static struct sgw_config stuck_cfg;
static struct sgw_workers *abandoned;	/* reachable: abandoned by design, not leaked */

static void setup(void)
{
	fake_reset();
}

static void teardown(void)
{
	LOCKED(for (size_t i = 0; i < FAKE_MAX; i++) fakes[i].hold = false; stuck_fake.hold = false);
	if (pool)
		sgw_workers_free(pool, DEADLINE_S * 1000);
	pool = NULL;
}

static int64_t mono_ms(void)
{
	return sgw_mono_ns() / SGW_NS_PER_MS;
}

static bool fd_readable(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}

/* Take exactly N samples, waiting on the pool's fd for them. */
static void collect_n(struct sgw_workers *w, struct sgw_sample *out, size_t n)
{
	int64_t end = mono_ms() + DEADLINE_S * 1000;
	size_t got = 0;

	while (got < n) {
		int64_t left = end - mono_ms();

		ck_assert_msg(left > 0, "%zu of %zu samples within %d s", got, n, DEADLINE_S);
		if (fd_readable(sgw_workers_fd(w), (int)left))
			got += sgw_workers_collect(w, out + got, n - got);
	}
}

static struct sgw_workers *workers_new(void)
{
	pool = sgw_workers_new(&fake_cfg);
	ck_assert_ptr_nonnull(pool);
	return pool;
}

static void workers_free(void)
{
	int err = sgw_workers_free(pool, DEADLINE_S * 1000);

	pool = NULL;
	ck_assert_int_eq(err, 0);
}

/* Four sensors on one bus: one thread, one read at a time, in request order. */
START_TEST(test_one_bus_serial_in_request_order)
{
	uint32_t a = fake_add_sensor("i2c-1", &fake_drv, false);
	uint32_t b = fake_add_sensor("i2c-1", &fake_drv, false);
	uint32_t c = fake_add_sensor("i2c-1", &fake_drv, false);
	uint32_t d = fake_add_sensor("i2c-1", &fake_drv, false);
	struct sgw_workers *w = workers_new();
	struct sgw_sample smp[4];

	/* Hold A in its read so that the others queue up behind it. */
	LOCKED(fakes[a].hold = true);
	ck_assert_int_eq(sgw_workers_request(w, a, 1), 0);
	AWAIT(fakes[a].in_read);
	ck_assert_int_eq(sgw_workers_request(w, d, 2), 0);
	ck_assert_int_eq(sgw_workers_request(w, b, 3), 0);
	ck_assert_int_eq(sgw_workers_request(w, c, 4), 0);
	LOCKED(fakes[a].hold = false);
	collect_n(w, smp, 4);

	ck_assert_uint_eq(smp[0].sensor, a);
	ck_assert_uint_eq(smp[1].sensor, d);
	ck_assert_uint_eq(smp[2].sensor, b);
	ck_assert_uint_eq(smp[3].sensor, c);
	/* The reads are over (their samples are in), so the log is final. */
	ck_assert_uint_eq(fake_nlog, 4);
	ck_assert_int_eq(fake_log[0], (int)a);
	ck_assert_int_eq(fake_log[1], (int)d);
	ck_assert_int_eq(fake_log[2], (int)b);
	ck_assert_int_eq(fake_log[3], (int)c);
	/* One thread, not the caller's: its reads cannot overlap. */
	ck_assert(!pthread_equal(fake_peek(&fakes[a]).read_thread, pthread_self()));
	for (uint32_t i = b; i <= d; i++) {
		struct fake f = fake_peek(&fakes[i]);

		ck_assert(pthread_equal(f.read_thread, fake_peek(&fakes[a]).read_thread));
		ck_assert_int_eq(f.others_reading, 0);
		ck_assert_int_eq(f.reads, 1);
		ck_assert(!f.read_unopened);
	}
	workers_free();
}
END_TEST

/* A read stuck on one bus does not delay a sensor on another bus. */
START_TEST(test_two_buses_concurrent)
{
	uint32_t slow = fake_add_sensor("i2c-1", &fake_drv, false);
	uint32_t fast = fake_add_sensor("i2c-2", &fake_drv, false);
	struct sgw_workers *w = workers_new();
	struct sgw_sample smp[1];

	LOCKED(fakes[slow].hold = true);
	ck_assert_int_eq(sgw_workers_request(w, slow, 1), 0);
	AWAIT(fakes[slow].in_read);
	ck_assert_int_eq(sgw_workers_request(w, fast, 2), 0);
	collect_n(w, smp, 1);
	ck_assert_uint_eq(smp[0].sensor, fast);
	ck_assert_int_eq(smp[0].err, 0);
	ck_assert(fake_peek(&fakes[slow]).in_read);
	ck_assert_int_eq(fake_peek(&fakes[fast]).others_reading, 1);
	ck_assert(!pthread_equal(fake_peek(&fakes[fast]).read_thread, fake_peek(&fakes[slow]).read_thread));

	LOCKED(fakes[slow].hold = false);
	collect_n(w, smp, 1);
	ck_assert_uint_eq(smp[0].sensor, slow);
	workers_free();
}
END_TEST

START_TEST(test_request_busy_while_outstanding)
{
	uint32_t a = fake_add_sensor("i2c-1", &fake_drv, false);
	uint32_t b = fake_add_sensor("i2c-1", &fake_drv, false);
	struct sgw_workers *w = workers_new();
	struct sgw_sample smp[2];

	LOCKED(fakes[a].hold = true);
	ck_assert_int_eq(sgw_workers_request(w, a, 1), 0);
	AWAIT(fakes[a].in_read);
	/* Being read... */
	ck_assert_int_eq(sgw_workers_request(w, a, 2), -EBUSY);
	/* ...or queued behind it. */
	ck_assert_int_eq(sgw_workers_request(w, b, 3), 0);
	ck_assert_int_eq(sgw_workers_request(w, b, 4), -EBUSY);
	LOCKED(fakes[a].hold = false);
	collect_n(w, smp, 2);
	/* The refused requests left no trace: the first due times came back. */
	ck_assert_uint_eq(smp[0].sensor, a);
	ck_assert_int_eq(smp[0].due_ns, 1);
	ck_assert_uint_eq(smp[1].sensor, b);
	ck_assert_int_eq(smp[1].due_ns, 3);
	ck_assert_int_eq(fake_peek(&fakes[a]).reads, 1);
	ck_assert_int_eq(fake_peek(&fakes[b]).reads, 1);
	workers_free();
}
END_TEST

/* Once its sample is collected a sensor's request is finished: no -EBUSY. */
START_TEST(test_request_again_after_collect)
{
	uint32_t a = fake_add_sensor("i2c-1", &fake_drv, false);
	struct sgw_workers *w = workers_new();
	struct sgw_sample smp[1];

	for (int64_t k = 1; k <= 500; k++) {
		ck_assert_int_eq(sgw_workers_request(w, a, k), 0);
		collect_n(w, smp, 1);
		ck_assert_int_eq(smp[0].due_ns, k);
	}
	workers_free();
}
END_TEST

/* inline_io: sampled in the caller's thread before sgw_workers_request returns. */
START_TEST(test_inline_in_callers_thread)
{
	uint32_t a = fake_add_sensor("sim", &fake_drv, true);
	struct sgw_workers *w = workers_new();
	struct sgw_sample smp[2];

	ck_assert_int_eq(sgw_workers_request(w, a, 42), 0);
	ck_assert(fd_readable(sgw_workers_fd(w), 0));
	ck_assert_uint_eq(sgw_workers_collect(w, smp, 2), 1);
	ck_assert_uint_eq(smp[0].sensor, a);
	ck_assert_int_eq(smp[0].due_ns, 42);
	ck_assert_int_eq(smp[0].err, 0);
	ck_assert_int_eq(smp[0].values[0], fakes[a].value);
	ck_assert(pthread_equal(fakes[a].open_thread, pthread_self()));
	ck_assert(pthread_equal(fakes[a].read_thread, pthread_self()));
	/* Nothing is outstanding for an inline sensor. */
	ck_assert_int_eq(sgw_workers_request(w, a, 43), 0);
	ck_assert_uint_eq(sgw_workers_collect(w, smp, 2), 1);
	ck_assert_int_eq(smp[0].due_ns, 43);
	ck_assert_int_eq(fakes[a].opens, 1);
	ck_assert_int_eq(fakes[a].reads, 2);
	workers_free();
	ck_assert_int_eq(fakes[a].closes, 1);
	ck_assert(pthread_equal(fakes[a].close_thread, pthread_self()));
}
END_TEST

/*
 * An event source posts samples unasked, from a thread of its own even when
 * its bus is busy with another sensor's read; a request is still a read.
 */
START_TEST(test_event_source)
{
	uint32_t r = fake_add_sensor("gpiochip0", &fake_drv, false);
	uint32_t e = fake_add_sensor("gpiochip0", &fake_event_drv, false);
	struct sgw_workers *w = workers_new();
	struct sgw_sample smp[1];
	int64_t before;

	LOCKED(fakes[r].hold = true);
	ck_assert_int_eq(sgw_workers_request(w, r, 1), 0);
	AWAIT(fakes[r].in_read);

	before = sgw_real_ms();
	LOCKED(fakes[e].value = 7; fakes[e].event_pending = true);
	collect_n(w, smp, 1);
	ck_assert_uint_eq(smp[0].sensor, e);
	ck_assert_int_eq(smp[0].err, 0);
	ck_assert_int_eq(smp[0].due_ns, 0);
	ck_assert_uint_eq(smp[0].valid, 0x1);
	ck_assert_int_eq(smp[0].values[0], 7);
	ck_assert_int_ge(smp[0].ts.wall_ms, before);
	ck_assert_int_le(smp[0].ts.wall_ms, sgw_real_ms());

	LOCKED(fakes[e].value = 8; fakes[e].event_pending = true);
	collect_n(w, smp, 1);
	ck_assert_int_eq(smp[0].values[0], 8);
	ck_assert_int_eq(fake_peek(&fakes[e]).events, 2);

	ck_assert_int_eq(sgw_workers_request(w, e, 99), 0);
	collect_n(w, smp, 1);
	ck_assert_uint_eq(smp[0].sensor, e);
	ck_assert_int_eq(smp[0].due_ns, 99);
	ck_assert_uint_eq(smp[0].valid, 0x3);
	ck_assert_int_eq(fake_peek(&fakes[e]).reads, 1);
	ck_assert(!pthread_equal(fake_peek(&fakes[e]).read_thread, fake_peek(&fakes[r]).read_thread));
	ck_assert(!pthread_equal(fake_peek(&fakes[e]).read_thread, pthread_self()));

	LOCKED(fakes[r].hold = false);
	collect_n(w, smp, 1);
	ck_assert_uint_eq(smp[0].sensor, r);
	workers_free();
	ck_assert_int_eq(fakes[e].closes, 1);
	ck_assert(pthread_equal(fakes[e].close_thread, fakes[e].read_thread));
}
END_TEST

/* A failure closes the driver in the worker; the next request opens it again. */
START_TEST(test_failed_read_reopens)
{
	uint32_t a = fake_add_sensor("i2c-1", &fake_drv, false);
	struct sgw_workers *w = workers_new();
	struct sgw_sample smp[1];
	struct fake f;

	LOCKED(fakes[a].fail_reads = 1);
	ck_assert_int_eq(sgw_workers_request(w, a, 1), 0);
	collect_n(w, smp, 1);
	ck_assert_int_eq(smp[0].err, -EIO);
	ck_assert_int_eq(smp[0].due_ns, 1);
	f = fake_peek(&fakes[a]);
	ck_assert_int_eq(f.opens, 1);
	ck_assert_int_eq(f.closes, 1);
	ck_assert(!f.opened);
	ck_assert(pthread_equal(f.close_thread, f.read_thread));
	ck_assert(!pthread_equal(f.close_thread, pthread_self()));

	ck_assert_int_eq(sgw_workers_request(w, a, 2), 0);
	collect_n(w, smp, 1);
	ck_assert_int_eq(smp[0].err, 0);
	ck_assert_int_eq(smp[0].values[0], fakes[a].value);
	f = fake_peek(&fakes[a]);
	ck_assert_int_eq(f.opens, 2);
	ck_assert_int_eq(f.closes, 1);
	ck_assert(!f.read_unopened);

	/* A failed open: the error comes back, nothing to close, retried next time. */
	LOCKED(fakes[a].fail_reads = 1);
	ck_assert_int_eq(sgw_workers_request(w, a, 3), 0);
	collect_n(w, smp, 1);
	ck_assert_int_eq(smp[0].err, -EIO);
	LOCKED(fakes[a].fail_opens = 1);
	ck_assert_int_eq(sgw_workers_request(w, a, 4), 0);
	collect_n(w, smp, 1);
	ck_assert_int_eq(smp[0].err, -ENODEV);
	ck_assert_int_eq(sgw_workers_request(w, a, 5), 0);
	collect_n(w, smp, 1);
	ck_assert_int_eq(smp[0].err, 0);
	f = fake_peek(&fakes[a]);
	ck_assert_int_eq(f.opens, 4);
	ck_assert_int_eq(f.closes, 2);
	ck_assert_int_eq(f.reads, 4);

	/* Stopping closes what is open, in the worker's thread. */
	workers_free();
	ck_assert_int_eq(fakes[a].closes, 3);
	ck_assert(pthread_equal(fakes[a].close_thread, fakes[a].read_thread));
}
END_TEST

/* Readable while results wait; collect takes at most max and keeps it readable. */
START_TEST(test_fd_and_collect_max)
{
	struct sgw_workers *w;
	struct sgw_sample smp[5];
	uint32_t t;

	for (int i = 0; i < 5; i++)
		fake_add_sensor("sim", &fake_drv, true);
	t = fake_add_sensor("i2c-1", &fake_drv, false);
	w = workers_new();
	ck_assert(!fd_readable(sgw_workers_fd(w), 0));
	ck_assert_uint_eq(sgw_workers_collect(w, smp, 5), 0);

	for (uint32_t i = 0; i < 5; i++)
		ck_assert_int_eq(sgw_workers_request(w, i, 10 + i), 0);
	ck_assert(fd_readable(sgw_workers_fd(w), 0));
	ck_assert_uint_eq(sgw_workers_collect(w, smp, 2), 2);
	ck_assert_uint_eq(smp[0].sensor, 0);
	ck_assert_uint_eq(smp[1].sensor, 1);
	ck_assert(fd_readable(sgw_workers_fd(w), 0));
	ck_assert_uint_eq(sgw_workers_collect(w, smp, 2), 2);
	ck_assert_uint_eq(smp[0].sensor, 2);
	ck_assert_int_eq(smp[1].due_ns, 13);
	ck_assert(fd_readable(sgw_workers_fd(w), 0));
	ck_assert_uint_eq(sgw_workers_collect(w, smp, 2), 1);
	ck_assert_uint_eq(smp[0].sensor, 4);
	ck_assert(!fd_readable(sgw_workers_fd(w), 0));
	ck_assert_uint_eq(sgw_workers_collect(w, smp, 2), 0);

	/* A worker's sample wakes the fd too. */
	ck_assert_int_eq(sgw_workers_request(w, t, 20), 0);
	ck_assert(fd_readable(sgw_workers_fd(w), DEADLINE_S * 1000));
	ck_assert_uint_eq(sgw_workers_collect(w, smp, 5), 1);
	ck_assert_uint_eq(smp[0].sensor, t);
	ck_assert(!fd_readable(sgw_workers_fd(w), 0));
	workers_free();
}
END_TEST

/* Values, valid bits, the scheduled time and the sample time come through. */
START_TEST(test_sample_carries_times_and_values)
{
	uint32_t a = fake_add_sensor("i2c-1", &fake_drv, false);
	struct sgw_workers *w = workers_new();
	int64_t due = sgw_mono_ns() + 5 * SGW_NS_PER_S, before, after;
	struct sgw_sample smp[1];

	before = sgw_real_ms();
	ck_assert_int_eq(sgw_workers_request(w, a, due), 0);
	collect_n(w, smp, 1);
	after = sgw_real_ms();
	ck_assert_uint_eq(smp[0].sensor, a);
	ck_assert_int_eq(smp[0].err, 0);
	ck_assert_int_eq(smp[0].due_ns, due);
	ck_assert_int_ge(smp[0].ts.wall_ms, before);
	ck_assert_int_le(smp[0].ts.wall_ms, after);
	ck_assert_uint_eq(smp[0].valid, 0x3);
	ck_assert_int_eq(smp[0].values[0], fakes[a].value);
	ck_assert_int_eq(smp[0].values[1], -fakes[a].value);
	ck_assert_int_eq(smp[0].values[2], 0);
	workers_free();
}
END_TEST

/*
 * A driver stuck in read: sgw_workers_free gives up after its timeout.  The
 * abandoned pool and its configuration stay in use by the stuck thread, so
 * they are static and never reused; the test then lets the read return and
 * waits for the thread to close the driver, so that nothing runs on after
 * the case (Check's fork mode may be off).
 */
static struct {
	int timeout_ms;
	bool done;
	int ret;
	int64_t elapsed_ms;
} stuck_free;

/* In a thread of its own, so that a free that never returns fails the case. */
static void *free_stuck_pool(void *arg)
{
	int64_t t0 = mono_ms();
	int ret = sgw_workers_free(abandoned, stuck_free.timeout_ms);

	LOCKED(stuck_free.ret = ret; stuck_free.elapsed_ms = mono_ms() - t0;
	       stuck_free.done = true);
	return NULL;
}

START_TEST(test_free_with_stuck_driver)
{
	pthread_attr_t attr;
	pthread_t t;
	bool still_reading, closed_in_worker;

	stuck_fake.hold = true;
	stuck_sc.name = "stuck";
	stuck_sc.bus = "i2c-9";
	stuck_sc.driver = &fake_drv;
	stuck_sc.nchannels = 1;
	stuck_sc.priv = &stuck_fake;
	stuck_cfg.nsensors = 1;
	stuck_cfg.sensors = &stuck_sc;
	abandoned = sgw_workers_new(&stuck_cfg);
	ck_assert_ptr_nonnull(abandoned);
	ck_assert_int_eq(sgw_workers_request(abandoned, 0, 1), 0);
	AWAIT(stuck_fake.in_read);

	stuck_free.timeout_ms = 300;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	ck_assert_int_eq(pthread_create(&t, &attr, free_stuck_pool, NULL), 0);
	pthread_attr_destroy(&attr);
	AWAIT(stuck_free.done);
	ck_assert_int_eq(stuck_free.ret, -EBUSY);
	/* It waited its time (less a tick: realtime deadline, monotonic ruler). */
	ck_assert_int_ge(stuck_free.elapsed_ms, stuck_free.timeout_ms - 10);
	pthread_mutex_lock(&fake_lock);
	still_reading = stuck_fake.in_read;
	pthread_mutex_unlock(&fake_lock);
	ck_assert(still_reading);

	LOCKED(stuck_fake.hold = false);
	AWAIT(stuck_fake.closes == 1);
	pthread_mutex_lock(&fake_lock);
	closed_in_worker = pthread_equal(stuck_fake.close_thread, stuck_fake.read_thread);
	pthread_mutex_unlock(&fake_lock);
	ck_assert(closed_in_worker);
}
END_TEST

static Suite *worker_suite(void)
{
	Suite *s = suite_create("worker");
	TCase *tc = tcase_create("pool");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_one_bus_serial_in_request_order);
	tcase_add_test(tc, test_two_buses_concurrent);
	tcase_add_test(tc, test_request_busy_while_outstanding);
	tcase_add_test(tc, test_request_again_after_collect);
	tcase_add_test(tc, test_inline_in_callers_thread);
	tcase_add_test(tc, test_event_source);
	tcase_add_test(tc, test_failed_read_reopens);
	tcase_add_test(tc, test_fd_and_collect_max);
	tcase_add_test(tc, test_sample_carries_times_and_values);
	tcase_add_test(tc, test_free_with_stuck_driver);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{

	fake_init();
	return sgw_test_run(worker_suite());
}
