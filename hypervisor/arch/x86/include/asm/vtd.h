/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Intel VT-d DMA remapping (vtd.c); arch_iommu_init()/arch_iommu_exit()
 * are its part of the core/arch boundary (arch.h).
 */
#ifndef BH_ASM_VTD_H
#define BH_ASM_VTD_H

#include <hv.h>

struct per_cpu;

/*
 * Reports the units' recorded DMA faults on the console and clears them.
 * From VM exits of root CPUs (@cpu): at most once per a million TSC
 * cycles, by one CPU at a time; @cpu NULL: now.
 */
void vtd_poll_faults(struct per_cpu *cpu);

/*
 * The entry a remappable MSI (@addr bit 4 set) of a root-cell device
 * names, as the unit would use it (checked: only root CPUs), and whether
 * its destination is an x2APIC ID. -ENOENT: none, or not present.
 */
/* An interrupt remapping entry's low quadword (VT-d spec 9.10) */
#define IRTE_P			(1ull << 0)
#define IRTE_LOGICAL		(1ull << 2)
#define IRTE_DLM(lo)		(((lo) >> 5) & 7)	/* delivery mode */
#define IRTE_POSTED		(1ull << 15)
#define IRTE_VECTOR(lo)		((uint32_t)((lo) >> 16) & 0xff)
/* The destination: 32-bit x2APIC ID (@x2apic, EIME) or 8-bit xAPIC ID in 47:40 */
#define IRTE_DEST(lo, x2apic)	((x2apic) ? (uint32_t)((lo) >> 32) : (uint32_t)((lo) >> 40) & 0xff)

/* Does the hypervisor run interrupt remapping for root Linux? */
int vtd_ir_on(void);
int vtd_ir_resolve(uint64_t addr, uint32_t data, uint64_t *irte, int *x2apic);

#endif
