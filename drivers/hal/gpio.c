/* SPDX-License-Identifier: MIT */
/* Backend choice and active-low handling, common to both GPIO backends. */
#include "gpio.h"

#include <ctype.h>
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

/* The backend for REQ's chip in a new line, not requested yet. */
static int line_new(const struct sgw_gpio_request *req, struct sgw_gpio_line **out)
{
	struct sgw_gpio_line *line;

	if (!req->chip || !*req->chip)
		return -EINVAL;
	line = calloc(1, sizeof(*line));
	if (!line)
		return -ENOMEM;
	line->ops = strcmp(req->chip, SGW_GPIO_SIM_CHIP) == 0 ? &sgw_gpio_sim_ops
							     : &sgw_gpio_gpiod_ops;
	line->active_low = req->active_low;
	*out = line;
	return 0;
}

bool sgw_gpio_chip_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > SGW_GPIO_CHIP_MAX)
		return false;
	for (; *name; name++)
		if (!isgraph((unsigned char)*name))
			return false;
	return true;
}

int sgw_gpio_line_open(const struct sgw_gpio_request *req, struct sgw_gpio_line **out)
{
	struct sgw_gpio_line *line;
	int ret;

	*out = NULL;
	ret = line_new(req, &line);
	if (ret < 0)
		return ret;
	ret = line->ops->open(req, &line->priv);
	if (ret < 0)
		goto free_line;
	*out = line;
	return 0;

free_line:
	free(line);
	return ret;
}

int sgw_gpio_output_open(const struct sgw_gpio_request *req, int value,
			 struct sgw_gpio_line **out)
{
	struct sgw_gpio_line *line;
	int ret;

	*out = NULL;
	ret = line_new(req, &line);
	if (ret < 0)
		return ret;
	ret = line->ops->open_output(req, !!value != line->active_low, &line->priv);
	if (ret < 0)
		goto free_line;
	*out = line;
	return 0;

free_line:
	free(line);
	return ret;
}

int sgw_gpio_line_set(struct sgw_gpio_line *line, int value)
{
	return line->ops->set(line->priv, !!value != line->active_low);
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
