/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hypervisor's own exception vectors 0-31. The hypervisor runs with
 * GIF clear, so nothing interrupts it but its own faults and the NMIs it
 * lets in on purpose (after an NMI exit: STGI; CLGI takes the NMI that is
 * still pending, and the NMI vector just returns). Each stub is 16 bytes:
 * the IDT is built from traps_stubs + 16 * vector.
 */
#include <asm/layout.h>

	.text
	.balign 16
	.globl traps_stubs
traps_stubs:
	vector = 0
	.rept 32
	.if vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || vector == 21 || vector == 29 || vector == 30
	.else
	push	$0			/* no error code from the CPU */
	.endif
	push	$vector
	jmp	traps_common
	.balign 16
	vector = vector + 1
	.endr

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
