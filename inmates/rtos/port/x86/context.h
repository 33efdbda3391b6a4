/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The x86-64 context switch (switch.S) and a new task's first frame
 * (context.c): shared by the inmate port and the host build that counts
 * their instructions (bench/rtos_icount.c).
 */
#ifndef RTOS_X86_CONTEXT_H
#define RTOS_X86_CONTEXT_H

#include <stdint.h>

void rtos_x86_switch(uint64_t *save_rsp, uint64_t load_rsp);
void rtos_x86_resume(uint64_t load_rsp) __attribute__((noreturn));
void rtos_x86_task_start(void);

#endif
