/* SPDX-License-Identifier: MIT */
#include "tests/mocks/fake_driver.h"

#include <stdio.h>
#include <string.h>

#include "drivers/driver.h"

pthread_mutex_t fake_lock = PTHREAD_MUTEX_INITIALIZER;
pthread_cond_t fake_cond;
struct fake fakes[FAKE_MAX];
int fake_log[64];
size_t fake_nlog;
struct sgw_config fake_cfg;

static struct sgw_sensor_config sensors[FAKE_MAX];
static char names[FAKE_MAX][8];
static int reading;		/* reads in progress, all fakes */

struct timespec fake_deadline(int64_t ms)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

static int fake_open(struct sgw_sensor *s)
{
	struct fake *f = s->cfg->priv;
	int err = 0;

	pthread_mutex_lock(&fake_lock);
	f->opens++;
	f->open_thread = pthread_self();
	if (f->fail_opens > 0) {
		f->fail_opens--;
		err = -ENODEV;
	} else {
		f->opened = true;
	}
	pthread_cond_broadcast(&fake_cond);
	pthread_mutex_unlock(&fake_lock);
	return err;
}

static int fake_read(struct sgw_sensor *s, int32_t *values, uint32_t *valid)
{
	struct fake *f = s->cfg->priv;
	int err = 0;

	pthread_mutex_lock(&fake_lock);
	f->reads++;
	f->read_thread = pthread_self();
	if (!f->opened)
		f->read_unopened = true;
	f->others_reading = reading;
	reading++;
	if (fake_nlog < sizeof(fake_log) / sizeof(fake_log[0]))
		fake_log[fake_nlog++] = f->id;
	f->in_read = true;
	pthread_cond_broadcast(&fake_cond);
	while (f->hold)
		pthread_cond_wait(&fake_cond, &fake_lock);
	if (f->fail_reads > 0) {
		f->fail_reads--;
		err = -EIO;
	} else {
		values[0] = f->value;
		values[1] = -f->value;
		*valid = 0x3;
	}
	f->in_read = false;
	reading--;
	pthread_cond_broadcast(&fake_cond);
	pthread_mutex_unlock(&fake_lock);
	return err;
}

/* An event when the test raised one, else nothing within timeout_ms. */
static int fake_wait_event(struct sgw_sensor *s, int timeout_ms, int32_t *values,
			   uint32_t *valid)
{
	struct fake *f = s->cfg->priv;
	struct timespec dl = fake_deadline(timeout_ms);
	int ret = 0;

	pthread_mutex_lock(&fake_lock);
	while (!f->event_pending)
		if (pthread_cond_timedwait(&fake_cond, &fake_lock, &dl) == ETIMEDOUT)
			break;
	if (f->event_pending) {
		f->event_pending = false;
		f->events++;
		values[0] = f->value;
		*valid = 0x1;
		ret = 1;
	}
	pthread_cond_broadcast(&fake_cond);
	pthread_mutex_unlock(&fake_lock);
	return ret;
}

static void fake_close(struct sgw_sensor *s)
{
	struct fake *f = s->cfg->priv;

	LOCKED(f->closes++; f->close_thread = pthread_self(); f->opened = false);
}

/*
 * Designated initializers: the members the workers do not call (configure
 * among them) stay NULL whatever their types become.
 */
const struct sgw_driver fake_drv = {
	.name = "fake",
	.open = fake_open,
	.read = fake_read,
	.close = fake_close,
};

const struct sgw_driver fake_event_drv = {
	.name = "fake-event",
	.open = fake_open,
	.read = fake_read,
	.wait_event = fake_wait_event,
	.close = fake_close,
};

void fake_init(void)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&fake_cond, &ca);
	pthread_condattr_destroy(&ca);
}

void fake_reset(void)
{
	memset(fakes, 0, sizeof(fakes));
	memset(sensors, 0, sizeof(sensors));
	memset(&fake_cfg, 0, sizeof(fake_cfg));
	fake_cfg.sensors = sensors;
	fake_nlog = 0;
	reading = 0;
}

uint32_t fake_add_sensor(char *bus, const struct sgw_driver *drv, bool inline_io)
{
	uint32_t i = (uint32_t)fake_cfg.nsensors++;

	ck_assert_uint_lt(i, FAKE_MAX);
	fakes[i].id = (int)i;
	fakes[i].value = 100 * ((int32_t)i + 1);
	snprintf(names[i], sizeof(names[i]), "s%u", (unsigned)i);
	sensors[i].name = names[i];
	sensors[i].bus = bus;
	sensors[i].driver = drv;
	sensors[i].inline_io = inline_io;
	sensors[i].nchannels = 2;
	sensors[i].priv = &fakes[i];
	return i;
}

struct fake fake_peek(const struct fake *f)
{
	struct fake copy;

	pthread_mutex_lock(&fake_lock);
	copy = *f;
	pthread_mutex_unlock(&fake_lock);
	return copy;
}
