/* SPDX-License-Identifier: MIT */
/* What the fuzz targets share (fuzz.h). */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void fuzz_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: check failed: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* ---------------------------------------------------------- files */

static char tmpdir[PATH_MAX];

static void tmpdir_remove(void)
{
	fuzz_empty_dir(tmpdir);
	rmdir(tmpdir);
}

const char *fuzz_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	struct stat sb;

	if (tmpdir[0])
		return tmpdir;
	if (!base || !*base)
		base = stat("/dev/shm", &sb) == 0 && S_ISDIR(sb.st_mode) ? "/dev/shm" : "/tmp";
	snprintf(tmpdir, sizeof(tmpdir), "%s/sgw-fuzz.XXXXXX", base);
	FUZZ_CHECK(mkdtemp(tmpdir), "mkdtemp %s: %s", tmpdir, strerror(errno));
	atexit(tmpdir_remove);
	return tmpdir;
}

void fuzz_empty_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		char p[PATH_MAX + 256];

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (unlink(p) != 0)
			rmdir(p);	/* an empty folder a target made */
	}
	closedir(d);
}

void fuzz_write_file(const char *dir, const char *name, const void *data, size_t len)
{
	char p[PATH_MAX + 256];
	size_t done = 0;
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FUZZ_CHECK(fd >= 0, "open %s: %s", p, strerror(errno));
	while (done < len) {
		ssize_t n = write(fd, (const char *)data + done, len - done);

		FUZZ_CHECK(n > 0, "write %s: %s", p, strerror(errno));
		done += (size_t)n;
	}
	close(fd);
}

/* ---------------------------------------------------------- seeds */

struct seed_dir {
	const char *dir;
	unsigned n;
};

static void seed_write(void *arg, const void *data, size_t len)
{
	struct seed_dir *sd = arg;
	char name[32];

	snprintf(name, sizeof(name), "seed-%03u", sd->n++);
	fuzz_write_file(sd->dir, name, data, len);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct seed_dir sd = { getenv("SGW_FUZZ_SEEDS"), 0 };

	(void)argc;
	(void)argv;
	if (!sd.dir || !*sd.dir)
		return 0;
	if (mkdir(sd.dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "%s: %s\n", sd.dir, strerror(errno));
		exit(1);
	}
	fuzz_seeds(seed_write, &sd);
	fprintf(stderr, "%s: %u seed%s\n", sd.dir, sd.n, sd.n == 1 ? "" : "s");
	for (size_t i = 0; fuzz_corpus[i]; i++)
		printf("%s\n", fuzz_corpus[i]);
	exit(0);
}

/* ---------------------------------------------------------- structured input */

uint8_t fuzz_u8(struct fuzz_in *in)
{
	uint8_t v = 0;

	if (in->n) {
		v = *in->p++;
		in->n--;
	}
	return v;
}

uint16_t fuzz_u16(struct fuzz_in *in)
{
	uint16_t v = fuzz_u8(in);

	return (uint16_t)(v | fuzz_u8(in) << 8);
}

uint32_t fuzz_u32(struct fuzz_in *in)
{
	uint32_t v = fuzz_u16(in);

	return v | (uint32_t)fuzz_u16(in) << 16;
}

uint64_t fuzz_u64(struct fuzz_in *in)
{
	uint64_t v = fuzz_u32(in);

	return v | (uint64_t)fuzz_u32(in) << 32;
}

const uint8_t *fuzz_bytes(struct fuzz_in *in, size_t len, size_t *got)
{
	const uint8_t *p = in->p;

	*got = len < in->n ? len : in->n;
	in->p += *got;
	in->n -= *got;
	return p;
}

void fuzz_put(struct fuzz_out *o, const void *data, size_t len)
{
	if (o->n + len > o->cap) {
		size_t cap = o->cap ? o->cap : 256;

		while (cap < o->n + len)
			cap *= 2;
		o->p = realloc(o->p, cap);
		FUZZ_CHECK(o->p, "out of memory");
		o->cap = cap;
	}
	if (len)
		memcpy(o->p + o->n, data, len);
	o->n += len;
}

void fuzz_put_u8(struct fuzz_out *o, uint8_t v)
{
	fuzz_put(o, &v, 1);
}

void fuzz_put_u16(struct fuzz_out *o, uint16_t v)
{
	fuzz_put_u8(o, (uint8_t)v);
	fuzz_put_u8(o, (uint8_t)(v >> 8));
}

void fuzz_put_u32(struct fuzz_out *o, uint32_t v)
{
	fuzz_put_u16(o, (uint16_t)v);
	fuzz_put_u16(o, (uint16_t)(v >> 16));
}

void fuzz_put_u64(struct fuzz_out *o, uint64_t v)
{
	fuzz_put_u32(o, (uint32_t)v);
	fuzz_put_u32(o, (uint32_t)(v >> 32));
}

void fuzz_out_emit(struct fuzz_out *o, fuzz_emit_fn *emit, void *arg)
{
	emit(arg, o->p, o->n);
	o->n = 0;
}

void fuzz_out_free(struct fuzz_out *o)
{
	free(o->p);
	*o = (struct fuzz_out){ 0 };
}
