/* SPDX-License-Identifier: MIT */
/*
 * Simulated sensor: deterministic waveforms with seeded noise, for the demo,
 * the tests and the benchmarks.  It needs no hardware and does no I/O.
 *
 * Keys:
 *   quantities = temperature, humidity, pressure, door   (default: temperature)
 *   waveform   = sine | ramp | constant                  (default: sine)
 *   seed       = 0..4294967295                           (default: 1)
 * Testing keys (fault injection):
 *   fail       = none | eio | hang                       (default: none)
 *   fail_every = N: every Nth read fails (1 = all)       (default: 1)
 *   hang       = how long a hanging read blocks          (default: 10s)
 *
 * sine: a slow wave around a typical value (period 10 min) plus noise drawn
 * from xorshift64 seeded by `seed`; the door flips at pseudo-random samples.
 * ramp: sample k gives base + k steps of the published precision
 * (temperature 20.0, 20.1, 20.2 …; door 0, 1, 0 …), which tests can predict.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "driver.h"

enum sim_quantity { SIM_TEMPERATURE, SIM_HUMIDITY, SIM_PRESSURE, SIM_DOOR, SIM_NQ };
enum sim_wave { SIM_SINE, SIM_RAMP, SIM_CONSTANT };
enum sim_fail { SIM_FAIL_NONE, SIM_FAIL_EIO, SIM_FAIL_HANG };

static const struct {
	const char *name, *unit;
	int scale, precision;
	int32_t base;		/* typical value, in the channel's fixed point */
	int32_t amplitude;	/* of the sine */
	int32_t noise;		/* peak noise */
} sim_q[SIM_NQ] = {
	[SIM_TEMPERATURE] = { "temperature", "°C", 2, 1, 2150, 300, 20 },	/* 21.50 °C ± 3 */
	[SIM_HUMIDITY] = { "humidity", "%", 2, 1, 5500, 1000, 50 },		/* 55.00 % ± 10 */
	[SIM_PRESSURE] = { "pressure", "hPa", 2, 1, 101325, 400, 5 },	/* 1013.25 hPa ± 4 */
	[SIM_DOOR] = { "door", "", 0, 0, 0, 0, 0 },
};

static const char *const sim_wave_names[] = { "sine", "ramp", "constant", NULL };
static const char *const sim_fail_names[] = { "none", "eio", "hang", NULL };

struct sim_cfg {
	enum sim_quantity q[SGW_MAX_CHANNELS];
	enum sim_wave wave;
	uint64_t seed;
	enum sim_fail fail;
	long fail_every;
	uint32_t hang_ms;
};

struct sim_state {
	uint64_t rng;
	uint64_t reads;
	int32_t door;
};

static int sim_parse_quantities(struct sgw_sensor_config *sc, struct sgw_keys *keys,
				struct sim_cfg *c)
{
	const struct sgw_opt *o;
	const char *list;
	char *copy, *tok, *save;
	int err = 0;

	if (sgw_keys_str(keys, "quantities", "temperature", &list) < 0)
		return -EINVAL;
	o = sgw_keys_find(keys, "quantities");
	copy = strdup(list);
	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
		int q;

		for (q = 0; q < SIM_NQ; q++)
			if (strcmp(tok, sim_q[q].name) == 0)
				break;
		if (q == SIM_NQ) {
			sgw_diag_error(keys->d, o ? o->line : sc->line,
				       "[sensor %s] quantities: unknown quantity \"%s\" (known: temperature, humidity, pressure, door)",
				       sc->name, tok);
			err = -EINVAL;
			continue;
		}
		for (size_t i = 0; i < sc->nchannels; i++)
			if (c->q[i] == (enum sim_quantity)q) {
				sgw_diag_error(keys->d, o ? o->line : sc->line,
					       "[sensor %s] quantities: \"%s\" listed twice", sc->name, tok);
				err = -EINVAL;
				goto next;
			}
		if (sgw_sensor_add_channel(sc, sim_q[q].name, sim_q[q].unit,
					   sim_q[q].scale, sim_q[q].precision) < 0) {
			sgw_diag_error(keys->d, o ? o->line : sc->line,
				       "[sensor %s] quantities: more than %d", sc->name, SGW_MAX_CHANNELS);
			err = -EINVAL;
			break;
		}
		c->q[sc->nchannels - 1] = (enum sim_quantity)q;
next:		;
	}
	free(copy);
	if (!err && sc->nchannels == 0) {
		sgw_diag_error(keys->d, o ? o->line : sc->line, "[sensor %s] quantities: empty list",
			       sc->name);
		err = -EINVAL;
	}
	return err;
}

static int sim_configure(struct sgw_sensor_config *sc, struct sgw_keys *keys)
{
	struct sim_cfg *c = calloc(1, sizeof(*c));
	int wave, fail, err = 0;
	long seed;

	if (!c)
		return -ENOMEM;
	sc->priv = c;
	if (sim_parse_quantities(sc, keys, c) < 0)
		err = -EINVAL;
	if (sgw_keys_enum(keys, "waveform", sim_wave_names, SIM_SINE, &wave) < 0)
		err = -EINVAL;
	if (sgw_keys_long(keys, "seed", 1, 0, 4294967295L, &seed) < 0)
		err = -EINVAL;
	if (sgw_keys_enum(keys, "fail", sim_fail_names, SIM_FAIL_NONE, &fail) < 0)
		err = -EINVAL;
	if (sgw_keys_long(keys, "fail_every", 1, 1, 1000000, &c->fail_every) < 0)
		err = -EINVAL;
	if (sgw_keys_duration(keys, "hang", 10000, 1, 3600000, &c->hang_ms) < 0)
		err = -EINVAL;
	c->wave = (enum sim_wave)wave;
	c->fail = (enum sim_fail)fail;
	/* No I/O, so no worker thread; but a "hang" fault must block one. */
	sc->inline_io = c->fail != SIM_FAIL_HANG;
	c->seed = (uint64_t)seed;
	return err;
}

