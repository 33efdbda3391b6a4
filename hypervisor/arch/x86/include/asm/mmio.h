/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Emulating the guest instruction behind a nested page fault: decode it
 * (asm/decode.h), carry out the access through a handler, write a load's
 * result into the guest register the way the CPU would, advance RIP.
 */
#ifndef BH_ASM_MMIO_H
#define BH_ASM_MMIO_H

#include <hv.h>
#include <mmio.h>

struct per_cpu;

/*
 * The access at @gpa, in @region (core mmio.h), through its handler.
 * 0: emulated and RIP advanced; -EINVAL: an instruction we do not model.
 */
int mmio_emulate(struct per_cpu *cpu, uint64_t gpa, const struct mmio_region *region);

/* General register @reg (as instructions number them) of @cpu's guest. */
uint64_t mmio_guest_reg(struct per_cpu *cpu, int reg);
void mmio_set_guest_reg(struct per_cpu *cpu, int reg, uint64_t value);

#endif
