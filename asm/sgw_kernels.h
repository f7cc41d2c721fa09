/* SPDX-License-Identifier: MIT */
/*
 * Hot-path kernels: one API, two implementations (asm/aarch64/NAME.S and the C
 * reference in asm/generic/NAME.c), chosen at configure time.  The two are
 * bit-exact on every input.
 *
 * Names.  The public sgw_NAME() is what the rest of the daemon calls.  The C
 * reference is always built as sgw_ref_NAME(); without the assembly
 * (other CPUs, --disable-asm) sgw_NAME is an alias of it, on AArch64 the
 * assembly defines sgw_NAME itself.  Tests compare the two in one binary.
 *
 * Fixed point.  Samples are int32 with the channel's decimal scale (scale 2:
 * 2346 = 23.46).  Coefficients are binary fixed point, named Qm.n after their
 * integer and fraction bits: "Q16" means value * 65536 held in an int32.
 * Intermediates are int64, so no product or sum wraps.
 *
 * Rounding: ONE rule everywhere, round half away from zero.  For a right
 * shift by k this is (v + 2^(k-1) - (v < 0)) >> k with an arithmetic shift
 * (-1.5 -> -2, -0.5 -> -1, 0.5 -> 1); for a division by a positive d it is
 * sign(v) * ((|v| + d/2) / d).
 *
 * Saturation: a result outside int32 becomes INT32_MIN or INT32_MAX; nothing
 * wraps.  (The filters below whose output is a weighted mean of their inputs
 * cannot leave the inputs' range and so never saturate.)
 *
 * Block form: every filter takes N samples (N may be 0) and carries its
 * state from call to call, so feeding a signal in one block or in many
 * gives the same output.  IN and OUT may be the same array (in-place) but
 * must not otherwise overlap.  No alignment beyond int32's is required.
 *
 * The state structs are read by the assembly at fixed offsets (checked by
 * _Static_assert in asm/generic/layout.c): change them only together.
 * Initialise them with the sgw_*_init() functions, never by hand.
 */
#ifndef SGW_KERNELS_H
#define SGW_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/*
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as used by iSCSI
 * and ext4.  Pass crc = 0 to start; feed the result back to continue:
 * sgw_crc32c(0, "123456789", 9) == 0xE3069283.
 * On AArch64 the ARMv8 CRC32C instructions are used when the CPU has them
 * (HWCAP_CRC32, optional in ARMv8.0, checked once at load time); otherwise
 * the table-driven reference.
 */
uint32_t sgw_crc32c(uint32_t crc, const void *buf, size_t len);

/*
 * Fixed point to decimal ASCII without printf or floats.  V carries SCALE
 * (0..9) fraction digits; the text has PRECISION (0..9) fraction digits.
 * When PRECISION < SCALE the value is rounded half away from zero
 * (2345, scale 3, precision 2 -> "2.35"; -2345 -> "-2.35"); when larger,
 * zeros are appended.  No NUL is written; returns the length, at most
 * SGW_FMT_FIXED_MAX.  "-0" is never produced: a value that rounds to zero
 * prints without sign.  A SCALE or PRECISION above 9 is taken as 9.
 */
#define SGW_FMT_FIXED_MAX 24
size_t sgw_fmt_fixed(char *dst, int32_t v, unsigned scale, unsigned precision);

/*
 * Exponential moving average (first-order IIR low-pass):
 *     y[n] = y[n-1] + alpha * (x[n] - y[n-1])
 * ALPHA is Q16 (1..65536 = 1/65536 .. 1.0; 0.2 -> 13107).  The state keeps
 * y in Q16 (acc = y * 65536, int64) so that small steps are not lost to
 * rounding; each step is
 *     acc = round((65536 - alpha) * acc / 65536) + alpha * x
 * and the output is round(acc / 65536), both rounded half away from zero.
 * The first sample primes the filter (acc = x * 65536, output x).
 */
