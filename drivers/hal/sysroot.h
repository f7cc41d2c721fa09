/* SPDX-License-Identifier: MIT */
/*
 * The root under which the HALs, and the drivers and `scan` above them,
 * find the target's /dev and /sys: "" normally, the value of
 * SENSORGW_SYSROOT when set (tests point it at a temporary tree holding
 * fake i2c-dev nodes and sysfs files).
 */
#ifndef SGW_HAL_SYSROOT_H
#define SGW_HAL_SYSROOT_H

/* Read from the environment at every call: tests change it between cases. */
const char *sgw_sysroot(void);

#endif
