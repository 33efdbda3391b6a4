// SPDX-License-Identifier: GPL-2.0-only
/*
 * freertos-demo: the task set of the Jailhouse tutorial's FreeRTOS cell,
 * on Bulkhead's RTOS. Twenty periodic tasks T01..T20, task n with period
 * n * 100 ticks and priority (n - 1) % 6 + 1, print
 *
 *	Txx period: P; loop: L; tick: T
 *
 * every period; a sender task sends a counter through a queue every 500
 * ticks ("Sending ... N") and a higher-priority receiver prints "Value
 * received: N"; two floating-point tasks FT0 and FT1 of the same priority
 * compute powers while the tick interleaves them, each holding its value
 * in an SSE register across the preemptions, and check it against a
 * second computation: a lost FPU state would print "FPU state lost".
 * The tick is 1 kHz. Lines never mix (rtos_printk()). It runs until
 * `cell shutdown`.
 */
#include "../../lib/x86/inmate.h"

#include <rtos/rtos.h>
#include <rtos/x86.h>

/*
 * FreeRTOS's usual 1 kHz. The Bochs build ticks at 100 Hz: there a
 * console line costs tens of ticks at 1 kHz, the twenty tasks' lines
 * would need more than the CPU has, and the priority-1 tasks would
 * starve behind the overrunning priority-2 ones (seen).
 */
#ifndef TICK_HZ
#define TICK_HZ		1000
#endif
#define NUM_PERIODIC	20
#define NUM_FPU		2
#define STACK_BYTES	8192
#define SEND_PERIOD	500
#define FPU_PERIOD	500
#define FPU_STEPS	24
#define FPU_STEP_TSC_DIV 1000		/* each step spins 1 ms: a tick */

struct periodic {
	struct rtos_task task;
	char name[4];
	unsigned int index;
	rtos_tick_t period;
};

struct fpu_job {
	struct rtos_task task;
	unsigned int index;
	unsigned int base_centi;	/* the base, in hundredths: 111 = 1.11 */
};

static struct periodic periodic[NUM_PERIODIC];
static struct fpu_job fpu_jobs[NUM_FPU];
static struct rtos_task sender, receiver;
static uint64_t stacks[NUM_PERIODIC + NUM_FPU + 2][STACK_BYTES / 8] __attribute__((aligned(16)));
static unsigned int stacks_used;
static struct rtos_queue queue;
static uint32_t queue_items[4];
static uint64_t spin_tsc;

static void *next_stack(void)
{
	return stacks[stacks_used++];
}

static void periodic_task(void *arg)
{
	struct periodic *p = arg;
	rtos_tick_t last = rtos_ticks();
	unsigned long loop;

	for (loop = 0;; loop++) {
		rtos_printk("T%02u period: %lu; loop: %lu; tick: %lu\n", p->index,
			    (unsigned long)p->period, loop, (unsigned long)rtos_ticks());
		rtos_delay_until(&last, p->period);
	}
}

static void sender_task(void *arg)
{
	rtos_tick_t last = rtos_ticks();
	uint32_t value;

	(void)arg;
	for (value = 1;; value++) {
		rtos_printk("Sending ... %u\n", value);
		if (rtos_queue_send(&queue, &value, RTOS_FOREVER))
			rtos_printk("Sending ... failed\n");
		rtos_delay_until(&last, SEND_PERIOD);
	}
}

static void receiver_task(void *arg)
{
	uint32_t value;

	(void)arg;
	for (;;)
		if (rtos_queue_receive(&queue, &value, RTOS_FOREVER) == 0)
			rtos_printk("Value received: %u\n", value);
}

/* Busy for @tsc cycles without touching a vector register. */
static inline void spin(uint64_t tsc)
{
	uint64_t start = rdtsc();

	while (rdtsc() - start < tsc)
		asm volatile("pause");
}

/*
 * x stays in an SSE register across the spins, during which the tick
 * switches to the other FPU task and back; y is computed again without
 * pause. Both must agree bit for bit.
 */
RTOS_FPU static void fpu_task(void *arg)
{
	struct fpu_job *j = arg;
	const double base = j->base_centi / 100.0;
	unsigned int n, k;
	double x, y;
	uint64_t micro;

	for (n = 0;; n = (n + 1) % FPU_STEPS) {
		x = 1.0;
		for (k = 0; k < n; k++) {
			x *= base;
			spin(spin_tsc);
		}
		y = 1.0;
		for (k = 0; k < n; k++)
			y *= base;
		micro = (uint64_t)(x * 1000000.0 + 0.5);
		if (x != y)
			rtos_printk("FT%u: FPU state lost: %u.%02u^%u gave two results\n",
				    j->index, j->base_centi / 100, j->base_centi % 100, n);
		else
			rtos_printk("FT%u: %u.%02u^%u = %lu.%06lu\n", j->index,
				    j->base_centi / 100, j->base_centi % 100, n,
				    (unsigned long)(micro / 1000000),
				    (unsigned long)(micro % 1000000));
		rtos_delay(FPU_PERIOD);
	}
}

static void create(struct rtos_task *t, const char *name, void (*fn)(void *), void *arg,
		   unsigned int prio)
{
	int err = rtos_task_create(t, name, fn, arg, prio, next_stack(), STACK_BYTES);

	if (err) {
		printk("freertos-demo: cannot create task %s: %d\n", name, err);
		inmate_exit(1);
	}
}

int inmate_main(void)
{
	struct rtos_x86_config cfg = {
		.tick_hz = TICK_HZ,
		.tickless = 1,
		.pm_timer_port = PM_TIMER_PORT,
#ifdef INMATE_XAPIC_ONLY
		.xapic_only = 1,	/* the Bochs build (see apic_choose_mode()) */
#endif
	};
	unsigned int i;

	if (rtos_x86_init(&cfg)) {
		printk("freertos-demo: the RTOS did not start\n");
		return 1;
	}
	printk("FreeRTOS-like demo on the Bulkhead RTOS: %u Hz tick, tickless idle, %s\n",
	       TICK_HZ, rtos_x86_apic_mode());
	spin_tsc = rtos_x86_tsc_hz() / FPU_STEP_TSC_DIV;
	rtos_queue_init(&queue, queue_items, sizeof(queue_items[0]), 4);
	for (i = 0; i < NUM_PERIODIC; i++) {
		struct periodic *p = &periodic[i];

		p->index = i + 1;
		p->period = (i + 1) * 100;
		p->name[0] = 'T';
		p->name[1] = (char)('0' + p->index / 10);
		p->name[2] = (char)('0' + p->index % 10);
		printk("Create task %u with prio %u\n", i, i % 6 + 1);
		create(&p->task, p->name, periodic_task, p, i % 6 + 1);
	}
	create(&sender, "sender", sender_task, 0, 2);
	create(&receiver, "receiver", receiver_task, 0, 3);
	for (i = 0; i < NUM_FPU; i++) {
		fpu_jobs[i].index = i;
		fpu_jobs[i].base_centi = i ? 107 : 111;
		create(&fpu_jobs[i].task, i ? "FT1" : "FT0", fpu_task, &fpu_jobs[i], 1);
	}
	printk("rtos_start goes active\n");
	rtos_start();
	return 1;
}
