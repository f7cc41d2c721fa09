/* SPDX-License-Identifier: MIT */
/*
 * Fuzz targets: what each one defines, and the support they share.
 *
 * A target is one program around LLVMFuzzerTestOneInput().  Built with
 * --enable-fuzz (CC=clang) it is a libFuzzer program; otherwise replay.c
 * gives it a main() that runs its seeds and committed corpus once, as a
 * test.  A target checks what it can about the code under test besides
 * not crashing (round trips, a reference model, invariants) and calls
 * fuzz_fail() when a check fails: libFuzzer then keeps the input.
 */
#ifndef SGW_TEST_FUZZ_H
#define SGW_TEST_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------- each target */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Called by fuzz_seeds() for each seed input. */
typedef void fuzz_emit_fn(void *arg, const void *data, size_t len);

/*
 * The target's seed inputs, made with the code's own encoders (so that
 * they stay valid when a format changes): EMIT(ARG, ...) once per seed.
 */
void fuzz_seeds(fuzz_emit_fn *emit, void *arg);

/*
 * Folders of committed inputs, from the top of the source tree, ending
 * with NULL: tests/ini for the loader, tests/fuzz/corpus/NAME for inputs
 * the fuzzer found worth keeping.
 */
extern const char *const fuzz_corpus[];

/* ---------------------------------------------------------- support */

/*
 * libFuzzer calls this before fuzzing (fuzz.c has it): with SGW_FUZZ_SEEDS=DIR
 * in the environment it writes the target's seeds to DIR, prints the
 * folders of fuzz_corpus[] on stdout, one a line, and exits: that is how
 * ./dev fuzz learns where a target starts from.
 */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A failed check: the message on stderr, then abort(). */
_Noreturn void fuzz_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define FUZZ_CHECK(cond, ...) \
	do { \
		if (!(cond)) \
			fuzz_fail(__FILE__, __LINE__, __VA_ARGS__); \
	} while (0)

/*
 * A private directory for the process, made on the first call under
 * $TMPDIR, else /dev/shm (where fsync costs nothing), else /tmp, and
 * removed at exit.
 */
const char *fuzz_tmpdir(void);
/* Remove every file in DIR (not DIR itself, no subfolders). */
void fuzz_empty_dir(const char *dir);
/* Write LEN bytes at DATA to DIR/NAME, replacing it. */
void fuzz_write_file(const char *dir, const char *name, const void *data, size_t len);

/* Reading a structured input: past its end every read gives zeros. */
struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

uint8_t fuzz_u8(struct fuzz_in *in);
uint16_t fuzz_u16(struct fuzz_in *in);
uint32_t fuzz_u32(struct fuzz_in *in);
uint64_t fuzz_u64(struct fuzz_in *in);
/* Up to LEN bytes (fewer at the end): *GOT of them, pointing into the input. */
const uint8_t *fuzz_bytes(struct fuzz_in *in, size_t len, size_t *got);

/* Writing one, for seeds: a growing buffer (aborts when out of memory). */
struct fuzz_out {
	uint8_t *p;
	size_t n, cap;
};

void fuzz_put(struct fuzz_out *o, const void *data, size_t len);
void fuzz_put_u8(struct fuzz_out *o, uint8_t v);
void fuzz_put_u16(struct fuzz_out *o, uint16_t v);
void fuzz_put_u32(struct fuzz_out *o, uint32_t v);
void fuzz_put_u64(struct fuzz_out *o, uint64_t v);
/* Emit what O holds as a seed and empty it. */
void fuzz_out_emit(struct fuzz_out *o, fuzz_emit_fn *emit, void *arg);
void fuzz_out_free(struct fuzz_out *o);

#endif
