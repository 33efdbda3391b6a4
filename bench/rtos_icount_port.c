// SPDX-License-Identifier: GPL-2.0-only
/*
 * A host port of the RTOS core for counting instructions (rtos_icount.c):
 * the inmate port's own context switch (inmates/rtos/port/x86/switch.S
 * and context.c) in a user process. What it leaves out of the inmate
 * port: interrupt masking (PUSHF/POP/CLI, STI: a few instructions per
 * masked section) and the FPU check at each switch (two loads and two
 * branches for tasks without FPU state). rtos_start() returns after
 * rtos_stop().
 */
#include <stdio.h>
#include <stdlib.h>

#include <rtos/rtos.h>

#include "../inmates/rtos/core/internal.h"
#include "../inmates/rtos/port/x86/context.h"

static uint64_t boot_rsp;

unsigned long rtos_port_irq_save(void)
{
	return 0;
}

void rtos_port_irq_restore(unsigned long flags)
{
	(void)flags;
}

void rtos_port_irq_enable(void)
{
}

void rtos_port_switch(struct rtos_task *from, struct rtos_task *to)
{
	rtos_x86_switch(&from->ctx.rsp, to->ctx.rsp);
}

void rtos_port_start(struct rtos_task *to)
{
	rtos_x86_switch(&boot_rsp, to->ctx.rsp);
}

void rtos_port_stop(void)
{
	rtos_x86_switch(&rtos_current()->ctx.rsp, boot_rsp);
}

/* Nothing timed left: the end; else one tick per turn. */
void rtos_port_idle(void)
{
	if (rtos_next_wake() == RTOS_FOREVER)
		rtos_stop();
	else
		rtos_tick();
}

void rtos_port_fatal(struct rtos_task *t, const char *what)
{
	fprintf(stderr, "rtos_icount: task %s: %s\n", t ? t->name : "?", what);
	exit(1);
}
