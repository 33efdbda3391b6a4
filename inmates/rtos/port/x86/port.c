// SPDX-License-Identifier: GPL-2.0-only
/*
 * The RTOS on a Bulkhead inmate (x86-64, ring 0, one CPU): interrupts
 * masked with CLI, contexts switched in switch.S, the tick from the local
 * APIC timer, the idle task in HLT, the FPU handed to the tasks that use
 * it, and a fatal error reported to the hypervisor (the cell is failed).
 *
 * The tick is kept on the TSC: tick k is due at tsc_base + k * tsc_per_tick,
 * and the one-shot APIC timer is programmed for the next such instant
 * each time. So ticks do not drift with the handler's latency, a late
 * interrupt catches up every tick it missed, and tickless idle is only a
 * later deadline: the handler counts from the TSC how many ticks went by.
 */
#include "../../../lib/x86/inmate.h"

#include <rtos/x86.h>

#include "../../core/internal.h"
#include "context.h"

#define CR0_MP		(1ul << 1)
#define CR0_EM		(1ul << 2)
#define CR0_TS		(1ul << 3)
#define CR0_NE		(1ul << 5)
#define CR4_OSFXSR	(1ul << 9)
#define CR4_OSXMMEXCPT	(1ul << 10)
#define RFLAGS_IF	(1ul << 9)
#define NM_VECTOR	7
#define MXCSR_DEFAULT	0x1f80
/* The longest tickless sleep: the APIC's 32-bit count must hold it. */
#define MAX_SLEEP_TICKS	1000

extern void rtos_x86_nm_entry(void);
void rtos_x86_fpu_trap(void);

static struct {
	uint64_t tsc_hz, tsc_per_tick, tsc_base, next_tick_tsc, ns_per_tick;
	uint64_t apic_per_tsc_fp;	/* APIC timer counts per TSC cycle, */
	unsigned int fp_shift;		/* fixed point with this many fraction bits */
	int tickless, sleeping, ts_set;
	const char *apic_mode;
	struct rtos_x86_stats st;
	struct rtos_mutex console;
} port;

