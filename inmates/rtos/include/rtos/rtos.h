/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * A small preemptive real-time kernel for Bulkhead cells: fixed-priority
 * scheduling with round-robin within a priority, periodic delays that do
 * not drift, counting semaphores, mutexes with priority inheritance and
 * message queues, all with timeouts in ticks. Everything is allocated by
 * the caller (as FreeRTOS's xTaskCreateStatic() does): no heap.
 *
 * The core (inmates/rtos/core/) is portable C; a port (rtos/port.h)
 * switches contexts, masks interrupts and idles. The inmate port runs on
 * the local APIC timer; the host port (tests/unit/rtos_host_port.c) runs
 * the same core on ucontext for the unit tests, in simulated time.
 *
 * For FreeRTOS users: xTaskCreateStatic -> rtos_task_create,
 * vTaskDelay -> rtos_delay, vTaskDelayUntil -> rtos_delay_until,
 * xSemaphoreTake/Give -> rtos_sem_take/give or rtos_mutex_lock/unlock,
 * xQueueSend/Receive -> rtos_queue_send/receive; a higher number is a
 * higher priority, as there.
 */
#ifndef RTOS_RTOS_H
#define RTOS_RTOS_H

#include <stddef.h>
#include <stdint.h>

#include <rtos/port.h>

#define RTOS_PRIOS		32	/* priorities 0 (idle) .. 31 */
#define RTOS_FOREVER		UINT64_MAX
#define RTOS_SLICE_TICKS	1	/* round-robin slice within a priority */
#define RTOS_STACK_CANARY	0x5ca1ab1e5ca1ab1eull
#define RTOS_CANARY_WORDS	8	/* at the stack's low end */

typedef uint64_t rtos_tick_t;

/* A doubly linked ring; an empty list points at itself. */
struct rtos_list {
	struct rtos_list *next, *prev;
};

enum rtos_task_state {
	RTOS_READY,		/* in a ready list (the running task too) */
	RTOS_BLOCKED,		/* on a wait list and/or the delayed list */
	RTOS_DONE,		/* its function returned */
};

struct rtos_mutex;

struct rtos_task {
	struct rtos_port_ctx ctx;		/* the port's saved context */
	struct rtos_list link;			/* ready list, or a wait list */
	struct rtos_list timer_link;		/* the delayed list while timed */
	struct rtos_list *wait_list;		/* the wait list it is on, or 0 */
	struct rtos_mutex *waits_for;		/* the mutex it blocks on (inheritance) */
	struct rtos_list held;			/* mutexes it owns */
	const char *name;
	void (*entry)(void *arg);
	void *arg;
	uint64_t *stack_low;			/* canary words here */
	size_t stack_size;
	rtos_tick_t wake_tick;
	uint32_t slice_left;
	uint8_t base_prio;			/* as created */
	uint8_t prio;				/* effective: base or inherited */
	uint8_t state;
	int wait_result;			/* 0, or -ETIMEDOUT */
	uint64_t switches_in;			/* times it was switched to */
};

struct rtos_sem {
	struct rtos_list waiters;		/* highest priority first */
	uint32_t count, max;
};

struct rtos_mutex {
	struct rtos_list waiters;		/* highest priority first */
	struct rtos_list held_link;		/* in owner->held */
	struct rtos_task *owner;
};

struct rtos_queue {
	struct rtos_list senders, receivers;	/* highest priority first */
	uint8_t *buf;
	size_t item_size;
	uint32_t capacity, count, head;
};

/* A software timer (rtos_timer_*): all fields the core's. */
struct rtos_timer {
	struct rtos_list link;			/* in the armed list */
	const char *name;
	void (*fn)(struct rtos_timer *t, void *arg);
	void *arg;
	rtos_tick_t expiry, period;		/* period 0: one-shot */
	int armed;
	uint64_t fired;				/* callbacks run */
};

/* ---- tasks and time ------------------------------------------------------- */
/*
 * Makes @t ready at priority @prio (1..31; 0 is the idle task's) with
 * @stack of @stack_size bytes (16-byte aligned, at least 1 KiB). Before
 * or after rtos_start(). 0, or -EINVAL.
 */
int rtos_task_create(struct rtos_task *t, const char *name, void (*entry)(void *arg), void *arg,
		     unsigned int prio, void *stack, size_t stack_size);
/* Runs the highest-priority task; returns only on the host port, after rtos_stop(). */
void rtos_start(void);
/* Ends rtos_start() (host port; the inmate port never returns). */
void rtos_stop(void);
struct rtos_task *rtos_current(void);
rtos_tick_t rtos_ticks(void);
/* Blocks the caller for @ticks ticks (0: a yield). */
void rtos_delay(rtos_tick_t ticks);
/*
 * Blocks until *@last_wake + @period and advances *@last_wake by @period:
 * a periodic task keeps its phase whatever its work took. If the time has
 * passed already, returns at once (the period was overrun).
 */
void rtos_delay_until(rtos_tick_t *last_wake, rtos_tick_t period);
/* Lets the other ready tasks of the caller's priority run. */
void rtos_yield(void);
/* The caller's effective priority (its own or an inherited one). */
unsigned int rtos_task_prio(const struct rtos_task *t);

/*
 * Interrupt handlers that call the RTOS (rtos_tick(), rtos_sem_give(),
 * rtos_queue_send() with timeout 0) run between rtos_isr_enter() and
 * rtos_isr_exit(): a task they make ready runs from the exit on.
 */
void rtos_isr_enter(void);
void rtos_isr_exit(void);
/*
 * Once per tick, from the timer interrupt: wakes the tasks whose time
 * came, rotates the current one's priority when its slice is used up;
 * 1 if another task runs next.
 */
int rtos_tick(void);
/* @n ticks at once (a tickless port after a long idle): as rtos_tick(). */
int rtos_tick_advance(rtos_tick_t n);
/*
 * Ticks from now until the earliest timed event (a delayed task, a
 * timeout, a software timer), 0 if one is due, RTOS_FOREVER if none:
 * how long a tickless port's idle may sleep.
 */
rtos_tick_t rtos_next_wake(void);

/* ---- semaphores, mutexes, queues: 0, -EAGAIN (timeout 0) or -ETIMEDOUT --- */
void rtos_sem_init(struct rtos_sem *s, uint32_t initial, uint32_t max);
int rtos_sem_take(struct rtos_sem *s, rtos_tick_t timeout);
/* -EOVERFLOW at max; may be called from an interrupt handler. */
int rtos_sem_give(struct rtos_sem *s);

void rtos_mutex_init(struct rtos_mutex *m);
/* -EDEADLK if the caller holds it already. */
int rtos_mutex_lock(struct rtos_mutex *m, rtos_tick_t timeout);
/* -EPERM unless the caller holds it. */
int rtos_mutex_unlock(struct rtos_mutex *m);

/* @buf holds @capacity items of @item_size bytes. */
void rtos_queue_init(struct rtos_queue *q, void *buf, size_t item_size, uint32_t capacity);
int rtos_queue_send(struct rtos_queue *q, const void *item, rtos_tick_t timeout);
int rtos_queue_receive(struct rtos_queue *q, void *item, rtos_tick_t timeout);
uint32_t rtos_queue_count(const struct rtos_queue *q);

/* ---- software timers (core/timers.c) ------------------------------------- */
/*
 * @fn(@t, @arg) runs in the tick's context (an interrupt handler on the
 * inmate port): it must not block (give, send with timeout 0, start or
 * stop timers). FreeRTOS: xTimerCreateStatic -> rtos_timer_init,
 * xTimerStart / ChangePeriod / Reset -> rtos_timer_start, xTimerStop ->
 * rtos_timer_stop.
 */
void rtos_timer_init(struct rtos_timer *t, const char *name,
		     void (*fn)(struct rtos_timer *t, void *arg), void *arg);
/*
 * (Re)arms @t: first expiry @delay ticks from now (at least 1), then
 * every @period ticks, keeping the phase (0: once). 0, or -EINVAL.
 */
int rtos_timer_start(struct rtos_timer *t, rtos_tick_t delay, rtos_tick_t period);
void rtos_timer_stop(struct rtos_timer *t);
int rtos_timer_armed(const struct rtos_timer *t);

#endif
