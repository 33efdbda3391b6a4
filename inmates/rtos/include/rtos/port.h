/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * What the RTOS core needs from a port. The port defines struct
 * rtos_port_ctx in <rtos_port_ctx.h> (found on its include path) and
 * implements these; the core calls them with interrupts masked.
 */
#ifndef RTOS_PORT_H
#define RTOS_PORT_H

#include <rtos_port_ctx.h>

struct rtos_task;

/* Masks interrupts (nesting); returns what rtos_port_irq_restore() takes. */
unsigned long rtos_port_irq_save(void);
void rtos_port_irq_restore(unsigned long flags);
/* Unmasks them: a new task's first instruction runs with them on. */
void rtos_port_irq_enable(void);
/* Prepares @t to start in rtos_task_entry(@t) on its own stack. */
void rtos_port_task_init(struct rtos_task *t);
/* Saves the running context in @from and continues @to. */
void rtos_port_switch(struct rtos_task *from, struct rtos_task *to);
/* First switch: to @to, from the boot context (which is never resumed but on the host). */
void rtos_port_start(struct rtos_task *to);
/* Back to the boot context (the host port's rtos_stop()). */
void rtos_port_stop(void);
/* The idle task's body: wait for an interrupt (the host: advance time). */
void rtos_port_idle(void);
/* A task's stack canary was overwritten: never returns. */
void rtos_port_fatal(struct rtos_task *t, const char *what) __attribute__((noreturn));

/* The core's: where rtos_port_task_init() makes a task begin. */
void rtos_task_entry(struct rtos_task *t) __attribute__((noreturn));

#endif
