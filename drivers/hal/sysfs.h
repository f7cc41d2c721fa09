/* SPDX-License-Identifier: MIT */
/*
 * Small sysfs files (w1_slave, IIO in_*_input, thermal zones) read under
 * sgw_sysroot(), so that tests can point SENSORGW_SYSROOT at a fake tree.
 *
 * Paths given to these functions are absolute as on the target
 * ("/sys/bus/w1/devices/28-0316a2796aff/w1_slave"); the sysroot is put in
 * front here.  Errors are -errno as the kernel returned them: a dht11 read
 * fails with -EIO or -ETIMEDOUT, a vanished 1-Wire device with -ENOENT.
 *
 * Reads go through a replaceable ops table: a regular file cannot fail with
 * EIO, so tests install their own read to inject errors on the Nth read and
 * delegate the rest to sgw_sysfs_read_file().
 */
#ifndef SGW_HAL_SYSFS_H
#define SGW_HAL_SYSFS_H

#include <stddef.h>
#include <sys/types.h>

struct sgw_sysfs_ops {
	/* Read the whole file PATH (without sysroot) into BUF; as sgw_sysfs_read(). */
	ssize_t (*read)(void *arg, const char *path, char *buf, size_t size);
	void *arg;
};

/*
 * Install OPS for all following reads (NULL: back to the real files).  Not
 * synchronised with readers: call it while no sensor is open (tests do,
 * between cases).
 */
void sgw_sysfs_set_ops(const struct sgw_sysfs_ops *ops);

/*
 * Read the whole of PATH (sysroot prepended) into BUF, NUL-terminated.
 * Reads until end of file, however slowly the kernel hands the data out
 * (w1_slave blocks ~750 ms per conversion).  Returns the length, or -errno;
 * -EOVERFLOW if the file does not fit in size - 1 bytes.
 */
ssize_t sgw_sysfs_read(const char *path, char *buf, size_t size);
/* The real read, which sgw_sysfs_read() uses unless ops were installed. */
ssize_t sgw_sysfs_read_file(const char *path, char *buf, size_t size);

/*
 * Read a file holding one decimal integer and a newline ("23125\n").
 * -EINVAL if it holds anything else.
 */
int sgw_sysfs_read_long(const char *path, long *out);

/* snprintf of sysroot + FMT into BUF; -ENAMETOOLONG if it does not fit. */
int sgw_sysfs_path(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Count the entries of directory DIR (sysroot prepended; "." and ".."
 * skipped) for which MATCH returns nonzero, copying the first match's name
 * into FOUND (of FOUND_SIZE bytes; may be NULL).  MATCH gets the entry name
 * and ARG.  Returns the count, or -errno if DIR cannot be read.
 */
int sgw_sysfs_scan(const char *dir, int (*match)(const char *name, void *arg), void *arg,
		   char *found, size_t found_size);

#endif
