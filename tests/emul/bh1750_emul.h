/* SPDX-License-Identifier: MIT */
/*
 * BH1750 emulator: opcodes power down / power on / reset / one-time
 * H-resolution (and continuous H-resolution 0x10); the data register holds
 * round(lux * 1.2) (datasheet p. 7) once a measurement ran while powered.
 */
#ifndef SGW_TEST_BH1750_EMUL_H
#define SGW_TEST_BH1750_EMUL_H

#include <stdbool.h>
#include <stdint.h>

struct bh1750_emul {
	bool powered;
	uint16_t data;
	double lux;
	unsigned int measurements;
};

void bh1750_emul_init(struct bh1750_emul *e);
int bh1750_emul_attach(struct bh1750_emul *e, int bus, uint16_t addr);
void bh1750_emul_set_lux(struct bh1750_emul *e, double lux);

#endif
