/* SPDX-License-Identifier: MIT */
/*
 * The mailbox between threads: items come out in the order each producer
 * posted them, none is lost or doubled under concurrent producers, the fd
 * is readable exactly while items wait, and a partial take leaves it so.
 */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "tests/fixtures/run.h"
#include "util/mailbox.h"

struct item {
	uint32_t producer;
	uint32_t n;
};

static bool readable(struct sgw_mailbox *mb, int ms)
{
	struct pollfd p = { .fd = sgw_mailbox_fd(mb), .events = POLLIN };

	return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

START_TEST(test_order_and_fd)
{
	struct sgw_mailbox *mb = sgw_mailbox_new(sizeof(struct item));
	struct item out[8];
	uint64_t lost = 99;

	ck_assert_ptr_nonnull(mb);
	ck_assert(!readable(mb, 0));
	ck_assert_uint_eq(sgw_mailbox_take(mb, out, 8, &lost), 0);
	ck_assert_uint_eq(lost, 0);
	for (uint32_t i = 0; i < 100; i++) {
		struct item it = { 0, i };

		ck_assert_int_eq(sgw_mailbox_post(mb, &it), 0);
	}
	ck_assert(readable(mb, 0));
	/* A partial take leaves the fd readable for the rest. */
	for (uint32_t got = 0; got < 100;) {
		size_t n;

		ck_assert(readable(mb, 0));
		n = sgw_mailbox_take(mb, out, 8, NULL);
		ck_assert_uint_gt(n, 0);
		for (size_t k = 0; k < n; k++)
			ck_assert_uint_eq(out[k].n, got++);
	}
	ck_assert(!readable(mb, 0));
	sgw_mailbox_free(mb);
}
END_TEST

START_TEST(test_bad_size)
{
	errno = 0;
	ck_assert_ptr_null(sgw_mailbox_new(0));
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

#define PRODUCERS 4
#define PER_PRODUCER 20000

static struct sgw_mailbox *shared;

static void *produce(void *arg)
{
	uint32_t id = (uint32_t)(uintptr_t)arg;

	for (uint32_t i = 0; i < PER_PRODUCER; i++) {
		struct item it = { id, i };

		if (sgw_mailbox_post(shared, &it) < 0)
			return (void *)1;
	}
	return NULL;
}

START_TEST(test_concurrent_producers)
{
	pthread_t t[PRODUCERS];
	uint32_t next[PRODUCERS] = { 0 };
	struct item out[64];
	size_t total = 0;

	shared = sgw_mailbox_new(sizeof(struct item));
	ck_assert_ptr_nonnull(shared);
	for (uintptr_t i = 0; i < PRODUCERS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, produce, (void *)i), 0);
	/* Consume as the main loop does: wait for the fd, take, repeat. */
	while (total < (size_t)PRODUCERS * PER_PRODUCER) {
		size_t n;

		ck_assert_msg(readable(shared, 30000), "no wake-up with %zu items taken", total);
		n = sgw_mailbox_take(shared, out, 64, NULL);
		for (size_t k = 0; k < n; k++) {
			ck_assert_uint_lt(out[k].producer, PRODUCERS);
			ck_assert_uint_eq(out[k].n, next[out[k].producer]);
			next[out[k].producer]++;
		}
		total += n;
	}
	for (int i = 0; i < PRODUCERS; i++) {
		void *r;

		pthread_join(t[i], &r);
		ck_assert_ptr_null(r);
	}
	ck_assert(!readable(shared, 0));
	sgw_mailbox_free(shared);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mailbox");
	TCase *tc = tcase_create("mailbox");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_order_and_fd);
	tcase_add_test(tc, test_bad_size);
	tcase_add_test(tc, test_concurrent_producers);
	suite_add_tcase(s, tc);
	return sgw_test_run(s);
}
