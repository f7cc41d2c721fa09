/* SPDX-License-Identifier: MIT */
/*
 * `sensorgw scan [--bus N]`: look for sensors and print INI sections for
 * them, ready to paste into sensorgw.ini.
 *
 * I2C buses (/dev/i2c-N under sgw_sysroot(); all of them, or bus N) are
 * probed address by address as i2cdetect does, and a chip that answers is
 * named by the registry's drivers (their i2c_addrs and i2c_probe); 1-Wire
 * thermometers (/sys/bus/w1/devices/28-*) and IIO devices
 * (/sys/bus/iio/devices/iio:device*) are listed.
 */
#ifndef SGW_SCAN_H
#define SGW_SCAN_H

/*
 * ARGV[0] is the subcommand ("scan"); the sections go to stdout, problems to
 * stderr.  Returns the exit status: 0 when every bus could be scanned, 1
 * when one could not be opened or failed, 2 on a usage error.
 */
int sgw_scan_main(int argc, char **argv);

#endif
