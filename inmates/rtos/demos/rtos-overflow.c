// SPDX-License-Identifier: GPL-2.0-only
/*
 * rtos-overflow: a task that overflows its stack, for the rtos-overflow
 * scenario. "deep" recurses with 256 bytes a frame on a 4 KiB stack
 * until it has gone 1 KiB past the stack's low end, then sleeps; the
 * switch away from it finds the canary words damaged and the port stops
 * the cell, reported failed. A heartbeat task shows the cell ran until
 * then. The overflow lands in a guard area below the stack (the same
 * object), so nothing else is hit before the check: on a real overflow
 * the canary catches what lands in the lowest 64 bytes, no more.
 */
#include "../../lib/x86/inmate.h"

#include <rtos/rtos.h>
#include <rtos/x86.h>

#define STACK_BYTES	4096
#define GUARD_BYTES	4096
#define FRAME_BYTES	256

static struct {
	uint64_t guard[GUARD_BYTES / 8];
	uint64_t stack[STACK_BYTES / 8];
} deep_mem __attribute__((aligned(16)));
static uint64_t beat_stack[STACK_BYTES / 8] __attribute__((aligned(16)));
static struct rtos_task deep, beat;

static unsigned int recurse(volatile uint8_t *stop, unsigned int depth)
{
	volatile uint8_t frame[FRAME_BYTES];
	unsigned int i;

	for (i = 0; i < FRAME_BYTES; i++)
		frame[i] = (uint8_t)depth;
	if (frame < stop)
		return frame[depth % FRAME_BYTES];
	return recurse(stop, depth + 1) + frame[0];
}

static void deep_task(void *arg)
{
	(void)arg;
	rtos_delay(300);
	printk("deep: recursing past the end of its %u-byte stack\n", STACK_BYTES);
	recurse((volatile uint8_t *)deep_mem.stack - 1024, 0);
	rtos_delay(1);
	printk("deep: still running: the overflow went unnoticed\n");
}

static void beat_task(void *arg)
{
	rtos_tick_t last = rtos_ticks();
	unsigned int n;

	(void)arg;
	for (n = 0;; n++) {
		printk("heartbeat %u\n", n);
		rtos_delay_until(&last, 100);
	}
}

int inmate_main(void)
{
	struct rtos_x86_config cfg = { .tick_hz = 1000, .pm_timer_port = PM_TIMER_PORT };

	if (rtos_x86_init(&cfg) ||
	    rtos_task_create(&beat, "heartbeat", beat_task, 0, 1, beat_stack, STACK_BYTES) ||
	    rtos_task_create(&deep, "deep", deep_task, 0, 2, deep_mem.stack, STACK_BYTES)) {
		printk("rtos-overflow: cannot start\n");
		return 1;
	}
	rtos_start();
	return 1;
}
