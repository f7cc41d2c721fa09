/* SPDX-License-Identifier: MIT */
/* Simulated I2C buses of chip emulators, and the sim backend on top. */
#include "i2c_sim.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#define SIM_MAX_DEVS 32

struct sim_dev {
	int bus;		/* -1: free slot */
	uint16_t addr;
	const struct sgw_i2c_sim_dev_ops *ops;
	void *ctx;
	int fault_err;
	unsigned int fault_hang_ms;
	int fault_count;	/* -1: forever, 0: no fault */
};

static pthread_mutex_t sim_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sim_dev sim_devs[SIM_MAX_DEVS];
static int sim_ndevs;		/* slots in use at the front */

static struct sim_dev *sim_find(int bus, uint16_t addr)
{
	for (int i = 0; i < sim_ndevs; i++)
		if (sim_devs[i].bus == bus && sim_devs[i].addr == addr)
			return &sim_devs[i];
	return NULL;
}

int sgw_i2c_sim_attach(int bus, uint16_t addr, const struct sgw_i2c_sim_dev_ops *ops, void *ctx)
{
	int ret = 0;

	pthread_mutex_lock(&sim_lock);
	if (sim_find(bus, addr))
		ret = -EEXIST;
	else if (sim_ndevs == SIM_MAX_DEVS)
		ret = -ENOSPC;
	else
		sim_devs[sim_ndevs++] = (struct sim_dev){ .bus = bus, .addr = addr, .ops = ops, .ctx = ctx };
	pthread_mutex_unlock(&sim_lock);
	return ret;
}

void sgw_i2c_sim_detach(int bus, uint16_t addr)
{
	struct sim_dev *d;

	pthread_mutex_lock(&sim_lock);
	d = sim_find(bus, addr);
	if (d)
		*d = sim_devs[--sim_ndevs];
	pthread_mutex_unlock(&sim_lock);
}

void sgw_i2c_sim_reset(void)
{
	pthread_mutex_lock(&sim_lock);
	sim_ndevs = 0;
	pthread_mutex_unlock(&sim_lock);
}

int sgw_i2c_sim_bus_exists(int bus)
{
	int found = 0;

	pthread_mutex_lock(&sim_lock);
	for (int i = 0; i < sim_ndevs && !found; i++)
		found = sim_devs[i].bus == bus;
	pthread_mutex_unlock(&sim_lock);
	return found;
}

int sgw_i2c_sim_fault(int bus, uint16_t addr, int err, unsigned int hang_ms, int count)
{
	struct sim_dev *d;
	int ret = 0;

	if (err > 0 || count < -1)
		return -EINVAL;
	pthread_mutex_lock(&sim_lock);
	d = sim_find(bus, addr);
	if (d) {
		d->fault_err = err;
		d->fault_hang_ms = hang_ms;
		d->fault_count = count;
	} else {
		ret = -ENOENT;
	}
	pthread_mutex_unlock(&sim_lock);
	return ret;
}

static int sim_transfer_once(int bus, struct sgw_i2c_msg *msgs, unsigned int n, int timeout_ms)
{
	struct sim_dev *d;
	unsigned int hang = 0, limit;
	int err = 0, ret = 0;

	if (n == 0 || n > SGW_I2C_MAX_MSGS)
		return -EINVAL;
	limit = timeout_ms > 0 ? (unsigned int)timeout_ms : SGW_I2C_SIM_DEFAULT_TIMEOUT_MS;

	pthread_mutex_lock(&sim_lock);
	d = sim_find(bus, msgs[0].addr);
	if (d && d->fault_count != 0) {
		hang = d->fault_hang_ms;
		err = d->fault_err;
		if (d->fault_count > 0)
			d->fault_count--;
	}
	pthread_mutex_unlock(&sim_lock);

	/* The stall happens outside the lock, as a stretched clock holds up
	 * only this bus's transfer. */
	if (hang > 0) {
		sgw_i2c_sleep_ms(hang < limit ? hang : limit);
		if (hang >= limit)
			return -ETIMEDOUT;
	}
	if (err < 0)
		return err;

	pthread_mutex_lock(&sim_lock);
	for (unsigned int i = 0; i < n && ret == 0; i++) {
		d = sim_find(bus, msgs[i].addr);
		if (!d)
			ret = -ENXIO;
		else if (msgs[i].flags & SGW_I2C_M_RD)
			ret = d->ops->read(d->ctx, msgs[i].buf, msgs[i].len);
		else
			ret = d->ops->write(d->ctx, msgs[i].buf, msgs[i].len);
	}
	pthread_mutex_unlock(&sim_lock);
	return ret;
}

int sgw_i2c_sim_transfer(int bus, struct sgw_i2c_msg *msgs, unsigned int n, int timeout_ms,
			 int retries)
{
	int ret;

	do
		ret = sim_transfer_once(bus, msgs, n, timeout_ms);
	while (ret == -EAGAIN && retries-- > 0);
	return ret;
}

/* ---------------------------------------------------------------- backend */

struct sim_bus {
	int bus;
	int timeout_ms;
	int retries;
};

static int simb_open(int bus, int timeout_ms, int retries, void **priv)
{
	struct sim_bus *sb;

	if (!sgw_i2c_sim_bus_exists(bus))
		return -ENOENT;
	sb = malloc(sizeof(*sb));
	if (!sb)
		return -ENOMEM;
	sb->bus = bus;
	sb->timeout_ms = timeout_ms;
	sb->retries = retries;
	*priv = sb;
	return 0;
}

static void simb_close(void *priv)
{
	free(priv);
}

static int simb_transfer(void *priv, struct sgw_i2c_msg *msgs, unsigned int n)
{
	const struct sim_bus *sb = priv;

	return sgw_i2c_sim_transfer(sb->bus, msgs, n, sb->timeout_ms, sb->retries);
}

static int simb_quick(void *priv, uint16_t addr)
{
	struct sgw_i2c_msg m = { addr, 0, 0, NULL };

	return simb_transfer(priv, &m, 1);
}

static int simb_read_byte(void *priv, uint16_t addr)
{
	uint8_t b;
	struct sgw_i2c_msg m = { addr, SGW_I2C_M_RD, 1, &b };
	int ret = simb_transfer(priv, &m, 1);

	return ret < 0 ? ret : b;
}

static int simb_write_byte_data(void *priv, uint16_t addr, uint8_t reg, uint8_t val)
{
	uint8_t buf[2] = { reg, val };
	struct sgw_i2c_msg m = { addr, 0, 2, buf };

	return simb_transfer(priv, &m, 1);
}

static int simb_read_byte_data(void *priv, uint16_t addr, uint8_t reg)
{
	uint8_t b;
	struct sgw_i2c_msg m[2] = { { addr, 0, 1, &reg }, { addr, SGW_I2C_M_RD, 1, &b } };
	int ret = simb_transfer(priv, m, 2);

	return ret < 0 ? ret : b;
}

const struct sgw_i2c_ops sgw_i2c_sim_ops = {
	.name = "sim",
	.open = simb_open,
	.close = simb_close,
	.transfer = simb_transfer,
	.quick = simb_quick,
	.read_byte = simb_read_byte,
	.write_byte_data = simb_write_byte_data,
	.read_byte_data = simb_read_byte_data,
	.can_quick = NULL,
};
