// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hypervisor's GDT and IDT. The GDT reuses Linux's kernel selectors
 * (code 0x10, data 0x18), so loading it changes no segment register.
 */
#include <asm/layout.h>
#include <asm/processor.h>
#include <asm/traps.h>

struct trap_frame {
	uint64_t vector, error, rip, cs, rflags, rsp, ss;
};

static const uint64_t hv_gdt[4] __attribute__((aligned(16))) = {
	0,
	0,
	0x00af9b000000ffffull,		/* 0x10: 64-bit code, DPL 0 */
	0x00cf93000000ffffull,		/* 0x18: data, DPL 0 */
};

static uint64_t hv_idt[256 * 2] __attribute__((aligned(16)));
extern uint8_t traps_stubs[];
extern uint8_t bh_stacks[];

void traps_init(void)
{
	uint64_t stub;
	unsigned int v;

	for (v = 0; v < 256; v++) {
		stub = (uint64_t)traps_stubs + 16 * v;
		hv_idt[2 * v] = (stub & 0xffff) | (0x10ull << 16) |
				(0x8eull << 40) | ((stub >> 16) & 0xffff) << 48;
		hv_idt[2 * v + 1] = stub >> 32;
	}
}

void traps_load(void)
{
	struct desc_ptr gdt = { sizeof(hv_gdt) - 1, (uint64_t)hv_gdt };
	struct desc_ptr idt = { sizeof(hv_idt) - 1, (uint64_t)hv_idt };

	asm volatile("lgdt %0; lidt %1" : : "m"(gdt), "m"(idt));
}

void __attribute__((noreturn)) traps_fatal(const struct trap_frame *f)
{
	uint64_t cpu = ((uint64_t)f - (uint64_t)bh_stacks) / STACK_SIZE;

	printk("FATAL: hypervisor exception %lu (error 0x%lx) on CPU %lu at RIP 0x%lx, RSP 0x%lx, CR2 0x%lx\n",
	       f->vector, f->error, cpu, f->rip, f->rsp, read_cr2());
	halt_forever();
}
