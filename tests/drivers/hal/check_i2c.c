/* SPDX-License-Identifier: MIT */
/* I2C HAL: transfers, probing, retries and timeouts, through the sim
 * backend and through the Linux backend (libi2c and i2c-dev ioctls). */
#include <check.h>
#include <errno.h>
#include <linux/i2c.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/hal/i2c.h"
#include "drivers/hal/i2c_sim.h"
#include "tests/fixtures/i2c_testutil.h"
#include "tests/mocks/i2c_shim.h"

/* A chip that records what it sees and answers reads with 0xA5, 0xA6, ... */
struct rec {
	unsigned int writes, reads;
	char log[64];		/* "w1r2": a 1-byte write then a 2-byte read */
	uint8_t last[8];
};

static void rec_log(struct rec *r, char kind, size_t len)
{
	size_t n = strlen(r->log);

	if (n + 3 < sizeof(r->log))
		snprintf(r->log + n, sizeof(r->log) - n, "%c%zu", kind, len);
}

static int rec_write(void *ctx, const uint8_t *buf, size_t len)
{
	struct rec *r = ctx;

	r->writes++;
	if (len)	/* a quick write has no buffer */
		memcpy(r->last, buf, len < sizeof(r->last) ? len : sizeof(r->last));
	rec_log(r, 'w', len);
	return 0;
}

static int rec_read(void *ctx, uint8_t *buf, size_t len)
{
	struct rec *r = ctx;

	r->reads++;
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(0xa5 + i);
	rec_log(r, 'r', len);
	return 0;
}

static const struct sgw_i2c_sim_dev_ops rec_ops = { rec_write, rec_read };
static struct rec r40, r50;
static struct sgw_i2c *bus;

static void open_bus(void)
{
	memset(&r40, 0, sizeof(r40));
	memset(&r50, 0, sizeof(r50));
	ck_assert_int_eq(sgw_i2c_sim_attach(1, 0x40, &rec_ops, &r40), 0);
	ck_assert_int_eq(sgw_i2c_sim_attach(1, 0x50, &rec_ops, &r50), 0);
	ck_assert_int_eq(sgw_i2c_open(1, 200, &bus), 0);
	ck_assert_int_eq(sgw_i2c_bus(bus), 1);
}

START_TEST(test_transfers)
{
	uint8_t w[2] = { 0x10, 0x20 }, rd[3];

	open_bus();
	ck_assert_int_eq(sgw_i2c_write(bus, 0x40, w, 2), 0);
	ck_assert_int_eq(sgw_i2c_read(bus, 0x40, rd, 3), 0);
	ck_assert_uint_eq(rd[2], 0xa7);
	ck_assert_int_eq(sgw_i2c_write_read(bus, 0x40, w, 1, rd, 2), 0);
	ck_assert_int_eq(sgw_i2c_write_reg8(bus, 0x40, 0xf4, 0x27), 0);
	ck_assert_uint_eq(r40.last[0], 0xf4);
	ck_assert_uint_eq(r40.last[1], 0x27);
	ck_assert_int_eq(sgw_i2c_read_reg8(bus, 0x40, 0xd0), 0xa5);
	ck_assert_uint_eq(r40.last[0], 0xd0);
	ck_assert_str_eq(r40.log, "w2r3w1r2w2w1r1");
	ck_assert_int_eq(sgw_i2c_read(bus, 0x41, rd, 1), -ENXIO);	/* nobody: NAK */
	sgw_i2c_close(bus);
}
END_TEST

START_TEST(test_bad_transfers)
{
	struct sgw_i2c_msg m[SGW_I2C_MAX_MSGS + 1];
	uint8_t b;

	open_bus();
	for (int i = 0; i < SGW_I2C_MAX_MSGS + 1; i++)
		m[i] = (struct sgw_i2c_msg){ 0x40, SGW_I2C_M_RD, 1, &b };
	ck_assert_int_eq(sgw_i2c_transfer(bus, m, 0), -EINVAL);
	ck_assert_int_eq(sgw_i2c_transfer(bus, m, SGW_I2C_MAX_MSGS + 1), -EINVAL);
	ck_assert_int_eq(sgw_i2c_transfer(bus, m, SGW_I2C_MAX_MSGS), 0);
	ck_assert_uint_eq(r40.reads, SGW_I2C_MAX_MSGS);
	ck_assert_int_eq(sgw_i2c_read(bus, 0x40, &b, 0), -EINVAL);
	sgw_i2c_close(bus);
	ck_assert_int_eq(sgw_i2c_open(7, 100, &bus), -ENOENT);	/* no such bus */
	ck_assert_int_eq(sgw_i2c_open(256, 100, &bus), -EINVAL);
}
END_TEST

