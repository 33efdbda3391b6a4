// SPDX-License-Identifier: GPL-2.0-only
/*
 * libcellmsg's inmate backend, waiting in the scheduler (rtos/cellmsg.h).
 * The doorbell and the clock stay the inmate backend's; only the wait
 * changes: instead of the CPU halting with interrupts off, the task
 * blocks on a binary semaphore. No lost wake-up: a doorbell that comes
 * between the look at the interrupt counter and the take leaves the
 * semaphore given, and the take returns at once.
 */
#include "../../../lib/x86/inmate.h"

#include <rtos/cellmsg.h>
#include <rtos/x86.h>

static int rtos_wait(void *ctx, int64_t timeout_ns)
{
	struct rtos_cellmsg *rc = ctx;
	uint64_t deadline = 0, now;
	rtos_tick_t ticks = RTOS_FOREVER;
	uint32_t irqs;

	if (timeout_ns >= 0)
		deadline = now_ns() + (uint64_t)timeout_ns;
	for (;;) {
		/* Pairs with the increment in cellmsg_inmate_irq(). */
		irqs = __atomic_load_n(&rc->im.irqs, __ATOMIC_ACQUIRE);
		if (irqs != rc->im.irqs_seen) {
			rc->im.irqs_seen = irqs;
			return 0;
		}
		if (timeout_ns >= 0) {
			now = now_ns();
			if (now >= deadline)
				return -ETIMEDOUT;
			ticks = rtos_x86_ns_to_ticks(deadline - now);
		}
		rtos_sem_take(&rc->doorbell, ticks);
	}
}

static void never_idle(void)
{
}

void rtos_cellmsg_backend(struct rtos_cellmsg *rc, volatile uint32_t *regs,
			  uint32_t peer_id, uint32_t vector, struct cellmsg_backend *be)
{
	cellmsg_inmate_backend(&rc->im, regs, peer_id, vector, now_ns, never_idle, be);
	rtos_sem_init(&rc->doorbell, 0, 1);
	be->wait = rtos_wait;
	be->ctx = rc;
}

void rtos_cellmsg_irq(struct rtos_cellmsg *rc)
{
	cellmsg_inmate_irq(&rc->im);
	rtos_sem_give(&rc->doorbell);	/* -EOVERFLOW when given already: fine */
}
