/* SPDX-License-Identifier: MIT */
/* Filter chains: parse "median 5, ema 0.2, delta 0.05" and run it (filter.h). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm/sgw_kernels.h"
#include "filter.h"

enum stage_kind { ST_EMA, ST_SMA, ST_MEDIAN, ST_CALIB, ST_DELTA_ABS, ST_DELTA_REL, ST_BIQUAD };

struct stage {
	enum stage_kind kind;
	int32_t p;		/* the parameter the state is initialised from */
	union {
		struct sgw_ema ema;
		struct sgw_sma sma;
		struct sgw_median median;
		struct sgw_calib calib;	/* constant: no state to reset */
		struct sgw_delta delta;
		struct sgw_biquad biquad;
	} u;
};

struct sgw_filter_chain {
	size_t nstages;
	struct stage st[SGW_FILTER_MAX_STAGES];
};

/* The words of one stage, e.g. "delta", "0.05". */
#define MAX_WORDS 6
#define WORD_MAX 32

struct words {
	int n;
	char w[MAX_WORDS][WORD_MAX];
};

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static const int64_t pow10_i64[19] = {
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000,
	10000000000, 100000000000, 1000000000000, 10000000000000, 100000000000000,
	1000000000000000, 10000000000000000, 100000000000000000, 1000000000000000000,
};

/*
 * Strict decimal: [+-]DIGITS[.DIGITS], at most 18 digits in all; no
 * exponent, no bare ".5" or "5.", nothing else.  "-12.50" -> *mant = -1250, *frac = 2.
 */
static int parse_decimal(const char *s, int64_t *mant, int *frac)
{
	bool neg = false, dot = false;
	int digits = 0, f = 0;
	int64_t m = 0;

	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	for (; *s; s++) {
		if (*s == '.' && !dot && digits) {
			dot = true;
			continue;
		}
		if (*s < '0' || *s > '9')
			return -EINVAL;
		if (++digits > 18)
			return -ERANGE;
		m = m * 10 + (*s - '0');
		f += dot;
	}
	if (!digits || (dot && !f))
		return -EINVAL;
	*mant = neg ? -m : m;
	*frac = f;
	return 0;
}

/* A value in the channel's unit as counts of SCALE: "0.05", 2 -> 5. */
static int parse_counts(const char *s, int scale, int64_t *out)
{
	int64_t m;
	int f, rc = parse_decimal(s, &m, &f);

	if (rc < 0)
		return rc;
	if (f > scale)
		return -EDOM;
	if (scale - f > 10)
		return -ERANGE;
	/* |m| < 10^18 and the factor is at most 10^10: check before multiplying. */
	if (m > INT64_MAX / pow10_i64[scale - f] || m < -(INT64_MAX / pow10_i64[scale - f]))
		return -ERANGE;
	*out = m * pow10_i64[scale - f];
	if (*out < INT32_MIN || *out > INT32_MAX)
		return -ERANGE;
	return 0;
}

/*
 * A coefficient in binary fixed point with BITS fraction bits, rounded half
 * away from zero ("0.2", 16 -> 13107); its integer part must be below
 * INT_LIMIT and the result fit int32.  At most 9 decimals: finer than
 * 2^-30 means nothing here, and it keeps the arithmetic below 2^64.
 */
static int parse_qbin(const char *s, unsigned bits, uint64_t int_limit, int64_t *out)
{
	int64_t m;
	int f, rc = parse_decimal(s, &m, &f);
	uint64_t am, d;

	if (rc < 0)
		return rc;
	if (f > 9)
		return -EINVAL;
	am = m < 0 ? -(uint64_t)m : (uint64_t)m;
	d = (uint64_t)pow10_i64[f];
	if (am / d >= int_limit)
		return -ERANGE;
	am = ((am / d) << bits) + (((am % d) << bits) + d / 2) / d;
	/* 32767.99999 may round up to 2^31: one past INT32_MAX. */
	if (am > (m < 0 ? (uint64_t)INT32_MAX + 1 : (uint64_t)INT32_MAX))
		return -ERANGE;
	*out = m < 0 ? -(int64_t)am : (int64_t)am;
	return 0;
}

