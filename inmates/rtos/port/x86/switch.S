/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Context switch of the x86-64 inmate port. A switch is a function call
 * (the core's rtos_port_switch(), always with interrupts masked): only
 * the callee-saved registers must survive it, and they go on the old
 * task's stack. A task preempted by an interrupt switches from inside
 * the handler, so its other registers are in the interrupt frame that
 * irq.S pushed on the same stack, and it leaves by that iretq when it
 * runs again.
 */
	.text

/* rtos_x86_switch(uint64_t *save_rsp, uint64_t load_rsp) */
	.globl rtos_x86_switch
rtos_x86_switch:
	push	%rbp
	push	%rbx
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	%rsp, (%rdi)
	mov	%rsi, %rsp
	jmp	1f

/* rtos_x86_resume(uint64_t load_rsp): the first switch, from boot. */
	.globl rtos_x86_resume
rtos_x86_resume:
	mov	%rdi, %rsp
1:	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	ret

/*
 * A new task's first "return" (port.c builds the frame): R12 holds the
 * task; the stack is 16-byte aligned here, as the call needs.
 */
	.globl rtos_x86_task_start
rtos_x86_task_start:
	mov	%r12, %rdi
	call	rtos_task_entry
	ud2

	.section .note.GNU-stack, "", @progbits
