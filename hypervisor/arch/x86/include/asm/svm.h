/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VMCB (AMD APM vol. 2, appendix B) and the SVM constants we use.
 * Only the fields Bulkhead touches are named; the asserts pin the offsets.
 */
#ifndef BH_ASM_SVM_H
#define BH_ASM_SVM_H

#include <stdint.h>

struct vmcb_seg {
	uint16_t selector;
	uint16_t attrib;
	uint32_t limit;
	uint64_t base;
} __attribute__((packed));

struct vmcb {
	/* control area */
	uint32_t cr_intercepts;		/* 0x000 */
	uint32_t dr_intercepts;		/* 0x004 */
	uint32_t exception_intercepts;	/* 0x008 */
	uint32_t intercepts1;		/* 0x00c */
	uint32_t intercepts2;		/* 0x010 */
	uint8_t reserved0[0x040 - 0x014];
	uint64_t iopm_base_pa;		/* 0x040 */
	uint64_t msrpm_base_pa;		/* 0x048 */
	uint64_t tsc_offset;		/* 0x050 */
	uint32_t asid;			/* 0x058 */
	uint8_t tlb_control;		/* 0x05c */
	uint8_t reserved1[3];
	uint64_t vintr;			/* 0x060 */
	uint64_t interrupt_shadow;	/* 0x068 */
	uint64_t exitcode;		/* 0x070 */
	uint64_t exitinfo1;		/* 0x078 */
	uint64_t exitinfo2;		/* 0x080 */
	uint64_t exitintinfo;		/* 0x088 */
	uint64_t np_enable;		/* 0x090 */
	uint8_t reserved2[0x0a8 - 0x098];
	uint64_t eventinj;		/* 0x0a8 */
	uint64_t n_cr3;			/* 0x0b0 */
	uint64_t lbr_virt;		/* 0x0b8 */
	uint32_t clean_bits;		/* 0x0c0 */
	uint32_t reserved3;
	uint64_t next_rip;		/* 0x0c8 */
	uint8_t reserved4[0x400 - 0x0d0];

	/* state save area */
	struct vmcb_seg es, cs, ss, ds, fs, gs;	/* 0x400 */
	struct vmcb_seg gdtr, ldtr, idtr, tr;	/* 0x460 */
	uint8_t reserved5[0x4cb - 0x4a0];
	uint8_t cpl;				/* 0x4cb */
	uint32_t reserved6;
	uint64_t efer;				/* 0x4d0 */
	uint8_t reserved7[0x548 - 0x4d8];
	uint64_t cr4;				/* 0x548 */
	uint64_t cr3;				/* 0x550 */
	uint64_t cr0;				/* 0x558 */
	uint64_t dr7;				/* 0x560 */
	uint64_t dr6;				/* 0x568 */
	uint64_t rflags;			/* 0x570 */
	uint64_t rip;				/* 0x578 */
	uint8_t reserved8[0x5d8 - 0x580];
	uint64_t rsp;				/* 0x5d8 */
	uint8_t reserved9[0x5f8 - 0x5e0];
	uint64_t rax;				/* 0x5f8 */
	uint64_t star, lstar, cstar, sfmask;	/* 0x600 */
	uint64_t kernel_gs_base;		/* 0x620 */
	uint64_t sysenter_cs, sysenter_esp, sysenter_eip; /* 0x628 */
	uint64_t cr2;				/* 0x640 */
	uint8_t reserved10[0x668 - 0x648];
	uint64_t g_pat;				/* 0x668 */
	uint8_t reserved11[0x1000 - 0x670];
} __attribute__((packed, aligned(4096)));