static int split_words(const char *s, size_t len, struct words *w)
{
	size_t i = 0;

	w->n = 0;
	while (i < len) {
		size_t k = 0;

		if (isspace((unsigned char)s[i])) {
			i++;
			continue;
		}
		if (w->n == MAX_WORDS)
			return -E2BIG;
		while (i < len && !isspace((unsigned char)s[i])) {
			if (k + 1 == WORD_MAX)
				return -ENAMETOOLONG;
			w->w[w->n][k++] = s[i++];
		}
		w->w[w->n++][k] = '\0';
	}
	return 0;
}

static void stage_reset(struct stage *st)
{
	switch (st->kind) {
	case ST_EMA:
		sgw_ema_init(&st->u.ema, st->p);
		break;
	case ST_SMA:
		sgw_sma_init(&st->u.sma, (unsigned)st->p);
		break;
	case ST_MEDIAN:
		sgw_median_init(&st->u.median, (unsigned)st->p);
		break;
	case ST_CALIB:
		break;
	case ST_DELTA_ABS:
		sgw_delta_init_abs(&st->u.delta, (uint32_t)st->p);
		break;
	case ST_DELTA_REL:
		sgw_delta_init_rel(&st->u.delta, (uint32_t)st->p);
		break;
	case ST_BIQUAD: {
		struct sgw_biquad *b = &st->u.biquad;

		/* The coefficients were checked by the first init: cannot fail. */
		(void)sgw_biquad_init(b, b->b0, b->b1, b->b2, b->a1, b->a2);
		break;
	}
	}
}

static int want_args(const struct words *w, int nargs, const char *usage,
		     char *err, size_t errlen)
{
	if (w->n - 1 == nargs)
		return 0;
	set_err(err, errlen, "filter '%s' takes %d value%s: %s", w->w[0], nargs,
		nargs == 1 ? "" : "s", usage);
	return -EINVAL;
}

static int parse_window(const struct words *w, long min, long max, int32_t *out,
			char *err, size_t errlen)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(w->w[1], &end, 10);
	if (errno || end == w->w[1] || *end || v < min || v > max) {
		set_err(err, errlen, "filter '%s': window '%s' is not a whole number in %ld..%ld",
			w->w[0], w->w[1], min, max);
		return -EINVAL;
	}
	*out = (int32_t)v;
	return 0;
}

/* A value in the channel's unit, with an error naming what was wrong. */
static int parse_unit_value(const struct words *w, int i, int scale, int64_t *out,
			    char *err, size_t errlen)
{
	int rc = parse_counts(w->w[i], scale, out);

	if (rc == -EDOM)
		set_err(err, errlen, "filter '%s': '%s' has more than %d decimal%s (the channel's resolution)",
			w->w[0], w->w[i], scale, scale == 1 ? "" : "s");
	else if (rc == -ERANGE)
		set_err(err, errlen, "filter '%s': '%s' is out of range", w->w[0], w->w[i]);
	else if (rc < 0)
		set_err(err, errlen, "filter '%s': '%s' is not a decimal number", w->w[0], w->w[i]);
	return rc < 0 ? -EINVAL : 0;
}

