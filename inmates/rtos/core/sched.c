// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The scheduler: one ready list per priority (FIFO, so round-robin within
 * a priority is a rotation), a bitmap of the non-empty ones, and one
 * delayed list sorted by wake tick. Every task that waits, for time or
 * for an object, goes through block_current(); everything that ends a
 * wait goes through rtos__wake(). All of it runs with interrupts masked.
 */
#include <bulkhead/errno.h>

#include "internal.h"

struct rtos_sched rtos__s;
#define S rtos__s

/* ---- lists ------------------------------------------------------------------ */

void rtos__list_init(struct rtos_list *l)
{
	l->next = l->prev = l;
}

void rtos__list_insert_before(struct rtos_list *pos, struct rtos_list *n)
{
	n->prev = pos->prev;
	n->next = pos;
	pos->prev->next = n;
	pos->prev = n;
}

void rtos__list_add_tail(struct rtos_list *l, struct rtos_list *n)
{
	rtos__list_insert_before(l, n);
}

void rtos__list_del(struct rtos_list *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n->prev = n;
}

/* Highest priority first; among equals, first come first served. */
void rtos__list_add_by_prio(struct rtos_list *l, struct rtos_task *t)
{
	struct rtos_list *pos;

	for (pos = l->next; pos != l; pos = pos->next)
		if (rtos__task_of(pos)->prio < t->prio)
			break;
	rtos__list_insert_before(pos, &t->link);
}

/* ---- ready lists ---------------------------------------------------------------- */

static void ready_add(struct rtos_task *t)
{
	t->state = RTOS_READY;
	rtos__list_add_tail(&S.ready[t->prio], &t->link);
	S.ready_mask |= 1u << t->prio;
}

static void ready_del(struct rtos_task *t)
{
	rtos__list_del(&t->link);
	if (rtos__list_empty(&S.ready[t->prio]))
		S.ready_mask &= ~(1u << t->prio);
}

static struct rtos_task *highest_ready(void)
{
	unsigned int prio = 31 - (unsigned int)__builtin_clz(S.ready_mask);

	return rtos__task_of(S.ready[prio].next);
}

/* ---- switching ----------------------------------------------------------------- */

static void check_stack(struct rtos_task *t)
{
	unsigned int i;

	for (i = 0; i < RTOS_CANARY_WORDS; i++)
		if (t->stack_low[i] != RTOS_STACK_CANARY)
			rtos_port_fatal(t, "stack overflow");
}

/*
 * Runs the highest-priority ready task if it is not the current one.
 * The idle task is always ready, so there is always one.
 */
void rtos__reschedule(void)
{
	struct rtos_task *from = S.current, *to;

	if (!S.started)
		return;
	if (S.in_isr) {
		S.need_resched = 1;	/* rtos_isr_exit() switches */
		return;
	}
	S.need_resched = 0;
	to = highest_ready();
	if (to == from)
		return;
	check_stack(from);
	S.current = to;
	to->slice_left = RTOS_SLICE_TICKS;
	to->switches_in++;
	S.switches++;
	rtos_port_switch(from, to);
}

/* ---- waiting and waking --------------------------------------------------------- */

static void timer_add(struct rtos_task *t, rtos_tick_t wake)
{
	struct rtos_list *pos;

	t->wake_tick = wake;
	for (pos = S.delayed.next; pos != &S.delayed; pos = pos->next)
		if (rtos__task_of_timer(pos)->wake_tick > wake)
			break;
	rtos__list_insert_before(pos, &t->timer_link);
}

/*
 * Ends @t's wait with @result: off its wait list and the delayed list,
 * back into its ready list. The caller reschedules.
 */
void rtos__wake(struct rtos_task *t, int result)
{
	struct rtos_mutex *m = t->waits_for;

	if (t->state != RTOS_BLOCKED)
		return;
	if (t->wait_list) {
		rtos__list_del(&t->link);
		t->wait_list = 0;
	}
	rtos__list_del(&t->timer_link);
	t->waits_for = 0;
	t->wait_result = result;
	ready_add(t);
	/* A mutex waiter that leaves takes its boost of the owner along, now. */
	if (m)
		rtos__mutex_waiter_left(m);
}

