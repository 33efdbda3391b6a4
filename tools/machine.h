/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What Linux shows of the machine's memory, for `hardware check` and
 * `config create` (tools/machine.c).
 */
#ifndef BULKHEAD_TOOLS_MACHINE_H
#define BULKHEAD_TOOLS_MACHINE_H

#include <stdint.h>

struct mem_range {
	uint64_t start, end;	/* end exclusive */
};

/* The memmap=SIZE$START reservations on /proc/cmdline, in order: how many. */
int machine_reservations(struct mem_range *r, int max);

/* Top-level "System RAM" of /proc/iomem: how many; -1 if unreadable or hidden (not root). */
int machine_system_ram(struct mem_range *r, int max);

#endif
