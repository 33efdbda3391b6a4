/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-CPU state. The core owns struct per_cpu; what the architecture
 * needs (the VMCB, the guest's registers, APIC IDs) lives in its "arch"
 * member, struct per_cpu_arch from <asm/percpu.h>, which core code never
 * looks into.
 */
#ifndef BH_PERCPU_H
#define BH_PERCPU_H

#include <hv.h>
#include <asm/percpu.h>
#include <bulkhead/hypercall.h>
#include <report.h>

struct cell;

enum cpu_state {
	CPU_NATIVE = 0,
	CPU_RUNNING,
	CPU_FAILED,
};

struct per_cpu {
	struct per_cpu_arch arch;	/* first: page-aligned hardware state */
	unsigned int cpu_id;
	int online;			/* entered at enable */
	int parked;			/* stopped by the hypervisor, in no guest code */
	enum cpu_state state;
	struct cell *cell;
	uint64_t exits_total;
	uint64_t exits[BH_EXIT_REASONS];	/* by bulkhead/hypercall.h kind */
	uint64_t exit_cycles;		/* TSC cycles the exit handler took, all exits */
	uint64_t violations;
	struct report_limit reports;	/* this CPU's violation reports */
	/* console output of its cell, a line at a time (control.c) */
	char console_line[128];
	unsigned int console_len;
};

extern struct per_cpu per_cpu_area[];

/* The CPUs that entered at enable, a bit per CPU ID (set by the arch). */
extern uint64_t cpus_online;

/*
 * Visits the CPU IDs in @set, lowest first. Paths taken on every
 * interrupt look at the few CPUs that can matter, not at all
 * BH_MAX_CPUS: each struct per_cpu spans pages, and under QEMU's TCG
 * every page touched after an exit costs a page walk (docs/hypervisor.md).
 */
#define for_each_cpu(i, set)						\
	for (uint64_t __left = (set);					\
	     __left && ((i) = (unsigned int)__builtin_ctzll(__left), 1);	\
	     __left &= __left - 1)

#endif
