/* SPDX-License-Identifier: MIT */
/*
 * Paho MQTTAsync through dlopen(); the contract is in paho.h.
 *
 * Each function below has the prototype of <MQTTAsync.h> (the compiler
 * checks it against the declaration) and calls the function of the same
 * name in the loaded library through a table filled by dlsym().  The
 * library is opened RTLD_LOCAL: its symbols do not enter the global scope,
 * so nothing else binds to them, and this program exports no MQTTAsync_*
 * symbol for Paho's own calls to bind to either.
 */
#include "paho.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#include <MQTTAsync.h>


/*
 * The functions forwarded: X(return type, name, (parameters), (arguments),
 * value when no library could be loaded).  Add a line to use another one.
 */
#define PAHO_FUNCS(X)									\
	X(int, MQTTAsync_create,							\
	  (MQTTAsync *handle, const char *serverURI, const char *clientId,		\
	   int persistence_type, void *persistence_context),				\
	  (handle, serverURI, clientId, persistence_type, persistence_context),	\
	  MQTTASYNC_FAILURE)								\
	X(int, MQTTAsync_createWithOptions,						\
	  (MQTTAsync *handle, const char *serverURI, const char *clientId,		\
	   int persistence_type, void *persistence_context,				\
	   MQTTAsync_createOptions *options),						\
	  (handle, serverURI, clientId, persistence_type, persistence_context,	\
	   options),									\
	  MQTTASYNC_FAILURE)								\
	X(int, MQTTAsync_setCallbacks,							\
	  (MQTTAsync handle, void *context, MQTTAsync_connectionLost *cl,		\
	   MQTTAsync_messageArrived *ma, MQTTAsync_deliveryComplete *dc),		\
	  (handle, context, cl, ma, dc), MQTTASYNC_FAILURE)				\
	X(int, MQTTAsync_setConnectionLostCallback,					\
	  (MQTTAsync handle, void *context, MQTTAsync_connectionLost *cl),		\
	  (handle, context, cl), MQTTASYNC_FAILURE)					\
	X(int, MQTTAsync_connect,							\
	  (MQTTAsync handle, const MQTTAsync_connectOptions *options),		\
	  (handle, options), MQTTASYNC_FAILURE)					\
	X(int, MQTTAsync_disconnect,							\
	  (MQTTAsync handle, const MQTTAsync_disconnectOptions *options),		\
	  (handle, options), MQTTASYNC_FAILURE)					\
	X(int, MQTTAsync_sendMessage,							\
	  (MQTTAsync handle, const char *destinationName,				\
	   const MQTTAsync_message *msg, MQTTAsync_responseOptions *response),	\
	  (handle, destinationName, msg, response), MQTTASYNC_FAILURE)		\
	X(int, MQTTAsync_subscribe,							\
	  (MQTTAsync handle, const char *topic, int qos,				\
	   MQTTAsync_responseOptions *response),					\
	  (handle, topic, qos, response), MQTTASYNC_FAILURE)				\
	X(int, MQTTAsync_getPendingTokens,						\
	  (MQTTAsync handle, MQTTAsync_token **tokens), (handle, tokens),		\
	  MQTTASYNC_FAILURE)								\
	X(int, MQTTAsync_isConnected, (MQTTAsync handle), (handle), 0)		\
	X(const char *, MQTTAsync_strerror, (int code), (code),			\
	  "Paho MQTT library not loaded")						\
	X(const char *, MQTTReasonCode_toString, (enum MQTTReasonCodes value),	\
	  (value), "Paho MQTT library not loaded")

/* The same for functions without a result: X(name, (parameters), (arguments)). */
#define PAHO_VOID_FUNCS(X)								\
	X(MQTTAsync_destroy, (MQTTAsync *handle), (handle))			\
	X(MQTTAsync_free, (void *ptr), (ptr))						\
	X(MQTTAsync_freeMessage, (MQTTAsync_message **msg), (msg))			\
	X(MQTTAsync_setTraceCallback, (MQTTAsync_traceCallback *callback), (callback))	\
	X(MQTTAsync_setTraceLevel, (enum MQTTASYNC_TRACE_LEVELS level), (level))