/*
 * The current task waits on @wait_list (0: for time only) until woken or
 * until @timeout ticks passed; returns the waker's result or -ETIMEDOUT.
 * @then(@arg) runs once it is enqueued, before the switch (the mutex's
 * priority inheritance must see it among the waiters).
 */
int rtos__block_current_then(struct rtos_list *wait_list, rtos_tick_t timeout,
			     void (*then)(struct rtos_task *), struct rtos_task *arg)
{
	struct rtos_task *t = S.current;

	ready_del(t);
	t->state = RTOS_BLOCKED;
	t->wait_result = 0;
	t->wait_list = wait_list;
	if (wait_list)
		rtos__list_add_by_prio(wait_list, t);
	/* A timeout beyond the tick counter's range is forever. */
	if (timeout < RTOS_FOREVER - S.tick)
		timer_add(t, S.tick + timeout);
	if (then)
		then(arg);
	rtos__reschedule();
	return t->wait_result;
}

int rtos__block_current(struct rtos_list *wait_list, rtos_tick_t timeout)
{
	return rtos__block_current_then(wait_list, timeout, 0, 0);
}

/* A waiting task's priority changed (inheritance): keep its wait list ordered. */
void rtos__set_prio(struct rtos_task *t, unsigned int prio)
{
	if (t->prio == prio)
		return;
	if (t->state == RTOS_READY) {
		ready_del(t);
		t->prio = (uint8_t)prio;
		ready_add(t);
	} else {
		t->prio = (uint8_t)prio;
		if (t->wait_list) {
			rtos__list_del(&t->link);
			rtos__list_add_by_prio(t->wait_list, t);
		}
	}
}

/* ---- the tick -------------------------------------------------------------------- */

int rtos_tick_advance(rtos_tick_t n)
{
	unsigned long flags = rtos_port_irq_save();
	struct rtos_task *cur = S.current, *t;
	int resched = 0;

	if (n == 0) {
		rtos_port_irq_restore(flags);
		return 0;
	}
	/*
	 * As if in an interrupt handler (it usually is): what the timers'
	 * callbacks make ready runs after the whole tick, not halfway.
	 */
	S.in_isr++;
	S.tick += n;
	while (!rtos__list_empty(&S.delayed)) {
		t = rtos__task_of_timer(S.delayed.next);
		if (t->wake_tick > S.tick)
			break;
		rtos__wake(t, t->wait_list ? -ETIMEDOUT : 0);
	}
	rtos__timers_expire();
	if (S.started) {
		/*
		 * Round-robin: a used-up slice goes to the back of its list
		 * (if it is alone there, it just starts a new slice).
		 */
		if (cur->slice_left <= n) {
			cur->slice_left = RTOS_SLICE_TICKS;
			if (cur->state == RTOS_READY && cur->link.next != cur->link.prev) {
				ready_del(cur);
				ready_add(cur);
			}
		} else {
			cur->slice_left -= (uint32_t)n;
		}
	}
	S.in_isr--;
	if (S.started) {
		resched = highest_ready() != cur;
		if (resched)
			rtos__reschedule();
	}
	rtos_port_irq_restore(flags);
	return resched;
}

int rtos_tick(void)
{
	return rtos_tick_advance(1);
}

rtos_tick_t rtos_next_wake(void)
{
	unsigned long flags = rtos_port_irq_save();
	rtos_tick_t next = rtos__timers_next(), t;

	if (S.initialised && !rtos__list_empty(&S.delayed)) {
		t = rtos__task_of_timer(S.delayed.next)->wake_tick;
		if (t < next)
			next = t;
	}
	rtos_port_irq_restore(flags);
	if (next == RTOS_FOREVER)
		return RTOS_FOREVER;
	return next > S.tick ? next - S.tick : 0;
}

void rtos_isr_enter(void)
{
	S.in_isr++;
}

void rtos_isr_exit(void)
{
	if (--S.in_isr == 0 && S.need_resched) {
		S.need_resched = 0;
		rtos__reschedule();
	}
}