static inline unsigned long read_cr0(void)
{
	unsigned long v;

	asm volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline void write_cr0(unsigned long v)
{
	asm volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static inline unsigned long read_cr4(void)
{
	unsigned long v;

	asm volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline void write_cr4(unsigned long v)
{
	asm volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

/* ---- interrupts and contexts ------------------------------------------------- */

unsigned long rtos_port_irq_save(void)
{
	unsigned long flags;

	asm volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
	return flags;
}

void rtos_port_irq_restore(unsigned long flags)
{
	if (flags & RFLAGS_IF)
		asm volatile("sti" ::: "memory");
}

void rtos_port_irq_enable(void)
{
	asm volatile("sti" ::: "memory");
}

/*
 * FPU state follows the task: saved if the old task has one, restored
 * if the new one has; a task without keeps CR0.TS set, so its first FPU
 * instruction traps into rtos_x86_fpu_trap(). CR0 is written only when
 * TS must change.
 */
static void fpu_switch(struct rtos_task *from, struct rtos_task *to)
{
	if (from->ctx.uses_fpu)
		asm volatile("fxsave64 %0" : "=m"(from->ctx.fxsave));
	if (to->ctx.uses_fpu) {
		if (port.ts_set) {
			asm volatile("clts" ::: "memory");
			port.ts_set = 0;
		}
		asm volatile("fxrstor64 %0" : : "m"(to->ctx.fxsave));
	} else if (!port.ts_set) {
		write_cr0(read_cr0() | CR0_TS);
		port.ts_set = 1;
	}
}

void rtos_x86_fpu_trap(void)
{
	struct rtos_task *t = rtos_current();
	uint32_t mxcsr = MXCSR_DEFAULT;

	asm volatile("clts" ::: "memory");
	port.ts_set = 0;
	asm volatile("fninit; ldmxcsr %0" : : "m"(mxcsr));
	if (!t || rtos__s.in_isr)
		rtos_port_fatal(t, "FPU used outside a task");
	t->ctx.uses_fpu = 1;
	port.st.fpu_tasks++;
}

void rtos_port_switch(struct rtos_task *from, struct rtos_task *to)
{
	fpu_switch(from, to);
	rtos_x86_switch(&from->ctx.rsp, to->ctx.rsp);
}

static void arm_timer(uint64_t deadline_tsc);

void rtos_port_start(struct rtos_task *to)
{
	apic_timer_oneshot(RTOS_X86_TICK_VECTOR, 0);	/* vector, divider; stopped */
	port.tsc_base = rdtsc();
	port.next_tick_tsc = port.tsc_base + port.tsc_per_tick;
	arm_timer(port.next_tick_tsc);
	write_cr0(read_cr0() | CR0_TS);
	port.ts_set = 1;
	rtos_x86_resume(to->ctx.rsp);
}

void rtos_port_stop(void)
{
	printk("rtos: stopped\n");
	inmate_exit(0);
}

void rtos_port_fatal(struct rtos_task *t, const char *what)
{
	printk("rtos: task %s: %s: the cell stops\n", t && t->name ? t->name : "?", what);
	inmate_exit(1);
}

/* ---- the tick ---------------------------------------------------------------- */

static void arm_timer(uint64_t deadline_tsc)
{
	uint64_t now = rdtsc(), delta = deadline_tsc > now ? deadline_tsc - now : 0;
	unsigned __int128 count = (unsigned __int128)delta * port.apic_per_tsc_fp >> port.fp_shift;

	if (count == 0)
		count = 1;
	if (count > 0xffffffffu)
		count = 0xffffffffu;
	apic_timer_set_count((uint32_t)count);	/* vector and divider set at start */
}

/*
 * Counts the ticks the TSC says are due and arms the timer for the next
 * one. A timer that fired a little early (rounding) is armed again.
 */
static void tick_catch_up(void)
{
	uint64_t now = rdtsc(), n;

	port.sleeping = 0;
	if (now >= port.next_tick_tsc) {
		n = (now - port.next_tick_tsc) / port.tsc_per_tick + 1;
		port.next_tick_tsc += n * port.tsc_per_tick;
		rtos_tick_advance(n);
	}
	arm_timer(port.next_tick_tsc);
}

static void tick_interrupt(unsigned int vector)
{
	(void)vector;
	port.st.last_tick_entry_tsc = rdtsc();
	port.st.ticks_handled++;
	tick_catch_up();
}

/*
 * Every interrupt: the RTOS knows it is in a handler; a sleep that another
 * interrupt ends is counted here (the tick's own handler does it for the
 * timer, so the timer is armed once).
 */
static void isr_enter(unsigned int vector)
{
	rtos_isr_enter();
	if (port.sleeping && vector != RTOS_X86_TICK_VECTOR)
		tick_catch_up();
}

/*
 * The idle task, interrupts on. Tickless: with nothing due for more than
 * a tick, the timer is set for the next timed event instead; any
 * interrupt ends the sleep (isr_enter()). "sti; hlt" cannot miss an
 * interrupt: STI's one-instruction shadow covers HLT.
 */
void rtos_port_idle(void)
{
	rtos_tick_t next;

	asm volatile("cli" ::: "memory");
	if (port.tickless) {
		next = rtos_next_wake();
		if (next > 1) {
			if (next > MAX_SLEEP_TICKS)
				next = MAX_SLEEP_TICKS;
			arm_timer(port.next_tick_tsc + (next - 1) * port.tsc_per_tick);
			port.sleeping = 1;
			port.st.idle_sleeps++;
		}
	}
	asm volatile("sti; hlt" ::: "memory");
}

/* ---- set-up ------------------------------------------------------------------ */

int rtos_x86_init(const struct rtos_x86_config *cfg)
{
	uint64_t apic_hz;

	if (cfg->tick_hz < 10 || cfg->tick_hz > 100000)
		return -EINVAL;
	port.apic_mode = cfg->xapic_only ? "xAPIC" :
			 apic_use_x2apic() == 0 ? "x2APIC" : "xAPIC";
	port.tsc_hz = timing_init(cfg->pm_timer_port);
	apic_hz = apic_timer_hz();
	if (port.tsc_hz < cfg->tick_hz || !apic_hz) {
		printk("rtos: calibration failed (TSC %lu Hz, APIC timer %lu Hz): "
		       "is the PM timer port 0x%x the cell's?\n", port.tsc_hz, apic_hz,
		       cfg->pm_timer_port);
		return -EIO;
	}
	port.tsc_per_tick = port.tsc_hz / cfg->tick_hz;
	/* a tick's length as the TSC makes it, for rtos_x86_ns_to_ticks() */
	port.ns_per_tick = 1000000000ull * port.tsc_per_tick / port.tsc_hz;
	/* As many fraction bits as apic_hz leaves room for (32 below 4 GHz). */
	for (port.fp_shift = 32; apic_hz >> (64 - port.fp_shift); port.fp_shift--)
		;
	port.apic_per_tsc_fp = (apic_hz << port.fp_shift) / port.tsc_hz;
	port.tickless = cfg->tickless;
	rtos_mutex_init(&port.console);
	irq_init();
	irq_set_hooks(isr_enter, rtos_isr_exit);
	irq_set_handler(RTOS_X86_TICK_VECTOR, tick_interrupt);
	irq_set_exception(NM_VECTOR, rtos_x86_nm_entry);
	/* FXSAVE/SSE on, x87 errors as exceptions, WAIT honours TS */
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	write_cr0((read_cr0() & ~CR0_EM) | CR0_MP | CR0_NE);
	return 0;
}

void rtos_printk(const char *fmt, ...)
{
	int locked = rtos__s.started && !rtos__s.in_isr;
	va_list ap;

	if (locked)
		rtos_mutex_lock(&port.console, RTOS_FOREVER);
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
	if (locked)
		rtos_mutex_unlock(&port.console);
}

const char *rtos_x86_apic_mode(void)
{
	return port.apic_mode;
}

uint64_t rtos_x86_tsc_hz(void)
{
	return port.tsc_hz;
}

uint64_t rtos_x86_tick_tsc(rtos_tick_t tick)
{
	return port.tsc_base + tick * port.tsc_per_tick;
}

rtos_tick_t rtos_x86_ns_to_ticks(uint64_t ns)
{
	return (ns + port.ns_per_tick - 1) / port.ns_per_tick;
}

void rtos_x86_stats(struct rtos_x86_stats *st)
{
	unsigned long flags = rtos_port_irq_save();

	*st = port.st;
	rtos_port_irq_restore(flags);
}
