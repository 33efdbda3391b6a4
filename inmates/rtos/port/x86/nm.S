/* SPDX-License-Identifier: GPL-2.0-only */
/* The #NM entry of the x86-64 inmate port (port.c hands out the FPU). */
#include "../../../lib/x86/scratch_regs.h"

	.text

/*
 * #NM (device not available, vector 7): a task ran an FPU/SSE instruction
 * with CR0.TS set. port.c gives it an FPU state; the instruction is then
 * run again. No error code on the stack.
 */
	.globl rtos_x86_nm_entry
rtos_x86_nm_entry:
	push_scratch
	call_aligned rtos_x86_fpu_trap
	pop_scratch
	iretq