struct paho_table {
#define FIELD(type, name, params, args, fail) type (*name) params;
#define VOID_FIELD(name, params, args) void (*name) params;
	PAHO_FUNCS(FIELD)
	PAHO_VOID_FUNCS(VOID_FIELD)
#undef FIELD
#undef VOID_FIELD
};

static pthread_mutex_t paho_lock = PTHREAD_MUTEX_INITIALIZER;
static struct paho_table paho;
static const char *paho_lib;		/* soname of the loaded library */
static bool paho_tls;
/* Set (release) once paho is filled; the wrappers read it (acquire). */
static atomic_bool paho_ready;
static bool paho_failed;		/* the implicit load failed */
static char paho_failure[512];		/* why */

static int paho_open(bool tls, char *err, size_t errlen)
{
	const char *lib = tls ? SGW_PAHO_LIB_TLS : SGW_PAHO_LIB;
	struct paho_table t;
	const char *e;
	void *h;

	dlerror();
	h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		e = dlerror();
		snprintf(err, errlen, "cannot load %s: %s", lib, e ? e : "unknown error");
		return -ENOENT;
	}
#define LOOKUP(name)								\
	do {									\
		dlerror();							\
		t.name = (__typeof__(t.name))dlsym(h, #name);			\
		if (!t.name) {							\
			e = dlerror();						\
			snprintf(err, errlen, "%s: no %s: %s", lib, #name,	\
				 e ? e : "null symbol");			\
			dlclose(h);						\
			return -ENOENT;						\
		}								\
	} while (0)
#define LOOKUP_FUNC(type, name, params, args, fail) LOOKUP(name);
#define LOOKUP_VOID(name, params, args) LOOKUP(name);
	PAHO_FUNCS(LOOKUP_FUNC)
	PAHO_VOID_FUNCS(LOOKUP_VOID)
#undef LOOKUP_FUNC
#undef LOOKUP_VOID
#undef LOOKUP
	paho = t;
	paho_lib = lib;
	paho_tls = tls;
	atomic_store_explicit(&paho_ready, true, memory_order_release);
	return 0;
}

int sgw_paho_load(bool tls, char *err, size_t errlen)
{
	int r = 0;

	pthread_mutex_lock(&paho_lock);
	if (!atomic_load_explicit(&paho_ready, memory_order_acquire))
		r = paho_open(tls, err, errlen);
	else if (tls && !paho_tls) {
		snprintf(err, errlen, "Paho without TLS (%s) is loaded; TLS needs %s", paho_lib,
			 SGW_PAHO_LIB_TLS);
		r = -EEXIST;
	}
	pthread_mutex_unlock(&paho_lock);
	return r;
}

/* The table, loading the library without TLS on first use; NULL if none. */
static const struct paho_table *paho_get(void)
{
	bool ok;

	if (atomic_load_explicit(&paho_ready, memory_order_acquire))
		return &paho;
	pthread_mutex_lock(&paho_lock);
	ok = atomic_load_explicit(&paho_ready, memory_order_acquire);
	if (!ok && !paho_failed) {
		ok = paho_open(false, paho_failure, sizeof(paho_failure)) == 0;
		paho_failed = !ok;
	}
	pthread_mutex_unlock(&paho_lock);
	return ok ? &paho : NULL;
}

#define WRAP(type, name, params, args, fail)					\
	type name params							\
	{									\
		const struct paho_table *t = paho_get();			\
										\
		return t ? t->name args : fail;					\
	}
#define WRAP_VOID(name, params, args)						\
	void name params							\
	{									\
		const struct paho_table *t = paho_get();			\
										\
		if (t)								\
			t->name args;						\
	}
PAHO_FUNCS(WRAP)
PAHO_VOID_FUNCS(WRAP_VOID)
#undef WRAP
#undef WRAP_VOID

const char *sgw_paho_error(void)
{
	const char *e;

	pthread_mutex_lock(&paho_lock);
	e = paho_failed ? paho_failure : NULL;
	pthread_mutex_unlock(&paho_lock);
	return e;
}
