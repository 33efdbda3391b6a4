/* SPDX-License-Identifier: GPL-2.0-only */
/* Hypercalls from cells (bulkhead/hypercall.h). */
#ifndef BH_CONTROL_H
#define BH_CONTROL_H

#include <hv.h>

struct per_cpu;

/* Returns the result for RAX; BH_HC_DISABLE does not return on success. */
/* What @cpu's cell printed and has not ended with a newline, now. */
void control_console_flush(struct per_cpu *cpu);
int64_t hypercall(struct per_cpu *cpu, uint64_t code, uint64_t arg1,
		  uint64_t arg2);

#endif
