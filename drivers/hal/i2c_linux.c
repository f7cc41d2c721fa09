/* SPDX-License-Identifier: MIT */
/*
 * Linux I2C backend: the kernel's i2c-dev character device (/dev/i2c-N
 * under sgw_sysroot()).  SMBus commands go through libi2c (<i2c/smbus.h>),
 * combined transfers (repeated start) through the I2C_RDWR ioctl or, on an
 * adapter without it, register reads through the SMBus I2C block read.
 */
#include "i2c.h"

#include <errno.h>
#include <fcntl.h>
#include <i2c/smbus.h>
#include <linux/i2c-dev.h>
#include <linux/i2c.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "sysroot.h"

struct linux_bus {
	int fd;
	int addr;		/* address last set with I2C_SLAVE, -1: none */
	unsigned long funcs;	/* I2C_FUNCS bit mask of the adapter */
};

static int linux_open(int bus, int timeout_ms, int retries, void **priv)
{
	struct linux_bus *lb;
	char path[4096];
	int ret;

	if (snprintf(path, sizeof(path), "%s/dev/i2c-%d", sgw_sysroot(), bus) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	lb = calloc(1, sizeof(*lb));
	if (!lb)
		return -ENOMEM;
	lb->addr = -1;
	lb->fd = open(path, O_RDWR | O_CLOEXEC);
	if (lb->fd < 0) {
		ret = -errno;
		goto free_lb;
	}
	if (ioctl(lb->fd, I2C_FUNCS, &lb->funcs) < 0) {
		ret = -errno;
		goto close_fd;
	}
	/* I2C_TIMEOUT counts in units of 10 ms; round up so that a short
	 * timeout does not become 0 (which would mean "adapter default"). */
	if (timeout_ms > 0 && ioctl(lb->fd, I2C_TIMEOUT, (unsigned long)(timeout_ms + 9) / 10) < 0) {
		ret = -errno;
		goto close_fd;
	}
	if (ioctl(lb->fd, I2C_RETRIES, (unsigned long)retries) < 0) {
		ret = -errno;
		goto close_fd;
	}
	*priv = lb;
	return 0;

close_fd:
	close(lb->fd);
free_lb:
	free(lb);
	return ret;
}

static void linux_close(void *priv)
{
	struct linux_bus *lb = priv;

	close(lb->fd);
	free(lb);
}

/* libi2c's SMBus calls address the chip last set with I2C_SLAVE.  Not
 * I2C_SLAVE_FORCE: a chip bound to a kernel driver answers -EBUSY. */
static int linux_set_addr(struct linux_bus *lb, uint16_t addr)
{
	if (lb->addr == addr)
		return 0;
	if (ioctl(lb->fd, I2C_SLAVE, (unsigned long)addr) < 0)
		return -errno;
	lb->addr = addr;
	return 0;
}

/*
 * An SMBus-only adapter (no I2C_RDWR: i2c-stub, many PC SMBus controllers)
 * can still read registers: a one-byte write of the register followed by a
 * read of up to 32 bytes is what its I2C block read puts on the wire.
 * Anything else cannot be done there.
 */
static int smbus_transfer(struct linux_bus *lb, struct sgw_i2c_msg *msgs, unsigned int n)
{
	int ret;

	if (n != 2 || (msgs[0].flags & SGW_I2C_M_RD) || msgs[0].len != 1 ||
	    !(msgs[1].flags & SGW_I2C_M_RD) || msgs[1].addr != msgs[0].addr ||
	    msgs[1].len == 0 || msgs[1].len > I2C_SMBUS_BLOCK_MAX ||
	    !(lb->funcs & I2C_FUNC_SMBUS_READ_I2C_BLOCK))
		return -EOPNOTSUPP;
	ret = linux_set_addr(lb, msgs[0].addr);
	if (ret < 0)
		return ret;
	ret = i2c_smbus_read_i2c_block_data(lb->fd, msgs[0].buf[0], (uint8_t)msgs[1].len,
					    msgs[1].buf);
	if (ret < 0)
		return -errno;
	return ret == msgs[1].len ? 0 : -EIO;
}

static int linux_transfer(void *priv, struct sgw_i2c_msg *msgs, unsigned int n)
{
	struct linux_bus *lb = priv;
	struct i2c_msg km[SGW_I2C_MAX_MSGS];
	struct i2c_rdwr_ioctl_data rdwr = { km, n };

	if (!(lb->funcs & I2C_FUNC_I2C))
		return smbus_transfer(lb, msgs, n);
	for (unsigned int i = 0; i < n; i++) {
		km[i].addr = msgs[i].addr;
		km[i].flags = (msgs[i].flags & SGW_I2C_M_RD) ? I2C_M_RD : 0;
		km[i].len = msgs[i].len;
		km[i].buf = msgs[i].buf;
	}
	if (ioctl(lb->fd, I2C_RDWR, &rdwr) < 0)
		return -errno;
	return 0;
}

static int linux_quick(void *priv, uint16_t addr)
{
	struct linux_bus *lb = priv;
	int ret = linux_set_addr(lb, addr);

	if (ret < 0)
		return ret;
	return i2c_smbus_write_quick(lb->fd, I2C_SMBUS_WRITE) < 0 ? -errno : 0;
}

static int linux_read_byte(void *priv, uint16_t addr)
{
	struct linux_bus *lb = priv;
	int ret = linux_set_addr(lb, addr);

	if (ret < 0)
		return ret;
	ret = i2c_smbus_read_byte(lb->fd);
	return ret < 0 ? -errno : ret;
}

static int linux_write_byte_data(void *priv, uint16_t addr, uint8_t reg, uint8_t val)
{
	struct linux_bus *lb = priv;
	int ret = linux_set_addr(lb, addr);

	if (ret < 0)
		return ret;
	return i2c_smbus_write_byte_data(lb->fd, reg, val) < 0 ? -errno : 0;
}

static int linux_read_byte_data(void *priv, uint16_t addr, uint8_t reg)
{
	struct linux_bus *lb = priv;
	int ret = linux_set_addr(lb, addr);

	if (ret < 0)
		return ret;
	ret = i2c_smbus_read_byte_data(lb->fd, reg);
	return ret < 0 ? -errno : ret;
}

static int linux_can_quick(void *priv)
{
	const struct linux_bus *lb = priv;

	return (lb->funcs & I2C_FUNC_SMBUS_QUICK) != 0;
}

const struct sgw_i2c_ops sgw_i2c_linux_ops = {
	.name = "linux",
	.open = linux_open,
	.close = linux_close,
	.transfer = linux_transfer,
	.quick = linux_quick,
	.read_byte = linux_read_byte,
	.write_byte_data = linux_write_byte_data,
	.read_byte_data = linux_read_byte_data,
	.can_quick = linux_can_quick,
};
