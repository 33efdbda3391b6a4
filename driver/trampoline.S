/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The page where Linux and the hypervisor hand CPUs to each other
 * (protocol in include/bulkhead/image.h). The driver maps this page at
 * the same address in the hypervisor's boot page tables, so the code can
 * switch CR3 under its own feet. It must stay within one page. It reads
 * bh_trampoline_svm (main.c) only while on Linux's page tables.
 */
#include <linux/linkage.h>
#include <asm/msr-index.h>
#include <asm/nospec-branch.h>

/*
 * No unwinding through here: each entry switches stacks or page tables
 * (BH_NO_UNWIND: bh_kcompat.h).
 */
#include "bh_kcompat.h"

	.section .text.bh_trampoline, "ax"
	.balign 4096
SYM_CODE_START(bh_trampoline_start)

/*
 * int bh_trampoline_enter(unsigned int cpu, u64 hv_cr3, u64 hv_entry)
 */
SYM_INNER_LABEL(bh_trampoline_enter, SYM_L_GLOBAL)
	BH_NO_UNWIND
	endbr64
	push	%rbx
	push	%rbp
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	pushfq
	mov	%rsp, %r12		/* Linux stack: flags, then the 6 regs */
	mov	%cr3, %r13		/* Linux page tables */
	mov	%rdi, %r14
	mov	%rdx, %r15

	/* SVME is needed for CLGI; CLGI holds NMIs until the first VMRUN. */
	cmpl	$0, bh_trampoline_svm(%rip)
	je	1f
	mov	$MSR_EFER, %ecx
	rdmsr
	or	$EFER_SVME, %eax
	wrmsr
	clgi
1:

	mov	%rsi, %cr3
	mov	%r14, %rdi
	mov	%r12, %rsi
	mov	%r13, %rdx
	/* Into the hypervisor's own page tables: no speculation to guard. */
	ANNOTATE_RETPOLINE_SAFE
	jmp	*%r15

/* The hypervisor failed on this CPU: RAX = -errno, R12/R13 as above. */
SYM_INNER_LABEL(bh_trampoline_fail, SYM_L_GLOBAL)
	/* Reached by an indirect jump (the image header holds its address). */
	BH_NO_UNWIND
	endbr64
	mov	%r13, %cr3
	mov	%r12, %rsp
	mov	%rax, %r14
	cmpl	$0, bh_trampoline_svm(%rip)
	je	1f
	stgi
	mov	$MSR_EFER, %ecx
	rdmsr
	and	$~EFER_SVME, %eax
	wrmsr
1:
	mov	%r14, %rax
	popfq
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbp
	pop	%rbx
	RET

/*
 * bh_trampoline_leave(cr3, frame, efer): disable. @frame holds the GPRs
 * (RAX first ... R15) and then an IRETQ frame.
 */
SYM_INNER_LABEL(bh_trampoline_leave, SYM_L_GLOBAL)
	BH_NO_UNWIND
	endbr64				/* as bh_trampoline_fail */
	mov	%rdi, %cr3
	/* Flush every TLB entry (global ones and all PCIDs): toggle PGE. */
	mov	%cr4, %rax
	xor	$0x80, %rax
	mov	%rax, %cr4
	xor	$0x80, %rax
	mov	%rax, %cr4
	mov	%rsi, %rsp
	cmpl	$0, bh_trampoline_svm(%rip)
	je	1f
	stgi
1:
	mov	%rdx, %rax
	shr	$32, %rdx
	mov	$MSR_EFER, %ecx
	wrmsr
	pop	%rax
	pop	%rbx
	pop	%rcx
	pop	%rdx
	pop	%rsi
	pop	%rdi
	pop	%rbp
	pop	%r8
	pop	%r9
	pop	%r10
	pop	%r11
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	iretq

SYM_INNER_LABEL(bh_trampoline_end, SYM_L_GLOBAL)
SYM_CODE_END(bh_trampoline_start)
