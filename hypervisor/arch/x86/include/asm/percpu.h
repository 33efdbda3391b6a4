/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a CPU needs of x86: struct per_cpu_arch, the "arch" member of the
 * core's struct per_cpu (percpu.h). The backend's two hardware pages come
 * first, page aligned: SVM's VMCB and host save area, or VMX's VMCS and
 * VMXON region (one image runs either, never both: asm/vcpu.h).
 */
#ifndef BH_ASM_PERCPU_H
#define BH_ASM_PERCPU_H

#include <hv.h>
#include <asm/layout.h>
#include <asm/svm.h>
#include <asm/vmx.h>

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
	union {					/* page aligned: first */
		struct {
			struct vmcb vmcb;
			uint8_t host_save[PAGE_SIZE];
		};
		struct {
			uint8_t vmcs[PAGE_SIZE];
			uint8_t vmxon_region[PAGE_SIZE];
		};
	};
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
	int hw_on;			/* SVM/VMX on for this CPU (setup.c) */
	struct vmx_cpu vmx;		/* VMX only (vmx.c) */
} __attribute__((aligned(PAGE_SIZE)));

#endif
