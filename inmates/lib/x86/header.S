/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An inmate's first instructions: the CPU starts here in real mode at
 * guest-physical 0 (CS base 0, IP 0), like a CPU after reset. We enter
 * protected mode, build page tables that map the first 4 GiB 1:1 with
 * 2 MiB pages (3-4 GiB uncached: the local APIC lives there), enable long mode, clear .bss and call inmate_main() on our
 * own stack. When main returns, the hypervisor is told the inmate is done.
 * inmate_vmx says which instruction calls the hypervisor (inmate.h).
 */
#define MSR_EFER	0xc0000080
#define EFER_LME	0x100
#define CR0_PE		0x1
#define CR0_PG		0x80000000
#define CR4_PAE		0x20
#define PTE_P_RW	0x3
#define PTE_PS		0x80
#define PTE_UC		0x18		/* PCD | PWT */

#include <bulkhead/hypercall.h>

	.section .boot, "ax"
	.code16
	.globl __reset_entry
__reset_entry:
	cli
	xor	%ax, %ax
	mov	%ax, %ds
	lgdtl	boot_gdt_ptr
	mov	%cr0, %eax
	or	$CR0_PE, %eax
	mov	%eax, %cr0
	ljmpl	$0x08, $start32

	.code32
start32:
	mov	$0x10, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss

	/* The cell's memory may hold anything: zero the PML4 and the PDPT. */
	mov	$boot_pml4, %edi
	mov	$(2 * 4096 / 4), %ecx
	xor	%eax, %eax
	rep stosl

	/* PML4[0] -> PDPT, PDPT[i] -> PD i, PD entry n = n * 2 MiB (4 GiB) */
	mov	$boot_pml4, %edi
	lea	PTE_P_RW + boot_pdpt, %eax
	mov	%eax, (%edi)
	mov	$boot_pdpt, %edi
	lea	PTE_P_RW + boot_pd, %eax
	xor	%ecx, %ecx
0:	mov	%eax, (%edi,%ecx,8)
	add	$4096, %eax
	inc	%ecx
	cmp	$4, %ecx
	jne	0b
	mov	$boot_pd, %edi
	xor	%ecx, %ecx
1:	mov	%ecx, %eax
	shl	$21, %eax
	or	$(PTE_P_RW | PTE_PS), %eax
	cmp	$1536, %ecx		/* 3 GiB and up: uncached */
	jb	2f
	or	$PTE_UC, %eax
2:	mov	%eax, (%edi,%ecx,8)
	mov	%ecx, %eax
	shr	$11, %eax		/* bits 32+ of n * 2 MiB */
	mov	%eax, 4(%edi,%ecx,8)
	inc	%ecx
	cmp	$2048, %ecx
	jne	1b

	mov	%cr4, %eax
	or	$CR4_PAE, %eax
	mov	%eax, %cr4
	mov	$boot_pml4, %eax
	mov	%eax, %cr3
	mov	$MSR_EFER, %ecx
	rdmsr
	or	$EFER_LME, %eax
	wrmsr
	mov	%cr0, %eax
	or	$CR0_PG, %eax
	mov	%eax, %cr0
	ljmp	$0x18, $start64

	.code64
start64:
	mov	$0x10, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	mov	$stack_top, %rsp

	/* .bss is not in the image: clear it */
	mov	$__bss_start, %rdi
	mov	$__bss_end, %rcx
	sub	%rdi, %rcx
	xor	%eax, %eax
	rep stosb

	/* Intel ("GenuineIntel") calls the hypervisor with VMCALL, AMD with VMMCALL. */
	xor	%eax, %eax
	cpuid
	cmp	$0x756e6547, %ebx	/* "Genu" */
	jne	5f
	cmp	$0x6c65746e, %ecx	/* "ntel" */
	jne	5f
	movl	$1, inmate_vmx
5:
	call	inmate_main
	mov	%rax, %rsi		/* code: main's return value */
	mov	$BH_REPORT_DONE, %edi
	test	%rax, %rax
	jz	4f
	mov	$BH_REPORT_FAILED, %edi
4:	mov	$BH_HC_CELL_REPORT, %eax
	cmpl	$0, inmate_vmx
	je	6f
	vmcall
	jmp	3f
6:	vmmcall
3:	cli
	hlt
	jmp	3b

	.balign 8
boot_gdt:
	.quad	0
	.quad	0x00cf9b000000ffff	/* 0x08: 32-bit code */
	.quad	0x00cf93000000ffff	/* 0x10: data */
	.quad	0x00af9b000000ffff	/* 0x18: 64-bit code */
boot_gdt_ptr:
	.word	boot_gdt_ptr - boot_gdt - 1
	.long	boot_gdt

	.data
	.balign 4
	.globl inmate_vmx
inmate_vmx:
	.long	0

	/* Outside .bss: in use while .bss is cleared. */
	.section .bootdata, "aw", @nobits
	.balign 4096
boot_pml4:
	.fill	4096, 1, 0
boot_pdpt:
	.fill	4096, 1, 0
boot_pd:
	.fill	4 * 4096, 1, 0
	.balign 16
stack:
	.fill	16384, 1, 0
stack_top:
