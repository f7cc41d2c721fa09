/* SPDX-License-Identifier: MIT */
/*
 * Test-only stand-in for the kernel's i2c-dev, so that the Linux I2C
 * backend (libi2c and the ioctls) runs for real against the chip emulators.
 *
 * i2c_shim.c defines open(), open64(), ioctl() and close() in the test
 * program itself.  The dynamic linker binds the program's and libi2c's
 * calls to these definitions ahead of libc's (link-time interposition, the
 * same effect as an LD_PRELOAD library without its load-order troubles
 * under ASan or qemu-user).  open() of SENSORGW_SYSROOT/dev/i2c-N, for a
 * simulated bus N, yields a descriptor whose ioctls (I2C_SLAVE,
 * I2C_SLAVE_FORCE, I2C_FUNCS, I2C_TIMEOUT, I2C_RETRIES, I2C_RDWR,
 * I2C_SMBUS) go to sgw_i2c_sim_transfer(); everything else goes to the
 * kernel unchanged.
 */
#ifndef SGW_TEST_I2C_SHIM_H
#define SGW_TEST_I2C_SHIM_H

#include <stdint.h>

struct i2c_shim_stats {
	unsigned int opens;		/* i2c-dev opens intercepted */
	unsigned int open_fds;		/* intercepted descriptors not yet closed */
	unsigned int slave, funcs, timeout, retries, rdwr, smbus;	/* ioctl counts */
	unsigned long last_timeout;	/* last I2C_TIMEOUT argument (10 ms units) */
	unsigned long last_retries;
};

void i2c_shim_stats(struct i2c_shim_stats *out);
void i2c_shim_reset(void);
/* Functionality reported by I2C_FUNCS (default: plain I2C and SMBus). */
void i2c_shim_set_funcs(unsigned long funcs);
/* I2C_SLAVE on (bus, addr) fails with EBUSY, as for a chip bound to a
 * kernel driver; addr 0: none. */
void i2c_shim_set_busy(int bus, uint16_t addr);

#endif
