// SPDX-License-Identifier: GPL-2.0-only
/*
 * Instructions per RTOS operation under callgrind (`make bench-icount`
 * runs it through bench/icount.sh): the core as the inmate builds it,
 * with the inmate port's context switch (rtos_icount_port.c says what
 * is left out). Each case toggles collection around its loop and dumps
 * under its name; it prints "NAME OPS" for icount.sh to divide by.
 *
 *   rtos_insns_yield          one rtos_yield() that switches to the peer
 *   rtos_insns_handoff        a give that wakes a higher task, which takes
 *                             again and blocks: one round, two switches
 *   rtos_insns_tick           a tick that wakes nothing
 *   rtos_insns_tick_wake      a tick that wakes a delayed higher task,
 *                             which delays again: one round, two switches
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rtos/rtos.h>
#include <valgrind/callgrind.h>

#include "../inmates/rtos/core/internal.h"

#define ROUNDS		1000
#define STACK_BYTES	(64 * 1024)

static struct rtos_task tasks[2];
static uint64_t stacks[2][STACK_BYTES / 8] __attribute__((aligned(16)));
static struct rtos_sem sem;
static volatile unsigned int left;
static volatile int stop_high;

static void spawn(int i, const char *name, void (*fn)(void *), unsigned int prio)
{
	if (rtos_task_create(&tasks[i], name, fn, 0, prio, stacks[i], STACK_BYTES)) {
		fprintf(stderr, "rtos_icount: cannot create %s\n", name);
		exit(1);
	}
}

static void run(void)
{
	rtos_start();
}

static void begin(void)
{
	CALLGRIND_TOGGLE_COLLECT;
}

static void end(const char *name, unsigned int ops)
{
	CALLGRIND_TOGGLE_COLLECT;
	CALLGRIND_DUMP_STATS_AT(name);
	printf("%s %u\n", name, ops);
}

/*
 * Both yield until the count is used up; the first counts and stops the
 * scheduler once the other has ended.
 */
static void yielder(void *arg)
{
	int counting = arg != 0;

	if (counting)
		begin();
	while (left) {
		left--;
		rtos_yield();
	}
	if (counting) {
		end("rtos_insns_yield", ROUNDS);
		rtos_stop();
	}
}

static void handoff_high(void *arg)
{
	(void)arg;
	for (;;) {
		rtos_sem_take(&sem, RTOS_FOREVER);
		if (stop_high)
			return;
	}
}

static void handoff_low(void *arg)
{
	unsigned int i;

	(void)arg;
	begin();
	for (i = 0; i < ROUNDS; i++)
		rtos_sem_give(&sem);
	end("rtos_insns_handoff", ROUNDS);
	stop_high = 1;
	rtos_sem_give(&sem);
	rtos_stop();
}

static void ticker(void *arg)
{
	unsigned int i;

	(void)arg;
	begin();
	for (i = 0; i < ROUNDS; i++)
		rtos_tick();
	end("rtos_insns_tick", ROUNDS);
	rtos_stop();
}

static void sleeper(void *arg)
{
	(void)arg;
	while (!stop_high)
		rtos_delay(1);
}

static void waker(void *arg)
{
	unsigned int i;

	(void)arg;
	begin();
	for (i = 0; i < ROUNDS; i++)
		rtos_tick();		/* the sleeper runs and sleeps again */
	end("rtos_insns_tick_wake", ROUNDS);
	stop_high = 1;
	rtos_tick();
	rtos_stop();
}

/* Each case on a fresh scheduler (the core's state is one global). */
static void reset(void)
{
	memset(&rtos__s, 0, sizeof(rtos__s));
	stop_high = 0;
}

int main(void)
{
	reset();
	left = ROUNDS;
	spawn(0, "yield-a", yielder, 2);
	tasks[0].arg = &tasks[0];
	spawn(1, "yield-b", yielder, 2);
	run();

	reset();
	rtos_sem_init(&sem, 0, 1);
	spawn(0, "high", handoff_high, 3);
	spawn(1, "low", handoff_low, 2);
	run();

	reset();
	spawn(0, "ticker", ticker, 2);
	run();

	reset();
	spawn(0, "sleeper", sleeper, 3);
	spawn(1, "waker", waker, 2);
	run();
	return 0;
}