/* ---- tasks ---------------------------------------------------------------------- */

void rtos__init_once(void)
{
	unsigned int i;

	if (S.initialised)
		return;
	for (i = 0; i < RTOS_PRIOS; i++)
		rtos__list_init(&S.ready[i]);
	rtos__list_init(&S.delayed);
	rtos__list_init(&S.timers);
	S.initialised = 1;
}

static void idle_task(void *arg)
{
	(void)arg;
	for (;;)
		rtos_port_idle();
}

static int task_setup(struct rtos_task *t, const char *name, void (*entry)(void *), void *arg,
		      unsigned int prio, void *stack, size_t stack_size)
{
	unsigned int i;

	if (!t || !entry || prio >= RTOS_PRIOS || !stack || stack_size < 1024 ||
	    ((uintptr_t)stack | stack_size) % 16)
		return -EINVAL;
	rtos__init_once();
	t->name = name;
	t->entry = entry;
	t->arg = arg;
	t->base_prio = t->prio = (uint8_t)prio;
	t->stack_low = stack;
	t->stack_size = stack_size;
	for (i = 0; i < RTOS_CANARY_WORDS; i++)
		t->stack_low[i] = RTOS_STACK_CANARY;
	t->wait_list = 0;
	t->waits_for = 0;
	t->switches_in = 0;
	rtos__list_init(&t->link);
	rtos__list_init(&t->timer_link);
	rtos__list_init(&t->held);
	rtos_port_task_init(t);
	ready_add(t);
	return 0;
}

int rtos_task_create(struct rtos_task *t, const char *name, void (*entry)(void *), void *arg,
		     unsigned int prio, void *stack, size_t stack_size)
{
	unsigned long flags;
	int err;

	if (prio == 0)
		return -EINVAL;		/* the idle task's */
	flags = rtos_port_irq_save();
	err = task_setup(t, name, entry, arg, prio, stack, stack_size);
	if (!err)
		rtos__reschedule();	/* a higher priority than ours runs now */
	rtos_port_irq_restore(flags);
	return err;
}

void rtos_task_entry(struct rtos_task *t)
{
	/* The switch to a new task happened inside a masked section. */
	rtos_port_irq_enable();
	t->entry(t->arg);
	rtos_port_irq_save();
	ready_del(t);
	t->state = RTOS_DONE;
	rtos__reschedule();
	rtos_port_fatal(t, "a finished task was resumed");
}

void rtos_start(void)
{
	static uint64_t idle_stack[1024] __attribute__((aligned(16)));

	rtos_port_irq_save();
	rtos__init_once();
	task_setup(&S.idle, "idle", idle_task, 0, 0, idle_stack, sizeof(idle_stack));
	S.started = 1;
	S.current = highest_ready();
	S.current->slice_left = RTOS_SLICE_TICKS;
	S.current->switches_in++;
	rtos_port_start(S.current);
}

void rtos_stop(void)
{
	rtos_port_irq_save();
	S.started = 0;
	rtos_port_stop();
}

struct rtos_task *rtos_current(void)
{
	return S.current;
}

rtos_tick_t rtos_ticks(void)
{
	return S.tick;
}

unsigned int rtos_task_prio(const struct rtos_task *t)
{
	return t->prio;
}

void rtos_delay(rtos_tick_t ticks)
{
	unsigned long flags;

	if (ticks == 0) {
		rtos_yield();
		return;
	}
	flags = rtos_port_irq_save();
	rtos__block_current(0, ticks);
	rtos_port_irq_restore(flags);
}

void rtos_delay_until(rtos_tick_t *last_wake, rtos_tick_t period)
{
	unsigned long flags = rtos_port_irq_save();
	rtos_tick_t next = *last_wake + period;

	*last_wake = next;
	if (next > S.tick)
		rtos__block_current(0, next - S.tick);
	rtos_port_irq_restore(flags);
}

void rtos_yield(void)
{
	unsigned long flags = rtos_port_irq_save();
	struct rtos_task *t = S.current;

	ready_del(t);
	ready_add(t);
	rtos__reschedule();
	rtos_port_irq_restore(flags);
}
