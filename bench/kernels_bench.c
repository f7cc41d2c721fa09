/* SPDX-License-Identifier: MIT */
/*
 * Drives one kernel once over a fixed pseudo-random input, for
 * bench/kernels-mca.sh, which traces it under qemu-aarch64 and counts and
 * schedules the instructions executed between the two bench_mark() calls
 * inside the kernel's own code.
 *     kernels_bench KERNEL asm|ref N
 * KERNEL: ema sma16 median5 median15 biquad calib delta fmt_fixed crc32c
 * pack_batch pack_json (the packer against the JSON writer).
 * N samples (crc32c: N bytes; fmt_fixed: N numbers, scale 3, precision 2;
 * pack_batch: N readings of a house's sensors, see pack_items()).
 * Each kernel runs once before the measured call (warm state, tables built).
 * Built for AArch64 with the assembly and the C reference side by side.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm/sgw_kernels.h"
#include "message/json.h"

/* The tracer looks for calls of this between the measured region. */
__attribute__((noinline)) void bench_mark(int phase);
__attribute__((noinline)) void bench_mark(int phase)
{
	__asm__ volatile("" : : "r"(phase) : "memory");
}

/*
 * N readings as a house's gateway sends them: topics of three rooms,
 * temperature, humidity and pressure in turn (units "°C", "%", "hPa",
 * scale 2), values that drift, time stamps 250 ms apart, consecutive
 * sequence numbers.
 */
static void pack_items(struct sgw_pack_item *it, const int32_t *in, size_t n)
{
	static const char *const topic[] = {
		"casa/sala/temperatura", "casa/sala/umidade", "casa/sala/pressao",
		"casa/cozinha/temperatura", "casa/cozinha/umidade", "casa/cozinha/pressao",
		"casa/quarto/temperatura", "casa/quarto/umidade", "casa/quarto/pressao",
	};
	static const char *const unit[] = { "\xc2\xb0" "C", "%", "hPa" };
	/* 20.00 °C, 45.00 %, 1013.00 hPa, and up to +-9.99 from the wave */
	static const int32_t base[] = { 2000, 4500, 101300 };

	for (size_t i = 0; i < n; i++) {
		size_t q = i % 3;

		it[i] = (struct sgw_pack_item){
			.topic = topic[i % 9], .topic_len = strlen(topic[i % 9]),
			.unit = unit[q], .unit_len = strlen(unit[q]),
			.value = base[q] + (in[i] - 20000) % 1000,
			.scale = 2, .precision = 2,
			.ts_ms = 1700000000123 + (int64_t)i * 250, .seq = 4200000 + i,
		};
	}
}

/*
 * The same readings through the JSON writer, as src/message/payload.c
 * wrote batches before the packer: the C the packer replaced.
 */
__attribute__((noinline)) ssize_t writer_batch(char *dst, size_t cap,
					       const struct sgw_pack_item *it, size_t n);
__attribute__((noinline)) ssize_t writer_batch(char *dst, size_t cap,
					       const struct sgw_pack_item *it, size_t n)
{
	struct sgw_json w;

	sgw_json_init(&w, dst, cap);
	sgw_json_array_begin(&w);
	for (size_t i = 0; i < n; i++) {
		sgw_json_object_begin(&w);
		sgw_json_key(&w, "topic");
		sgw_json_string_len(&w, it[i].topic, it[i].topic_len);
		sgw_json_key(&w, "value");
		sgw_json_fixed(&w, it[i].value, it[i].scale, it[i].precision);
		sgw_json_key(&w, "unit");
		sgw_json_string(&w, it[i].unit);
		sgw_json_key(&w, "ts");
		sgw_json_int(&w, it[i].ts_ms);
		sgw_json_key(&w, "seq");
		sgw_json_uint(&w, it[i].seq);
		sgw_json_object_end(&w);
	}
	sgw_json_array_end(&w);
	return sgw_json_finish(&w);
}

