/* SPDX-License-Identifier: MIT */
#include "mailbox.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct sgw_mailbox {
	pthread_mutex_t lock;
	int efd;
	size_t size;		/* bytes per item */
	/* A ring of cap items (a power of two), oldest at head. */
	unsigned char *ring;
	size_t cap, head, len;
	uint64_t lost;
};

struct sgw_mailbox *sgw_mailbox_new(size_t item_size)
{
	struct sgw_mailbox *mb;
	int err;

	if (item_size == 0) {
		errno = EINVAL;
		return NULL;
	}
	mb = calloc(1, sizeof(*mb));
	if (!mb)
		return NULL;
	mb->size = item_size;
	mb->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (mb->efd < 0)
		goto err_free;
	err = pthread_mutex_init(&mb->lock, NULL);
	if (err) {
		errno = err;
		goto err_close;
	}
	return mb;

err_close:
	err = errno;
	close(mb->efd);
	errno = err;
err_free:
	err = errno;
	free(mb);
	errno = err;
	return NULL;
}

void sgw_mailbox_free(struct sgw_mailbox *mb)
{
	if (!mb)
		return;
	pthread_mutex_destroy(&mb->lock);
	close(mb->efd);
	free(mb->ring);
	free(mb);
}

int sgw_mailbox_fd(const struct sgw_mailbox *mb)
{
	return mb->efd;
}

static void *slot(struct sgw_mailbox *mb, size_t i)
{
	return mb->ring + ((mb->head + i) & (mb->cap - 1)) * mb->size;
}

/* Under the lock: room for one more item. */
static int grow(struct sgw_mailbox *mb)
{
	size_t cap = mb->cap ? 2 * mb->cap : 64;
	unsigned char *r;

	if (mb->len < mb->cap)
		return 0;
	r = malloc(cap * mb->size);
	if (!r)
		return -ENOMEM;
	for (size_t i = 0; i < mb->len; i++)
		memcpy(r + i * mb->size, slot(mb, i), mb->size);
	free(mb->ring);
	mb->ring = r;
	mb->cap = cap;
	mb->head = 0;
	return 0;
}

/* EAGAIN only when the counter is saturated: the fd is readable anyway. */
static void signal_fd(struct sgw_mailbox *mb)
{
	uint64_t one = 1;
	ssize_t n = write(mb->efd, &one, sizeof(one));

	(void)n;
}

int sgw_mailbox_post(struct sgw_mailbox *mb, const void *item)
{
	bool first;
	int err;

	pthread_mutex_lock(&mb->lock);
	first = mb->len == 0;
	err = grow(mb);
	if (err == 0) {
		memcpy(slot(mb, mb->len), item, mb->size);
		mb->len++;
	} else {
		mb->lost++;
		first = true;
	}
	pthread_mutex_unlock(&mb->lock);
	if (first)
		signal_fd(mb);
	return err;
}

size_t sgw_mailbox_take(struct sgw_mailbox *mb, void *out, size_t max, uint64_t *lost)
{
	uint64_t cnt;
	size_t k;
	ssize_t n;

	/*
	 * Drain the counter before taking: a producer that posts after the
	 * take finds the box empty and writes again.
	 */
	n = read(mb->efd, &cnt, sizeof(cnt));
	(void)n;
	pthread_mutex_lock(&mb->lock);
	k = mb->len < max ? mb->len : max;
	for (size_t i = 0; i < k; i++)
		memcpy((unsigned char *)out + i * mb->size, slot(mb, i), mb->size);
	if (k)
		mb->head = (mb->head + k) & (mb->cap - 1);
	mb->len -= k;
	if (lost)
		*lost = mb->lost;
	mb->lost = 0;
	if (mb->len)
		signal_fd(mb);
	pthread_mutex_unlock(&mb->lock);
	return k;
}
