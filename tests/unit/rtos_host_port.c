// SPDX-License-Identifier: GPL-2.0-only
/*
 * The RTOS core on the host, for its unit tests: tasks are ucontexts on
 * their own stacks, there are no interrupts (masking only counts), and
 * time is simulated: the idle task advances it one tick per turn, and a
 * task may call rtos_tick() itself to stand for a timer interrupt in the
 * middle of its work. So every test runs the same way every time.
 * rtos_start() returns after rtos_stop(), when only the idle task is
 * left with nothing timed, or after a fatal error (rtos_host_fatal).
 */
#include <stdint.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#define ASAN_FIBERS 1
#else
#define ASAN_FIBERS 0
#endif

#include "rtos_host_port.h"
#include "../../inmates/rtos/core/internal.h"

static ucontext_t boot;
#if ASAN_FIBERS
/* The boot stack's extent, for ASan: learnt when the first task starts. */
static const void *boot_stack;
static size_t boot_stack_size;
#endif
static unsigned int irq_depth;
const char *rtos_host_fatal;
struct rtos_task *rtos_host_fatal_task;
rtos_tick_t rtos_host_idle_limit = 100000;
int rtos_host_tickless;
unsigned int rtos_host_idle_sleeps;

unsigned long rtos_port_irq_save(void)
{
	return irq_depth++;
}

void rtos_port_irq_restore(unsigned long flags)
{
	irq_depth = (unsigned int)flags;
}

void rtos_port_irq_enable(void)
{
	irq_depth = 0;
}

/*
 * ASan keeps its own idea of which stack runs; a switch it is not told of
 * looks like a wild jump of the stack pointer (it warns, and may report
 * errors that are not there or miss ones that are). Each switch is
 * announced before it (@to: the task, 0 for the boot stack; @save: 0 when
 * the stack left will never run again) and completed after it, on the
 * stack that then runs.
 */
static void switch_begin(void **save, const struct rtos_task *to)
{
#if ASAN_FIBERS
	if (to)
		__sanitizer_start_switch_fiber(save, to->stack_low, to->stack_size);
	else
		__sanitizer_start_switch_fiber(save, boot_stack, boot_stack_size);
#else
	(void)save;
	(void)to;
#endif
}

static void switch_end(void *saved)
{
#if ASAN_FIBERS
	const void *from;
	size_t from_size;

	__sanitizer_finish_switch_fiber(saved, &from, &from_size);
	if (!boot_stack) {
		boot_stack = from;
		boot_stack_size = from_size;
	}
#else
	(void)saved;
#endif
}

static void trampoline(unsigned int hi, unsigned int lo)
{
	switch_end(0);
	rtos_task_entry((struct rtos_task *)((uintptr_t)hi << 32 | lo));
}

void rtos_port_task_init(struct rtos_task *t)
{
	uintptr_t p = (uintptr_t)t;

	getcontext(&t->ctx.uc);
	t->ctx.uc.uc_stack.ss_sp = t->stack_low;
	t->ctx.uc.uc_stack.ss_size = t->stack_size;
	t->ctx.uc.uc_link = 0;
	makecontext(&t->ctx.uc, (void (*)(void))trampoline, 2, (unsigned int)(p >> 32),
		    (unsigned int)p);
}

/* From context @from to @to_uc, task @to's (0: the boot stack's). */
static void swap(ucontext_t *from, ucontext_t *to_uc, const struct rtos_task *to)
{
	void *save = 0;

	switch_begin(&save, to);
	swapcontext(from, to_uc);
	switch_end(save);
}

void rtos_port_switch(struct rtos_task *from, struct rtos_task *to)
{
	swap(&from->ctx.uc, &to->ctx.uc, to);
}

void rtos_port_start(struct rtos_task *to)
{
	swap(&boot, &to->ctx.uc, to);
}

void rtos_port_stop(void)
{
	swap(&rtos_current()->ctx.uc, &boot, 0);
}

/*
 * One tick per turn of the idle task, or in tickless mode all the ticks
 * to the next timed event at once; nothing timed left: the end.
 */
void rtos_port_idle(void)
{
	rtos_tick_t next = rtos_next_wake();

	if (next == RTOS_FOREVER || rtos__s.tick >= rtos_host_idle_limit) {
		rtos_stop();
		return;
	}
	if (rtos_host_tickless) {
		rtos_host_idle_sleeps++;
		rtos_tick_advance(next ? next : 1);
	} else {
		rtos_tick();
	}
}

void rtos_port_fatal(struct rtos_task *t, const char *what)
{
	rtos_host_fatal = what;
	rtos_host_fatal_task = t;
	rtos__s.started = 0;
	switch_begin(0, 0);		/* the task's stack is done with */
	setcontext(&boot);
	__builtin_unreachable();
}

void rtos_host_reset(void)
{
	memset(&rtos__s, 0, sizeof(rtos__s));
	irq_depth = 0;
	rtos_host_fatal = 0;
	rtos_host_fatal_task = 0;
	rtos_host_idle_limit = 100000;
	rtos_host_tickless = 0;
	rtos_host_idle_sleeps = 0;
}
