/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Intel VT-d DMA remapping (vtd.c); arch_iommu_init()/arch_iommu_exit()
 * are its part of the core/arch boundary (arch.h).
 */
#ifndef BH_ASM_VTD_H
#define BH_ASM_VTD_H

struct per_cpu;

/*
 * Reports the units' recorded DMA faults on the console and clears them.
 * From VM exits of root CPUs (@cpu): at most once per a million TSC
 * cycles, by one CPU at a time; @cpu NULL: now.
 */
void vtd_poll_faults(struct per_cpu *cpu);

#endif
