/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Linux a CPU is taken from (setup.c), as both backends need it: the
 * state the driver's trampoline left on Linux's stack, and segments
 * read from Linux's GDT.
 */
#ifndef BH_ASM_LINUX_H
#define BH_ASM_LINUX_H

#include <hv.h>

struct per_cpu;

/* A segment as a descriptor describes it. */
struct x86_seg {
	uint16_t selector;
	/* type, S, DPL, P in bits 7:0; AVL, L, D/B, G in 11:8 (SVM's layout) */
	uint16_t attrib;
	uint32_t limit;
	uint64_t base;
};

#define SEG_ATTRIB_S		(1u << 4)	/* code or data, not system */
#define SEG_ATTRIB_L		(1u << 9)	/* 64-bit code */

/* Where Linux resumes: as if the trampoline had returned 0. */
struct linux_resume {
	uint64_t rip, rsp, rflags;
};

/*
 * Reads what the trampoline saved at @linux_rsp: fills @out and the
 * callee-saved registers in cpu->arch.regs (the others zero).
 */
int linux_resume_state(struct per_cpu *cpu, uint64_t linux_rsp,
		       struct linux_resume *out);
/*
 * The segment @selector of Linux's GDT (a null selector gives an
 * unusable segment: attrib 0). System descriptors (TSS, LDT) are 16
 * bytes in long mode: their base is read whole.
 */
int linux_segment(struct per_cpu *cpu, uint16_t selector, struct x86_seg *seg);

/*
 * Back to Linux: its page tables @cr3, EFER @efer, and the registers in
 * cpu->arch.frame (the caller filled it and restored everything else).
 */
void __attribute__((noreturn)) linux_return(struct per_cpu *cpu, uint64_t cr3,
					    uint64_t efer);

#endif
