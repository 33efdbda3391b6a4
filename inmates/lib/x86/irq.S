/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Interrupt entry for inmates: vectors 32-255 share one stub that saves
 * the caller-saved registers (and RBX, used here) and calls
 * irq_dispatch(vector). Every vector has a stub: a CPU that came from
 * Linux may still deliver one of Linux's vectors once.
 */
#include "scratch_regs.h"

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
	push_scratch
	mov	80(%rsp), %rdi		/* the vector */
	call_aligned irq_dispatch
	pop_scratch
	add	$8, %rsp
	iretq
