/* SPDX-License-Identifier: MIT */
/*
 * One uplink's connection trouble, as the router tells it in the log:
 *
 *  - the first failed attempt of an outage (after the start, or after a
 *    lost connection) is worth a warning with its reason;
 *  - the same reason again is not: it is said once more after
 *    SGW_OUTAGE_REPEAT_NS, with the number of attempts meanwhile, and at
 *    once when the reason changes;
 *  - the connect that ends an outage says how long the uplink was down and
 *    how many attempts it took.
 *
 * It also keeps the last error (a failed attempt or a lost connection) and
 * when it happened, for the statistics, until the next one.
 *
 * Main thread.  It decides and the router speaks; the times come from the
 * caller (util/clock.h), so that tests can move them.
 */
#ifndef SGW_OUTAGE_H
#define SGW_OUTAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/clock.h"

/* The same reason is said again after 10 minutes. */
#define SGW_OUTAGE_REPEAT_NS (600 * SGW_NS_PER_S)
#define SGW_OUTAGE_WHY_MAX 256

struct sgw_outage {
	bool down;		/* no connection since the start or a loss */
	bool lost;		/* ... and the outage began with a loss */
	int64_t since_ns;	/* when it began */
	uint64_t failures;	/* failed attempts in it */
	uint64_t unsaid;	/* ... since the last line */
	int64_t said_ns;	/* when the last line was */
	char said[SGW_OUTAGE_WHY_MAX];		/* the reason it gave */
	char last_error[SGW_OUTAGE_WHY_MAX];	/* "": none yet */
	int64_t last_error_ms;	/* CLOCK_REALTIME ms of the last error */
};

enum sgw_outage_say {
	SGW_OUTAGE_QUIET,	/* the reason of the last line, said less than 10 min ago */
	SGW_OUTAGE_FIRST,	/* the first failure of this outage */
	SGW_OUTAGE_CHANGED,	/* another reason than the last line's */
	SGW_OUTAGE_STILL,	/* the same reason, said 10 min ago or more */
};

/* The uplink starts connecting at NOW_NS: down until its first connect. */
void sgw_outage_init(struct sgw_outage *o, int64_t now_ns);

/*
 * An attempt failed for WHY at NOW_NS (CLOCK_MONOTONIC) and NOW_MS
 * (CLOCK_REALTIME).  Returns what to say; *UNSAID is the number of failures
 * since the last line, this one included.
 */
enum sgw_outage_say sgw_outage_failed(struct sgw_outage *o, const char *why, int64_t now_ns,
				      int64_t now_ms, uint64_t *unsaid);

/* The connection was lost for WHY: an outage begins. */
void sgw_outage_lost(struct sgw_outage *o, const char *why, int64_t now_ns, int64_t now_ms);

/*
 * Connected at NOW_NS.  True when that ends an outage worth a line (one
 * that began with a loss, or had failed attempts): then *DOWN_NS is how
 * long it lasted and *ATTEMPTS how many attempts it took, this one
 * included.
 */
bool sgw_outage_up(struct sgw_outage *o, int64_t now_ns, int64_t *down_ns, uint64_t *attempts);

/* NS as people say it: "850 ms", "4.2 s", "42 s", "12 min 5 s", "3 h 20 min", "2 d 4 h". */
const char *sgw_outage_duration(char *buf, size_t cap, int64_t ns);

#endif
