/* SPDX-License-Identifier: MIT */
/* See i2c_shim.h.  Calls that are not for a simulated bus go straight to
 * the kernel with syscall(), so the shim needs no dlsym() and works before
 * any library is initialised. */
#include "i2c_shim.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/i2c-dev.h>
#include <linux/i2c.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "drivers/hal/i2c_sim.h"

#define MAX_FDS 64
#define DEFAULT_TIMEOUT 100	/* 10 ms units: 1 s, a common adapter default */

struct shim_fd {
	int fd;			/* -1: free */
	int bus;
	uint16_t addr;
	unsigned long timeout;	/* 10 ms units */
	unsigned long retries;
};

static pthread_mutex_t shim_lock = PTHREAD_MUTEX_INITIALIZER;
static struct shim_fd fds[MAX_FDS];
static int nfds;
static struct i2c_shim_stats stats;
static unsigned long shim_funcs = I2C_FUNC_I2C | I2C_FUNC_SMBUS_QUICK | I2C_FUNC_SMBUS_BYTE |
				  I2C_FUNC_SMBUS_BYTE_DATA | I2C_FUNC_SMBUS_WORD_DATA |
				  I2C_FUNC_SMBUS_I2C_BLOCK;
static int busy_bus;
static uint16_t busy_addr;

void i2c_shim_stats(struct i2c_shim_stats *out)
{
	pthread_mutex_lock(&shim_lock);
	*out = stats;
	out->open_fds = (unsigned int)nfds;
	pthread_mutex_unlock(&shim_lock);
}

void i2c_shim_reset(void)
{
	pthread_mutex_lock(&shim_lock);
	memset(&stats, 0, sizeof(stats));
	shim_funcs = I2C_FUNC_I2C | I2C_FUNC_SMBUS_QUICK | I2C_FUNC_SMBUS_BYTE |
		     I2C_FUNC_SMBUS_BYTE_DATA | I2C_FUNC_SMBUS_WORD_DATA | I2C_FUNC_SMBUS_I2C_BLOCK;
	busy_addr = 0;
	pthread_mutex_unlock(&shim_lock);
}

void i2c_shim_set_funcs(unsigned long funcs)
{
	pthread_mutex_lock(&shim_lock);
	shim_funcs = funcs;
	pthread_mutex_unlock(&shim_lock);
}

void i2c_shim_set_busy(int bus, uint16_t addr)
{
	pthread_mutex_lock(&shim_lock);
	busy_bus = bus;
	busy_addr = addr;
	pthread_mutex_unlock(&shim_lock);
}

/* Bus number when PATH is $SENSORGW_SYSROOT/dev/i2c-N, else -1. */
static int shim_bus_of(const char *path)
{
	const char *root = getenv("SENSORGW_SYSROOT");
	size_t n;
	char *end;
	long bus;

	if (!root || !*root || !path)
		return -1;
	n = strlen(root);
	if (strncmp(path, root, n) != 0 || strncmp(path + n, "/dev/i2c-", 9) != 0)
		return -1;
	path += n + 9;
	if (*path < '0' || *path > '9')
		return -1;
	bus = strtol(path, &end, 10);
	return *end || bus > 255 ? -1 : (int)bus;
}

static struct shim_fd *shim_find(int fd)
{
	for (int i = 0; i < nfds; i++)
		if (fds[i].fd == fd)
			return &fds[i];
	return NULL;
}

static int shim_open(const char *path, int flags, mode_t mode)
{
	int bus = shim_bus_of(path), fd;

	if (bus < 0)
		return (int)syscall(SYS_openat, AT_FDCWD, path, flags, mode);
	if (!sgw_i2c_sim_bus_exists(bus)) {
		errno = ENOENT;
		return -1;
	}
	/* A real descriptor, so that numbers stay unique and close() works. */
	fd = (int)syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDWR | O_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	pthread_mutex_lock(&shim_lock);
	if (nfds == MAX_FDS) {
		pthread_mutex_unlock(&shim_lock);
		syscall(SYS_close, fd);
		errno = EMFILE;
		return -1;
	}
	fds[nfds++] = (struct shim_fd){ fd, bus, 0, DEFAULT_TIMEOUT, 0 };
	stats.opens++;
	pthread_mutex_unlock(&shim_lock);
	return fd;
}

int open(const char *path, int flags, ...)
{
	mode_t mode = 0;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;

		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	return shim_open(path, flags, mode);
}

/* Large-file opens: the same function. */
int open64(const char *path, int flags, ...) __attribute__((alias("open")));

int close(int fd)
{
	pthread_mutex_lock(&shim_lock);
	for (int i = 0; i < nfds; i++) {
		if (fds[i].fd == fd) {
			fds[i] = fds[--nfds];
			break;
		}
	}
	pthread_mutex_unlock(&shim_lock);
	return (int)syscall(SYS_close, fd);
}

