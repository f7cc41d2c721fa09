/* SPDX-License-Identifier: MIT */
#include "health.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/driver.h"
#include "message/json.h"
#include "util/backoff.h"
#include "util/clock.h"
#include "util/log.h"

/* A failing sensor is retried after a backoff from its interval up to this. */
#define SENSOR_BACKOFF_MAX_MS 300000

struct sensor_health {
	int64_t deadline_ns;	/* of the outstanding request; 0: none */
	int64_t retry_ns;	/* quarantined until */
	bool late;		/* a timed-out request is still with the worker */
	struct sgw_backoff bo;
	uint64_t samples, failures, skipped;
	uint32_t consecutive;
	int last_err;
	bool once_answered;
};

struct sgw_health {
	const struct sgw_config *cfg;
	struct sgw_health_sink sink;
	struct sensor_health *s;
	bool once;
	size_t once_waiting, once_failed;
};

struct sgw_health *sgw_health_new(const struct sgw_config *cfg, const struct sgw_health_sink *sink,
				  int64_t now_ns)
{
	struct sgw_health *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->cfg = cfg;
	h->sink = *sink;
	h->s = calloc(cfg->nsensors ? cfg->nsensors : 1, sizeof(*h->s));
	if (!h->s) {
		free(h);
		return NULL;
	}
	for (size_t i = 0; i < cfg->nsensors; i++) {
		uint32_t min = cfg->sensors[i].interval_ms;

		sgw_backoff_init(&h->s[i].bo, min, min > SENSOR_BACKOFF_MAX_MS ? min : SENSOR_BACKOFF_MAX_MS,
				 (uint64_t)now_ns ^ (i * 0x9E3779B97F4A7C15ull));
	}
	return h;
}

void sgw_health_free(struct sgw_health *h)
{
	if (!h)
		return;
	free(h->s);
	free(h);
}

/*
 * {"error":"…" or null,"failures":N,"ts":…,"seq":…}, with "sync":false
 * after "seq" when the clock was not synchronised (as a reading's payload
 * says it, message/payload.h): its length or -errno.
 */
static ssize_t error_json(char *buf, size_t cap, int err, uint64_t failures,
			  const struct sgw_stamp *ts, uint64_t seq)
{
	struct sgw_json w;

	sgw_json_init(&w, buf, cap);
	sgw_json_object_begin(&w);
	sgw_json_key(&w, "error");
	sgw_json_string(&w, err ? strerror(-err) : NULL);
	sgw_json_key(&w, "failures");
	sgw_json_uint(&w, failures);
	sgw_json_key(&w, "ts");
	sgw_json_int(&w, ts->wall_ms);
	sgw_json_key(&w, "seq");
	sgw_json_uint(&w, seq);
	if (ts->unsynced) {
		sgw_json_key(&w, "sync");
		sgw_json_bool(&w, false);
	}
	sgw_json_object_end(&w);
	return sgw_json_finish(&w);
}

/*
 * A sensor's health goes to "<topic>/error" of each of its quantities when
 * it changes: the error text when reads start failing, "ok" when they work
 * again (JSON sensors get {"error":…,"failures":…,"ts":…,"seq":…}).
 */
static void report(struct sgw_health *h, uint32_t i, int err)
{
	const struct sgw_sensor_config *sc = &h->cfg->sensors[i];
	struct sgw_stamp ts = sgw_clock_stamp();
	char topic[512], payload[256];
	ssize_t plen;
	int tlen;

	for (size_t c = 0; c < sc->nchannels; c++) {
		struct sgw_msg *m;
		uint64_t seq;

		tlen = snprintf(topic, sizeof(topic), "%s/error", sc->ch[c].topic);
		if (tlen < 0 || (size_t)tlen >= sizeof(topic))
			continue;	/* a very long topic: the log has it */
		seq = h->sink.take_seq(h->sink.arg);
		if (sc->format == SGW_FORMAT_JSON)
			plen = error_json(payload, sizeof(payload), err, h->s[i].failures, &ts, seq);
		else
			plen = snprintf(payload, sizeof(payload), "%s", err ? strerror(-err) : "ok");
		if (plen < 0 || (size_t)plen >= sizeof(payload))
			continue;
		m = sgw_msg_new(seq, &ts, topic, (size_t)tlen, payload, (size_t)plen);
		if (m)
			h->sink.emit(h->sink.arg, m);
	}
}

