/* SPDX-License-Identifier: MIT */
/* Getters for drivers' configure(): typed, range-checked driver keys. */
#ifndef SGW_CONFIG_H
#define SGW_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "types.h"

/*
 * Getters for drivers' configure(): look KEY up among the sensor's driver
 * keys, mark it used, parse and range-check it.  A missing key yields DEF.
 * On a bad value they report "FILE:LINE: ..." naming key and value through
 * diag and return -EINVAL.  Keys no getter used are reported as unknown
 * after configure() returns.
 */
/* The raw key (marked used), or NULL. */
const struct sgw_opt *sgw_opt_find(struct sgw_sensor_config *sc, const char *key);
int sgw_opt_str(struct sgw_sensor_config *sc, struct sgw_diag *d, const char *key,
		const char *def, const char **out);
int sgw_opt_long(struct sgw_sensor_config *sc, struct sgw_diag *d, const char *key,
		 long def, long min, long max, long *out);
/* Decimal with up to SCALE fraction digits into fixed point: "0.05", scale 3 -> 50. */
int sgw_opt_fixed(struct sgw_sensor_config *sc, struct sgw_diag *d, const char *key,
		  int scale, int64_t def, int64_t min, int64_t max, int64_t *out);
int sgw_opt_bool(struct sgw_sensor_config *sc, struct sgw_diag *d, const char *key,
		 bool def, bool *out);
/* One of NAMES (NULL-terminated); *out is its index. */
int sgw_opt_enum(struct sgw_sensor_config *sc, struct sgw_diag *d, const char *key,
		 const char *const *names, int def, int *out);
int sgw_opt_duration_ms(struct sgw_sensor_config *sc, struct sgw_diag *d, const char *key,
			uint32_t def, uint32_t min, uint32_t max, uint32_t *out);

/*
 * For configure(): declare the next channel of the sensor.  Returns its index
 * or -ENOSPC.  name and unit are copied.
 */
int sgw_sensor_add_channel(struct sgw_sensor_config *sc, const char *name,
			   const char *unit, int scale, int precision);

#endif
