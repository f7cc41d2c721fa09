/* SPDX-License-Identifier: MIT */
/*
 * Filter specs: parse, then run samples through the chain.  Running the
 * samples at once, in the input's own slices and in place must give the
 * same outputs and the same kept samples: the chain works in chunks of 64
 * and its stages keep state between calls.
 *
 * Input: u8 scale (mod 12, minus 1: -1..10, so that bad scales are tried),
 * u8 error buffer size, u8 slice size, the spec up to a newline, then the
 * samples as int32 little endian.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sense/filter.h"
#include "tests/fuzz/fuzz.h"

#define MAX_SAMPLES 4096

const char *const fuzz_corpus[] = { NULL };

static void seed(fuzz_emit_fn *emit, void *arg, int scale, const char *spec,
		 const int32_t *v, size_t n)
{
	struct fuzz_out o = { 0 };

	fuzz_put_u8(&o, (uint8_t)(scale + 1));
	fuzz_put_u8(&o, 200);
	fuzz_put_u8(&o, 7);
	fuzz_put(&o, spec, strlen(spec));
	fuzz_put_u8(&o, '\n');
	for (size_t i = 0; i < n; i++)
		fuzz_put_u32(&o, (uint32_t)v[i]);
	fuzz_out_emit(&o, emit, arg);
	fuzz_out_free(&o);
}

void fuzz_seeds(fuzz_emit_fn *emit, void *arg)
{
	static const char *const specs[] = {
		"median 5, ema 0.2, delta 0.05",
		"sma 64",
		"ema 0.0000153",
		"biquad 0.0200834 0.0401667 0.0200834 -1.5610181 0.6413515",
		"calibrate -32767.99999 -21474836.48",
		"clamp -40 85, delta 12.5%",
		"delta 1000%, median 15, sma 1, ema 1",
		"",
		"median 4",
		"unknown 1",
		"delta 0.001",
	};
	int32_t v[200];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		v[i] = (int32_t)(i * 2654435761u) >> (i % 24);
	v[10] = INT32_MAX;
	v[11] = INT32_MIN;
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
		seed(emit, arg, 2, specs[i], v, sizeof(v) / sizeof(v[0]));
	seed(emit, arg, 0, "delta 0.05", v, 4);
	seed(emit, arg, 9, "clamp -2.147483648 2.147483647", v, 64);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	int scale = fuzz_u8(&in) % 12 - 1;
	size_t errlen = fuzz_u8(&in), slice = fuzz_u8(&in) % 70 + 1, n = 0, len, kept, k2;
	const uint8_t *spec_end = memchr(in.p, '\n', in.n);
	const uint8_t *spec = fuzz_bytes(&in, spec_end ? (size_t)(spec_end - in.p) : in.n, &len);
	char *text = malloc(len + 1), *err = malloc(errlen ? errlen : 1);
	int32_t *v = malloc(MAX_SAMPLES * sizeof(*v)), *out = malloc(MAX_SAMPLES * sizeof(*out));
	int32_t *out2 = malloc(MAX_SAMPLES * sizeof(*out2));
	uint8_t *keep = malloc(MAX_SAMPLES), *keep2 = malloc(MAX_SAMPLES);
	struct sgw_filter_chain *c = (struct sgw_filter_chain *)1;
	int rc;

	FUZZ_CHECK(text && err && v && out && out2 && keep && keep2, "out of memory");
	memcpy(text, spec, len);
	text[len] = '\0';
	fuzz_u8(&in);	/* the newline */
	while (in.n >= 4 && n < MAX_SAMPLES)
		v[n++] = (int32_t)fuzz_u32(&in);

	rc = sgw_filter_chain_parse(text, scale, &c, err, errlen);
	if (rc < 0) {
		FUZZ_CHECK(rc == -EINVAL, "parse returned %d", rc);
		FUZZ_CHECK(!c, "a chain after an error");
		FUZZ_CHECK(!errlen || memchr(err, '\0', errlen), "error not terminated");
		FUZZ_CHECK(errlen < 2 || err[0], "no error message");
		goto out_free;
	}
	FUZZ_CHECK(scale >= 0 && scale <= 9, "scale %d accepted", scale);
	FUZZ_CHECK(c && sgw_filter_chain_length(c) <= SGW_FILTER_MAX_STAGES, "chain");

	kept = sgw_filter_chain_run(c, v, out, keep, n);
	k2 = 0;
	for (size_t i = 0; i < n; i++)
		k2 += keep[i];
	FUZZ_CHECK(kept == k2, "%zu kept, %zu marked", kept, k2);

	/* In slices: the same. */
	sgw_filter_chain_reset(c);
	k2 = 0;
	for (size_t i = 0; i < n; i += slice)
		k2 += sgw_filter_chain_run(c, v + i, out2 + i, keep2 + i,
					   n - i < slice ? n - i : slice);
	FUZZ_CHECK(k2 == kept, "in slices of %zu: %zu kept, at once %zu", slice, k2, kept);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(out2[i] == out[i] && keep2[i] == keep[i],
			   "in slices of %zu, sample %zu: %d/%d, at once %d/%d", slice, i,
			   out2[i], keep2[i], out[i], keep[i]);

	/* In place: the same. */
	sgw_filter_chain_reset(c);
	memcpy(out2, v, n * sizeof(*v));
	k2 = sgw_filter_chain_run(c, out2, out2, keep2, n);
	FUZZ_CHECK(k2 == kept, "in place: %zu kept, %zu before", k2, kept);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(out2[i] == out[i] && keep2[i] == keep[i], "in place, sample %zu", i);
	sgw_filter_chain_free(c);
out_free:
	free(text);
	free(err);
	free(v);
	free(out);
	free(out2);
	free(keep);
	free(keep2);
	return 0;
}
