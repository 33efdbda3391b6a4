/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* The RTOS core's shared state and helpers (sched.c, sync.c, queue.c). */
#ifndef RTOS_INTERNAL_H
#define RTOS_INTERNAL_H

#include <rtos/rtos.h>

struct rtos_sched {
	struct rtos_list ready[RTOS_PRIOS];
	uint32_t ready_mask;		/* bit p: ready[p] is not empty */
	struct rtos_list delayed;	/* by wake_tick, earliest first */
	struct rtos_list timers;	/* armed software timers, by expiry */
	struct rtos_task *current;
	struct rtos_task idle;
	rtos_tick_t tick;
	uint64_t switches;
	int initialised, started;
	unsigned int in_isr;		/* rtos_isr_enter() depth */
	int need_resched;		/* a switch waits for rtos_isr_exit() */
};
extern struct rtos_sched rtos__s;

#define rtos__container(p, type, member) \
	((type *)((char *)(p) - __builtin_offsetof(type, member)))
#define rtos__task_of(l)	rtos__container(l, struct rtos_task, link)
#define rtos__task_of_timer(l)	rtos__container(l, struct rtos_task, timer_link)

static inline int rtos__list_empty(const struct rtos_list *l)
{
	return l->next == l;
}

void rtos__list_init(struct rtos_list *l);
void rtos__list_insert_before(struct rtos_list *pos, struct rtos_list *n);
void rtos__list_add_tail(struct rtos_list *l, struct rtos_list *n);
void rtos__list_del(struct rtos_list *n);
void rtos__list_add_by_prio(struct rtos_list *l, struct rtos_task *t);

/* Sets the lists up on first use (a task created, a timer started). */
void rtos__init_once(void);
void rtos__reschedule(void);
int rtos__block_current(struct rtos_list *wait_list, rtos_tick_t timeout);
int rtos__block_current_then(struct rtos_list *wait_list, rtos_tick_t timeout,
			     void (*then)(struct rtos_task *), struct rtos_task *arg);
void rtos__wake(struct rtos_task *t, int result);
void rtos__set_prio(struct rtos_task *t, unsigned int prio);
/* timers.c: runs the software timers that are due; the earliest wake. */
void rtos__timers_expire(void);
rtos_tick_t rtos__timers_next(void);
/* sync.c: a waiter left @m's wait list (woken or timed out). */
void rtos__mutex_waiter_left(struct rtos_mutex *m);

/* The first waiter of @l (the highest priority), or 0. */
static inline struct rtos_task *rtos__first_waiter(struct rtos_list *l)
{
	return rtos__list_empty(l) ? 0 : rtos__task_of(l->next);
}

/*
 * A deadline in ticks for a wait that may be retried: the time left of
 * @timeout since @start, RTOS_FOREVER staying forever, 0 when it is over.
 */
static inline rtos_tick_t rtos__left(rtos_tick_t start, rtos_tick_t timeout)
{
	rtos_tick_t used = rtos__s.tick - start;

	if (timeout == RTOS_FOREVER)
		return RTOS_FOREVER;
	return used >= timeout ? 0 : timeout - used;
}

#endif