struct sgw_ema {
	int64_t acc;		/* offset 0: y, Q16 */
	int32_t alpha;		/* offset 8: Q16, 1..65536 */
	uint32_t primed;	/* offset 12: 0 until the first sample */
};
void sgw_ema_init(struct sgw_ema *st, int32_t alpha_q16);
void sgw_ema_run(struct sgw_ema *st, const int32_t *in, int32_t *out, size_t n);

/*
 * Sliding-window moving average over the last WINDOW (1..64) samples:
 * a running int64 sum, the output is round(sum / count) where count is the
 * number of samples seen so far, at most WINDOW (so the first outputs are
 * the mean of what there is, not diluted by zeros).
 */
#define SGW_SMA_MAX 64
struct sgw_sma {
	int64_t sum;		/* offset 0 */
	uint32_t window;	/* offset 8: 1..64 */
	uint32_t count;		/* offset 12: samples in the window, 0..window */
	uint32_t pos;		/* offset 16: next ring slot to overwrite */
	uint32_t pad_;		/* offset 20 */
	int32_t ring[SGW_SMA_MAX];	/* offset 24: zero until written */
};
void sgw_sma_init(struct sgw_sma *st, unsigned window);
void sgw_sma_run(struct sgw_sma *st, const int32_t *in, int32_t *out, size_t n);

/*
 * Running median of the last WINDOW (1..15) samples, for spike removal.
 * The output is the element of rank count/2 (0-based) of the samples in
 * the window sorted ascending, count being the samples seen so far, at most
 * WINDOW: the middle one for an odd count, the upper middle for an even
 * count (no averaging, so the output is always an input value).
 * The state keeps the window both in arrival order (ring) and sorted;
 * unused slots of both hold INT32_MAX.
 */
#define SGW_MEDIAN_MAX 15
struct sgw_median {
	int32_t sorted[16];	/* offset 0: ascending, INT32_MAX-padded */
	int32_t ring[16];	/* offset 64: arrival order, INT32_MAX until written */
	uint32_t window;	/* offset 128: 1..15 */
	uint32_t count;		/* offset 132: 0..window */
	uint32_t pos;		/* offset 136: next ring slot to overwrite */
	uint32_t pad_;		/* offset 140 */
};
void sgw_median_init(struct sgw_median *st, unsigned window);
void sgw_median_run(struct sgw_median *st, const int32_t *in, int32_t *out, size_t n);

/*
 * Linear calibration and clamp, saturating:
 *     y = min(max(sat32(round(a * x / 65536) + b), lo), hi)
 * A is Q16.16 (65536 = gain 1.0; negative gains allowed), B and the bounds
 * are in the output's counts; lo <= hi.  Stateless, and the samples are
 * independent, so the assembly does four at a time with NEON.
 */
struct sgw_calib {
	int32_t a;		/* offset 0: gain, Q16 */
	int32_t b;		/* offset 4: offset, counts */
	int32_t lo;		/* offset 8 */
	int32_t hi;		/* offset 12 */
};
void sgw_calib_run(const struct sgw_calib *c, const int32_t *in, int32_t *out, size_t n);

/*
 * Delta / deadband: keep a sample only when it moved far enough from the
 * last kept one.  Sample x is kept when nothing was kept yet, or when
 *     |x - last| * mul > thr + ppm * |last|
 * (all in 64 bits, no overflow possible).  Absolute mode: mul = 1,
 * thr = threshold in counts, ppm = 0 ("change by more than thr").
 * Relative mode: mul = 1000000, thr = 0, ppm = threshold in parts per
 * million of |last| ("change by more than 5 %" is ppm = 50000; from a
 * last value of 0 any change is kept).  keep[i] is set to 1 or 0; returns
 * how many were kept.  The samples themselves pass through unchanged.
 */
struct sgw_delta {
	uint64_t thr;		/* offset 0: counts (absolute) or 0 */
	uint32_t mul;		/* offset 8: 1 or 1000000 */
	uint32_t ppm;		/* offset 12: 0 (absolute) or 0..10000000 */
	int32_t last;		/* offset 16: last kept sample */
	uint32_t primed;	/* offset 20: 0 until a sample was kept */
};
#define SGW_DELTA_PPM_MAX 10000000u	/* 1000 % */
void sgw_delta_init_abs(struct sgw_delta *st, uint32_t thr);
void sgw_delta_init_rel(struct sgw_delta *st, uint32_t ppm);
size_t sgw_delta_run(struct sgw_delta *st, const int32_t *in, uint8_t *keep, size_t n);

