/* SPDX-License-Identifier: MIT */
/*
 * The interface every I2C chip emulator provides, after Zephyr's
 * emul_sensor_driver_api: so that one test can drive any chip the same
 * way (tests/drivers/check_i2c_conformance.c) and the chip tests need
 * nothing chip-specific for the common steps.
 *
 * An emulator is a struct whose first member is struct emul, described by
 * a const struct emul_ops: the chip's bus side (the messages it sees), the
 * physical quantities it measures, named and measured as the driver's
 * channels are ("temperature" in °C), their ranges and resolution, and the
 * register (or command) every measurement goes through.  This file's
 * functions add what all emulators share: attaching to a simulated bus
 * (drivers/hal/i2c_sim.h), fixed-point values at the scale of a driver's
 * channel, and failing a register or the next transfers with -EIO.
 *
 * Not thread-safe beyond what the sim bus guarantees: set values and
 * faults while no transfer runs (the tests run the drivers in their own
 * thread).
 */
#ifndef SGW_TEST_EMUL_H
#define SGW_TEST_EMUL_H

#include <stddef.h>
#include <stdint.h>

struct emul;

/* A physical quantity, as the driver's channel that reads it. */
struct emul_quantity {
	const char *name;	/* the channel's name: "temperature" */
	const char *unit;	/* the channel's unit: "°C" */
};

/* How a quantity is measured at the chip's current settings, in its unit. */
struct emul_range {
	double min, max;	/* what the chip measures */
	double resolution;	/* its step: how far from the value set a correct
				 * reading may be, before the driver rounds */
};

struct emul_ops {
	const char *chip;		/* "bme280" */
	size_t size;			/* of the emulator's struct */
	const struct emul_quantity *quantities;	/* ended by a NULL name */
	unsigned int sample_reg;	/* a register (command, opcode) every
					 * measurement the driver takes goes through */
	/* Power-on state; the struct is zeroed and its struct emul set. */
	void (*init)(struct emul *e);
	/* One message of a transfer as the chip sees it (the bytes after
	 * the address byte; none for a quick write): 0 or -errno, -ENXIO
	 * for a NAK.  As struct sgw_i2c_sim_dev_ops. */
	int (*write)(struct emul *e, const uint8_t *buf, size_t len);
	int (*read)(struct emul *e, uint8_t *buf, size_t len);
	/* Quantity Q (an index into quantities) is VALUE from now on; a value
	 * outside the range reads as the chip saturates or crops it. */
	void (*set_value)(struct emul *e, unsigned int q, double value);
	void (*get_range)(const struct emul *e, unsigned int q, struct emul_range *r);
};

struct emul {
	const struct emul_ops *ops;
	int bus;			/* where attached; -1: nowhere */
	uint16_t addr;
	int fail_reg;			/* the register to fail; -1: none */
	int fail_count;			/* accesses left to fail; -1: until cleared */
	unsigned int failed;		/* accesses failed so far */
};

/* Zero the emulator E (OPS->size bytes) and put it in its power-on state. */
void emul_init(struct emul *e, const struct emul_ops *ops);
/* emul_init() of a new calloc'ed emulator; NULL with errno on failure. */
struct emul *emul_new(const struct emul_ops *ops);
/* Detach and free what emul_new() returned; NULL is ignored. */
void emul_free(struct emul *e);

/* Put E at ADDR of simulated bus BUS: 0, -EEXIST when the address is taken. */
int emul_attach(struct emul *e, int bus, uint16_t addr);
void emul_detach(struct emul *e);

/* The index of the quantity named NAME, or -ENOENT. */
int emul_quantity(const struct emul *e, const char *name);
/* Set quantity NAME to VALUE * 10^-SCALE in its unit: the fixed point of
 * a driver channel of scale SCALE.  0, -ENOENT, -EINVAL for a bad scale. */
int emul_set_value(struct emul *e, const char *name, int32_t value, int scale);
/* NAME's range, as *MIN..*MAX (rounded inwards), and its resolution
 * (rounded up), at scale SCALE.  0, -ENOENT, -EINVAL, -ERANGE when they
 * do not fit an int32_t there. */
int emul_get_range(const struct emul *e, const char *name, int scale, int32_t *min,
		   int32_t *max, int32_t *resolution);

/* Fail the next COUNT accesses to register REG (-1: all until cleared, 0:
 * clear) with -EIO, as a chip whose register file is damaged. */
void emul_fail_reg(struct emul *e, unsigned int reg, int count);
/* Fail the next COUNT transfers addressed to E with -EIO, whatever they
 * do (-1: all until cleared, 0: clear); E must be attached. */
int emul_fail_transfers(struct emul *e, int count);

/*
 * For the emulators: an access to registers FIRST..FIRST+N-1 is about to
 * happen.  -EIO when it is to fail (counted in e->failed), else 0.
 */
int emul_reg_fault(struct emul *e, unsigned int first, unsigned int n);

#endif
