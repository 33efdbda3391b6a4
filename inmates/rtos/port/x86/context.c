// SPDX-License-Identifier: GPL-2.0-only
/* A new task's first context for switch.S (context.h). */
#include <rtos/rtos.h>

#include "context.h"

/*
 * The frame rtos_x86_switch() pops: R15..R12, RBX, RBP, then the return
 * address. After its RET the stack must be 16-byte aligned (the ABI's
 * state before a CALL), so the frame sits 16 bytes below the top.
 */
void rtos_port_task_init(struct rtos_task *t)
{
	uint64_t *top = (uint64_t *)((uint8_t *)t->stack_low + t->stack_size);
	uint64_t *frame = top - 9;

	frame[0] = frame[1] = frame[2] = 0;		/* r15, r14, r13 */
	frame[3] = (uint64_t)t;				/* r12: the task */
	frame[4] = frame[5] = 0;			/* rbx, rbp */
	frame[6] = (uint64_t)rtos_x86_task_start;
	frame[7] = frame[8] = 0;
	t->ctx.rsp = (uint64_t)frame;
	t->ctx.uses_fpu = 0;
}