/*
 * Biquad (second-order IIR section), direct form I, coefficients Q2.30
 * (1.0 = 2^30, range [-2, 2)), a0 normalised to 1:
 *     acc = b0*x[n] + b1*x[n-1] + b2*x[n-2] - a1*y[n-1] - a2*y[n-2] + err
 *     y[n] = sat32(round(acc / 2^30)),  err = acc - y[n] * 2^30
 * ERR carries the rounding remainder into the next sample ("fraction
 * saving", first-order error feedback), so the output's rounding error has
 * no DC part: a low-pass with unity DC gain settles exactly on a constant
 * input instead of stopping up to 1/(1 + a1 + a2) counts short.  When y
 * saturates, err is reset to 0.
 * The first sample primes the history (x and y of the past = that sample),
 * as if the input had always been there.
 * sgw_biquad_init() returns -EINVAL (and leaves ST unusable) unless the sum
 * of the |coefficients| is below 4.0: then no sum can leave int64.  Low-pass
 * designs stay near 3; most high-pass designs exceed the limit.
 */
struct sgw_biquad {
	int32_t b0, b1, b2, a1, a2;	/* offsets 0..16: Q2.30 */
	int32_t x1, x2, y1, y2;		/* offsets 20..32: history */
	uint32_t primed;		/* offset 36 */
	int64_t err;			/* offset 40: |err| <= 2^29 */
};
int sgw_biquad_init(struct sgw_biquad *st, int32_t b0, int32_t b1, int32_t b2,
		    int32_t a1, int32_t a2);
void sgw_biquad_run(struct sgw_biquad *st, const int32_t *in, int32_t *out, size_t n);

/*
 * The batch packer: the inner loop of a batch of readings, N JSON objects
 * separated by commas (the caller adds the array's brackets), each in this
 * form and key order, without spaces:
 *     {"topic":"casa/sala/temperatura","value":23.46,"unit":"°C","ts":1700000000123,"seq":42}
 * TOPIC and UNIT are bytes (valid UTF-8 is the caller's business) escaped
 * as RFC 8259 requires and as src/message/json.h writes them: '"' and '\\'
 * after a backslash, U+0000..U+001F as \b \f \n \r \t where those exist and
 * \u00XX (lowercase hex) otherwise, every other byte as it is.  A NULL
 * topic leaves the "topic" key out ({"value":...}); an empty one is "".
 * VALUE is printed as sgw_fmt_fixed(value, scale, precision) prints it, TS
 * and SEQ in decimal ('-' for a negative TS).
 *
 * Size and prefixes.  The caller does not know the text's length before it
 * is written, so the packer never checks room while it writes: DST must
 * have sgw_pack_bound(IT, N) bytes, an upper bound computed from the
 * strings' lengths alone (each byte escapes to at most 6, each number is
 * at most its longest), and the packer may write anywhere in that space,
 * also past the text it returns (the assembly stores 16 bytes at a time).
 * Instead the packer records in ENDS[i] where object i ends (the offset
 * just past its '}'; the comma before object i + 1 is not part of it) and
 * stops after the first object that ends past LIMIT.  It returns how many
 * objects it wrote, K: objects 0..K-1 are DST[0..ENDS[K-1]), and every one
 * of them but possibly the last ends within LIMIT.  So the largest prefix
 * of the readings that fits in LIMIT bytes comes from one pass:
 *     k = sgw_pack_batch(dst, it, n, limit, ends);
 *     if (k > 1 && ends[k - 1] > limit)
 *             k--;                    (object k goes first in the next batch)
 *     -> the text is dst[0..ends[k - 1]); with k == 1 the first object may
 *        still be longer than LIMIT: the caller decides (send it alone)
 * LIMIT = SIZE_MAX packs all N.  Each object is at least SGW_PACK_OBJ_MIN
 * bytes plus its comma, so no more than LIMIT / SGW_PACK_OBJ_MIN + 1
 * objects are ever written: a caller with a long backlog passes at most that
 * many items and a DST as large as their bound.  N may be 0 (returns 0).
 * DST needs no alignment.  A string may be NULL when its length is 0 (a
 * NULL topic means no key); the assembly reads it 16 bytes at a time, up to
 * 15 bytes past its end but never into a page it does not touch.
 *
 * The item is read by the assembly at fixed offsets (layout.c).
 */
