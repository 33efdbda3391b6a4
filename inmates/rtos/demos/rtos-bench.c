// SPDX-License-Identifier: GPL-2.0-only
/*
 * rtos-bench: the RTOS's figures inside a cell (make bench-rtos runs it
 * beside apic-demo and reads both consoles).
 *
 *   release   a 1 ms periodic task (delay_until, 1 kHz tick), 2000
 *             releases: how late the task runs after its tick was due
 *             (TSC), and how late the tick's handler began, so the part
 *             the RTOS adds (handler, scheduler, switch) is their
 *             difference
 *   yield     two tasks of one priority yielding to each other: cycles
 *             per switch, without and with FPU state in both
 *   handoff   a semaphore given by one task and taken by a higher one:
 *             cycles from the give to the taker running
 *
 * One "rtos-bench: ..." line per figure, then "rtos-bench: done", and the
 * cell reports done (its state becomes "shut down").
 */
#include "../../lib/x86/inmate.h"

#include <rtos/rtos.h>
#include <rtos/x86.h>

#define STACK_BYTES	8192
#define RELEASES	2000
#define WARMUP		20
#define YIELDS		20000
#define HANDOFFS	5000

static struct rtos_task main_task, peer_a, peer_b;
static uint64_t stacks[3][STACK_BYTES / 8] __attribute__((aligned(16)));
static uint64_t task_late[RELEASES], isr_late[RELEASES];
static volatile unsigned int yields_left;
static struct rtos_sem done, handoff;
static volatile uint64_t given_tsc;
static uint64_t handoff_cycles[HANDOFFS];
static volatile double fpu_sink;

static void print_ns(const char *what, uint64_t *v, unsigned int n)
{
	struct latency_summary s;

	latency_summary(v, n, &s);
	rtos_printk("rtos-bench: %s: %u samples, min %lu ns, p50 %lu ns, p99 %lu ns, max %lu ns\n",
		    what, s.n, tsc_to_ns(s.min), tsc_to_ns(s.p50), tsc_to_ns(s.p99),
		    tsc_to_ns(s.max));
}

static void release_jitter(void)
{
	struct rtos_x86_stats st;
	rtos_tick_t last;
	uint64_t due, now;
	unsigned int i;

	rtos_delay(1);
	last = rtos_ticks();
	for (i = 0; i < WARMUP + RELEASES; i++) {
		rtos_delay_until(&last, 1);
		now = rdtsc();
		rtos_x86_stats(&st);
		due = rtos_x86_tick_tsc(last);
		if (i < WARMUP)
			continue;
		task_late[i - WARMUP] = now > due ? now - due : 0;
		isr_late[i - WARMUP] = st.last_tick_entry_tsc > due ? st.last_tick_entry_tsc - due : 0;
	}
	print_ns("tick handler late (1 ms tick)", isr_late, RELEASES);
	print_ns("task release late (1 ms period)", task_late, RELEASES);
}

/* The peers end when done: their task structs can be created anew. */
static void yielder(void *arg)
{
	(void)arg;
	while (yields_left) {
		yields_left--;
		rtos_yield();
	}
	rtos_sem_give(&done);
}

RTOS_FPU static void fpu_yielder(void *arg)
{
	double x = 1.0;

	(void)arg;
	x *= 1.5;		/* the FPU state is this task's from now on */
	fpu_sink = x;
	while (yields_left) {
		yields_left--;
		rtos_yield();
	}
	rtos_sem_give(&done);
}

/*
 * Both peers at priority 5, below us (6): they start when we wait for
 * them, and switch at every yield until the count is used up.
 */
static void measure_yields(const char *what, void (*fn)(void *))
{
	uint64_t t0, t1;

	rtos_sem_init(&done, 0, 2);
	rtos_task_create(&peer_a, "peer-a", fn, 0, 5, stacks[1], STACK_BYTES);
	rtos_task_create(&peer_b, "peer-b", fn, 0, 5, stacks[2], STACK_BYTES);
	yields_left = YIELDS;
	t0 = rdtsc();
	rtos_sem_take(&done, RTOS_FOREVER);
	rtos_sem_take(&done, RTOS_FOREVER);
	t1 = rdtsc();
	rtos_printk("rtos-bench: %s: %lu cycles per switch (%u switches)\n", what,
		    (t1 - t0) / YIELDS, YIELDS);
}

static void taker(void *arg)
{
	unsigned int i;

	(void)arg;
	for (i = 0; i < HANDOFFS; i++) {
		rtos_sem_take(&handoff, RTOS_FOREVER);
		handoff_cycles[i] = rdtsc() - given_tsc;
	}
	rtos_sem_give(&done);
}

static void measure_handoff(void)
{
	struct latency_summary s;
	unsigned int i;

	rtos_sem_init(&handoff, 0, 1);
	rtos_sem_init(&done, 0, 1);
	rtos_task_create(&peer_a, "taker", taker, 0, 7, stacks[1], STACK_BYTES);
	for (i = 0; i < HANDOFFS; i++) {
		given_tsc = rdtsc();
		rtos_sem_give(&handoff);	/* the taker runs before this returns */
	}
	rtos_sem_take(&done, RTOS_FOREVER);
	latency_summary(handoff_cycles, HANDOFFS, &s);
	rtos_printk("rtos-bench: semaphore handoff to a higher task: p50 %lu cycles, p99 %lu cycles "
		    "(%u handoffs)\n", s.p50, s.p99, s.n);
}

static void main_fn(void *arg)
{
	struct rtos_x86_stats st;

	(void)arg;
	release_jitter();
	measure_yields("yield between two tasks", yielder);
	rtos_delay(10);			/* the peers have ended */
	measure_yields("yield between two FPU tasks", fpu_yielder);
	rtos_delay(10);
	measure_handoff();
	rtos_x86_stats(&st);
	rtos_printk("rtos-bench: %lu tick interrupts, %lu tickless sleeps, %lu FPU tasks\n",
		    st.ticks_handled, st.idle_sleeps, st.fpu_tasks);
	rtos_printk("rtos-bench: done\n");
	inmate_exit(0);		/* the cell reports done: shut down */
}

int inmate_main(void)
{
	struct rtos_x86_config cfg = {
		.tick_hz = 1000,
		.tickless = 1,
		.pm_timer_port = PM_TIMER_PORT,
	};

	if (rtos_x86_init(&cfg)) {
		printk("rtos-bench: the RTOS did not start\n");
		return 1;
	}
	printk("rtos-bench: %s, TSC %lu kHz, 1000 Hz tick, tickless idle\n", rtos_x86_apic_mode(),
	       rtos_x86_tsc_hz() / 1000);
	rtos_task_create(&main_task, "bench", main_fn, 0, 6, stacks[0], STACK_BYTES);
	rtos_start();
	return 1;
}
