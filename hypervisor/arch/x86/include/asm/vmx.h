/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Intel VMX: VMCS field encodings, control bits, exit reasons and the
 * capability MSRs (Intel SDM vol. 3, appendices A-C), and the per-CPU
 * state vmx.c keeps beside the VMCS.
 */
#ifndef BH_ASM_VMX_H
#define BH_ASM_VMX_H

#include <hv.h>

/* ---- capability MSRs ---- */
#define MSR_VMX_BASIC			0x480
#define MSR_VMX_PINBASED		0x481
#define MSR_VMX_PROCBASED		0x482
#define MSR_VMX_EXIT			0x483
#define MSR_VMX_ENTRY			0x484
#define MSR_VMX_MISC			0x485
#define MSR_VMX_CR0_FIXED0		0x486
#define MSR_VMX_CR0_FIXED1		0x487
#define MSR_VMX_CR4_FIXED0		0x488
#define MSR_VMX_CR4_FIXED1		0x489
#define MSR_VMX_PROCBASED2		0x48b
#define MSR_VMX_EPT_VPID_CAP		0x48c
#define MSR_VMX_TRUE_PINBASED		0x48d
#define MSR_VMX_TRUE_PROCBASED		0x48e
#define MSR_VMX_TRUE_EXIT		0x48f
#define MSR_VMX_TRUE_ENTRY		0x490

#define VMX_BASIC_TRUE_CTLS		(1ull << 55)

#define EPT_CAP_WALK_4			(1ull << 6)
#define EPT_CAP_WB			(1ull << 14)
#define EPT_CAP_2M			(1ull << 16)
#define EPT_CAP_INVEPT			(1ull << 20)
#define EPT_CAP_INVEPT_ALL		(1ull << 26)
#define VPID_CAP_INVVPID		(1ull << 32)
#define VPID_CAP_INVVPID_ALL		(1ull << 42)

/* EPTP: write-back tables, 4-level walk */
#define EPTP_WB_4LEVEL			(6ull | (3ull << 3))

#define CR4_VMXE			(1ull << 13)
#define X86_CR0_PE			(1ull << 0)
#define X86_CR0_NE			(1ull << 5)

/* ---- VMCS fields ---- */
#define VMCS_VPID			0x0000
#define VMCS_GUEST_ES_SEL		0x0800	/* ES, CS, SS, DS, FS, GS, LDTR, TR: +2 each */
#define VMCS_HOST_ES_SEL		0x0c00
#define VMCS_HOST_CS_SEL		0x0c02
#define VMCS_HOST_SS_SEL		0x0c04
#define VMCS_HOST_DS_SEL		0x0c06
#define VMCS_HOST_FS_SEL		0x0c08
#define VMCS_HOST_GS_SEL		0x0c0a
#define VMCS_HOST_TR_SEL		0x0c0c

#define VMCS_IO_BITMAP_A		0x2000
#define VMCS_IO_BITMAP_B		0x2002
#define VMCS_MSR_BITMAP			0x2004
#define VMCS_EPT_POINTER		0x201a
#define VMCS_GUEST_PHYS_ADDR		0x2400
#define VMCS_LINK_POINTER		0x2800
#define VMCS_GUEST_DEBUGCTL		0x2802
#define VMCS_GUEST_PAT			0x2804
#define VMCS_GUEST_EFER			0x2806
#define VMCS_HOST_PAT			0x2c00
#define VMCS_HOST_EFER			0x2c02

