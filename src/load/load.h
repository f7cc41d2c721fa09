/* SPDX-License-Identifier: MIT */
/* The configuration loader: one INI file into a checked struct sgw_config. */
#ifndef SGW_LOAD_H
#define SGW_LOAD_H

#include "conf/diag.h"
#include "conf/types.h"

/*
 * Load PATH.  On success returns 0 and stores a new configuration in *out.
 * Otherwise every problem has been reported to diag (diag->errors > 0 for
 * content errors), *out is NULL and the return is -EINVAL, or -errno when the
 * file cannot be read (also reported).
 * diag->file names the file in messages; when NULL it is set to PATH.
 * Relative paths in the file (state_dir, password_file, ca_file, cert_file,
 * key_file) are taken from PATH's directory and stored absolute.
 * Not thread-safe: libinih's options are process-wide globals.
 */
int sgw_config_load(const char *path, struct sgw_diag *diag, struct sgw_config **out);
void sgw_config_free(struct sgw_config *cfg);

/* Find a sensor by name; NULL if none. */
const struct sgw_sensor_config *sgw_config_sensor(const struct sgw_config *cfg, const char *name);

#endif
