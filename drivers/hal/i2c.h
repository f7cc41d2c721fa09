/* SPDX-License-Identifier: MIT */
/*
 * I2C bus access for the chip drivers.
 *
 * A bus handle is opened on one backend, an ops table (struct sgw_i2c_ops):
 * the Linux backend talks to the kernel's i2c-dev (/dev/i2c-N under
 * sgw_sysroot()) through libi2c and I2C_RDWR; the sim backend talks to chip
 * emulators attached with sgw_i2c_sim_attach() (drivers/hal/i2c_sim.h).  The
 * backend is chosen once per process with sgw_i2c_set_backend(), so one
 * test program can run the same driver against both.
 *
 * All functions return 0 (or a non-negative value where stated) or -errno:
 * -ENXIO or -EREMOTEIO when the chip does not acknowledge (NAK), -EIO on a
 * bus error, -ETIMEDOUT when the adapter gave up (clock stretched past the
 * timeout).  A handle is used by one thread at a time (the bus worker).
 */
#ifndef SGW_HAL_I2C_H
#define SGW_HAL_I2C_H

#include <stddef.h>
#include <stdint.h>

/* One message of a combined transfer; like struct i2c_msg of <linux/i2c.h>. */
#define SGW_I2C_M_RD 0x0001	/* read into buf (else write buf) */
struct sgw_i2c_msg {
	uint16_t addr;		/* 7-bit address */
	uint16_t flags;
	uint16_t len;
	uint8_t *buf;
};

/* The most messages one transfer may hold (the kernel's I2C_RDWR limit). */
#define SGW_I2C_MAX_MSGS 42

struct sgw_i2c;

struct sgw_i2c_ops {
	const char *name;
	/*
	 * Open bus number BUS.  TIMEOUT_MS bounds one transfer where the
	 * backend can enforce it (I2C_TIMEOUT: in steps of 10 ms); RETRIES is
	 * how often the adapter repeats a transfer that lost arbitration.
	 * Linux keeps both per adapter, not per open file: the last handle
	 * opened on a bus sets them for all.
	 * Returns the backend's private state through *priv.
	 */
	int (*open)(int bus, int timeout_ms, int retries, void **priv);
	void (*close)(void *priv);
	/* One combined transfer: repeated start between messages. */
	int (*transfer)(void *priv, struct sgw_i2c_msg *msgs, unsigned int n);
	/* SMBus quick write (the address byte alone): i2cdetect's probe. */
	int (*quick)(void *priv, uint16_t addr);
	/* SMBus receive byte; returns the byte (0..255) or -errno. */
	int (*read_byte)(void *priv, uint16_t addr);
	/* SMBus write byte data: register REG := VAL. */
	int (*write_byte_data)(void *priv, uint16_t addr, uint8_t reg, uint8_t val);
	/* SMBus read byte data; returns the byte or -errno. */
	int (*read_byte_data)(void *priv, uint16_t addr, uint8_t reg);
	/* Whether quick writes are supported (I2C_FUNC_SMBUS_QUICK); may be NULL = yes. */
	int (*can_quick)(void *priv);
};

extern const struct sgw_i2c_ops sgw_i2c_linux_ops;
extern const struct sgw_i2c_ops sgw_i2c_sim_ops;

/* Backend for sgw_i2c_open(); the Linux one unless set.  Not thread-safe:
 * set it before any bus is opened. */
void sgw_i2c_set_backend(const struct sgw_i2c_ops *ops);
const struct sgw_i2c_ops *sgw_i2c_backend(void);

/* Default number of arbitration retries per transfer. */
#define SGW_I2C_RETRIES 2

/* Open bus BUS (0..255) on the current backend; *out is the new handle. */
int sgw_i2c_open(int bus, int timeout_ms, struct sgw_i2c **out);
void sgw_i2c_close(struct sgw_i2c *i2c);
int sgw_i2c_bus(const struct sgw_i2c *i2c);

int sgw_i2c_transfer(struct sgw_i2c *i2c, struct sgw_i2c_msg *msgs, unsigned int n);
/* Plain write or read of LEN bytes (one message, start ... stop). */
int sgw_i2c_write(struct sgw_i2c *i2c, uint16_t addr, const uint8_t *buf, size_t len);
int sgw_i2c_read(struct sgw_i2c *i2c, uint16_t addr, uint8_t *buf, size_t len);
/* Write W, repeated start, read R: a register-pointer read. */
int sgw_i2c_write_read(struct sgw_i2c *i2c, uint16_t addr, const uint8_t *w, size_t wlen,
		       uint8_t *r, size_t rlen);
/* Read LEN bytes from register REG on (auto-incrementing register maps). */
int sgw_i2c_read_regs(struct sgw_i2c *i2c, uint16_t addr, uint8_t reg, uint8_t *buf, size_t len);
int sgw_i2c_write_reg8(struct sgw_i2c *i2c, uint16_t addr, uint8_t reg, uint8_t val);
int sgw_i2c_read_reg8(struct sgw_i2c *i2c, uint16_t addr, uint8_t reg);

/*
 * Is a chip at ADDR?  Probes as i2cdetect's default mode does: a read byte
 * at 0x30..0x37 and 0x50..0x5f (a quick write can corrupt EEPROMs and lock
 * some write-protect chips there), a quick write elsewhere (or a read byte
 * when the adapter has no quick command).  Returns 1 when the chip
 * acknowledged, 0 when not, -EBUSY when a kernel driver owns the address,
 * other -errno on bus failure.
 */
int sgw_i2c_probe(struct sgw_i2c *i2c, uint16_t addr);

/*
 * Whether ERR is how an adapter reports a chip that did not acknowledge:
 * -ENXIO from most, -EREMOTEIO from some (bcm2835), -EIO from a few.
 */
int sgw_i2c_no_ack(int err);

/* Sleep for MS milliseconds (conversion times), restarting on EINTR. */
void sgw_i2c_sleep_ms(unsigned int ms);

#endif
