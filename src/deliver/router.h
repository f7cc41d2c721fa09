/* SPDX-License-Identifier: MIT */
/*
 * The router: the one owner of store and forward.  It holds the uplinks,
 * each with its outbox (deliver/outbox.h), and the disk queue between them
 * and the readings (deliver/spool.h), and it alone decides where a message
 * waits:
 *
 *  - in memory, for an uplink that is connected and has nothing older
 *    waiting on disk ([queue] mode = auto): nothing touches the SD card;
 *  - on disk, for an uplink that is offline or still sending its disk
 *    backlog, and for every uplink with [queue] mode = always: one record
 *    for all the uplinks that need it;
 *  - in memory again when the disk refuses a message (full, I/O error): it
 *    moves to disk with the next spill, in order.
 *
 * It moves what memory holds to disk when a connection is lost, when an
 * uplink's waiting list fills up (the broker is slow to acknowledge), at
 * exit and at reload.
 *
 * For an uplink with homeassistant = yes it also runs Home Assistant's
 * discovery (deliver/announce.h), whose messages go ahead of the readings;
 * for one with commands = yes it hands the messages of its subscriptions
 * to the command handler (the daemon's actuators).
 *
 * Main thread only.  It logs what happens to the uplinks, as
 * "[mqtt NAME] ...": a failed connect as a warning once per outage and
 * reason (deliver/outage.h), a recovery with how long it took.
 */
#ifndef SGW_ROUTER_H
#define SGW_ROUTER_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/types.h"
#include "message/msg.h"
#include "mqtt/uplink.h"
#include "outbox.h"
#include "spool.h"

struct sgw_router;

struct sgw_router_opts {
	/* An uplink (re)connected; may be NULL. */
	void (*connected)(void *arg, const char *uplink);
	void *arg;
	/* The disk queue's system calls; NULL: the real ones (tests inject faults). */
	const struct sgw_queue_ops *queue_ops;
};

/*
 * Open the disk queue in <state_dir>/queue (unless [queue] mode = off, or
 * it cannot be opened: then memory only, said in the log), create an uplink
 * with its outbox for every [mqtt] section and start connecting.  CFG must
 * outlive the router; O may be NULL.  NULL+errno when an uplink cannot be
 * created.
 */
struct sgw_router *sgw_router_new(const struct sgw_config *cfg, const struct sgw_router_opts *o);

/*
 * Exit: give connected uplinks up to FLUSH_MS to deliver what is in flight
 * and waiting in memory, store what is left in the disk queue (or say how
 * many readings are lost without one), publish "offline", disconnect,
 * close the disk queue, free.  The process must exit next: MQTT clients
 * that ended cleanly are left to the exit (sgw_uplink_exit()).
 */
void sgw_router_stop(struct sgw_router *r, int flush_ms);

/*
 * Reload: stop without waiting and hand back every message held in memory
 * and not acknowledged by all uplinks, once each, oldest first, in a new
 * array (*N of them; the caller owns the references and the array) for the
 * next router; what is on disk stays there.  Frees R.
 */
struct sgw_msg **sgw_router_release(struct sgw_router *r, size_t *n);

/*
 * A new message for the uplinks that carry it (deliver/routes.h: its
 * sensor's, [mqtt NAME] sensors): given a memory delivery tag here and
 * kept where it belongs (see above).  Takes over the reference.
 */
void sgw_router_emit(struct sgw_router *r, struct sgw_msg *m);

/*
 * Publish a retained status document (the statistics) at QoS 0 on every
 * connected uplink; nothing waits for it and nothing stores it.
 */
void sgw_router_publish_status(struct sgw_router *r, const char *topic, const void *payload,
			       size_t len);

/*
 * Commands: a message that arrives on a subscription of uplink LINK (its
 * index in cfg->uplinks) with commands = yes, and that is not Home
 * Assistant's, goes to FN (NULL: none) with ARG; TOPIC and PAYLOAD (LEN
 * bytes, NUL-terminated beyond) are valid during the call only.  Other
 * uplinks' messages are logged at debug and dropped.
 */
typedef void sgw_router_command_fn(void *arg, size_t link, const char *topic,
				   const void *payload, size_t len, bool retained);
void sgw_router_set_command_handler(struct sgw_router *r, sgw_router_command_fn *fn, void *arg);
/* Subscribe uplink LINK to FILTER, renewed on every connect (sgw_uplink_subscribe()). */
int sgw_router_subscribe(struct sgw_router *r, size_t link, const char *filter);
/*
 * Publish on uplink LINK alone, now, with QOS and RETAIN (an actuator's
 * state or error); nothing stores it or sends it again.  0, -ENOTCONN
 * when the uplink is offline, or sgw_uplink_publish_ex()'s -errno.
 */
int sgw_router_publish_on(struct sgw_router *r, size_t link, const char *topic,
			  const void *payload, size_t len, int qos, bool retain);
bool sgw_router_link_connected(const struct sgw_router *r, size_t link);

/* The uplinks' fds, one per uplink, to poll for POLLIN.  Returns how many. */
size_t sgw_router_pollfds(const struct sgw_router *r, struct pollfd *pfd, size_t max);
/* Handle the events of the fds (as filled by sgw_router_pollfds()) that are readable. */
void sgw_router_dispatch(struct sgw_router *r, const struct pollfd *pfd, size_t n);

/*
 * CLOCK_MONOTONIC ns of the next reconnect, group commit or publish that
 * an uplink's max_rate held back, or INT64_MAX.
 */
int64_t sgw_router_next_deadline(const struct sgw_router *r);
/* Run the reconnects, the group commit and the held-back publishes due at NOW_NS. */
void sgw_router_tick(struct sgw_router *r, int64_t now_ns);

/*
 * The clock was found synchronised (util/clock.h: sgw_clock_check()): the
 * readings taken before and held in memory, waiting or in flight, get their
 * wall time.  Those on disk get it as they are read.  Returns how many
 * readings did.
 */
size_t sgw_router_restamp(struct sgw_router *r);

/* Nothing waits for any uplink: in memory, in flight or on disk. */
bool sgw_router_idle(const struct sgw_router *r);

/* Statistics. */
struct sgw_router_link_stats {
	const char *name;
	bool connected;
	struct sgw_outbox_stats outbox;
	struct sgw_uplink_stats uplink;
	/* Sample time of the oldest unacknowledged message held in memory, or INT64_MIN. */
	int64_t oldest_memory_ts_ms;
	/*
	 * Why the last connect failed or the connection was lost, NULL if
	 * neither happened yet (kept after a recovery); valid until the next
	 * event of the router.  When, in CLOCK_REALTIME ms.
	 */
	const char *last_error;
	int64_t last_error_ts_ms;
};

size_t sgw_router_nlinks(const struct sgw_router *r);
void sgw_router_link_stats(const struct sgw_router *r, size_t i, struct sgw_router_link_stats *st);
/* False without a disk queue; else true and *ST filled. */
bool sgw_router_queue_stats(struct sgw_router *r, struct sgw_queue_stats *st);

#endif