struct sgw_pack_item {
	const char *topic;	/* offset 0: TOPIC_LEN bytes; NULL: no "topic" key */
	const char *unit;	/* offset 8: UNIT_LEN bytes */
	size_t topic_len;	/* offset 16: ignored when TOPIC is NULL */
	size_t unit_len;	/* offset 24 */
	int64_t ts_ms;		/* offset 32 */
	uint64_t seq;		/* offset 40 */
	int32_t value;		/* offset 48: SCALE fraction digits */
	uint8_t scale;		/* offset 52: 0..9, larger is 9 (as sgw_fmt_fixed) */
	uint8_t precision;	/* offset 53: 0..9, larger is 9 */
	uint16_t pad_;		/* offset 54 */
};
/*
 * The bound per item besides its strings: comma, keys and punctuation (45
 * bytes), the value (SGW_FMT_FIXED_MAX), TS and SEQ (20 each); and the
 * slack after the last item for the assembly's wide stores.
 */
#define SGW_PACK_ITEM_FIXED (45 + SGW_FMT_FIXED_MAX + 20 + 20)
#define SGW_PACK_SLACK 16
/* The shortest object: {"value":0,"unit":"","ts":0,"seq":0} */
#define SGW_PACK_OBJ_MIN 36
/* SGW_PACK_SLACK + the sum of SGW_PACK_ITEM_FIXED + 6 * (topic and unit lengths). */
size_t sgw_pack_bound(const struct sgw_pack_item *it, size_t n);
size_t sgw_pack_batch(char *dst, const struct sgw_pack_item *it, size_t n, size_t limit,
		      size_t *ends);

/*
 * Reference versions, always built (see "Names" above).  Calling them is
 * always correct; they exist under their own names so that the tests can
 * compare them with the assembly in one binary.
 */
uint32_t sgw_ref_crc32c(uint32_t crc, const void *buf, size_t len);
size_t sgw_ref_fmt_fixed(char *dst, int32_t v, unsigned scale, unsigned precision);
void sgw_ref_ema_run(struct sgw_ema *st, const int32_t *in, int32_t *out, size_t n);
void sgw_ref_sma_run(struct sgw_sma *st, const int32_t *in, int32_t *out, size_t n);
void sgw_ref_median_run(struct sgw_median *st, const int32_t *in, int32_t *out, size_t n);
void sgw_ref_calib_run(const struct sgw_calib *c, const int32_t *in, int32_t *out, size_t n);
size_t sgw_ref_delta_run(struct sgw_delta *st, const int32_t *in, uint8_t *keep, size_t n);
void sgw_ref_biquad_run(struct sgw_biquad *st, const int32_t *in, int32_t *out, size_t n);
size_t sgw_ref_pack_batch(char *dst, const struct sgw_pack_item *it, size_t n, size_t limit,
			  size_t *ends);

#ifdef SGW_ASM_AARCH64
/* The ARMv8 CRC32C loop; call only when getauxval(AT_HWCAP) & HWCAP_CRC32. */
uint32_t sgw_crc32c_armv8(uint32_t crc, const void *buf, size_t len);
/* The choice sgw_crc32c() is bound to at load time, given AT_HWCAP. */
typedef uint32_t sgw_crc32c_fn(uint32_t crc, const void *buf, size_t len);
sgw_crc32c_fn *sgw_crc32c_select(uint64_t hwcap);
#endif

#endif
