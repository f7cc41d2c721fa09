/* SPDX-License-Identifier: MIT */
/*
 * Filter chains: the INI "filter =" key of a channel, e.g.
 *     filter = median 5, ema 0.2, delta 0.05
 * Stages run in the order written; each is one kernel of asm/sgw_kernels.h:
 *
 *   median N          running median of the last N (3..15) samples
 *   sma N             moving average of the last N (1..64) samples
 *   ema A             exponential moving average, 0 < A <= 1 (weight of
 *                     the new sample; A >= 0.0000153, one Q16 step)
 *   biquad B0 B1 B2 A1 A2
 *                     second-order IIR section (a0 = 1), coefficients in
 *                     (-2, 2), the sum of their magnitudes below 4 (true
 *                     of low-pass designs, not of most high-pass ones),
 *                     e.g. the Butterworth
 *                     low-pass at 1/20 of the sampling rate, from
 *                     scipy.signal.butter(2, 0.1):
 *                     "biquad 0.0200834 0.0401667 0.0200834 -1.5610181 0.6413515"
 *   calibrate A B     y = A * x + B, saturating; A a gain (|A| < 32768,
 *                     Q16 resolution), B in the channel's unit
 *   clamp LO HI       limit to [LO, HI] (channel's unit), LO <= HI
 *   delta X           keep a sample only when it differs from the last kept
 *                     one by more than X (channel's unit); the first is kept
 *   delta X%          same, relative: by more than X percent (0..1000) of
 *                     the last kept value
 *
 * Values in the channel's unit may carry at most the channel's scale of
 * fraction digits: "delta 0.05" on a scale-2 channel is 5 counts, on a
 * scale-1 channel it is an error (finer than the channel resolves).
 * An empty or blank spec is a chain that passes everything through.
 *
 * A sample dropped by a delta stage does not reach the stages after it
 * (as in ESPHome), so "delta 1, sma 4" averages only the kept samples.
 */
#ifndef SGW_FILTER_H
#define SGW_FILTER_H

#include <stddef.h>
#include <stdint.h>

struct sgw_filter_chain;

#define SGW_FILTER_MAX_STAGES 8

/*
 * Parse SPEC for a channel of fixed-point SCALE (0..9).  On success returns
 * 0 and stores a new chain (with fresh state) in *out.  On a bad spec
 * returns -EINVAL and writes a one-line message (no file or line: the
 * caller adds "FILE:LINE: ") to ERR (ERRLEN bytes, always NUL-terminated
 * when ERRLEN > 0); -ENOMEM when out of memory.
 */
int sgw_filter_chain_parse(const char *spec, int scale, struct sgw_filter_chain **out,
			   char *err, size_t errlen);

/*
 * Run N samples (N >= 0) of one channel through the chain.  OUT[i] is the
 * filtered value of IN[i] (for a dropped sample: its value where it was
 * dropped); KEEP[i] is 1 when the sample should be published, 0 when a
 * delta stage dropped it.  IN and OUT may be the same array.  Returns the
 * number of samples kept.
 */
size_t sgw_filter_chain_run(struct sgw_filter_chain *c, const int32_t *in, int32_t *out,
			    uint8_t *keep, size_t n);

/* Forget the history (as after parsing), e.g. after a long sensor outage. */
void sgw_filter_chain_reset(struct sgw_filter_chain *c);

/* Number of stages (0 for a pass-through chain). */
size_t sgw_filter_chain_length(const struct sgw_filter_chain *c);

void sgw_filter_chain_free(struct sgw_filter_chain *c);

#endif
