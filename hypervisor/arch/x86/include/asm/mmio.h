/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Emulating the guest instruction behind a nested page fault: decode it
 * (asm/decode.h), carry out the access through a handler, write a load's
 * result into the guest register the way the CPU would, advance RIP.
 */
#ifndef BH_ASM_MMIO_H
#define BH_ASM_MMIO_H

#include <hv.h>

struct per_cpu;

/*
 * One access of @size bytes (1, 2, 4 or 8) at @gpa: a store passes
 * *@value in, a load returns it there.
 */
typedef void (*mmio_handler_t)(void *ctx, uint64_t gpa, int is_write,
			       unsigned int size, uint64_t *value);

/* 0: emulated and RIP advanced; -EINVAL: an instruction we do not model. */
int mmio_emulate(struct per_cpu *cpu, uint64_t gpa, mmio_handler_t handler,
		 void *ctx);

/* The value a store of @cpu's decoded instruction would write. */
uint64_t mmio_guest_reg(struct per_cpu *cpu, int reg);

#endif
