/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Ways into and out of the hypervisor (bulkhead/image.h has the protocol
 * with the driver's trampoline, which switches the page tables).
 */
#include <asm/layout.h>

/* The guest's GPRs but RAX from / to struct guest_regs at %rax. */
.macro load_guest_regs
	mov	REGS_RBX(%rax), %rbx
	mov	REGS_RCX(%rax), %rcx
	mov	REGS_RDX(%rax), %rdx
	mov	REGS_RSI(%rax), %rsi
	mov	REGS_RDI(%rax), %rdi
	mov	REGS_RBP(%rax), %rbp
	mov	REGS_R8(%rax), %r8
	mov	REGS_R9(%rax), %r9
	mov	REGS_R10(%rax), %r10
	mov	REGS_R11(%rax), %r11
	mov	REGS_R12(%rax), %r12
	mov	REGS_R13(%rax), %r13
	mov	REGS_R14(%rax), %r14
	mov	REGS_R15(%rax), %r15
.endm

.macro save_guest_regs
	mov	%rbx, REGS_RBX(%rax)
	mov	%rcx, REGS_RCX(%rax)
	mov	%rdx, REGS_RDX(%rax)
	mov	%rsi, REGS_RSI(%rax)
	mov	%rdi, REGS_RDI(%rax)
	mov	%rbp, REGS_RBP(%rax)
	mov	%r8, REGS_R8(%rax)
	mov	%r9, REGS_R9(%rax)
	mov	%r10, REGS_R10(%rax)
	mov	%r11, REGS_R11(%rax)
	mov	%r12, REGS_R12(%rax)
	mov	%r13, REGS_R13(%rax)
	mov	%r14, REGS_R14(%rax)
	mov	%r15, REGS_R15(%rax)
.endm

	.text

/*
 * bh_entry: reached from the driver's trampoline on the hypervisor's
 * page tables, RDI = CPU, RSI = Linux RSP, RDX = Linux CR3; the stack is
 * still Linux's (not mapped here): switch first. R12/R13 belong to the
 * trampoline; C code preserves them.
 */
	.globl bh_entry
bh_entry:
	mov	$-22, %rax		/* -EINVAL: no stack for this CPU */
	cmp	$MAX_CPUS, %rdi
	jae	2f
	movabs	$bh_stacks, %rsp
	lea	1(%rdi), %rax
	shl	$14, %rax		/* STACK_SIZE */
	add	%rax, %rsp
	call	arch_entry
2:
	/* This CPU failed: RAX = -errno; the trampoline goes back to Linux. */
	movabs	$bh_header, %rcx
	jmp	*HDR_TRAMPOLINE_FAIL(%rcx)

/*
 * svm_run(regs, vmcb_pa): runs the guest forever, calling
 * svm_handle_exit(regs) after every #VMEXIT. VMRUN saves and #VMEXIT
 * restores our RSP and RAX; everything else is the guest's on exit.
 */
	.globl svm_run
svm_run:
	push	%rdi			/* 16(%rsp): regs */
	push	%rsi			/* 8(%rsp): VMCB */
	push	$0			/* keeps calls 16-byte aligned */
1:
	mov	16(%rsp), %rax
	load_guest_regs
	mov	8(%rsp), %rax
	vmrun	%rax

	push	%rax
	mov	24(%rsp), %rax
	save_guest_regs
	pop	%rax
	mov	16(%rsp), %rdi
	call	svm_handle_exit
	jmp	1b

/*
 * vmx_run(regs, launched): runs the guest forever on VMX. The host RSP
 * in the VMCS is this frame: 16(%rsp) regs, 8(%rsp) &launched, 16-byte
 * aligned. The first entry is a VMLAUNCH, every later one a VMRESUME
 * (vmx_handle_exit sets *launched). An exit lands at vmx_exit_entry with
 * the guest's GPRs live (RSP and RIP are in the VMCS).
 */
	.globl vmx_run
vmx_run:
	push	%rdi
	push	%rsi
	sub	$8, %rsp
	mov	$VMCS_HOST_RSP_FIELD, %rax
	vmwrite	%rsp, %rax
1:
	mov	8(%rsp), %rax
	cmpl	$0, (%rax)		/* flags survive the MOVs below */
	mov	16(%rsp), %rax
	load_guest_regs
	mov	REGS_RAX(%rax), %rax
	jne	2f
	vmlaunch
	jmp	3f
2:	vmresume
3:
	/* Not entered: VMfail. The host RSP is still this frame. */
	mov	16(%rsp), %rdi
	call	vmx_entry_failed
	jmp	1b

	.globl vmx_exit_entry
vmx_exit_entry:
	push	%rax
	mov	24(%rsp), %rax
	save_guest_regs
	popq	REGS_RAX(%rax)
	mov	16(%rsp), %rdi
	call	vmx_handle_exit
	jmp	1b
