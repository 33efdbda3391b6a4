// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Software timers: one list of the armed ones, earliest expiry first,
 * looked at by every tick. A callback runs in the tick's context (the
 * timer interrupt on the inmate port), as Zephyr's expiry functions do,
 * not in a daemon task as FreeRTOS's do: no task, no stack and no queue
 * to size, and its latency is the tick's. The price: a callback must not
 * block (give, send with timeout 0, start or stop timers: yes; take,
 * lock or delay: no).
 */
#include <bulkhead/errno.h>

#include "internal.h"

#define S rtos__s

#define timer_of(l)	rtos__container(l, struct rtos_timer, link)

static void arm(struct rtos_timer *t, rtos_tick_t expiry)
{
	struct rtos_list *pos;

	t->expiry = expiry;
	for (pos = S.timers.next; pos != &S.timers; pos = pos->next)
		if (timer_of(pos)->expiry > expiry)
			break;
	/* before pos: equal expiries fire in the order they were armed */
	rtos__list_insert_before(pos, &t->link);
	t->armed = 1;
}

static void disarm(struct rtos_timer *t)
{
	if (t->armed)
		rtos__list_del(&t->link);
	t->armed = 0;
}

void rtos_timer_init(struct rtos_timer *t, const char *name,
		     void (*fn)(struct rtos_timer *t, void *arg), void *arg)
{
	rtos__list_init(&t->link);
	t->name = name;
	t->fn = fn;
	t->arg = arg;
	t->expiry = 0;
	t->period = 0;
	t->armed = 0;
	t->fired = 0;
}

int rtos_timer_start(struct rtos_timer *t, rtos_tick_t delay, rtos_tick_t period)
{
	unsigned long flags;

	if (!t->fn || delay == 0 || delay >= RTOS_FOREVER - S.tick)
		return -EINVAL;
	flags = rtos_port_irq_save();
	rtos__init_once();
	disarm(t);
	t->period = period;
	arm(t, S.tick + delay);
	rtos_port_irq_restore(flags);
	return 0;
}

void rtos_timer_stop(struct rtos_timer *t)
{
	unsigned long flags = rtos_port_irq_save();

	disarm(t);
	rtos_port_irq_restore(flags);
}

int rtos_timer_armed(const struct rtos_timer *t)
{
	return t->armed;
}

/*
 * From the tick, interrupts masked. A periodic timer keeps its phase
 * (the next expiry is the last one plus the period, as delay_until), and
 * one that missed several periods (a tickless sleep that ran long) fires
 * once for each. It is re-armed before its callback runs, so the callback
 * may stop or restart it.
 */
void rtos__timers_expire(void)
{
	struct rtos_timer *t;

	while (S.initialised && S.timers.next != &S.timers) {
		t = timer_of(S.timers.next);
		if (t->expiry > S.tick)
			break;
		disarm(t);
		if (t->period && t->expiry < RTOS_FOREVER - t->period)
			arm(t, t->expiry + t->period);
		t->fired++;
		t->fn(t, t->arg);
	}
}

rtos_tick_t rtos__timers_next(void)
{
	if (!S.initialised)
		return RTOS_FOREVER;
	return S.timers.next == &S.timers ? RTOS_FOREVER : timer_of(S.timers.next)->expiry;
}
