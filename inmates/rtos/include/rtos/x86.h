/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The x86-64 inmate port of the RTOS (inmates/rtos/port/x86/): the tick
 * from the local APIC timer, idle with HLT, FPU/SSE state per task, and
 * the cell reported failed on a fatal error (a stack overflow).
 *
 * An inmate calls rtos_x86_init() first, creates its tasks and calls
 * rtos_start(), which never returns. Interrupt handlers installed with
 * irq_set_handler() may call the RTOS's interrupt-safe calls (give, send
 * with timeout 0): the port runs every handler between rtos_isr_enter()
 * and rtos_isr_exit(), after its EOI, so a task it wakes runs next.
 * Handlers must not use the FPU (the inmate runtime is built without it).
 */
#ifndef RTOS_X86_H
#define RTOS_X86_H

#include <stdint.h>

#include <rtos/rtos.h>

/* A task function that uses floating point or SSE: the rest is built without. */
#define RTOS_FPU	__attribute__((target("sse2")))

#define RTOS_X86_TICK_VECTOR	32

struct rtos_x86_config {
	uint32_t tick_hz;		/* e.g. 1000 (FreeRTOS's configTICK_RATE_HZ) */
	int tickless;			/* idle sleeps to the next timed event */
	uint16_t pm_timer_port;		/* ACPI PM timer, to calibrate (0x608 on q35) */
	int xapic_only;			/* stay in xAPIC mode (else x2APIC if there) */
};

/*
 * Calibrates the TSC and the APIC timer, installs the interrupt and #NM
 * handlers and enables FXSAVE. 0, -EINVAL for a tick rate out of
 * 10..100000 Hz, or -EIO when the calibration failed (says why).
 */
int rtos_x86_init(const struct rtos_x86_config *cfg);
/* "x2APIC" or "xAPIC": the mode rtos_x86_init() chose. */
const char *rtos_x86_apic_mode(void);
uint64_t rtos_x86_tsc_hz(void);
/* @ns as ticks, rounded up (a timeout never ends early). */
rtos_tick_t rtos_x86_ns_to_ticks(uint64_t ns);
/* The TSC value at which tick @tick is due: a release's ideal time. */
uint64_t rtos_x86_tick_tsc(rtos_tick_t tick);

/*
 * printk() for tasks: one line never mixes with another task's (a mutex,
 * with priority inheritance). Before rtos_start() and in interrupt
 * handlers it is plain printk(). The console costs an exit per byte.
 */
void rtos_printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct rtos_x86_stats {
	uint64_t ticks_handled;		/* tick interrupts */
	uint64_t idle_sleeps;		/* tickless sleeps over more than one tick */
	uint64_t fpu_tasks;		/* tasks given an FPU state */
	uint64_t last_tick_entry_tsc;	/* TSC as the last tick's handler began */
};
void rtos_x86_stats(struct rtos_x86_stats *st);

#endif
