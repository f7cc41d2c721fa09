/* SPDX-License-Identifier: MIT */
/*
 * Paho MQTTAsync, loaded at run time.
 *
 * Debian ships Paho twice with the same API and the same symbol names:
 * libpaho-mqtt3as (with TLS, linked to OpenSSL) and libpaho-mqtt3a
 * (without).  Linking the TLS one maps libcrypto and libssl, about 3 MiB of
 * resident memory, also for plain mqtt:// brokers; the two cannot both be
 * linked.  So neither is: src/mqtt/paho.c defines the MQTTAsync_* functions the
 * program uses and forwards each to the library chosen here, loaded with
 * dlopen() once per process and never unloaded.
 *
 * The other code includes <MQTTAsync.h> and calls Paho as usual.  A Paho
 * function called before sgw_paho_load() loads the library without TLS;
 * if that fails, every Paho call fails (MQTTASYNC_FAILURE, or does nothing)
 * and sgw_paho_error() says why.
 */
#ifndef SGW_PAHO_H
#define SGW_PAHO_H

#include <stdbool.h>
#include <stddef.h>

/* Sonames: the library's major version, as the runtime package installs it. */
#define SGW_PAHO_LIB "libpaho-mqtt3a.so.1"
#define SGW_PAHO_LIB_TLS "libpaho-mqtt3as.so.1"

/*
 * Load Paho with TLS (mqtts://) support when TLS is true, else without.
 * Returns 0 when a suitable library is loaded (the TLS one also serves
 * plain brokers, so a later call without TLS keeps it), or:
 *  -EEXIST  TLS is wanted but the library without it is already loaded:
 *           only a new process can change that;
 *  -ENOENT  dlopen() or dlsym() failed.
 * On error, ERR (ERRLEN bytes) says why, naming the library and dlerror().
 */
int sgw_paho_load(bool tls, char *err, size_t errlen);

/* Why loading Paho on first use (without sgw_paho_load()) failed, or NULL. */
const char *sgw_paho_error(void);

#endif
