/* SPDX-License-Identifier: GPL-2.0-only */
/* The host port's context (tests/unit/rtos_host_port.c): a ucontext. */
#ifndef RTOS_PORT_CTX_H
#define RTOS_PORT_CTX_H

#include <ucontext.h>

struct rtos_port_ctx {
	ucontext_t uc;
};

#endif
