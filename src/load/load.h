/* SPDX-License-Identifier: MIT */
/* The configuration loader: one INI file into a checked struct sgw_config. */
#ifndef SGW_LOAD_H
#define SGW_LOAD_H

#include <stdio.h>

#include "conf/diag.h"
#include "conf/types.h"

/*
 * Load PATH.  On success returns 0 and stores a new configuration in *out.
 * Otherwise every problem has been reported to diag (diag->errors > 0 for
 * content errors), *out is NULL and the return is -EINVAL, or -errno when the
 * file cannot be read (also reported).  PATH must be a regular file: a
 * directory is -EISDIR, a FIFO, a device or a socket -EINVAL, all reported
 * without opening them (reading a FIFO or a device could block for ever,
 * opening some devices does something).
 * diag->file names the file in messages; when NULL it is set to PATH.
 * Relative paths in the file (state_dir, password_file, ca_file, cert_file,
 * key_file) are taken from PATH's directory and stored absolute.
 * Not thread-safe: libinih's options are process-wide globals.
 */
int sgw_config_load(const char *path, struct sgw_diag *diag, struct sgw_config **out);

/*
 * The same for the text F, read to its end (at most SGW_INI_FILE_MAX
 * bytes, conf/reader.h) and not closed, as if it were the file PATH, which
 * is not opened: it names the configuration and its directory is where
 * relative paths start.  For configurations that are not in a file of their
 * own, such as the fuzz target's, which reads from memory (fmemopen()).
 */
int sgw_config_load_stream(FILE *f, const char *path, struct sgw_diag *diag,
			   struct sgw_config **out);
void sgw_config_free(struct sgw_config *cfg);

/* Find a sensor by name; NULL if none. */
const struct sgw_sensor_config *sgw_config_sensor(const struct sgw_config *cfg, const char *name);

#endif
