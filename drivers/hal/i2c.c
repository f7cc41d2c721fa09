/* SPDX-License-Identifier: MIT */
/* Backend-independent part of the I2C HAL: handles and message helpers. */
#include "i2c.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

struct sgw_i2c {
	const struct sgw_i2c_ops *ops;
	void *priv;
	int bus;
};

static const struct sgw_i2c_ops *backend = &sgw_i2c_linux_ops;

void sgw_i2c_set_backend(const struct sgw_i2c_ops *ops)
{
	backend = ops;
}

const struct sgw_i2c_ops *sgw_i2c_backend(void)
{
	return backend;
}

int sgw_i2c_open(int bus, int timeout_ms, struct sgw_i2c **out)
{
	struct sgw_i2c *i2c;
	int ret;

	if (bus < 0 || bus > 255 || timeout_ms < 0)
		return -EINVAL;
	i2c = calloc(1, sizeof(*i2c));
	if (!i2c)
		return -ENOMEM;
	i2c->ops = backend;
	i2c->bus = bus;
	ret = i2c->ops->open(bus, timeout_ms, SGW_I2C_RETRIES, &i2c->priv);
	if (ret < 0) {
		free(i2c);
		return ret;
	}
	*out = i2c;
	return 0;
}

void sgw_i2c_close(struct sgw_i2c *i2c)
{
	if (!i2c)
		return;
	i2c->ops->close(i2c->priv);
	free(i2c);
}

int sgw_i2c_bus(const struct sgw_i2c *i2c)
{
	return i2c->bus;
}

int sgw_i2c_transfer(struct sgw_i2c *i2c, struct sgw_i2c_msg *msgs, unsigned int n)
{
	if (n == 0 || n > SGW_I2C_MAX_MSGS)
		return -EINVAL;
	return i2c->ops->transfer(i2c->priv, msgs, n);
}

int sgw_i2c_write(struct sgw_i2c *i2c, uint16_t addr, const uint8_t *buf, size_t len)
{
	/* The kernel's struct i2c_msg has a non-const buffer; a write
	 * message is only read from. */
	struct sgw_i2c_msg m = { addr, 0, (uint16_t)len, (uint8_t *)buf };

	if (len > UINT16_MAX)
		return -EINVAL;
	return sgw_i2c_transfer(i2c, &m, 1);
}

int sgw_i2c_read(struct sgw_i2c *i2c, uint16_t addr, uint8_t *buf, size_t len)
{
	struct sgw_i2c_msg m = { addr, SGW_I2C_M_RD, (uint16_t)len, buf };

	if (len == 0 || len > UINT16_MAX)
		return -EINVAL;
	return sgw_i2c_transfer(i2c, &m, 1);
}

int sgw_i2c_write_read(struct sgw_i2c *i2c, uint16_t addr, const uint8_t *w, size_t wlen,
		       uint8_t *r, size_t rlen)
{
	struct sgw_i2c_msg m[2] = {
		{ addr, 0, (uint16_t)wlen, (uint8_t *)w },
		{ addr, SGW_I2C_M_RD, (uint16_t)rlen, r },
	};

	if (wlen > UINT16_MAX || rlen == 0 || rlen > UINT16_MAX)
		return -EINVAL;
	return sgw_i2c_transfer(i2c, m, 2);
}

int sgw_i2c_read_regs(struct sgw_i2c *i2c, uint16_t addr, uint8_t reg, uint8_t *buf, size_t len)
{
	return sgw_i2c_write_read(i2c, addr, &reg, 1, buf, len);
}

int sgw_i2c_write_reg8(struct sgw_i2c *i2c, uint16_t addr, uint8_t reg, uint8_t val)
{
	return i2c->ops->write_byte_data(i2c->priv, addr, reg, val);
}

int sgw_i2c_read_reg8(struct sgw_i2c *i2c, uint16_t addr, uint8_t reg)
{
	return i2c->ops->read_byte_data(i2c->priv, addr, reg);
}

int sgw_i2c_probe(struct sgw_i2c *i2c, uint16_t addr)
{
	int ret;
	int use_read = (addr >= 0x30 && addr <= 0x37) || (addr >= 0x50 && addr <= 0x5f);

	if (!use_read && i2c->ops->can_quick && !i2c->ops->can_quick(i2c->priv))
		use_read = 1;
	ret = use_read ? i2c->ops->read_byte(i2c->priv, addr) : i2c->ops->quick(i2c->priv, addr);
	if (ret >= 0)
		return 1;
	/* A stretched-out probe is not a chip either. */
	if (sgw_i2c_no_ack(ret) || ret == -ETIMEDOUT)
		return 0;
	return ret;
}

int sgw_i2c_no_ack(int err)
{
	return err == -ENXIO || err == -EREMOTEIO || err == -EIO;
}

void sgw_i2c_sleep_ms(unsigned int ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}