/* i2cdetect's choice: read byte at 0x30..0x37 and 0x50..0x5f, quick write elsewhere */
START_TEST(test_probe)
{
	open_bus();
	ck_assert_int_eq(sgw_i2c_probe(bus, 0x40), 1);
	ck_assert_str_eq(r40.log, "w0");
	ck_assert_int_eq(sgw_i2c_probe(bus, 0x50), 1);
	ck_assert_str_eq(r50.log, "r1");
	ck_assert_int_eq(sgw_i2c_probe(bus, 0x41), 0);
	ck_assert_int_eq(sgw_i2c_probe(bus, 0x51), 0);
	ck_assert_int_eq(sgw_i2c_sim_fault(1, 0x40, -EIO, 0, 1), 0);
	ck_assert_int_eq(sgw_i2c_probe(bus, 0x40), 0);
	sgw_i2c_close(bus);
}
END_TEST

/* The adapter repeats a transfer that lost arbitration (-EAGAIN) twice. */
START_TEST(test_retries)
{
	open_bus();
	ck_assert_int_eq(sgw_i2c_sim_fault(1, 0x40, -EAGAIN, 0, SGW_I2C_RETRIES), 0);
	ck_assert_int_eq(sgw_i2c_read_reg8(bus, 0x40, 0x00), 0xa5);
	ck_assert_int_eq(sgw_i2c_sim_fault(1, 0x40, -EAGAIN, 0, SGW_I2C_RETRIES + 1), 0);
	ck_assert_int_eq(sgw_i2c_read_reg8(bus, 0x40, 0x00), -EAGAIN);
	sgw_i2c_close(bus);
}
END_TEST

/* A clock stretched past the timeout ends the transfer at the timeout. */
START_TEST(test_timeout)
{
	uint8_t b;
	int64_t t0;

	open_bus();
	ck_assert_int_eq(sgw_i2c_sim_fault(1, 0x40, 0, 100, 1), 0);	/* short stall: fine */
	ck_assert_int_eq(sgw_i2c_read(bus, 0x40, &b, 1), 0);
	ck_assert_int_eq(sgw_i2c_sim_fault(1, 0x40, 0, 10000, 1), 0);
	t0 = tu_now_ms();
	ck_assert_int_eq(sgw_i2c_read(bus, 0x40, &b, 1), -ETIMEDOUT);
	ck_assert_int_ge(tu_now_ms() - t0, 190);
	ck_assert_int_lt(tu_now_ms() - t0, 3000);
	sgw_i2c_close(bus);
}
END_TEST

/* ------------------------------------------------- Linux backend only */

START_TEST(test_linux_ioctl_plumbing)
{
	struct i2c_shim_stats st;
	struct sgw_i2c *b2;

	open_bus();
	i2c_shim_stats(&st);
	ck_assert_uint_eq(st.opens, 1);
	ck_assert_uint_eq(st.funcs, 1);
	ck_assert_uint_eq(st.timeout, 1);
	ck_assert_uint_eq(st.last_timeout, 20);		/* 200 ms */
	ck_assert_uint_eq(st.last_retries, SGW_I2C_RETRIES);
	ck_assert_int_eq(sgw_i2c_read_reg8(bus, 0x40, 0), 0xa5);
	ck_assert_int_eq(sgw_i2c_read_reg8(bus, 0x40, 1), 0xa5);
	ck_assert_int_eq(sgw_i2c_read_reg8(bus, 0x50, 1), 0xa5);
	i2c_shim_stats(&st);
	ck_assert_uint_eq(st.smbus, 3);
	ck_assert_uint_eq(st.slave, 2);		/* I2C_SLAVE only when the address changes */
	sgw_i2c_close(bus);

	/* 1 ms rounds up to one 10 ms step, never to 0 (= adapter default) */
	ck_assert_int_eq(sgw_i2c_open(1, 1, &b2), 0);
	i2c_shim_stats(&st);
	ck_assert_uint_eq(st.last_timeout, 1);
	sgw_i2c_close(b2);
	ck_assert_int_eq(sgw_i2c_open(1, 0, &b2), 0);	/* 0: keep the adapter's */
	i2c_shim_stats(&st);
	ck_assert_uint_eq(st.timeout, 2);
	sgw_i2c_close(b2);
	i2c_shim_stats(&st);
	ck_assert_uint_eq(st.open_fds, 0);
}
END_TEST

