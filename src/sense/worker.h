/* SPDX-License-Identifier: MIT */
/*
 * Bus workers: sensor I/O runs off the main thread, one thread per bus
 * (sensors naming the same sc->bus share it, so one I2C bus is never driven
 * from two threads), so a slow conversion or a wedged bus delays nothing but
 * the sensors on it.  The main loop posts requests and collects samples when
 * the pool's eventfd is readable.
 *
 * Event sources (drivers with wait_event) get a thread of their own that
 * waits for events between requests.
 */
#ifndef SGW_WORKER_H
#define SGW_WORKER_H

#include <stddef.h>
#include <stdint.h>

#include "conf/types.h"
#include "sample.h"

struct sgw_workers;

/* Start the threads for CFG's sensors (CFG must outlive the pool). NULL+errno on failure. */
struct sgw_workers *sgw_workers_new(const struct sgw_config *cfg);
/*
 * Stop the threads, waiting up to timeout_ms for a driver call to return.
 * Returns 0, or -EBUSY when a thread was stuck in a driver and had to be
 * abandoned: the configuration must then not be freed.
 */
int sgw_workers_free(struct sgw_workers *w, int timeout_ms);

/* Readable when samples wait for sgw_workers_collect(). */
int sgw_workers_fd(const struct sgw_workers *w);

/*
 * Ask for one sample of SENSOR, scheduled at DUE_NS.  Returns 0, or -EBUSY
 * while the sensor's previous request is not finished.
 */
int sgw_workers_request(struct sgw_workers *w, uint32_t sensor, int64_t due_ns);

/* Move up to MAX finished samples to OUT; returns how many. */
size_t sgw_workers_collect(struct sgw_workers *w, struct sgw_sample *out, size_t max);

#endif
