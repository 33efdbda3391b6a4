/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What cells may do with MSRs (docs/hypervisor.md, "MSRs", has the table).
 * The root cell runs Linux on its own CPUs: it reaches almost every MSR
 * directly, only those that would undo virtualization exit. An inmate
 * reaches directly only the per-CPU state an OS sets for itself (segment
 * bases, syscall entry points, TSC_AUX); PAT lives in its guest state,
 * MTRRs and DEBUGCTL are virtual, the rest is refused with #GP.
 */
#ifndef BH_ASM_MSR_H
#define BH_ASM_MSR_H

#include <hv.h>

struct per_cpu;
struct cell;

#define MSR_ACCESS_READ		1u
#define MSR_ACCESS_WRITE	2u

/* Which accesses of @cell to @msr must exit (MSR_ACCESS_* bits). */
unsigned int msr_intercepted(const struct cell *cell, uint32_t msr);

/*
 * An RDMSR or WRMSR of @cpu's cell that exited: 0 (a read's result in
 * *@value), or -EPERM: the guest gets #GP.
 */
int msr_read(struct per_cpu *cpu, uint32_t msr, uint64_t *value);
int msr_write(struct per_cpu *cpu, uint32_t msr, uint64_t value);

/* The MSRs a cell CPU may change directly, back to Linux's on return. */
void msr_save_linux(struct per_cpu *cpu);
void msr_restore_linux(const struct per_cpu *cpu);
/* Before an inmate starts on this CPU: nothing of Linux's visible. */
void msr_reset_for_inmate(void);

#endif
