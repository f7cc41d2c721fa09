/* SPDX-License-Identifier: MIT */
/*
 * SHT3x / SHT4x emulator (tests/emul/emul.h): the command set the drivers
 * use (SHT3x: 0x2400 single shot, 0xF32D status, 0x30A2 soft reset; SHT4x:
 * 0xFD measure, 0x89 serial, 0x94 soft reset), a measurement that NAKs the
 * read header for a number of reads, CRC-8 on every word, and a switch that
 * corrupts the CRC of the first word.  Unknown commands are NAKed.
 * Powers up at 20 °C, 50 %RH.
 *
 * Quantities: temperature °C, humidity %.  The registers emul_fail_reg()
 * fails are the commands (0x2400, 0xFD: a measurement).
 */
#ifndef SGW_TEST_SHT3X_EMUL_H
#define SGW_TEST_SHT3X_EMUL_H

#include <stdbool.h>
#include <stdint.h>

#include "emul.h"

enum sht_emul_family { SHT_EMUL_3X, SHT_EMUL_4X };

struct sht_emul {
	struct emul base;
	enum sht_emul_family family;
	uint16_t raw_t, raw_rh;
	uint16_t status;
	uint32_t serial;
	unsigned int busy_reads;	/* reads NAKed after a measurement command */
	unsigned int busy_left;
	bool corrupt_crc;
	unsigned int measurements;
	uint8_t out[6];
	unsigned int out_len;		/* pending response; 0: none */
};

extern const struct emul_ops sht3x_emul_ops;
extern const struct emul_ops sht4x_emul_ops;

#endif
