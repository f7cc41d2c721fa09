/* SPDX-License-Identifier: MIT */
/*
 * GPIO lines, inputs and outputs, with two backends behind one ops table:
 *
 *   gpiod  the Linux GPIO character device through libgpiod, the v1 API
 *          (1.6, Debian bookworm) or the v2 API (2.x, trixie), whichever
 *          configure found; the default for every chip name but "sim".
 *          Chips are looked for under sgw_sysroot() with the v2 API.
 *   sim    software lines on the chip named "sim" whose level a test or the
 *          demo drives with sgw_gpio_sim_set(); every change of level is an
 *          edge event, exactly as the kernel would report it.
 *
 * A line is requested either as an input with edge events on both edges
 * (drivers decide which edges matter after debouncing) or as an output
 * (actuators).  Levels and edges are logical: with active_low the layer
 * above the backends inverts them, so both backends behave the same.  Event timestamps are CLOCK_MONOTONIC
 * (util/clock.h's sgw_mono_ns()), the clock the kernel uses for line events
 * since Linux 5.7.
 *
 * Calls on one line must come from one thread at a time (the sensor's
 * worker); different lines are independent.
 */
#ifndef SGW_HAL_GPIO_H
#define SGW_HAL_GPIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SGW_GPIO_SIM_CHIP "sim"
#define SGW_GPIO_SIM_NLINES 64	/* lines 0..63 on the sim chip */

enum sgw_gpio_bias {
	SGW_GPIO_BIAS_AS_IS,	/* leave the pin's pull as firmware set it */
	SGW_GPIO_BIAS_DISABLE,
	SGW_GPIO_BIAS_PULL_UP,
	SGW_GPIO_BIAS_PULL_DOWN,
};

struct sgw_gpio_request {
	const char *chip;	/* "gpiochip0", "0", "/dev/gpiochip0", a label
				 * such as "pinctrl-rp1", or "sim" */
	unsigned int offset;	/* line number on the chip */
	bool active_low;
	enum sgw_gpio_bias bias;
	const char *consumer;	/* shown by gpioinfo; may be NULL */
};

struct sgw_gpio_event {
	int level;		/* logical level after the edge: 1 rising, 0 falling */
	int64_t ts_ns;		/* CLOCK_MONOTONIC */
};

struct sgw_gpio_line;

/* The longest chip name taken (any gpiochip name or label is shorter). */
#define SGW_GPIO_CHIP_MAX 64
/* The largest line number taken (the largest Pi chip has 54 lines). */
#define SGW_GPIO_LINE_MAX 1023
/* NAME can name a chip: 1..SGW_GPIO_CHIP_MAX printable bytes, no spaces. */
bool sgw_gpio_chip_name_ok(const char *name);

/*
 * Request a line as an input with edge events.  Returns 0 and the line in
 * *out, or -ENOENT (no such chip), -EINVAL (no such line on the chip),
 * -EBUSY (line already requested), other -errno.
 */
int sgw_gpio_line_open(const struct sgw_gpio_request *req, struct sgw_gpio_line **out);
/*
 * Request a line as an output driven to the logical VALUE from the start
 * (bias is ignored).  Returns as sgw_gpio_line_open().
 */
int sgw_gpio_output_open(const struct sgw_gpio_request *req, int value,
			 struct sgw_gpio_line **out);
/* Drive an output line to the logical VALUE (nonzero: 1).  0 or -errno. */
int sgw_gpio_line_set(struct sgw_gpio_line *line, int value);
/* Current logical level: 0 or 1, or -errno (an output reads what it drives). */
int sgw_gpio_line_get(struct sgw_gpio_line *line);
/*
 * Wait up to timeout_ms (0: just look) for the next edge.  Returns 1 with
 * *ev filled, 0 on timeout, -errno on failure.  Edges queue up while nobody
 * waits (the kernel keeps 16 per line, the sim backend 64; further ones are
 * lost, as on real hardware).
 */
int sgw_gpio_line_wait(struct sgw_gpio_line *line, int timeout_ms, struct sgw_gpio_event *ev);
/* Release the line (an output keeps its level on the sim chip); NULL is fine. */
void sgw_gpio_line_close(struct sgw_gpio_line *line);

/*
 * Sim backend controls (thread-safe; for tests and the demo).  Offsets are
 * 0..SGW_GPIO_SIM_NLINES-1; levels are physical (before active_low).  A line
 * nobody drives reads its bias: 1 with pull-up, else 0.
 */
/* Drive the line to VALUE now; an edge is queued if the level changed. */
int sgw_gpio_sim_set(unsigned int offset, int value);
/*
 * The same with the edge stamped TS_NS (CLOCK_MONOTONIC) instead of now, so
 * that a test can lay out bounce and pulses on a time line that does not
 * depend on how fast it runs.
 */
int sgw_gpio_sim_set_at(unsigned int offset, int value, int64_t ts_ns);
/* Physical level, or -EINVAL for a bad offset. */
int sgw_gpio_sim_get(unsigned int offset);
/* Edges lost because the line's queue was full (since the last reset). */
unsigned long sgw_gpio_sim_dropped(unsigned int offset);
/*
 * Undrive every line that is not requested and forget its edges; forget
 * the output history and what it dropped.
 */
void sgw_gpio_sim_reset(void);

/*
 * Sim output lines.  An output line drives the sim level (sgw_gpio_sim_get()
 * reads it).  Every change of level an output makes, from its request to
 * its release, is kept in one history of all lines, in the order made and
 * stamped by the sim clock, sgw_mono_ns() unless a test set its own.
 *
 * When the environment variable SENSORGW_GPIO_SIM_TRACE names a file (read
 * at each output request), each such change is also appended to it as one
 * line "<ns> <offset> <level>\n": the stamp, the line, the physical level;
 * written with O_APPEND, one write(2) per line, so that a test can follow
 * the lines of a daemon running on the chip "sim".  A line never driven is
 * at 0, so a request that leaves it at 0 writes nothing.
 */
struct sgw_gpio_sim_change {
	unsigned int offset;
	int level;		/* physical */
	int64_t ts_ns;		/* the sim clock */
};

#define SGW_GPIO_SIM_HISTORY 1024	/* changes kept until taken */

/*
 * Take up to MAX of the oldest changes into CH, oldest first, removing
 * them from the history; returns how many.  Changes made while
 * SGW_GPIO_SIM_HISTORY are waiting are lost and counted.
 */
size_t sgw_gpio_sim_history(struct sgw_gpio_sim_change *ch, size_t max);
/* Changes lost because the history was full (since the last reset). */
unsigned long sgw_gpio_sim_history_dropped(void);
/*
 * The clock that stamps output changes: NOW, or NULL for sgw_mono_ns().  A
 * test that passes its own now_ns to the code above sets the same here.
 */
void sgw_gpio_sim_set_clock(int64_t (*now)(void));

#endif
