/* SPDX-License-Identifier: MIT */
/*
 * A mailbox from other threads to the main loop.
 *
 * Producers (bus workers, Paho's callbacks) post fixed-size items under a
 * mutex; the eventfd is written only when the box goes from empty to not
 * empty, so a burst of items costs the main loop one wake-up, not one per
 * item.  The main loop takes items when the fd is readable: sgw_mailbox_take()
 * drains the eventfd before it takes, and writes it again when it leaves
 * items behind, so no item is ever left unsignalled.
 *
 * Producers may be any number of threads; there is one consumer.
 */
#ifndef SGW_MAILBOX_H
#define SGW_MAILBOX_H

#include <stddef.h>
#include <stdint.h>

struct sgw_mailbox;

/* A mailbox for items of ITEM_SIZE bytes.  NULL+errno. */
struct sgw_mailbox *sgw_mailbox_new(size_t item_size);
void sgw_mailbox_free(struct sgw_mailbox *mb);

/* Readable while items wait. */
int sgw_mailbox_fd(const struct sgw_mailbox *mb);

/*
 * Any thread: append a copy of ITEM.  Returns 0, or -ENOMEM when it could
 * not be stored; the loss is counted (sgw_mailbox_take() reports it) and the
 * fd is written anyway, so that the consumer looks.
 */
int sgw_mailbox_post(struct sgw_mailbox *mb, const void *item);

/*
 * Consumer: move up to MAX items, oldest first, to OUT.  Returns how many.
 * *LOST (may be NULL) gets the number of items lost to -ENOMEM since the
 * last take.
 */
size_t sgw_mailbox_take(struct sgw_mailbox *mb, void *out, size_t max, uint64_t *lost);

#endif
