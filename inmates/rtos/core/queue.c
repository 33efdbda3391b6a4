// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Message queues: fixed-size items copied in and out of a caller's ring.
 * A waiter is woken when its side may succeed and tries again, with the
 * time left of its timeout: someone of higher priority may have taken
 * the room or the item first.
 */
#include <bulkhead/errno.h>

#include "internal.h"

#define S rtos__s

void rtos_queue_init(struct rtos_queue *q, void *buf, size_t item_size, uint32_t capacity)
{
	rtos__list_init(&q->senders);
	rtos__list_init(&q->receivers);
	q->buf = buf;
	q->item_size = item_size;
	q->capacity = capacity;
	q->count = q->head = 0;
}

static void wake_one(struct rtos_list *waiters)
{
	struct rtos_task *w = rtos__first_waiter(waiters);

	if (w) {
		rtos__wake(w, 0);
		rtos__reschedule();
	}
}

/* Waits on @waiters for what is left of @timeout since @start. */
static int wait_more(struct rtos_list *waiters, rtos_tick_t start, rtos_tick_t timeout)
{
	rtos_tick_t left = rtos__left(start, timeout);

	if (timeout == 0)
		return -EAGAIN;
	if (left == 0)
		return -ETIMEDOUT;
	return rtos__block_current(waiters, left);
}

int rtos_queue_send(struct rtos_queue *q, const void *item, rtos_tick_t timeout)
{
	unsigned long flags = rtos_port_irq_save();
	rtos_tick_t start = S.tick;
	int ret = 0;

	while (q->count == q->capacity && !ret)
		ret = wait_more(&q->senders, start, timeout);
	if (!ret) {
		__builtin_memcpy(q->buf + (size_t)((q->head + q->count) % q->capacity) * q->item_size,
				 item, q->item_size);
		q->count++;
		wake_one(&q->receivers);
	}
	rtos_port_irq_restore(flags);
	return ret;
}

int rtos_queue_receive(struct rtos_queue *q, void *item, rtos_tick_t timeout)
{
	unsigned long flags = rtos_port_irq_save();
	rtos_tick_t start = S.tick;
	int ret = 0;

	while (q->count == 0 && !ret)
		ret = wait_more(&q->receivers, start, timeout);
	if (!ret) {
		__builtin_memcpy(item, q->buf + (size_t)q->head * q->item_size, q->item_size);
		q->head = (q->head + 1) % q->capacity;
		q->count--;
		wake_one(&q->senders);
	}
	rtos_port_irq_restore(flags);
	return ret;
}

uint32_t rtos_queue_count(const struct rtos_queue *q)
{
	return q->count;
}
