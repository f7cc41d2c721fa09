/* SPDX-License-Identifier: MIT */
#ifndef SGW_MOCK_UPLINK_H
#define SGW_MOCK_UPLINK_H

#include <stdbool.h>

#include "mqtt/uplink.h"

#define MOCK_MAX 4096

struct mock_uplink {
	bool connected;
	size_t window, inflight;
	uint64_t refuse_tag;	/* publish of this tag fails with -EMSGSIZE */
	size_t n;
	uint64_t tags[MOCK_MAX];	/* tags published, in order */
	char payloads[MOCK_MAX][16];	/* their payloads, cut to 15 bytes */
};

extern struct mock_uplink mock;

#endif
