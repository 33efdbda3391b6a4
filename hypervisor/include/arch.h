/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The core/arch boundary: everything the core asks of the architecture,
 * and nothing else (arch/x86 implements it for SVM today). A second
 * backend implements these hooks and fills struct per_cpu_arch and
 * struct arch_cell (<asm/percpu.h>, <asm/cell.h>); the core does not
 * change for it. CPU sets are bit masks of CPU IDs (bit N: CPU N).
 */
#ifndef BH_ARCH_H
#define BH_ARCH_H

#include <hv.h>

struct cell;
struct per_cpu;

/* ---- enable and disable (setup.c) ---- */

/* Prepares the calling CPU to run its cell (the root) as a guest. */
int arch_cpu_init(struct per_cpu *cpu);
/* The calling root CPU leaves the hypervisor, back to native Linux. */
void __attribute__((noreturn)) arch_cpu_leave(struct per_cpu *cpu);

/* ---- device DMA: the IOMMU units of the system config ---- */

/*
 * After the root cell exists, at enable: takes the units over and turns
 * DMA remapping on (root-cell devices reach root-cell DMA memory only),
 * their registers out of the root cell. 0 (also with no unit), or an
 * error with a console line; on an error nothing stays changed.
 */
int arch_iommu_init(void);
/* Gives the units back as Linux had them: at disable, or a failed enable. */
void arch_iommu_exit(void);
/*
 * PCI function @bdf's DMA goes through inmate @cell's DMA regions only
 * (at its guest-physical addresses); release: back to the root cell's.
 * -ENODEV without an IOMMU the hypervisor owns.
 */
int arch_iommu_assign(const struct cell *cell, uint16_t bdf);
/* CPUs changed cells: interrupts routed to CPUs are checked again. */
void arch_iommu_cpus_changed(void);
void arch_iommu_release(const struct cell *cell, uint16_t bdf);
/*
 * MSI @slot (one per passed-through function, below 16) of function @bdf
 * of @cell, as its owner programmed it (@addr, @data). 0: the function
 * is to send the message in @hw_addr and @hw_data instead, which reaches
 * only the CPU of @cell its owner named, and only from @bdf. Otherwise an
 * error, and @why says it: -ENODEV without interrupt remapping, -EPERM
 * for a message that may not be sent. Unroute: the message of the slot reaches nothing.
 */
int arch_pci_msi_route(const struct cell *cell, uint16_t bdf, unsigned int slot,
		       uint64_t addr, uint32_t data, uint64_t *hw_addr, uint32_t *hw_data,
		       const char **why);
void arch_pci_msi_unroute(unsigned int slot);

/* ---- a cell's memory and devices ---- */

/* Paging structures and permission maps of @cell from its config. */
int arch_cell_init(struct cell *cell);
void arch_cell_exit(struct cell *cell);
/* Maps (@map 1) or unmaps @cell's loadable regions into the root cell. */
int arch_map_loadable(struct cell *cell, int map);
/*
 * Makes the page @gpa of @cell exit on every access (@trap 1), or maps it
 * back as the cell's config says (@trap 0). 0, or -EPERM where the page
 * is the cell's RAM.
 */
int arch_trap_page(struct cell *cell, uint64_t gpa, int trap);
/*
 * [@gpa, +@size) (pages of one RAM region of @cell's config) becomes
 * read-only for @cell: a write exits as a violation. Called before the
 * cell's CPUs use these tables (at create, or at enable for the root).
 */
int arch_write_protect(struct cell *cell, uint64_t gpa, uint64_t size);
/* Is @gpa in what the architecture keeps to itself in every cell? */
int arch_gpa_reserved(uint64_t gpa);
/* Is a real PCI function at @bdf (config reads not all ones)? */
int arch_pci_hw_present(uint16_t bdf);
/* Real config space of @bdf, registers below 256, naturally aligned. */
uint32_t arch_pci_hw_read(uint16_t bdf, unsigned int reg, unsigned int size);
void arch_pci_hw_write(uint16_t bdf, unsigned int reg, unsigned int size, uint32_t value);
/*
 * [@phys, +@size), device memory of the root cell (if the root maps it at
 * all), leaves the root cell's nested page tables (@take 1: a BAR of a
 * function passed to an inmate) or comes back as the root config maps it
 * (@take 0). The caller flushes the root CPUs' TLBs after taking.
 */
int arch_root_take_mmio(uint64_t phys, uint64_t size, int take);

/* ---- CPUs: each is changed only by itself, on request ---- */

/* The CPUs in @set (never the caller) stop; parked when it returns. */
void arch_park_cpus(uint64_t set);
/* The CPUs in @set reset into their cell's entry and run it. */
void arch_start_cpus(uint64_t set);
/*
 * The CPUs in @set drop cached translations of their cell's memory before
 * they run guest code again; @caller, if in @set, at its next entry.
 */
void arch_flush_tlbs(struct per_cpu *caller, uint64_t set);
/*
 * Asks the running CPUs in @set to shut down their cell (an interrupt the
 * inmate answers) and waits up to a second. Returns the CPUs that did not
 * answer.
 */
uint64_t arch_ask_shutdown(uint64_t set);
/* The calling CPU stops running its cell's code (the cell failed it). */
void arch_park_self(struct per_cpu *cpu);

/* ---- interrupts ---- */

/*
 * Delivers the MSI (@addr, @data) to the running CPUs of @cell it names;
 * nothing reaches a CPU of another cell. Only fixed and lowest-priority
 * delivery with a vector >= 32. 0, -EINVAL for another kind of MSI,
 * -ENOENT when no running CPU of the cell matched.
 */
int arch_send_msi(const struct cell *cell, uint64_t addr, uint32_t data);

#endif
