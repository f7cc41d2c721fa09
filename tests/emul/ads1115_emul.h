/* SPDX-License-Identifier: MIT */
/*
 * ADS1115 emulator (tests/emul/emul.h): pointer register and the four
 * 16-bit registers with their reset values (datasheet 9.6), single-shot
 * conversions of AIN0..3 against GND at the configured PGA, and an OS bit
 * that reads 0 (busy) for a number of config reads before the result lands
 * in the conversion register.  Powers up with 0 V on every input.
 *
 * Quantities: ain0..ain3 V, measured over 0 V to the full scale of the
 * PGA last configured.  emul_fail_reg() fails a pointer register: 0 is
 * the conversion register.
 */
#ifndef SGW_TEST_ADS1115_EMUL_H
#define SGW_TEST_ADS1115_EMUL_H

#include <stdint.h>

#include "emul.h"

struct ads1115_emul {
	struct emul base;
	uint8_t ptr;
	uint16_t config, lo, hi;
	int16_t conv, pending;
	double volts[4];
	unsigned int busy_reads;	/* config reads with OS = 0 after a start */
	unsigned int busy_left;
	unsigned int conversions;
};

extern const struct emul_ops ads1115_emul_ops;

#endif
