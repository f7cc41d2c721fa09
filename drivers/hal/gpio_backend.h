/* SPDX-License-Identifier: MIT */
/*
 * Private to drivers/hal/gpio*.c: the ops table a GPIO backend provides.
 * Backends deal in physical levels; gpio.c applies active_low on top.
 */
#ifndef SGW_HAL_GPIO_BACKEND_H
#define SGW_HAL_GPIO_BACKEND_H

#include "gpio.h"

struct sgw_gpio_ops {
	const char *name;
	/* Request the line (bias as asked, no active-low); *priv is the backend's handle. */
	int (*open)(const struct sgw_gpio_request *req, void **priv);
	/* Request the line as an output at the physical VALUE. */
	int (*open_output)(const struct sgw_gpio_request *req, int value, void **priv);
	int (*get)(void *priv);
	int (*set)(void *priv, int value);
	int (*wait)(void *priv, int timeout_ms, struct sgw_gpio_event *ev);
	void (*close)(void *priv);
};

/* gpio_gpiod.c (libgpiod 1.6) or gpio_gpiod2.c (2.x): configure builds one. */
extern const struct sgw_gpio_ops sgw_gpio_gpiod_ops;
extern const struct sgw_gpio_ops sgw_gpio_sim_ops;

#endif
