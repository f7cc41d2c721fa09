/* SPDX-License-Identifier: MIT */
/* Backend choice and active-low handling, common to both GPIO backends. */
#include "gpio.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gpio_backend.h"

struct sgw_gpio_line {
	const struct sgw_gpio_ops *ops;
	void *priv;
	bool active_low;
};

int sgw_gpio_line_open(const struct sgw_gpio_request *req, struct sgw_gpio_line **out)
{
	struct sgw_gpio_line *line;
	int ret;

	*out = NULL;
	if (!req->chip || !*req->chip)
		return -EINVAL;
	line = calloc(1, sizeof(*line));
	if (!line)
		return -ENOMEM;
	line->ops = strcmp(req->chip, SGW_GPIO_SIM_CHIP) == 0 ? &sgw_gpio_sim_ops
							     : &sgw_gpio_gpiod_ops;
	line->active_low = req->active_low;
	ret = line->ops->open(req, &line->priv);
	if (ret < 0)
		goto free_line;
	*out = line;
	return 0;

free_line:
	free(line);
	return ret;
}

int sgw_gpio_line_get(struct sgw_gpio_line *line)
{
	int v = line->ops->get(line->priv);

	if (v < 0)
		return v;
	return line->active_low ? !v : v;
}

int sgw_gpio_line_wait(struct sgw_gpio_line *line, int timeout_ms, struct sgw_gpio_event *ev)
{
	int ret;

	if (timeout_ms < 0)
		timeout_ms = 0;
	ret = line->ops->wait(line->priv, timeout_ms, ev);
	if (ret == 1 && line->active_low)
		ev->level = !ev->level;
	return ret;
}

void sgw_gpio_line_close(struct sgw_gpio_line *line)
{
	if (!line)
		return;
	line->ops->close(line->priv);
	free(line);
}