#define VMCS_PIN_CTLS			0x4000
#define VMCS_PROC_CTLS			0x4002
#define VMCS_EXCEPTION_BITMAP		0x4004
#define VMCS_CR3_TARGET_COUNT		0x400a
#define VMCS_EXIT_CTLS			0x400c
#define VMCS_EXIT_MSR_STORE_COUNT	0x400e
#define VMCS_EXIT_MSR_LOAD_COUNT	0x4010
#define VMCS_ENTRY_CTLS			0x4012
#define VMCS_ENTRY_MSR_LOAD_COUNT	0x4014
#define VMCS_ENTRY_INTR_INFO		0x4016
#define VMCS_ENTRY_EXCEPTION_ERROR	0x4018
#define VMCS_ENTRY_INSN_LEN		0x401a
#define VMCS_PROC_CTLS2			0x401e
#define VMCS_INSN_ERROR			0x4400
#define VMCS_EXIT_REASON		0x4402
#define VMCS_EXIT_INTR_INFO		0x4404
#define VMCS_EXIT_INSN_LEN		0x440c
#define VMCS_GUEST_ES_LIMIT		0x4800	/* ES ... TR: +2 each */
#define VMCS_GUEST_GDTR_LIMIT		0x4810
#define VMCS_GUEST_IDTR_LIMIT		0x4812
#define VMCS_GUEST_ES_AR		0x4814	/* ES ... TR: +2 each */
#define VMCS_GUEST_INTERRUPTIBILITY	0x4824
#define VMCS_GUEST_ACTIVITY		0x4826
#define VMCS_GUEST_SYSENTER_CS		0x482a
#define VMCS_HOST_SYSENTER_CS		0x4c00

#define VMCS_CR0_MASK			0x6000
#define VMCS_CR4_MASK			0x6002
#define VMCS_CR0_SHADOW			0x6004
#define VMCS_CR4_SHADOW			0x6006
#define VMCS_EXIT_QUALIFICATION		0x6400
#define VMCS_GUEST_CR0			0x6800
#define VMCS_GUEST_CR3			0x6802
#define VMCS_GUEST_CR4			0x6804
#define VMCS_GUEST_ES_BASE		0x6806	/* ES ... TR: +2 each */
#define VMCS_GUEST_GDTR_BASE		0x6816
#define VMCS_GUEST_IDTR_BASE		0x6818
#define VMCS_GUEST_DR7			0x681a
#define VMCS_GUEST_RSP			0x681c
#define VMCS_GUEST_RIP			0x681e
#define VMCS_GUEST_RFLAGS		0x6820
#define VMCS_GUEST_PENDING_DBG		0x6822
#define VMCS_GUEST_SYSENTER_ESP		0x6824
#define VMCS_GUEST_SYSENTER_EIP		0x6826
#define VMCS_HOST_CR0			0x6c00
#define VMCS_HOST_CR3			0x6c02
#define VMCS_HOST_CR4			0x6c04
#define VMCS_HOST_FS_BASE		0x6c06
#define VMCS_HOST_GS_BASE		0x6c08
#define VMCS_HOST_TR_BASE		0x6c0a
#define VMCS_HOST_GDTR_BASE		0x6c0c
#define VMCS_HOST_IDTR_BASE		0x6c0e
#define VMCS_HOST_SYSENTER_ESP		0x6c10
#define VMCS_HOST_SYSENTER_EIP		0x6c12
#define VMCS_HOST_RSP			0x6c14
#define VMCS_HOST_RIP			0x6c16

/* The segment registers in VMCS order. */
enum vmx_seg { VMX_ES, VMX_CS, VMX_SS, VMX_DS, VMX_FS, VMX_GS, VMX_LDTR, VMX_TR };

/* Segment access rights: SVM's attrib with AVL/L/D/G moved to 15:12. */
#define VMX_AR_UNUSABLE			(1u << 16)

/* ---- controls ---- */
#define PIN_EXT_INTR_EXIT		(1u << 0)
#define PIN_NMI_EXIT			(1u << 3)
#define PIN_VIRTUAL_NMIS		(1u << 5)

#define PROC_INTR_WINDOW_EXIT		(1u << 2)
#define PROC_CR3_LOAD_EXIT		(1u << 15)
#define PROC_CR3_STORE_EXIT		(1u << 16)
#define PROC_NMI_WINDOW_EXIT		(1u << 22)
#define PROC_IO_BITMAPS			(1u << 25)
#define PROC_MSR_BITMAPS		(1u << 28)
#define PROC_SECONDARY			(1u << 31)

