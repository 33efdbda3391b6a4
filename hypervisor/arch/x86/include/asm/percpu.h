/* SPDX-License-Identifier: GPL-2.0-only */
/* Per-CPU state of the hypervisor (x86, SVM). */
#ifndef BH_ASM_PERCPU_H
#define BH_ASM_PERCPU_H

#include <hv.h>
#include <asm/layout.h>
#include <asm/svm.h>
#include <bulkhead/hypercall.h>
#include <report.h>

/* The guest GPRs that the VMCB does not hold (RAX is slot 0, unused). */
struct guest_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
};
_Static_assert(sizeof(struct guest_regs) == REGS_SIZE, "guest_regs layout");
_Static_assert(__builtin_offsetof(struct guest_regs, r15) == REGS_R15, "r15");

/* What bh_native_return pops: GPRs, then an iretq frame. */
struct native_frame {
	struct guest_regs regs;
	uint64_t rip, cs, rflags, rsp, ss;
};
_Static_assert(sizeof(struct native_frame) == FRAME_SIZE, "native_frame layout");

enum cpu_state {
	CPU_NATIVE = 0,
	CPU_RUNNING,
	CPU_FAILED,
};

struct per_cpu {
	struct vmcb vmcb;			/* page aligned: first */
	uint8_t host_save[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
	struct guest_regs regs;
	struct native_frame frame;
	unsigned int cpu_id;
	int online;			/* entered at enable */
	uint32_t apic_id, apic_ldr;	/* physical ID, logical (flat) ID */
	uint32_t icr_hi;		/* the cell's last write to ICR high */
	int parked;			/* running the parking guest */
	int wait_for_sipi;		/* root CPU after an emulated INIT */
	volatile int request;		/* enum cpu_req, posted by others */
	uint32_t request_arg;
	enum cpu_state state;
	uint64_t linux_cr3;
	uint64_t linux_gdt_base, linux_idt_base;	/* as found at entry */
	uint16_t linux_gdt_limit, linux_idt_limit;
	uint64_t linux_rsp;		/* at entry: where bh_entry left it */
	uint64_t linux_pat, linux_tsc_aux;	/* asm/msr.h: restored on return */
	uint64_t exits_total;
	uint64_t exits[BH_EXIT_REASONS];	/* by bulkhead/hypercall.h kind */
	uint64_t violations;
	struct report_limit reports;	/* this CPU's violation reports */
	struct cell *cell;
} __attribute__((aligned(PAGE_SIZE)));

extern struct per_cpu per_cpu_area[];

static inline struct per_cpu *per_cpu_of_regs(struct guest_regs *regs)
{
	return (struct per_cpu *)((uint8_t *)regs -
				  __builtin_offsetof(struct per_cpu, regs));
}

#endif