static void sim_free_config(struct sgw_sensor_config *sc)
{
	free(sc->priv);
	sc->priv = NULL;
}

static int sim_open(struct sgw_sensor *s)
{
	const struct sim_cfg *c = s->cfg->priv;
	struct sim_state *st = calloc(1, sizeof(*st));

	if (!st)
		return -ENOMEM;
	/* splitmix64 of the seed: xorshift must not start at 0. */
	st->rng = c->seed + 0x9E3779B97F4A7C15ull;
	st->rng = (st->rng ^ (st->rng >> 30)) * 0xBF58476D1CE4E5B9ull;
	st->rng = (st->rng ^ (st->rng >> 27)) * 0x94D049BB133111EBull;
	st->rng ^= st->rng >> 31;
	if (!st->rng)
		st->rng = 1;
	s->state = st;
	return 0;
}

static void sim_close(struct sgw_sensor *s)
{
	free(s->state);
	s->state = NULL;
}

static uint64_t sim_rand(struct sim_state *st)
{
	st->rng ^= st->rng << 13;
	st->rng ^= st->rng >> 7;
	st->rng ^= st->rng << 17;
	return st->rng;
}

/* Uniform in [-peak, peak]. */
static int32_t sim_noise(struct sim_state *st, int32_t peak)
{
	if (peak <= 0)
		return 0;
	return (int32_t)(sim_rand(st) % (uint64_t)(2 * peak + 1)) - peak;
}

static int32_t pow10i(int e)
{
	int32_t p = 1;

	while (e-- > 0)
		p *= 10;
	return p;
}

/*
 * sin(X) for X in [0, 2*pi), without libm: this call alone would map libm
 * into the daemon, about 0.5 MiB of resident pages.  X is folded into
 * [-pi/2, pi/2], where the Taylor series to x^11 is off by less than 6e-8,
 * far below the published precision of any amplitude here.
 */
static double sim_sin(double x)
{
	double x2;

	if (x > M_PI)
		x -= 2.0 * M_PI;
	if (x > M_PI / 2)
		x = M_PI - x;
	else if (x < -M_PI / 2)
		x = -M_PI - x;
	x2 = x * x;
	return x * (1 - x2 / 6 * (1 - x2 / 20 * (1 - x2 / 42 * (1 - x2 / 72 *
		(1 - x2 / 110)))));
}

/* Nearest integer, halves away from zero. */
static int32_t sim_round(double v)
{
	return (int32_t)(v < 0 ? v - 0.5 : v + 0.5);
}

static int32_t sim_value(const struct sim_cfg *c, struct sim_state *st,
			 enum sim_quantity q, double phase)
{
	int32_t step;

	switch (c->wave) {
	case SIM_CONSTANT:
		return q == SIM_DOOR ? 0 : sim_q[q].base;
	case SIM_RAMP:
		if (q == SIM_DOOR)
			return (int32_t)(st->reads & 1);
		step = pow10i(sim_q[q].scale - sim_q[q].precision);
		/* Wraps after ~2^31 steps; harmless for a simulator. */
		return sim_q[q].base - 20 * step + (int32_t)(st->reads % 100000) * step;
	case SIM_SINE:
	default:
		if (q == SIM_DOOR) {
			if (sim_rand(st) % 20 == 0)
				st->door ^= 1;
			return st->door;
		}
		return sim_q[q].base + sim_round(sim_q[q].amplitude * sim_sin(phase)) +
		       sim_noise(st, sim_q[q].noise);
	}
}

static int sim_read(struct sgw_sensor *s, int32_t *values, uint32_t *valid)
{
	const struct sim_cfg *c = s->cfg->priv;
	struct sim_state *st = s->state;
	struct timespec now;
	double phase;

	if (c->fail != SIM_FAIL_NONE && (st->reads + 1) % (uint64_t)c->fail_every == 0) {
		st->reads++;
		if (c->fail == SIM_FAIL_EIO)
			return -EIO;
		struct timespec t = { c->hang_ms / 1000, (long)(c->hang_ms % 1000) * 1000000L };

		while (nanosleep(&t, &t) < 0 && errno == EINTR)
			;
		return -ETIMEDOUT;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	/* Period 600 s; the seed shifts the phase so sensors differ. */
	phase = 2.0 * M_PI * (double)((now.tv_sec + (time_t)(c->seed % 600)) % 600) / 600.0;
	*valid = 0;
	for (size_t i = 0; i < s->cfg->nchannels; i++) {
		values[i] = sim_value(c, st, c->q[i], phase);
		*valid |= 1u << i;
	}
	st->reads++;
	return 0;
}

const struct sgw_driver sgw_driver_sim = {
	.name = "sim",
	.summary = "simulated temperature/humidity/pressure/door (keys: quantities, waveform, seed)",
	.configure = sim_configure,
	.free_config = sim_free_config,
	.open = sim_open,
	.read = sim_read,
	.close = sim_close,
};
