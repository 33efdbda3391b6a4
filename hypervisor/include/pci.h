/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PCI configuration space as cells see it. The root cell reaches the real
 * devices directly (ECAM) or through the hypervisor (ports 0xcf8/0xcfc,
 * always intercepted); the virtual devices (ivshmem) of any cell are
 * emulated. An inmate sees only its virtual devices: every other
 * function reads as absent.
 */
#ifndef BH_PCI_H
#define BH_PCI_H

#include <common/pci.h>
#include <hv.h>

struct cell;

/* What pci_cfg_read/write did. */
enum pci_cfg_result {
	PCI_CFG_DONE = 0,		/* emulated */
	PCI_CFG_HARDWARE,		/* root cell: do the access on the hardware */
};

/*
 * A config access of @size bytes (1, 2 or 4, naturally aligned) at @reg
 * of function @bdf (bus << 8 | device << 3 | function) by @cell.
 */
enum pci_cfg_result pci_cfg_read(struct cell *cell, uint16_t bdf,
				 unsigned int reg, unsigned int size,
				 uint32_t *value);
enum pci_cfg_result pci_cfg_write(struct cell *cell, uint16_t bdf,
				  unsigned int reg, unsigned int size,
				  uint32_t value);

/* Is @gpa an address the hypervisor emulates for @cell (ECAM, BARs)? */
int pci_mmio_claims(struct cell *cell, uint64_t gpa);
/* The access itself, as an mmio_handler_t with @ctx the cell. */
void pci_mmio_access(void *ctx, uint64_t gpa, int is_write, unsigned int size,
		     uint64_t *value);

/* Can a BAR of @cell's virtual device decode at the page @gpa? */
int pci_bar_page_allowed(const struct cell *cell, uint64_t gpa);

/* arch: is a real function present at @bdf (config reads not all ones)? */
int arch_pci_hw_present(uint16_t bdf);

#endif
