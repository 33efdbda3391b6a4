/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * libcellmsg inmate backend: a bare-metal cell on Bulkhead's emulated
 * ivshmem device. Freestanding like the core: no libc, no allocation.
 *
 * The inmate maps BAR0 (registers) and BAR2 (shared memory) itself, sets
 * up the MSI-X vector, and calls cellmsg_inmate_irq() from its interrupt
 * handler. The backend rings the peer through the Doorbell register and
 * sleeps through the @idle hook (typically "sti; hlt", so the interrupt
 * ends the sleep) until an interrupt was counted or time ran out.
 *
 * No lost wake-up: the backend checks the counter and then calls @idle.
 * An interrupt that lands between the two must end @idle at once, so run
 * the channel calls with interrupts disabled and make @idle "sti; hlt; cli"
 * (sti's one-instruction shadow makes the pair atomic); an @idle that
 * only spins (returns at once) is also correct.
 */
#ifndef CELLMSG_INMATE_H
#define CELLMSG_INMATE_H

#include <stdint.h>

#include <cellmsg/cellmsg.h>

struct cellmsg_inmate {
	volatile uint32_t *regs;	/* BAR0 as mapped by the inmate */
	uint32_t doorbell;		/* value for the Doorbell register */
	volatile uint32_t irqs;		/* bumped by cellmsg_inmate_irq() */
	uint32_t irqs_seen;
	uint64_t (*now_ns)(void);	/* the inmate's clock (TSC based) */
	void (*idle)(void);		/* wait for an interrupt, or return */
	/* pub/sub (cellmsg_inmate_ps_backend()) */
	uint32_t ps_vector;
	const volatile uint32_t *states;	/* the link's state table */
	uint32_t num_peers;
};

/*
 * Fills @im and @be for ringing vector @vector of peer @peer_id through
 * the registers at @regs; @now_ns and @idle come from the inmate runtime.
 */
void cellmsg_inmate_backend(struct cellmsg_inmate *im, volatile uint32_t *regs,
			    uint32_t peer_id, uint32_t vector,
			    uint64_t (*now_ns)(void), void (*idle)(void),
			    struct cellmsg_backend *be);

struct cellmsg_ps_backend;
/*
 * The pub/sub backend (cellmsg/pubsub.h) on a link: doorbells on vector
 * @vector of any peer, a peer up while its entry of the state table at
 * @states (@num_peers entries) is READY; clock and idle as above.
 */
void cellmsg_inmate_ps_backend(struct cellmsg_inmate *im, volatile uint32_t *regs,
			       uint32_t vector, const volatile uint32_t *states,
			       uint32_t num_peers, uint64_t (*now_ns)(void),
			       void (*idle)(void), struct cellmsg_ps_backend *be);

/* Our own peer ID (IVPosition): side = own ID < peer ID ? 0 : 1. */
uint32_t cellmsg_inmate_own_id(const struct cellmsg_inmate *im);

/* Call from the ivshmem interrupt handler. */
void cellmsg_inmate_irq(struct cellmsg_inmate *im);

#endif /* CELLMSG_INMATE_H */
