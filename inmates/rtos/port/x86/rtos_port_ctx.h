/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The x86-64 inmate port's part of a task (inmates/rtos/port/x86/): its
 * stack pointer while switched out (the callee-saved registers are on
 * that stack), and its FPU/SSE state for the tasks that use them.
 */
#ifndef RTOS_PORT_CTX_H
#define RTOS_PORT_CTX_H

#include <stdint.h>

struct rtos_port_ctx {
	uint64_t rsp;
	/*
	 * Set by the task's first FPU/SSE instruction (the #NM trap of
	 * CR0.TS): from then on its state is saved and restored with
	 * FXSAVE/FXRSTOR at each switch; other tasks pay nothing.
	 */
	uint32_t uses_fpu;
	uint8_t fxsave[512] __attribute__((aligned(16)));
};

#endif