int main(int argc, char **argv)
{
	static int32_t in[65536], out[65536];
	static uint8_t keep[65536];
	static char text[65536 * SGW_FMT_FIXED_MAX];
	uint64_t r = 12345;
	const char *k;
	int ref;
	size_t n;

	if (argc != 4 || (strcmp(argv[2], "asm") && strcmp(argv[2], "ref"))) {
		fprintf(stderr, "usage: kernels_bench KERNEL asm|ref N\n");
		return 2;
	}
	k = argv[1];
	ref = !strcmp(argv[2], "ref");
	n = strtoul(argv[3], NULL, 10);
	if (n < 1 || n > 65536)
		return 2;
	/* Sensor-like data: a slow wave plus noise, with a few spikes. */
	for (size_t i = 0; i < n; i++) {
		r = r * 6364136223846793005ULL + 1442695040888963407ULL;
		in[i] = 20000 + (int32_t)((i * 37) % 2000) + (int32_t)((r >> 40) % 201) - 100;
		if ((r >> 20) % 50 == 0)
			in[i] += 30000;
	}

#define RUN2(call_asm, call_ref) \
	do { \
		if (ref) { call_ref; bench_mark(1); call_ref; bench_mark(2); } \
		else { call_asm; bench_mark(1); call_asm; bench_mark(2); } \
	} while (0)

	if (!strcmp(k, "ema")) {
		struct sgw_ema st;

		sgw_ema_init(&st, 13107);
		RUN2(sgw_ema_run(&st, in, out, n), sgw_ref_ema_run(&st, in, out, n));
	} else if (!strcmp(k, "sma16")) {
		struct sgw_sma st;

		sgw_sma_init(&st, 16);
		RUN2(sgw_sma_run(&st, in, out, n), sgw_ref_sma_run(&st, in, out, n));
	} else if (!strcmp(k, "median5") || !strcmp(k, "median15")) {
		struct sgw_median st;

		sgw_median_init(&st, k[6] == '5' ? 5 : 15);
		RUN2(sgw_median_run(&st, in, out, n), sgw_ref_median_run(&st, in, out, n));
	} else if (!strcmp(k, "biquad")) {
		struct sgw_biquad st;

		/* Butterworth low-pass at 1/20 of the rate, Q2.30. */
		if (sgw_biquad_init(&st, 21564354, 43128698, 21564354, -1676130401, 688645972) < 0)
			return 1;
		RUN2(sgw_biquad_run(&st, in, out, n), sgw_ref_biquad_run(&st, in, out, n));
	} else if (!strcmp(k, "calib")) {
		struct sgw_calib c = { 117965, 320, -400, 100000 };

		RUN2(sgw_calib_run(&c, in, out, n), sgw_ref_calib_run(&c, in, out, n));
	} else if (!strcmp(k, "delta")) {
		struct sgw_delta st;

		sgw_delta_init_abs(&st, 150);
		RUN2(sgw_delta_run(&st, in, keep, n), sgw_ref_delta_run(&st, in, keep, n));
	} else if (!strcmp(k, "fmt_fixed")) {
		char *p = text;

		RUN2(for (size_t i = 0; i < n; i++) p += sgw_fmt_fixed(p, in[i] - 25000, 3, 2),
		     for (size_t i = 0; i < n; i++) p += sgw_ref_fmt_fixed(p, in[i] - 25000, 3, 2));
		p = text;
	} else if (!strcmp(k, "pack_batch")) {
		static struct sgw_pack_item it[65536];
		static size_t ends[65536];
		size_t got = 0;

		pack_items(it, in, n);
		if (sgw_pack_bound(it, n) > sizeof(text))
			return 2;
		RUN2(got = sgw_pack_batch(text, it, n, SIZE_MAX, ends),
		     got = sgw_ref_pack_batch(text, it, n, SIZE_MAX, ends));
		if (got != n)
			return 1;
	} else if (!strcmp(k, "pack_json")) {
		/* "ref" is the JSON writer here */
		static struct sgw_pack_item it[65536];
		static size_t ends[65536];
		ssize_t len = 0;
		size_t got = 0;

		pack_items(it, in, n);
		RUN2(got = sgw_pack_batch(text, it, n, SIZE_MAX, ends),
		     len = writer_batch(text, sizeof(text), it, n));
		if (ref ? len <= 0 : got != n)
			return 1;
	} else if (!strcmp(k, "crc32c")) {
		volatile uint32_t crc;

		RUN2(crc = sgw_crc32c_armv8(0, in, n), crc = sgw_ref_crc32c(0, in, n));
		(void)crc;
	} else {
		fprintf(stderr, "unknown kernel %s\n", k);
		return 2;
	}
	printf("%s %s %zu %d\n", k, argv[2], n, out[n - 1] + keep[n - 1]);
	return 0;
}
