/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hypervisor's own vectors. It runs with GIF clear, so nothing
 * interrupts it but its own faults and what it lets in on purpose: the
 * NMI still pending after an NMI exit (STGI; CLGI takes it, the NMI
 * vector just returns), and, when a CPU changes cells, the interrupts
 * the old cell left in the APIC (vectors 32-255 acknowledge them with an
 * EOI and return; apic.c). Each stub is 16 bytes: the IDT is built from
 * traps_stubs + 16 * vector.
 */
#include <asm/layout.h>

	.text
	.balign 16
	.globl traps_stubs
traps_stubs:
	vector = 0
	.rept 256
	.if vector >= 32
	push	$vector
	jmp	traps_irq
	.else
	.if vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || vector == 21 || vector == 29 || vector == 30
	.else
	push	$0			/* no error code from the CPU */
	.endif
	push	$vector
	jmp	traps_common
	.endif
	.balign 16
	vector = vector + 1
	.endr

traps_irq:
	push	%rax
	mov	$APIC_EOI_PHYS, %eax	/* zero-extended: no sign trouble */
	movl	$0, (%rax)
	pop	%rax
	add	$8, %rsp		/* the vector */
	iretq

traps_common:
	cmpq	$2, (%rsp)
	jne	1f
	add	$16, %rsp		/* NMI: taken, nothing else to do */
	iretq
1:
	mov	%rsp, %rdi		/* vector, error code, then the CPU's frame */
	and	$~15, %rsp
	call	traps_fatal
2:
	cli
	hlt
	jmp	2b
