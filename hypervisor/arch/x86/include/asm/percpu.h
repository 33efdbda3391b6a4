/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a CPU needs of x86 and SVM: struct per_cpu_arch, the "arch" member
 * of the core's struct per_cpu (percpu.h). The VMCB and the host save
 * area come first: page-aligned hardware structures.
 */
#ifndef BH_ASM_PERCPU_H
#define BH_ASM_PERCPU_H

#include <hv.h>
#include <asm/layout.h>
#include <asm/svm.h>

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

struct per_cpu_arch {
	struct vmcb vmcb;			/* page aligned: first */
	uint8_t host_save[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
	struct guest_regs regs;
	struct native_frame frame;
	uint32_t apic_id, apic_ldr;	/* physical ID, logical (flat) ID */
	uint32_t icr_hi;		/* the cell's last write to ICR high */
	int wait_for_sipi;		/* root CPU after an emulated INIT */
	volatile int request;		/* enum cpu_req (asm/cpu.h), posted by others */
	uint32_t request_arg;
	uint64_t linux_cr3;
	uint64_t linux_gdt_base, linux_idt_base;	/* as found at entry */
	uint16_t linux_gdt_limit, linux_idt_limit;
	uint64_t linux_rsp;		/* at entry: where bh_entry left it */
	uint64_t linux_pat, linux_tsc_aux;	/* asm/msr.h: restored on return */
} __attribute__((aligned(PAGE_SIZE)));

#endif
