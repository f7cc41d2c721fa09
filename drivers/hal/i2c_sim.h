/* SPDX-License-Identifier: MIT */
/*
 * Simulated I2C buses for the sim backend (sgw_i2c_sim_ops) and for test
 * shims that stand in for the kernel's i2c-dev.
 *
 * A chip emulator attaches itself at (bus, address) with two callbacks that
 * see each message of a transfer, as the chip sees the bus: a write (the
 * bytes after the address byte; none for a quick write) or a read.  The bus
 * adds what all chips share: no chip at an address is a NAK (-ENXIO), and a
 * fault can be injected at any address: fail with an error, or stall (clock
 * stretching) for a while; a stall longer than the transfer's timeout ends
 * in -ETIMEDOUT after the timeout, as a Linux adapter does.
 */
#ifndef SGW_HAL_I2C_SIM_H
#define SGW_HAL_I2C_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "i2c.h"

struct sgw_i2c_sim_dev_ops {
	/* Both return 0 or -errno (-ENXIO: the chip NAKs, e.g. while busy). */
	int (*write)(void *ctx, const uint8_t *buf, size_t len);
	int (*read)(void *ctx, uint8_t *buf, size_t len);
};

/* Stall used when a transfer has no timeout of its own (ms). */
#define SGW_I2C_SIM_DEFAULT_TIMEOUT_MS 1000

/* Attach a chip; -EEXIST when the address is taken, -ENOSPC when full. */
int sgw_i2c_sim_attach(int bus, uint16_t addr, const struct sgw_i2c_sim_dev_ops *ops, void *ctx);
void sgw_i2c_sim_detach(int bus, uint16_t addr);
/* Detach every chip and clear every fault. */
void sgw_i2c_sim_reset(void);
/* 1 when at least one chip sits on BUS. */
int sgw_i2c_sim_bus_exists(int bus);

/*
 * The next COUNT transfers (-1: all until cleared, 0: clear) addressed to
 * (bus, addr) first stall HANG_MS milliseconds, then fail with ERR (a
 * negative errno: -ENXIO for a NAK, -EIO) or, with ERR 0, go through.
 */
int sgw_i2c_sim_fault(int bus, uint16_t addr, int err, unsigned int hang_ms, int count);

/* Run one combined transfer on simulated bus BUS; 0 or -errno.  A transfer
 * failing with -EAGAIN (arbitration lost) is repeated up to RETRIES times,
 * as the kernel's i2c core does. */
int sgw_i2c_sim_transfer(int bus, struct sgw_i2c_msg *msgs, unsigned int n, int timeout_ms,
			 int retries);

#endif
