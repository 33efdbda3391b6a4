/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * For assembler entry points that call C from an interrupt or exception
 * (irq.S, the RTOS's nm.S): the registers a C call may clobber, plus RBX,
 * which the entry uses to keep the unaligned stack pointer. Ten pushes:
 * whatever the CPU pushed begins at 80(%rsp) after push_scratch.
 */
#ifndef BH_INMATE_SCRATCH_REGS_H
#define BH_INMATE_SCRATCH_REGS_H

.macro push_scratch
	push	%rbx
	push	%rax
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%r8
	push	%r9
	push	%r10
	push	%r11
.endm

.macro pop_scratch
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rax
	pop	%rbx
.endm

/* Calls @fn with RSP 16-byte aligned, as the ABI wants, and restores RSP. */
.macro call_aligned fn
	mov	%rsp, %rbx
	and	$~15, %rsp
	call	\fn
	mov	%rbx, %rsp
.endm

#endif
