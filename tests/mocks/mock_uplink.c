/* SPDX-License-Identifier: MIT */
/*
 * Test-only stand-in for src/mqtt/uplink.c: records publishes and answers as the
 * test says.  Linked before libsgw.a, so the real uplink is not pulled in.
 */
#include "mock_uplink.h"

#include <errno.h>
#include <string.h>

struct mock_uplink mock;

int sgw_uplink_publish(struct sgw_uplink *u, const char *topic, const void *payload,
		       size_t len, uint64_t tag)
{
	(void)u;
	(void)topic;
	if (!mock.connected)
		return -ENOTCONN;
	if (mock.inflight >= mock.window)
		return -EAGAIN;
	if (mock.refuse_tag && tag == mock.refuse_tag)
		return -EMSGSIZE;
	mock.inflight++;
	if (mock.n < MOCK_MAX) {
		size_t k = len < 15 ? len : 15;

		memcpy(mock.payloads[mock.n], payload, k);
		mock.payloads[mock.n][k] = '\0';
		mock.tags[mock.n++] = tag;
	}
	return 0;
}

const char *sgw_uplink_name(const struct sgw_uplink *u)
{
	(void)u;
	return "mock";
}

bool sgw_uplink_connected(const struct sgw_uplink *u)
{
	(void)u;
	return mock.connected;
}