/* SMBus command to I2C messages, as the kernel's i2c_smbus_xfer_emulated(). */
static int shim_smbus(const struct shim_fd *f, struct i2c_smbus_ioctl_data *a)
{
	uint8_t wbuf[I2C_SMBUS_BLOCK_MAX + 2] = { a->command }, rbuf[I2C_SMBUS_BLOCK_MAX];
	struct sgw_i2c_msg m[2] = {
		{ f->addr, 0, 1, wbuf },
		{ f->addr, SGW_I2C_M_RD, 0, rbuf },
	};
	int read = a->read_write == I2C_SMBUS_READ, n = read ? 2 : 1, ret;

	/* libi2c asks for 32-byte I2C block reads the old way; i2c-dev
	 * converts them (i2cdev_ioctl_smbus()). */
	if (a->size == I2C_SMBUS_I2C_BLOCK_BROKEN) {
		a->size = I2C_SMBUS_I2C_BLOCK_DATA;
		if (read)
			a->data->block[0] = I2C_SMBUS_BLOCK_MAX;
	}
	switch (a->size) {
	case I2C_SMBUS_QUICK:
		m[0] = (struct sgw_i2c_msg){ f->addr, read ? SGW_I2C_M_RD : 0, 0, wbuf };
		n = 1;
		break;
	case I2C_SMBUS_BYTE:
		if (read) {
			m[0] = m[1];
			m[0].len = 1;
		}
		n = 1;
		break;
	case I2C_SMBUS_BYTE_DATA:
		if (read)
			m[1].len = 1;
		else
			wbuf[1] = a->data->byte, m[0].len = 2;
		break;
	case I2C_SMBUS_WORD_DATA:
		if (read) {
			m[1].len = 2;
		} else {
			wbuf[1] = (uint8_t)a->data->word;
			wbuf[2] = (uint8_t)(a->data->word >> 8);
			m[0].len = 3;
		}
		break;
	case I2C_SMBUS_I2C_BLOCK_DATA:
		if (a->data->block[0] == 0 || a->data->block[0] > I2C_SMBUS_BLOCK_MAX)
			return -EINVAL;
		if (read) {
			m[1].len = a->data->block[0];
		} else {
			memcpy(wbuf + 1, a->data->block + 1, a->data->block[0]);
			m[0].len = (uint16_t)(a->data->block[0] + 1);
		}
		break;
	default:
		return -EOPNOTSUPP;
	}
	ret = sgw_i2c_sim_transfer(f->bus, m, (unsigned int)n, (int)f->timeout * 10, (int)f->retries);
	if (ret < 0 || !read)
		return ret;
	switch (a->size) {
	case I2C_SMBUS_BYTE:
	case I2C_SMBUS_BYTE_DATA:
		a->data->byte = rbuf[0];
		break;
	case I2C_SMBUS_WORD_DATA:
		a->data->word = (uint16_t)(rbuf[0] | rbuf[1] << 8);
		break;
	case I2C_SMBUS_I2C_BLOCK_DATA:
		memcpy(a->data->block + 1, rbuf, a->data->block[0]);
		break;
	}
	return 0;
}

static int shim_rdwr(const struct shim_fd *f, const struct i2c_rdwr_ioctl_data *a)
{
	struct sgw_i2c_msg m[SGW_I2C_MAX_MSGS];
	int ret;

	if (a->nmsgs == 0 || a->nmsgs > I2C_RDWR_IOCTL_MAX_MSGS)
		return -EINVAL;
	for (unsigned int i = 0; i < a->nmsgs; i++) {
		m[i].addr = a->msgs[i].addr;
		m[i].flags = (a->msgs[i].flags & I2C_M_RD) ? SGW_I2C_M_RD : 0;
		m[i].len = a->msgs[i].len;
		m[i].buf = a->msgs[i].buf;
	}
	ret = sgw_i2c_sim_transfer(f->bus, m, a->nmsgs, (int)f->timeout * 10, (int)f->retries);
	return ret < 0 ? ret : (int)a->nmsgs;	/* the kernel returns the message count */
}

int ioctl(int fd, unsigned long req, ...)
{
	struct shim_fd f, *p;
	va_list ap;
	void *arg;
	int ret = 0;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);

	pthread_mutex_lock(&shim_lock);
	p = shim_find(fd);
	if (!p) {
		pthread_mutex_unlock(&shim_lock);
		return (int)syscall(SYS_ioctl, fd, req, arg);
	}
	switch (req) {
	case I2C_SLAVE:
	case I2C_SLAVE_FORCE:
		stats.slave++;
		if ((unsigned long)arg > 0x7f)
			ret = -EINVAL;
		else if (req == I2C_SLAVE && busy_addr && p->bus == busy_bus &&
			 (unsigned long)arg == busy_addr)
			ret = -EBUSY;
		else
			p->addr = (uint16_t)(unsigned long)arg;
		break;
	case I2C_FUNCS:
		stats.funcs++;
		*(unsigned long *)arg = shim_funcs;
		break;
	case I2C_TIMEOUT:
		stats.timeout++;
		stats.last_timeout = p->timeout = (unsigned long)arg;
		break;
	case I2C_RETRIES:
		stats.retries++;
		stats.last_retries = p->retries = (unsigned long)arg;
		break;
	case I2C_RDWR:
		stats.rdwr++;
		ret = 1;
		break;
	case I2C_SMBUS:
		stats.smbus++;
		ret = 1;
		break;
	default:
		ret = -ENOTTY;
	}
	f = *p;
	pthread_mutex_unlock(&shim_lock);

	/* Transfers run outside the lock: a stalled chip holds up only its
	 * own bus, as in the kernel. */
	if (ret == 1)
		ret = req == I2C_RDWR ? shim_rdwr(&f, arg) : shim_smbus(&f, arg);
	if (ret < 0) {
		errno = -ret;
		return -1;
	}
	return ret;
}
