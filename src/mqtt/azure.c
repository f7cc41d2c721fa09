/* SPDX-License-Identifier: MIT */
/*
 * Azure IoT Hub's topics and SAS tokens; the contract is in azure.h.
 *
 * HMAC-SHA256 is OpenSSL's, from libcrypto opened with dlopen() on the
 * first token: linked, it costs every gateway about 1.4 MB of resident
 * memory (measured with VmRSS on Debian bookworm, x86_64: 1.4 MB for a
 * program that does nothing, 2.8 MB linked with -lcrypto); opened, it
 * costs only a gateway that makes tokens, whose TLS build of Paho has
 * loaded libcrypto already.
 */
#include "azure.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "util/clock.h"
#include "util/encode.h"

#define SHA256_LEN 32

/* OpenSSL's functions, typed as its headers declare them. */
static struct {
	__typeof__(HMAC) *hmac;
	__typeof__(EVP_sha256) *sha256;
	bool ok;
} crypto;
static pthread_once_t crypto_once = PTHREAD_ONCE_INIT;

static void crypto_load(void)
{
	/* Never closed: Paho's TLS build holds it too. */
	void *h = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL);

	if (!h)
		return;
	crypto.hmac = (__typeof__(HMAC) *)dlsym(h, "HMAC");
	crypto.sha256 = (__typeof__(EVP_sha256) *)dlsym(h, "EVP_sha256");
	crypto.ok = crypto.hmac && crypto.sha256;
}

char *sgw_azure_topic(const char *events, const char *topic)
{
	static const char property[] = "topic=";
	size_t elen = strlen(events), plen = sizeof(property) - 1;
	size_t tlen = sgw_pct_encode(topic, NULL, 0);
	char *t = malloc(elen + plen + tlen + 1);

	if (!t)
		return NULL;
	memcpy(t, events, elen);
	memcpy(t + elen, property, plen);
	sgw_pct_encode(topic, t + elen + plen, tlen + 1);
	return t;
}

/* S percent-encoded: a new string or NULL. */
static char *pct_dup(const char *s)
{
	size_t n = sgw_pct_encode(s, NULL, 0);
	char *p = malloc(n + 1);

	if (p)
		sgw_pct_encode(s, p, n + 1);
	return p;
}

char *sgw_azure_sas_token(const char *resource, const unsigned char *key, size_t len,
			  int64_t expiry_s)
{
	unsigned char mac[SHA256_LEN];
	unsigned int maclen = 0;
	char sig[SGW_B64_LEN(SHA256_LEN) + 1], *uri, *sign = NULL, *sig_pct = NULL, *token = NULL;
	int n;

	pthread_once(&crypto_once, crypto_load);
	if (!crypto.ok) {
		errno = ELIBACC;
		return NULL;
	}
	if (len > INT32_MAX) {
		errno = EINVAL;
		return NULL;
	}
	uri = pct_dup(resource);
	if (!uri)
		return NULL;
	n = asprintf(&sign, "%s\n%lld", uri, (long long)expiry_s);
	if (n < 0)
		goto out_free_uri;
	if (!crypto.hmac(crypto.sha256(), key, (int)len, (const unsigned char *)sign, (size_t)n,
			 mac, &maclen) || maclen != SHA256_LEN) {
		errno = EIO;
		goto out_free_sign;
	}
	sgw_b64_encode(mac, SHA256_LEN, sig);
	sig_pct = pct_dup(sig);
	if (!sig_pct)
		goto out_free_sign;
	if (asprintf(&token, "SharedAccessSignature sr=%s&sig=%s&se=%lld", uri, sig_pct,
		     (long long)expiry_s) < 0)
		token = NULL;
	free(sig_pct);
out_free_sign:
	explicit_bzero(mac, sizeof(mac));
	free(sign);
out_free_uri:
	free(uri);
	return token;
}

int64_t sgw_azure_renew_ns(int64_t made_ns, uint32_t ttl_s)
{
	return made_ns + (int64_t)ttl_s * SGW_NS_PER_S / 5 * 4;
}