START_TEST(test_linux_busy_and_no_quick)
{
	open_bus();
	i2c_shim_set_busy(1, 0x40);
	ck_assert_int_eq(sgw_i2c_probe(bus, 0x40), -EBUSY);
	i2c_shim_set_busy(1, 0);
	sgw_i2c_close(bus);

	/* an adapter without SMBus quick: probe by read byte everywhere */
	i2c_shim_set_funcs(I2C_FUNC_I2C | I2C_FUNC_SMBUS_BYTE | I2C_FUNC_SMBUS_BYTE_DATA);
	ck_assert_int_eq(sgw_i2c_open(1, 100, &bus), 0);
	memset(&r40, 0, sizeof(r40));
	ck_assert_int_eq(sgw_i2c_probe(bus, 0x40), 1);
	ck_assert_str_eq(r40.log, "r1");
	sgw_i2c_close(bus);

	/* an SMBus-only adapter cannot do combined transfers */
	i2c_shim_set_funcs(I2C_FUNC_SMBUS_BYTE_DATA);
	ck_assert_int_eq(sgw_i2c_open(1, 100, &bus), 0);
	ck_assert_int_eq(sgw_i2c_write_read(bus, 0x40, (const uint8_t *)"\x01", 1, r40.last, 1),
			 -EOPNOTSUPP);
	sgw_i2c_close(bus);
}
END_TEST

/* What the kernel's i2c-stub offers: SMBus, I2C block reads, no I2C_RDWR. */
#define STUB_FUNCS (I2C_FUNC_SMBUS_QUICK | I2C_FUNC_SMBUS_BYTE | I2C_FUNC_SMBUS_BYTE_DATA | \
		    I2C_FUNC_SMBUS_WORD_DATA | I2C_FUNC_SMBUS_I2C_BLOCK)

START_TEST(test_linux_smbus_only_register_reads)
{
	struct i2c_shim_stats st;
	uint8_t buf[I2C_SMBUS_BLOCK_MAX + 1];

	i2c_shim_set_funcs(STUB_FUNCS);
	open_bus();
	/* a register read is an SMBus I2C block read: the same bytes on the wire */
	ck_assert_int_eq(sgw_i2c_read_regs(bus, 0x40, 0x88, buf, 3), 0);
	ck_assert_str_eq(r40.log, "w1r3");
	ck_assert_uint_eq(r40.last[0], 0x88);
	ck_assert_uint_eq(buf[0], 0xa5);
	ck_assert_uint_eq(buf[2], 0xa7);
	ck_assert_int_eq(sgw_i2c_read_regs(bus, 0x50, 0xf7, buf, I2C_SMBUS_BLOCK_MAX), 0);
	ck_assert_str_eq(r50.log, "w1r32");
	i2c_shim_stats(&st);
	ck_assert_uint_eq(st.rdwr, 0);
	ck_assert_uint_eq(st.smbus, 2);
	/* what an I2C block read cannot carry */
	ck_assert_int_eq(sgw_i2c_read_regs(bus, 0x40, 0, buf, sizeof(buf)), -EOPNOTSUPP);
	ck_assert_int_eq(sgw_i2c_write_read(bus, 0x40, (const uint8_t *)"\x01\x02", 2, buf, 1),
			 -EOPNOTSUPP);
	ck_assert_int_eq(sgw_i2c_read(bus, 0x40, buf, 2), -EOPNOTSUPP);
	ck_assert_int_eq(sgw_i2c_write(bus, 0x40, (const uint8_t *)"\x01", 1), -EOPNOTSUPP);
	ck_assert_str_eq(r40.log, "w1r3");	/* nothing more reached the chip */
	sgw_i2c_close(bus);
}
END_TEST

int main(void)
{
	const TTest *both[] = { test_transfers, test_bad_transfers, test_probe, test_retries,
				test_timeout, NULL };
	const TTest *linux_only[] = { test_linux_ioctl_plumbing, test_linux_busy_and_no_quick,
				      test_linux_smbus_only_register_reads, NULL };

	return tu_run_suite("i2c_hal", NULL, both, linux_only);
}
