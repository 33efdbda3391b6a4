/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Interrupt entry for inmates: vectors 32-255 share one stub that saves
 * the caller-saved registers (and RBX, used here) and calls
 * irq_dispatch(vector). Every vector has a stub: a CPU that came from
 * Linux may still deliver one of Linux's vectors once.
 */
	.text
	.balign 16
	.globl irq_stubs
irq_stubs:
	vector = 32
	.rept 224
	push	$vector
	jmp	irq_common
	.balign 16
	vector = vector + 1
	.endr

irq_common:
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
	mov	80(%rsp), %rdi		/* the vector */
	mov	%rsp, %rbx
	and	$~15, %rsp
	call	irq_dispatch
	mov	%rbx, %rsp
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
	add	$8, %rsp
	iretq
