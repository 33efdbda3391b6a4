/* SPDX-License-Identifier: GPL-2.0-only */
/* The #NM entry of the x86-64 inmate port (port.c hands out the FPU). */
	.text

/*
 * #NM (device not available, vector 7): a task ran an FPU/SSE instruction
 * with CR0.TS set. port.c gives it an FPU state; the instruction is then
 * run again. No error code on the stack.
 */
	.globl rtos_x86_nm_entry
rtos_x86_nm_entry:
	push	%rax
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	push	%rbx
	mov	%rsp, %rbx
	and	$~15, %rsp
	call	rtos_x86_fpu_trap
	mov	%rbx, %rsp
	pop	%rbx
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rax
	iretq
