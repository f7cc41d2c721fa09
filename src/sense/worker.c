/* SPDX-License-Identifier: MIT */
#include "worker.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "drivers/driver.h"
#include "util/clock.h"
#include "util/mailbox.h"

/* How long an event source waits for an edge before looking for requests. */
#define EVENT_POLL_MS 20

struct worker;

struct sensor_slot {
	struct sgw_sensor s;
	struct worker *owner;
	bool opened;
	bool busy;		/* request queued or being served (under w->lock) */
	int64_t due_ns;
};

struct worker {
	struct sgw_workers *pool;
	pthread_t thread;
	bool started;
	bool done;		/* thread returned (under pool->lock) */
	bool event_source;
	uint32_t first;		/* first sensor: names the bus; the event source */
	uint32_t *fifo;		/* requested sensor indices */
	size_t cap, head, len;
	pthread_cond_t cond;
};

struct sgw_workers {
	const struct sgw_config *cfg;
	pthread_mutex_t lock;
	pthread_cond_t done_cond;
	bool stop;
	size_t nworkers;
	struct worker *workers;
	struct sensor_slot *slots;
	struct sgw_mailbox *results;	/* samples for the main loop */
};

static int slot_ensure_open(struct sensor_slot *sl)
{
	const struct sgw_driver *drv = sl->s.cfg->driver;
	int err;

	if (sl->opened)
		return 0;
	err = drv->open ? drv->open(&sl->s) : 0;
	if (err == 0)
		sl->opened = true;
	return err;
}

static void slot_sample(struct sgw_workers *w, uint32_t idx, int64_t due_ns, bool event)
{
	struct sensor_slot *sl = &w->slots[idx];
	const struct sgw_driver *drv = sl->s.cfg->driver;
	struct sgw_sample smp;
	int err;

	memset(&smp, 0, sizeof(smp));
	smp.sensor = idx;
	smp.due_ns = due_ns;
	err = slot_ensure_open(sl);
	if (err == 0) {
		if (event) {
			err = drv->wait_event(&sl->s, EVENT_POLL_MS, smp.values, &smp.valid);
			if (err == 0)
				return;		/* no event */
			if (err > 0)
				err = 0;
		} else {
			err = drv->read(&sl->s, smp.values, &smp.valid);
		}
	}
	if (err < 0 && sl->opened && drv->close) {
		/* Start afresh next time: the chip may have been reset or replugged. */
		drv->close(&sl->s);
		sl->opened = false;
	}
	smp.err = err;
	smp.ts = sgw_clock_stamp();
	if (!event) {
		/*
		 * The answer ends the request before it is visible: once the
		 * main loop has collected it, the sensor can be asked again
		 * without meeting -EBUSY.
		 */
		pthread_mutex_lock(&w->lock);
		sl->busy = false;
		pthread_mutex_unlock(&w->lock);
	}
	/* Out of memory: the sample is lost, the loop goes on. */
	sgw_mailbox_post(w->results, &smp);
}

static void *worker_main(void *arg)
{
	struct worker *wk = arg;
	struct sgw_workers *w = wk->pool;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		if (w->stop)
			break;
		if (wk->len == 0) {
			if (wk->event_source) {
				/* One event source per worker: wait for its edges unlocked. */
				pthread_mutex_unlock(&w->lock);
				slot_sample(w, wk->first, 0, true);
				pthread_mutex_lock(&w->lock);
			} else {
				pthread_cond_wait(&wk->cond, &w->lock);
			}
			continue;
		}
		uint32_t idx = wk->fifo[wk->head];
		int64_t due = w->slots[idx].due_ns;

		wk->head = (wk->head + 1) % wk->cap;
		wk->len--;
		pthread_mutex_unlock(&w->lock);
		slot_sample(w, idx, due, false);	/* ends the request */
		pthread_mutex_lock(&w->lock);
	}
	/* Close what this worker opened, in its own thread as the drivers expect. */
	for (size_t i = 0; i < w->cfg->nsensors; i++) {
		struct sensor_slot *sl = &w->slots[i];

		if (sl->owner == wk && sl->opened) {
			pthread_mutex_unlock(&w->lock);
			if (sl->s.cfg->driver->close)
				sl->s.cfg->driver->close(&sl->s);
			pthread_mutex_lock(&w->lock);
			sl->opened = false;
		}
	}
	wk->done = true;
	pthread_cond_broadcast(&w->done_cond);
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static struct worker *find_or_add_worker(struct sgw_workers *w, size_t sensor)
{
	const struct sgw_sensor_config *sc = &w->cfg->sensors[sensor];
	bool event = sc->driver->wait_event != NULL;

	if (!event)
		for (size_t i = 0; i < w->nworkers; i++) {
			struct worker *wk = &w->workers[i];

			if (!wk->event_source &&
			    strcmp(w->cfg->sensors[wk->first].bus, sc->bus) == 0)
				return wk;
		}
	return NULL;
}

