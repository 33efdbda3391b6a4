// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* libcellmsg inmate backend: MMIO doorbell, interrupt counter, idle hook. */
#include <bulkhead/errno.h>
#include <bulkhead/ivshmem.h>
#include <cellmsg/inmate.h>
#include <cellmsg/pubsub.h>

static int inmate_notify(void *ctx)
{
	struct cellmsg_inmate *im = ctx;

	/* Shared-memory stores before the doorbell store that announces them. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	im->regs[IVSHMEM_REG_DOORBELL / 4] = im->doorbell;
	return 0;
}

static int inmate_wait(void *ctx, int64_t timeout_ns)
{
	struct cellmsg_inmate *im = ctx;
	uint64_t deadline = 0;
	uint32_t irqs;

	if (timeout_ns >= 0)
		deadline = im->now_ns() + (uint64_t)timeout_ns;
	for (;;) {
		/* Pairs with the increment in cellmsg_inmate_irq(). */
		irqs = __atomic_load_n(&im->irqs, __ATOMIC_ACQUIRE);
		if (irqs != im->irqs_seen) {
			im->irqs_seen = irqs;
			return 0;
		}
		if (timeout_ns >= 0 && im->now_ns() >= deadline)
			return -ETIMEDOUT;
		im->idle();
	}
}

static uint64_t inmate_now_ns(void *ctx)
{
	return ((struct cellmsg_inmate *)ctx)->now_ns();
}

void cellmsg_inmate_backend(struct cellmsg_inmate *im, volatile uint32_t *regs,
			    uint32_t peer_id, uint32_t vector,
			    uint64_t (*now_ns)(void), void (*idle)(void),
			    struct cellmsg_backend *be)
{
	im->regs = regs;
	im->doorbell = IVSHMEM_DOORBELL(peer_id, vector);
	im->irqs = 0;
	im->irqs_seen = 0;
	im->now_ns = now_ns;
	im->idle = idle;
	be->notify = inmate_notify;
	be->wait = inmate_wait;
	be->now_ns = inmate_now_ns;
	be->event_fd = 0;
	be->event_ack = 0;
	be->ctx = im;
}

static int inmate_ps_notify(void *ctx, unsigned int peer)
{
	struct cellmsg_inmate *im = ctx;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);	/* as inmate_notify() */
	im->regs[IVSHMEM_REG_DOORBELL / 4] = IVSHMEM_DOORBELL(peer, im->ps_vector);
	return 0;
}

static int inmate_ps_peer_up(void *ctx, unsigned int peer)
{
	struct cellmsg_inmate *im = ctx;

	return cellmsg_link_peer_up(im->states, im->num_peers, peer);
}

void cellmsg_inmate_ps_backend(struct cellmsg_inmate *im, volatile uint32_t *regs,
			       uint32_t vector, const volatile uint32_t *states,
			       uint32_t num_peers, uint64_t (*now_ns)(void),
			       void (*idle)(void), struct cellmsg_ps_backend *be)
{
	struct cellmsg_backend plain;

	cellmsg_inmate_backend(im, regs, 0, vector, now_ns, idle, &plain);
	im->ps_vector = vector;
	im->states = states;
	im->num_peers = num_peers;
	be->notify = inmate_ps_notify;
	be->wait = inmate_wait;
	be->now_ns = inmate_now_ns;
	be->peer_up = inmate_ps_peer_up;
	be->ctx = im;
}

uint32_t cellmsg_inmate_own_id(const struct cellmsg_inmate *im)
{
	return im->regs[IVSHMEM_REG_IV_POSITION / 4];
}

void cellmsg_inmate_irq(struct cellmsg_inmate *im)
{
	__atomic_fetch_add(&im->irqs, 1, __ATOMIC_RELEASE);
}
