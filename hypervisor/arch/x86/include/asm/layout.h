/* SPDX-License-Identifier: GPL-2.0-only */
/* Constants shared by the hypervisor's C and assembly code. */
#ifndef BH_ASM_LAYOUT_H
#define BH_ASM_LAYOUT_H

/* Below Linux's module area, where the driver's trampoline lives. */
#define HV_LINK_BASE		0xffffffff80000000
#define PAGE_SIZE		4096
#define STACK_SIZE		16384
#define MAX_CPUS		64	/* BH_MAX_CPUS */
/* The local APIC's EOI register (asm/apic.h: APIC_BASE + APIC_REG_EOI) */
#define APIC_EOI_PHYS		0xfee000b0

/* VMCS field of the host's RSP (asm/vmx.h: VMCS_HOST_RSP) */
#define VMCS_HOST_RSP_FIELD	0x6c14

/* struct bh_image_header fields the entry code reads */
#define HDR_PHYS_BASE		40
#define HDR_BOOT_PT_OFFSET	80
#define HDR_TRAMPOLINE_FAIL	104

/* struct guest_regs, in the order entry.S saves them */
#define REGS_RAX	0
#define REGS_RBX	8
#define REGS_RCX	16
#define REGS_RDX	24
#define REGS_RSI	32
#define REGS_RDI	40
#define REGS_RBP	48
#define REGS_R8		56
#define REGS_R9		64
#define REGS_R10	72
#define REGS_R11	80
#define REGS_R12	88
#define REGS_R13	96
#define REGS_R14	104
#define REGS_R15	112
#define REGS_SIZE	120

/* struct native_frame: GPRs popped, then an iretq frame */
#define FRAME_SIZE	(REGS_SIZE + 5 * 8)

#endif