struct sgw_workers *sgw_workers_new(const struct sgw_config *cfg)
{
	struct sgw_workers *w = calloc(1, sizeof(*w));
	size_t n = cfg->nsensors;
	int err;

	if (!w)
		return NULL;
	w->cfg = cfg;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->done_cond, NULL);
	w->results = sgw_mailbox_new(sizeof(struct sgw_sample));
	w->slots = calloc(n ? n : 1, sizeof(*w->slots));
	w->workers = calloc(n ? n : 1, sizeof(*w->workers));
	if (!w->results || !w->slots || !w->workers)
		goto err_free;
	/* Group the sensors by bus; every queue can hold all sensors once. */
	for (size_t i = 0; i < n; i++) {
		struct worker *wk;

		w->slots[i].s.cfg = &cfg->sensors[i];
		if (cfg->sensors[i].inline_io)
			continue;	/* served in the caller's thread */
		wk = find_or_add_worker(w, i);
		if (!wk) {
			wk = &w->workers[w->nworkers++];
			wk->pool = w;
			wk->cap = n;
			wk->fifo = calloc(n, sizeof(*wk->fifo));
			if (!wk->fifo)
				goto err_free;
			wk->first = (uint32_t)i;
			wk->event_source = cfg->sensors[i].driver->wait_event != NULL;
			pthread_cond_init(&wk->cond, NULL);
		}
		w->slots[i].owner = wk;
	}
	for (size_t i = 0; i < w->nworkers; i++) {
		struct worker *wk = &w->workers[i];

		err = pthread_create(&wk->thread, NULL, worker_main, wk);
		if (err) {
			errno = err;
			goto err_stop;
		}
		wk->started = true;
	}
	return w;

err_stop:
	sgw_workers_free(w, 1000);
	return NULL;
err_free:
	err = errno;
	if (w->workers)
		for (size_t i = 0; i < w->nworkers; i++)
			free(w->workers[i].fifo);
	free(w->workers);
	free(w->slots);
	sgw_mailbox_free(w->results);
	free(w);
	errno = err ? err : ENOMEM;
	return NULL;
}

int sgw_workers_free(struct sgw_workers *w, int timeout_ms)
{
	struct timespec until;
	bool stuck = false;

	if (!w)
		return 0;
	until = sgw_clock_after_ms(CLOCK_REALTIME, timeout_ms);
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	for (size_t i = 0; i < w->nworkers; i++)
		pthread_cond_signal(&w->workers[i].cond);
	for (size_t i = 0; i < w->nworkers; i++) {
		struct worker *wk = &w->workers[i];

		while (wk->started && !wk->done)
			if (pthread_cond_timedwait(&w->done_cond, &w->lock, &until) == ETIMEDOUT)
				break;
		if (wk->started && !wk->done)
			stuck = true;
	}
	pthread_mutex_unlock(&w->lock);
	if (stuck) {
		/*
		 * A driver call never returned (a wedged bus).  Its thread still
		 * uses the pool and the configuration: leave both to it.
		 */
		for (size_t i = 0; i < w->nworkers; i++)
			if (w->workers[i].started && !w->workers[i].done)
				pthread_detach(w->workers[i].thread);
		return -EBUSY;
	}
	for (size_t i = 0; i < w->cfg->nsensors; i++) {
		struct sensor_slot *sl = &w->slots[i];

		if (!sl->owner && sl->opened && sl->s.cfg->driver->close)
			sl->s.cfg->driver->close(&sl->s);
	}
	for (size_t i = 0; i < w->nworkers; i++) {
		if (w->workers[i].started)
			pthread_join(w->workers[i].thread, NULL);
		pthread_cond_destroy(&w->workers[i].cond);
		free(w->workers[i].fifo);
	}
	pthread_cond_destroy(&w->done_cond);
	pthread_mutex_destroy(&w->lock);
	sgw_mailbox_free(w->results);
	free(w->workers);
	free(w->slots);
	free(w);
	return 0;
}

int sgw_workers_fd(const struct sgw_workers *w)
{
	return sgw_mailbox_fd(w->results);
}

int sgw_workers_request(struct sgw_workers *w, uint32_t sensor, int64_t due_ns)
{
	struct sensor_slot *sl = &w->slots[sensor];
	struct worker *wk = sl->owner;

	if (!wk) {
		/* inline_io: the driver does no I/O; sample right here. */
		slot_sample(w, sensor, due_ns, false);
		return 0;
	}
	pthread_mutex_lock(&w->lock);
	if (sl->busy) {
		pthread_mutex_unlock(&w->lock);
		return -EBUSY;
	}
	sl->busy = true;
	sl->due_ns = due_ns;
	wk->fifo[(wk->head + wk->len) % wk->cap] = sensor;
	wk->len++;
	pthread_cond_signal(&wk->cond);
	pthread_mutex_unlock(&w->lock);
	return 0;
}

size_t sgw_workers_collect(struct sgw_workers *w, struct sgw_sample *out, size_t max)
{
	return sgw_mailbox_take(w->results, out, max, NULL);
}
