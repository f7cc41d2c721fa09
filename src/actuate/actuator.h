/* SPDX-License-Identifier: MIT */
/*
 * Actuators: output lines that MQTT commands drive, one object per
 * [actuator NAME] section (conf/types.h: struct sgw_actuator_config).
 *
 *   switch  (driver = gpio_output) one line, "ON" / "OFF"; with pulse_ms
 *           an "ON" turns itself off after that long (a second "ON"
 *           starts the time again; initial_on is an "ON" too).  State
 *           "ON" / "OFF".
 *   cover   (driver = cover) an up and a down line that are never on
 *           together: a change of direction first turns the running line
 *           off, waits dead_time_ms with both off, then turns the other on.
 *           Commands "OPEN", "CLOSE", "STOP" and a position "0".."100"
 *           (percent open).  A run stops by itself after travel_ms (a full
 *           run) or when the position asked for is reached, estimated from
 *           the travel time.  The position is unknown (-1) after a start
 *           until a full run has ended at a stop; a position command is
 *           refused until then.  "OPEN" and "CLOSE" always run travel_ms
 *           (to the end stop, whatever the estimate says); a command in
 *           the direction already running or waiting only sets a new end
 *           ("OPEN" while opening: nothing).  The lines count as just
 *           turned off at open, so a first run waits dead_time_ms too.
 *           State "open", "opening", "closed", "closing", "stopped" (Home
 *           Assistant's defaults); during a dead time the lines are off
 *           and the state is that of the cover at rest.
 *
 * Everything runs in the caller's thread (the main loop), with time passed
 * in (CLOCK_MONOTONIC ns) so that tests lay out time lines of their own:
 * a command acts at once or schedules what follows (the end of a pulse, of
 * a dead time, of a run), and the caller calls sgw_actuator_tick() at
 * sgw_actuator_next_deadline().  The state reported is what the lines
 * really are, read after the change was applied: a failed line write
 * leaves the state as it was and the command fails with -EIO.
 *
 * The safe state (a switch's safe_on, a cover stopped) is applied at open,
 * before the initial state, and by sgw_actuator_safe() (SIGTERM, losing
 * the broker) and sgw_actuator_close().
 */
#ifndef SGW_ACTUATOR_H
#define SGW_ACTUATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/types.h"

struct sgw_actuator;

/* Longest state payload, NUL included ("closing"). */
#define SGW_ACTUATOR_STATE_MAX 16
/* Longest error text sgw_actuator_command() writes, NUL included. */
#define SGW_ACTUATOR_ERROR_MAX 128

/*
 * Request C's lines as outputs, set the safe state, then the initial
 * state.  C must outlive the actuator.  0 and *OUT, or -errno (the GPIO
 * HAL's: -ENOENT no chip, -EINVAL no line, -EBUSY line taken).
 */
int sgw_actuator_open(const struct sgw_actuator_config *c, int64_t now_ns,
		      struct sgw_actuator **out);
/* Safe state, then release the lines.  NULL is fine. */
void sgw_actuator_close(struct sgw_actuator *a);

/*
 * Obey the command PAYLOAD (LEN bytes, need not be NUL-terminated) at
 * NOW_NS.  The words match whatever their case, with white space around
 * them allowed; a position is decimal digits with an optional sign.
 * 0: applied (or scheduled, for a cover's change of direction).
 * Refused, with nothing changed and a sentence in ERR (ERRCAP bytes, at
 * most SGW_ACTUATOR_ERROR_MAX are used) naming the payload:
 *   -EINVAL  not a command of this actuator ("unknown command \"FOO\"")
 *   -ERANGE  a position outside 0..100
 *   -EAGAIN  less than min_interval_ms after the last command obeyed
 *   -ENODATA a position while the position is unknown
 *   -EIO     a line could not be written (the state stays what it was,
 *            but for a cover stopped to turn the other way: it stays
 *            stopped)
 * Refused commands do not count for min_interval_ms.
 */
int sgw_actuator_command(struct sgw_actuator *a, const void *payload, size_t len,
			 int64_t now_ns, char *err, size_t errcap);
/* When sgw_actuator_tick() is due (CLOCK_MONOTONIC ns), or INT64_MAX. */
int64_t sgw_actuator_next_deadline(const struct sgw_actuator *a);
/* Carry out what is due at NOW_NS (pulse end, dead time over, run over). */
void sgw_actuator_tick(struct sgw_actuator *a, int64_t now_ns);
/* Go to the safe state now, cancelling whatever was scheduled. */
void sgw_actuator_safe(struct sgw_actuator *a, int64_t now_ns);

/* The state payload, as the lines are now (see above). */
const char *sgw_actuator_state(const struct sgw_actuator *a);
/* A cover's position in percent open, -1 when unknown (or a switch). */
int sgw_actuator_position(const struct sgw_actuator *a, int64_t now_ns);
/*
 * A number that changes whenever the state or a known position changes,
 * so that the caller publishes the state topic only then.
 */
uint64_t sgw_actuator_version(const struct sgw_actuator *a);
const struct sgw_actuator_config *sgw_actuator_config(const struct sgw_actuator *a);

#endif
