/* SPDX-License-Identifier: MIT */
/*
 * The gateway's statistics as a JSON file in a runtime directory (a tmpfs:
 * rewriting it costs the SD card nothing), for `sensorgw status`.
 * The directory is $SENSORGW_RUNTIME_DIR, else $RUNTIME_DIRECTORY (systemd's
 * RuntimeDirectory=), else /run/sensorgw; the file <gateway>.status.json.
 */
#ifndef SGW_STATUSFILE_H
#define SGW_STATUSFILE_H

#include <stddef.h>

#include "conf/types.h"

/* Path of CFG's status file (malloc'ed), or NULL+errno. */
char *sgw_statusfile_path(const struct sgw_config *cfg);
/* Replace the file at PATH with LEN bytes of BUF (write-temp, rename). 0 or -errno. */
int sgw_statusfile_write(const char *path, const char *buf, size_t len);

#endif