static int parse_stage(const struct words *w, int scale, struct stage *st,
		       char *err, size_t errlen)
{
	const char *name = w->w[0];
	int64_t a, b;
	int rc;

	if (!strcmp(name, "ema")) {
		if ((rc = want_args(w, 1, "ema A, 0 < A <= 1", err, errlen)) < 0)
			return rc;
		rc = parse_qbin(w->w[1], 16, 2, &a);
		if (rc < 0 || a < 1 || a > 65536) {
			set_err(err, errlen, "filter 'ema': coefficient '%s' must be a decimal in (0, 1] (at least 0.0000153)",
				w->w[1]);
			return -EINVAL;
		}
		st->kind = ST_EMA;
		st->p = (int32_t)a;
	} else if (!strcmp(name, "sma")) {
		if ((rc = want_args(w, 1, "sma N, N in 1..64", err, errlen)) < 0 ||
		    (rc = parse_window(w, 1, SGW_SMA_MAX, &st->p, err, errlen)) < 0)
			return rc;
		st->kind = ST_SMA;
	} else if (!strcmp(name, "median")) {
		if ((rc = want_args(w, 1, "median N, N in 3..15", err, errlen)) < 0 ||
		    (rc = parse_window(w, 3, SGW_MEDIAN_MAX, &st->p, err, errlen)) < 0)
			return rc;
		st->kind = ST_MEDIAN;
	} else if (!strcmp(name, "calibrate")) {
		if ((rc = want_args(w, 2, "calibrate GAIN OFFSET", err, errlen)) < 0)
			return rc;
		if (parse_qbin(w->w[1], 16, 32768, &a) < 0) {
			set_err(err, errlen, "filter 'calibrate': gain '%s' must be a decimal, |gain| < 32768",
				w->w[1]);
			return -EINVAL;
		}
		if ((rc = parse_unit_value(w, 2, scale, &b, err, errlen)) < 0)
			return rc;
		st->kind = ST_CALIB;
		st->u.calib = (struct sgw_calib){ (int32_t)a, (int32_t)b, INT32_MIN, INT32_MAX };
	} else if (!strcmp(name, "clamp")) {
		if ((rc = want_args(w, 2, "clamp LOW HIGH", err, errlen)) < 0 ||
		    (rc = parse_unit_value(w, 1, scale, &a, err, errlen)) < 0 ||
		    (rc = parse_unit_value(w, 2, scale, &b, err, errlen)) < 0)
			return rc;
		if (a > b) {
			set_err(err, errlen, "filter 'clamp': low '%s' is above high '%s'", w->w[1], w->w[2]);
			return -EINVAL;
		}
		st->kind = ST_CALIB;
		st->u.calib = (struct sgw_calib){ 65536, 0, (int32_t)a, (int32_t)b };
	} else if (!strcmp(name, "delta")) {
		char num[WORD_MAX];
		size_t len;

		if ((rc = want_args(w, 1, "delta X or delta X%", err, errlen)) < 0)
			return rc;
		len = strlen(w->w[1]);
		if (len > 1 && w->w[1][len - 1] == '%') {
			int64_t m;
			int f;

			memcpy(num, w->w[1], len - 1);
			num[len - 1] = '\0';
			/* ppm = percent * 10^4: at most 4 fraction digits of a percent. */
			if (parse_decimal(num, &m, &f) < 0 || m < 0 || f > 4 ||
			    m > 1000 * pow10_i64[f]) {
				set_err(err, errlen, "filter 'delta': '%s' must be a percentage in 0..1000 with at most 4 decimals",
					w->w[1]);
				return -EINVAL;
			}
			st->kind = ST_DELTA_REL;
			st->p = (int32_t)(m * pow10_i64[4 - f]);	/* ppm */
		} else {
			if ((rc = parse_unit_value(w, 1, scale, &a, err, errlen)) < 0)
				return rc;
			if (a < 0) {
				set_err(err, errlen, "filter 'delta': threshold '%s' is negative", w->w[1]);
				return -EINVAL;
			}
			st->kind = ST_DELTA_ABS;
			st->p = (int32_t)a;
		}
	} else if (!strcmp(name, "biquad")) {
		int64_t c[5];

		if ((rc = want_args(w, 5, "biquad B0 B1 B2 A1 A2", err, errlen)) < 0)
			return rc;
		for (int i = 0; i < 5; i++) {
			if (parse_qbin(w->w[1 + i], 30, 2, &c[i]) < 0) {
				set_err(err, errlen, "filter 'biquad': coefficient '%s' must be a decimal in (-2, 2) with at most 9 decimals",
					w->w[1 + i]);
				return -EINVAL;
			}
		}
		if (sgw_biquad_init(&st->u.biquad, (int32_t)c[0], (int32_t)c[1], (int32_t)c[2],
				    (int32_t)c[3], (int32_t)c[4]) < 0) {
			set_err(err, errlen, "filter 'biquad': the |coefficients| must add up to less than 4");
			return -EINVAL;
		}
		st->kind = ST_BIQUAD;
	} else {
		set_err(err, errlen, "unknown filter '%s' (known: median, sma, ema, biquad, calibrate, clamp, delta)",
			name);
		return -EINVAL;
	}
	stage_reset(st);
	return 0;
}

