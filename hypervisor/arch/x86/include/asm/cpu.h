/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Moving CPUs between cells. A CPU is only ever changed by itself: the
 * hypervisor posts a request in its per-CPU area and kicks it with an
 * NMI (intercepted), and the CPU carries the request out at its next
 * exit. Parked CPUs run a two-instruction guest (cli; hlt) until kicked.
 */
#ifndef BH_ASM_CPU_H
#define BH_ASM_CPU_H

#include <hv.h>

struct per_cpu;
struct cell;

enum cpu_req {
	CPU_REQ_NONE = 0,
	CPU_REQ_PARK,			/* stop: run the parking guest */
	CPU_REQ_START_CELL,		/* reset into its cell's entry */
	CPU_REQ_START_ROOT,		/* SIPI for the root cell, arg: vector */
	CPU_REQ_FLUSH_TLB,		/* nested page tables changed */
	CPU_REQ_ASK_SHUTDOWN,		/* raise BH_SHUTDOWN_VECTOR in the guest */
};

/* Posts @req to @target and waits until it took it. */
void cpu_request(struct per_cpu *target, enum cpu_req req, uint32_t arg);
/* NMI exit: a posted request, or an NMI for the guest. */
void cpu_handle_nmi(struct per_cpu *cpu);
/* Creates (and frees) the parking guest's page tables; 0 or -ENOMEM. */
int cpu_park_init(void);
void cpu_park_exit(void);

/* Taking a CPU over (setup.c): does this CPU have what we need? */
int arch_check_features(void);
void __attribute__((noreturn)) arch_cpu_activate(struct per_cpu *cpu);
/* Hypervisor virtual address to physical. */
uint64_t hv_virt_to_phys(const void *p);

#endif
