// SPDX-License-Identifier: GPL-2.0-only
/* IDT, interrupt handlers and the local APIC for inmates. */
#include "inmate.h"

#include <common/x86_apic.h>

#define APIC_EOI	0x0b0
#define APIC_SVR	0x0f0
#define APIC_LVT_TIMER	0x320
#define APIC_TMICT	0x380
#define APIC_TMCCT	0x390
#define APIC_TDCR	0x3e0
#define FIRST_VECTOR	32
#define STUB_SIZE	16	/* irq.S: push imm + jmp rel32, aligned */
#define NUM_VECTORS	224

static uint64_t idt[256 * 2] __attribute__((aligned(16)));
static irq_handler_t handlers[NUM_VECTORS];
extern uint8_t irq_stubs[];

#define MSR_APIC_BASE		0x1b
#define APIC_BASE_X2APIC	(1u << 10)
#define MSR_X2APIC(reg)		(0x800 + ((reg) >> 4))
#define CPUID_1_ECX_X2APIC	(1u << 21)

/* Once x2APIC mode is on, the registers are MSRs (same offsets / 16). */
static int x2apic;

static uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return lo | (uint64_t)hi << 32;
}

static void wrmsr(uint32_t msr, uint64_t v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
		     : "memory");
}

uint32_t apic_read(unsigned int reg)
{
	if (x2apic)
		return (uint32_t)rdmsr(MSR_X2APIC(reg));
	return *(volatile uint32_t *)(APIC_BASE + reg);
}

void apic_write(unsigned int reg, uint32_t val)
{
	if (x2apic)
		wrmsr(MSR_X2APIC(reg), val);
	else
		*(volatile uint32_t *)(APIC_BASE + reg) = val;
}

int apic_use_x2apic(void)
{
	uint32_t a = 1, b, c = 0, d;

	asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	if (!(c & CPUID_1_ECX_X2APIC))
		return -ENODEV;
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_BASE_X2APIC);
	x2apic = 1;
	return 0;
}

int apic_is_x2apic(void)
{
	return x2apic;
}

uint32_t apic_id(void)
{
	/* xAPIC keeps the ID in bits 31:24, x2APIC in all 32 */
	return x2apic ? apic_read(APIC_ID) : apic_read(APIC_ID) >> 24;
}

/* The first few interrupts nobody asked for are reported on the console:
 * left over from the CPU's previous owner, or sent to a CPU they should
 * never reach (the iommu-msi scenario looks for such a line). */
#define UNEXPECTED_REPORTS	8
static unsigned int unexpected_seen;

static irq_handler_t hook_enter;
static void (*hook_exit)(void);

/*
 * Called by irq.S; the handler may re-arm, we acknowledge every vector.
 * The exit hook runs after the EOI: an RTOS may switch tasks there, and
 * the interrupted task resumes in it much later.
 */
void irq_dispatch(uint64_t vector)
{
	if (hook_enter)
		hook_enter((unsigned int)vector);
	if (vector >= FIRST_VECTOR && vector < FIRST_VECTOR + NUM_VECTORS &&
	    handlers[vector - FIRST_VECTOR])
		handlers[vector - FIRST_VECTOR]((unsigned int)vector);
	else if (unexpected_seen++ < UNEXPECTED_REPORTS)
		printk("inmate: interrupt on vector 0x%lx, which has no handler\n", vector);
	apic_write(APIC_EOI, 0);
	if (hook_exit)
		hook_exit();
}

void irq_set_hooks(irq_handler_t enter, void (*exit)(void))
{
	hook_enter = enter;
	hook_exit = exit;
}

/* A 64-bit interrupt gate, ring 0, code selector 0x18 (header.S's GDT). */
static void set_gate(unsigned int vector, uint64_t entry)
{
	idt[2 * vector] = (entry & 0xffff) | (0x18ull << 16) | (0x8eull << 40) |
			  ((entry >> 16) & 0xffff) << 48;
	idt[2 * vector + 1] = entry >> 32;
}

void irq_set_exception(unsigned int vector, void (*entry)(void))
{
	if (vector < FIRST_VECTOR)
		set_gate(vector, (uint64_t)entry);
}

/* `cell shutdown` asks through this vector: answer and let the CPU go. */
static void shutdown_requested(unsigned int vector)
{
	(void)vector;
	hypercall2(BH_HC_CELL_REPORT, BH_REPORT_DONE, 0);
}

void irq_init(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) ptr = { sizeof(idt) - 1, (uint64_t)idt };
	unsigned int v;

	for (v = FIRST_VECTOR; v < FIRST_VECTOR + NUM_VECTORS; v++)
		set_gate(v, (uint64_t)irq_stubs + STUB_SIZE * (v - FIRST_VECTOR));
	asm volatile("lidt %0" : : "m"(ptr));
	apic_write(APIC_SVR, 0x1ff);		/* APIC on, spurious vector 0xff */
	irq_set_handler(BH_SHUTDOWN_VECTOR, shutdown_requested);
}

void irq_set_handler(unsigned int vector, irq_handler_t handler)
{
	if (vector >= FIRST_VECTOR && vector < FIRST_VECTOR + NUM_VECTORS)
		handlers[vector - FIRST_VECTOR] = handler;
}

/* One-shot APIC timer, divide by 1, in APIC ticks; @vector may carry the
 * LVT mask bit (0x10000). */
void apic_timer_oneshot(unsigned int vector, uint32_t ticks)
{
	apic_write(APIC_TDCR, 0xb);
	apic_write(APIC_LVT_TIMER, vector);
	apic_write(APIC_TMICT, ticks);
}

void apic_timer_set_count(uint32_t ticks)
{
	apic_write(APIC_TMICT, ticks);
}

uint32_t apic_timer_current(void)
{
	return apic_read(APIC_TMCCT);
}