int sgw_filter_chain_parse(const char *spec, int scale, struct sgw_filter_chain **out,
			   char *err, size_t errlen)
{
	struct sgw_filter_chain *c;
	const char *s = spec ? spec : "";
	int rc;

	*out = NULL;
	if (errlen)
		err[0] = '\0';
	if (scale < 0 || scale > 9) {
		set_err(err, errlen, "channel scale %d is not in 0..9", scale);
		return -EINVAL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	for (;;) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		struct words w;

		rc = split_words(s, len, &w);
		if (rc == -E2BIG || rc == -ENAMETOOLONG) {
			set_err(err, errlen, "filter '%.*s': too %s", (int)(len > 40 ? 40 : len), s,
				rc == -E2BIG ? "many values" : "long a word");
			goto err_free_chain;
		}
		if (w.n == 0) {
			/* Blank: fine for the whole spec, not between commas. */
			if (comma || c->nstages) {
				set_err(err, errlen, "empty filter in '%s' (stray comma?)", spec);
				rc = -EINVAL;
				goto err_free_chain;
			}
		} else {
			if (c->nstages == SGW_FILTER_MAX_STAGES) {
				set_err(err, errlen, "more than %d filters in one chain",
					SGW_FILTER_MAX_STAGES);
				rc = -EINVAL;
				goto err_free_chain;
			}
			rc = parse_stage(&w, scale, &c->st[c->nstages], err, errlen);
			if (rc < 0)
				goto err_free_chain;
			c->nstages++;
		}
		if (!comma)
			break;
		s = comma + 1;
	}
	*out = c;
	return 0;

err_free_chain:
	free(c);
	return -EINVAL;
}

/* Samples go through the stages in chunks small enough for the stack. */
#define CHUNK 64

size_t sgw_filter_chain_run(struct sgw_filter_chain *c, const int32_t *in, int32_t *out,
			    uint8_t *keep, size_t n)
{
	size_t kept = 0;

	for (size_t base = 0; base < n; base += CHUNK) {
		int32_t v[CHUNK];
		uint8_t idx[CHUNK], k[CHUNK];
		size_t m = n - base < CHUNK ? n - base : CHUNK;

		for (size_t i = 0; i < m; i++) {
			v[i] = in[base + i];
			idx[i] = (uint8_t)i;
			keep[base + i] = 1;
		}
		for (size_t s = 0; s < c->nstages && m > 0; s++) {
			struct stage *st = &c->st[s];
			size_t j = 0;

			switch (st->kind) {
			case ST_EMA:
				sgw_ema_run(&st->u.ema, v, v, m);
				break;
			case ST_SMA:
				sgw_sma_run(&st->u.sma, v, v, m);
				break;
			case ST_MEDIAN:
				sgw_median_run(&st->u.median, v, v, m);
				break;
			case ST_CALIB:
				sgw_calib_run(&st->u.calib, v, v, m);
				break;
			case ST_BIQUAD:
				sgw_biquad_run(&st->u.biquad, v, v, m);
				break;
			case ST_DELTA_ABS:
			case ST_DELTA_REL:
				sgw_delta_run(&st->u.delta, v, k, m);
				/* Dropped samples leave the chunk here. */
				for (size_t i = 0; i < m; i++) {
					if (k[i]) {
						v[j] = v[i];
						idx[j++] = idx[i];
					} else {
						out[base + idx[i]] = v[i];
						keep[base + idx[i]] = 0;
					}
				}
				m = j;
				break;
			}
		}
		for (size_t i = 0; i < m; i++)
			out[base + idx[i]] = v[i];
		kept += m;
	}
	return kept;
}

void sgw_filter_chain_reset(struct sgw_filter_chain *c)
{
	for (size_t s = 0; s < c->nstages; s++)
		stage_reset(&c->st[s]);
}

size_t sgw_filter_chain_length(const struct sgw_filter_chain *c)
{
	return c->nstages;
}

void sgw_filter_chain_free(struct sgw_filter_chain *c)
{
	free(c);
}