/* --once: sensor I answered (with a reading or a failure). */
static void once_answer(struct sgw_health *h, uint32_t i, bool failed)
{
	if (!h->once || h->s[i].once_answered)
		return;
	h->s[i].once_answered = true;
	h->once_waiting--;
	if (failed)
		h->once_failed++;
}

static void failed(struct sgw_health *h, uint32_t i, int err, int64_t now)
{
	struct sensor_health *s = &h->s[i];
	const struct sgw_sensor_config *sc = &h->cfg->sensors[i];
	uint32_t delay = sgw_backoff_next(&s->bo);

	s->failures++;
	s->consecutive++;
	s->retry_ns = now + (int64_t)delay * SGW_NS_PER_MS;
	if (s->consecutive == 1 || err != s->last_err) {
		log_warnx("[sensor %s] %s: %s; retrying in %u ms", sc->name, sc->driver->name,
			  strerror(-err), delay);
		report(h, i, err);
	}
	s->last_err = err;
	once_answer(h, i, true);
}

static void ok(struct sgw_health *h, uint32_t i)
{
	struct sensor_health *s = &h->s[i];

	if (s->consecutive) {
		log_info("[sensor %s] recovered after %u failed reads", h->cfg->sensors[i].name,
			 s->consecutive);
		report(h, i, 0);
	}
	s->consecutive = 0;
	s->last_err = 0;
	s->samples++;
	sgw_backoff_reset(&s->bo);
	once_answer(h, i, false);
}

bool sgw_health_may_request(struct sgw_health *h, uint32_t i, int64_t now_ns)
{
	if (now_ns < h->s[i].retry_ns) {
		h->s[i].skipped++;
		return false;
	}
	return true;
}

void sgw_health_requested(struct sgw_health *h, uint32_t i, int64_t now_ns)
{
	h->s[i].deadline_ns = now_ns + (int64_t)h->cfg->sensors[i].timeout_ms * SGW_NS_PER_MS;
}

void sgw_health_skipped(struct sgw_health *h, uint32_t i)
{
	h->s[i].skipped++;
}

bool sgw_health_result(struct sgw_health *h, const struct sgw_sample *smp, int64_t now_ns)
{
	struct sensor_health *s = &h->s[smp->sensor];

	if (smp->due_ns != 0) {
		/* Answer to a request (event sources post without one). */
		if (s->late) {
			s->late = false;	/* already counted as timed out */
			return false;
		}
		s->deadline_ns = 0;
	}
	if (smp->err) {
		failed(h, smp->sensor, smp->err, now_ns);
		return false;
	}
	ok(h, smp->sensor);
	return true;
}

int64_t sgw_health_check(struct sgw_health *h, int64_t now_ns)
{
	int64_t next = INT64_MAX;

	for (uint32_t i = 0; i < h->cfg->nsensors; i++) {
		struct sensor_health *s = &h->s[i];

		if (!s->deadline_ns)
			continue;
		if (s->deadline_ns <= now_ns) {
			s->deadline_ns = 0;
			s->late = true;
			failed(h, i, -ETIMEDOUT, now_ns);
		} else if (s->deadline_ns < next) {
			next = s->deadline_ns;
		}
	}
	return next;
}

size_t sgw_health_failing(const struct sgw_health *h)
{
	size_t n = 0;

	for (size_t i = 0; i < h->cfg->nsensors; i++)
		if (h->s[i].consecutive)
			n++;
	return n;
}

void sgw_health_start_once(struct sgw_health *h)
{
	h->once = true;
	h->once_waiting = h->cfg->nsensors;
	h->once_failed = 0;
	for (size_t i = 0; i < h->cfg->nsensors; i++)
		h->s[i].once_answered = false;
}

size_t sgw_health_once_waiting(const struct sgw_health *h)
{
	return h->once_waiting;
}

size_t sgw_health_once_failed(const struct sgw_health *h)
{
	return h->once_failed;
}
