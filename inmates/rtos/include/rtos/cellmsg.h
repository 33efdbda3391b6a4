/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libcellmsg from RTOS tasks (inmates/rtos/port/x86/cellmsg.c): the
 * inmate backend with its wait made a scheduler wait. A task that waits
 * on the channel blocks on a semaphore that the device's interrupt
 * handler gives, so the other tasks run meanwhile and the doorbell wakes
 * the waiter. One struct rtos_cellmsg per channel; several tasks may own
 * several channels (a channel is used by one task at a time, as
 * everywhere in libcellmsg).
 */
#ifndef RTOS_CELLMSG_H
#define RTOS_CELLMSG_H

#include <cellmsg/cellmsg.h>
#include <cellmsg/inmate.h>
#include <rtos/rtos.h>

struct rtos_cellmsg {
	struct cellmsg_inmate im;	/* first: the backend's context */
	struct rtos_sem doorbell;	/* given by rtos_cellmsg_irq() */
};

/*
 * As cellmsg_inmate_backend() (doorbells to vector @vector of peer
 * @peer_id through @regs), waiting in the scheduler.
 */
void rtos_cellmsg_backend(struct rtos_cellmsg *rc, volatile uint32_t *regs,
			  uint32_t peer_id, uint32_t vector, struct cellmsg_backend *be);
/* From the channel's interrupt handler. */
void rtos_cellmsg_irq(struct rtos_cellmsg *rc);

#endif