#define PROC2_EPT			(1u << 1)
#define PROC2_RDTSCP			(1u << 3)
#define PROC2_VPID			(1u << 5)
#define PROC2_UNRESTRICTED		(1u << 7)
#define PROC2_INVPCID			(1u << 12)
#define PROC2_XSAVES			(1u << 20)

#define EXIT_SAVE_DEBUG			(1u << 2)
#define EXIT_HOST_64BIT			(1u << 9)
#define EXIT_SAVE_PAT			(1u << 18)
#define EXIT_LOAD_PAT			(1u << 19)
#define EXIT_SAVE_EFER			(1u << 20)
#define EXIT_LOAD_EFER			(1u << 21)

#define ENTRY_LOAD_DEBUG		(1u << 2)
#define ENTRY_IA32E_GUEST		(1u << 9)
#define ENTRY_LOAD_PAT			(1u << 14)
#define ENTRY_LOAD_EFER			(1u << 15)

/* Event injection (VM-entry interruption information) */
#define INTR_INFO_VALID			(1u << 31)
#define INTR_INFO_ERROR_CODE		(1u << 11)
#define INTR_TYPE_EXTERNAL		(0u << 8)
#define INTR_TYPE_NMI			(2u << 8)
#define INTR_TYPE_EXCEPTION		(3u << 8)

/* Guest interruptibility */
#define INTERRUPTIBILITY_STI		(1u << 0)
#define INTERRUPTIBILITY_MOV_SS		(1u << 1)
#define INTERRUPTIBILITY_NMI		(1u << 3)

/* ---- exit reasons ---- */
#define VMX_EXIT_EXCEPTION_NMI		0
#define VMX_EXIT_EXTERNAL_INTR		1
#define VMX_EXIT_TRIPLE_FAULT		2
#define VMX_EXIT_INIT			3
#define VMX_EXIT_SIPI			4
#define VMX_EXIT_INTR_WINDOW		7
#define VMX_EXIT_NMI_WINDOW		8
#define VMX_EXIT_CPUID			10
#define VMX_EXIT_GETSEC			11
#define VMX_EXIT_INVD			13
#define VMX_EXIT_VMCALL			18
#define VMX_EXIT_VMCLEAR		19	/* through 27: VMX instructions */
#define VMX_EXIT_VMXON			27
#define VMX_EXIT_CR_ACCESS		28
#define VMX_EXIT_IO			30
#define VMX_EXIT_RDMSR			31
#define VMX_EXIT_WRMSR			32
#define VMX_EXIT_INVALID_STATE		33
#define VMX_EXIT_MSR_LOADING		34
#define VMX_EXIT_MCE_ENTRY		41
#define VMX_EXIT_EPT_VIOLATION		48
#define VMX_EXIT_EPT_MISCONFIG		49
#define VMX_EXIT_INVEPT			50
#define VMX_EXIT_INVVPID		53
#define VMX_EXIT_XSETBV			55
#define VMX_EXIT_ENTRY_FAILED		(1u << 31)

/* Exit qualification bits */
#define IO_QUAL_SIZE_MASK		7u
#define IO_QUAL_IN			(1u << 3)
#define IO_QUAL_STRING			(1u << 4)
#define IO_QUAL_PORT_SHIFT		16
#define EPT_QUAL_WRITE			(1u << 1)
#define EPT_QUAL_FETCH			(1u << 2)
#define CR_QUAL_NUM_MASK		0xfu
#define CR_QUAL_TYPE_SHIFT		4
#define CR_QUAL_TYPE_MOV_TO		0
#define CR_QUAL_REG_SHIFT		8

/* What vmx.c keeps per CPU beside the VMCS. */
struct vmx_cpu {
	int launched;			/* VMLAUNCH done: VMRESUME from now on */
	int nmi_pending;		/* for the guest, waiting for its window */
	uint8_t irq_pending;		/* vector waiting for the window, or 0 */
	uint32_t window_exits;		/* PROC_*_WINDOW_EXIT set in the VMCS */
	uint64_t linux_tr_base;		/* host TR: Linux's own TSS */
	uint16_t linux_tr_sel;
};

#endif