_Static_assert(__builtin_offsetof(struct vmcb, exitcode) == 0x70, "exitcode");
_Static_assert(__builtin_offsetof(struct vmcb, eventinj) == 0xa8, "eventinj");
_Static_assert(__builtin_offsetof(struct vmcb, next_rip) == 0xc8, "next_rip");
_Static_assert(__builtin_offsetof(struct vmcb, es) == 0x400, "es");
_Static_assert(__builtin_offsetof(struct vmcb, tr) == 0x490, "tr");
_Static_assert(__builtin_offsetof(struct vmcb, efer) == 0x4d0, "efer");
_Static_assert(__builtin_offsetof(struct vmcb, cr4) == 0x548, "cr4");
_Static_assert(__builtin_offsetof(struct vmcb, rip) == 0x578, "rip");
_Static_assert(__builtin_offsetof(struct vmcb, rsp) == 0x5d8, "rsp");
_Static_assert(__builtin_offsetof(struct vmcb, rax) == 0x5f8, "rax");
_Static_assert(__builtin_offsetof(struct vmcb, cr2) == 0x640, "cr2");
_Static_assert(__builtin_offsetof(struct vmcb, g_pat) == 0x668, "g_pat");
_Static_assert(sizeof(struct vmcb) == 4096, "vmcb size");

/* intercepts1 (VMCB 0x00c) */
#define SVM_INTERCEPT_NMI		(1u << 1)
#define SVM_INTERCEPT_INIT		(1u << 3)
#define SVM_INTERCEPT_CPUID		(1u << 18)
#define SVM_INTERCEPT_IOIO		(1u << 27)
#define SVM_INTERCEPT_MSR		(1u << 28)
#define SVM_INTERCEPT_SHUTDOWN		(1u << 31)
/* intercepts2 (VMCB 0x010) */
#define SVM_INTERCEPT_VMRUN		(1u << 0)
#define SVM_INTERCEPT_VMMCALL		(1u << 1)
#define SVM_INTERCEPT_VMLOAD		(1u << 2)
#define SVM_INTERCEPT_VMSAVE		(1u << 3)
#define SVM_INTERCEPT_STGI		(1u << 4)
#define SVM_INTERCEPT_CLGI		(1u << 5)
#define SVM_INTERCEPT_SKINIT		(1u << 6)

/* exit codes */
#define SVM_EXIT_EXCP_BASE		0x40
#define SVM_EXIT_NMI			0x61
#define SVM_EXIT_INIT			0x63
#define SVM_EXIT_CPUID			0x72
#define SVM_EXIT_IOIO			0x7b
#define SVM_EXIT_MSR			0x7c
#define SVM_EXIT_SHUTDOWN		0x7f
#define SVM_EXIT_VMRUN			0x80
#define SVM_EXIT_VMMCALL		0x81
#define SVM_EXIT_VMLOAD			0x82
#define SVM_EXIT_VMSAVE			0x83
#define SVM_EXIT_STGI			0x84
#define SVM_EXIT_CLGI			0x85
#define SVM_EXIT_SKINIT			0x86
#define SVM_EXIT_NPF			0x400
#define SVM_EXIT_INVALID		((uint64_t)-1)

/* IOIO exitinfo1 */
#define SVM_IOIO_IN			(1u << 0)
#define SVM_IOIO_STR			(1u << 2)
#define SVM_IOIO_REP			(1u << 3)
#define SVM_IOIO_SIZE_SHIFT		4
#define SVM_IOIO_SIZE_MASK		(7u << SVM_IOIO_SIZE_SHIFT)
#define SVM_IOIO_PORT_SHIFT		16

/* NPF exitinfo1 (a page fault error code) */
#define NPF_PRESENT			(1u << 0)
#define NPF_WRITE			(1u << 1)
#define NPF_FETCH			(1u << 4)

/* EVENTINJ */
#define EVENTINJ_VALID			(1ull << 31)
#define EVENTINJ_TYPE_EXCEPTION		(3ull << 8)
#define EVENTINJ_ERROR_VALID		(1ull << 11)

/* VINTR (VMCB 0x060): a virtual interrupt the guest takes when IF=1 */
#define VINTR_IRQ			(1ull << 8)
#define VINTR_PRIO_SHIFT		16
#define VINTR_IGN_TPR			(1ull << 20)
#define VINTR_VECTOR_SHIFT		32

#define NP_ENABLE			1
#define TLB_CONTROL_FLUSH_ALL		1

#define IOPM_SIZE			(3 * 4096)
#define MSRPM_SIZE			(2 * 4096)

static inline void clgi(void)
{
	asm volatile("clgi" ::: "memory");
}

#endif
