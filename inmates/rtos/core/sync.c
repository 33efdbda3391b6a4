// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Counting semaphores and mutexes with priority inheritance. A give or
 * an unlock hands the token straight to the highest-priority waiter (it
 * wakes owning it), so a later, higher-priority arrival cannot overtake
 * a task that was already woken for it.
 */
#include <bulkhead/errno.h>

#include "internal.h"

#define S rtos__s

/* ---- semaphores --------------------------------------------------------------- */

void rtos_sem_init(struct rtos_sem *s, uint32_t initial, uint32_t max)
{
	rtos__list_init(&s->waiters);
	s->max = max ? max : 1;
	s->count = initial < s->max ? initial : s->max;
}

int rtos_sem_take(struct rtos_sem *s, rtos_tick_t timeout)
{
	unsigned long flags = rtos_port_irq_save();
	int ret = 0;

	if (s->count)
		s->count--;
	else if (timeout == 0)
		ret = -EAGAIN;
	else
		ret = rtos__block_current(&s->waiters, timeout);
	rtos_port_irq_restore(flags);
	return ret;
}

int rtos_sem_give(struct rtos_sem *s)
{
	unsigned long flags = rtos_port_irq_save();
	struct rtos_task *w = rtos__first_waiter(&s->waiters);
	int ret = 0;

	if (w) {
		rtos__wake(w, 0);
		rtos__reschedule();
	} else if (s->count >= s->max) {
		ret = -EOVERFLOW;
	} else {
		s->count++;
	}
	rtos_port_irq_restore(flags);
	return ret;
}

/* ---- mutexes ------------------------------------------------------------------ */

void rtos_mutex_init(struct rtos_mutex *m)
{
	rtos__list_init(&m->waiters);
	rtos__list_init(&m->held_link);
	m->owner = 0;
}

static void own(struct rtos_mutex *m, struct rtos_task *t)
{
	m->owner = t;
	rtos__list_add_tail(&t->held, &m->held_link);
}

/*
 * @t's effective priority: its own, or the highest of the first waiters
 * of the mutexes it holds; and so on along the chain of owners @t's
 * change affects (bounded: a deadlocked cycle must not loop forever).
 */
static void recompute_chain(struct rtos_task *t)
{
	unsigned int hops, prio;
	struct rtos_list *l;
	struct rtos_task *w;

	for (hops = 0; t && hops < 64; hops++) {
		prio = t->base_prio;
		for (l = t->held.next; l != &t->held; l = l->next) {
			w = rtos__first_waiter(&rtos__container(l, struct rtos_mutex, held_link)->waiters);
			if (w && w->prio > prio)
				prio = w->prio;
		}
		if (prio == t->prio)
			return;
		rtos__set_prio(t, prio);
		t = t->waits_for ? t->waits_for->owner : 0;
	}
}

int rtos_mutex_lock(struct rtos_mutex *m, rtos_tick_t timeout)
{
	unsigned long flags = rtos_port_irq_save();
	struct rtos_task *cur = S.current;
	int ret = 0;

	if (!m->owner) {
		own(m, cur);
	} else if (m->owner == cur) {
		ret = -EDEADLK;
	} else if (timeout == 0) {
		ret = -EAGAIN;
	} else {
		cur->waits_for = m;
		/* Enqueue first, so that the owner's chain sees us as a waiter. */
		ret = rtos__block_current_then(&m->waiters, timeout, recompute_chain, m->owner);
	}
	rtos_port_irq_restore(flags);
	return ret;
}

void rtos__mutex_waiter_left(struct rtos_mutex *m)
{
	recompute_chain(m->owner);
}

int rtos_mutex_unlock(struct rtos_mutex *m)
{
	unsigned long flags = rtos_port_irq_save();
	struct rtos_task *cur = S.current, *next;

	if (m->owner != cur) {
		rtos_port_irq_restore(flags);
		return -EPERM;
	}
	rtos__list_del(&m->held_link);
	m->owner = 0;
	next = rtos__first_waiter(&m->waiters);
	if (next) {
		rtos__wake(next, 0);
		own(m, next);
		recompute_chain(next);	/* the remaining waiters are its now */
	}
	recompute_chain(cur);
	rtos__reschedule();
	rtos_port_irq_restore(flags);
	return 0;
}
