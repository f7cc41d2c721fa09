/* SPDX-License-Identifier: MIT */
/*
 * BH1750 emulator (tests/emul/emul.h): opcodes power down / power on /
 * reset / one-time H-resolution (and continuous H-resolution 0x10); the
 * data register holds round(lux * 1.2) (datasheet p. 7) once a
 * measurement ran while powered.  Powers up powered down, in the dark.
 *
 * Quantity: illuminance lx.  The registers emul_fail_reg() fails are the
 * opcodes (0x20: a one-time measurement).
 */
#ifndef SGW_TEST_BH1750_EMUL_H
#define SGW_TEST_BH1750_EMUL_H

#include <stdbool.h>
#include <stdint.h>

#include "emul.h"

struct bh1750_emul {
	struct emul base;
	bool powered;
	uint16_t data;
	double lux;
	unsigned int measurements;
};

extern const struct emul_ops bh1750_emul_ops;

#endif
