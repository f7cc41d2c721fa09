/* SPDX-License-Identifier: MIT */
/*
 * main() of a fuzz target built without libFuzzer: a test that runs the
 * target's seeds and committed corpus through LLVMFuzzerTestOneInput()
 * once each, so that every build compiles the targets and keeps their
 * inputs passing (under ASan and UBSan in ./dev check).  With arguments,
 * the files and folders named are run instead: a crash found by the
 * fuzzer can be replayed with the gcc build.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/fixtures/run.h"
#include "tests/fuzz/fuzz.h"

/* Run the file PATH; returns false when it cannot be read. */
static bool run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f)
		return false;
	do {
		if (len == cap) {
			cap = cap ? 2 * cap : 4096;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return true;
}

/* Run every file in DIR, or DIR itself when it is a file; returns the count, -1 on errors. */
static long run_path(const char *path)
{
	struct dirent *de;
	struct stat sb;
	long count = 0;
	DIR *d;

	if (stat(path, &sb) != 0)
		return -1;
	if (!S_ISDIR(sb.st_mode))
		return run_file(path) ? 1 : -1;
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d)) != NULL) {
		char p[PATH_MAX + 256];

		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, de->d_name);
		if (stat(p, &sb) != 0 || !S_ISREG(sb.st_mode))
			continue;
		if (!run_file(p)) {
			count = -1;
			break;
		}
		count++;
	}
	closedir(d);
	return count;
}

static void run_seed(void *arg, const void *data, size_t len)
{
	/* A copy of its own, so that ASan sees reads past its end. */
	uint8_t *copy = malloc(len ? len : 1);

	ck_assert_ptr_nonnull(copy);
	if (len)
		memcpy(copy, data, len);
	LLVMFuzzerTestOneInput(copy, len);
	free(copy);
	(*(unsigned *)arg)++;
}

START_TEST(test_seeds)
{
	unsigned n = 0;

	fuzz_seeds(run_seed, &n);
	ck_assert_uint_gt(n, 0);
}
END_TEST

START_TEST(test_corpus)
{
	const char *top = getenv("top_srcdir");

	for (size_t i = 0; fuzz_corpus[i]; i++) {
		char path[PATH_MAX];
		long n;

		snprintf(path, sizeof(path), "%s/%s", top && *top ? top : ".", fuzz_corpus[i]);
		n = run_path(path);
		ck_assert_msg(n > 0, "%s: %s", path, n < 0 ? strerror(errno) : "no inputs");
	}
}
END_TEST

int main(int argc, char **argv)
{
	Suite *s;
	TCase *tc;

	if (argc > 1) {
		for (int i = 1; i < argc; i++) {
			long n = run_path(argv[i]);

			if (n < 0) {
				fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
				return 1;
			}
			fprintf(stderr, "%s: %ld input%s\n", argv[i], n, n == 1 ? "" : "s");
		}
		return 0;
	}
	s = suite_create("fuzz-replay");
	tc = tcase_create("replay");
	tcase_set_timeout(tc, 300);	/* every input once, under valgrind or qemu */
	tcase_add_test(tc, test_seeds);
	tcase_add_test(tc, test_corpus);
	suite_add_tcase(s, tc);
	return sgw_test_run(s);
}
