/* SPDX-License-Identifier: GPL-2.0-only */
/* The host port's extras for the tests (rtos_host_port.c). */
#ifndef RTOS_HOST_PORT_H
#define RTOS_HOST_PORT_H

#include <rtos/rtos.h>

extern const char *rtos_host_fatal;		/* what rtos_port_fatal() said */
extern struct rtos_task *rtos_host_fatal_task;
extern rtos_tick_t rtos_host_idle_limit;	/* the idle task stops there */
/* Tickless idle: the idle task jumps to the next timed event at once. */
extern int rtos_host_tickless;
extern unsigned int rtos_host_idle_sleeps;	/* jumps it made */
/* Forgets every task and object: the next test starts from nothing. */
void rtos_host_reset(void);

#endif
