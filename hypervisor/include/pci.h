/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PCI configuration space as cells see it. The root cell reaches the real
 * devices directly (ECAM) or through the hypervisor (ports 0xcf8/0xcfc,
 * always intercepted); the virtual devices (ivshmem) of any cell are
 * emulated. An inmate sees only its virtual devices and the real
 * functions passed to it: every other function reads as absent.
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

/*
 * ECAM for @cell: an inmate's whole window is emulated (it sees its
 * virtual functions only); the root cell's is its own but for the pages
 * pci_trap_function() takes. 0 or a negative errno.
 */
int pci_cell_init(struct cell *cell);
/* The root cell's ECAM page of virtual function @bdf exits, emulated. */
int pci_trap_function(struct cell *cell, uint16_t bdf);
/* ... and is the root cell's own again (the function is gone). */
void pci_untrap_function(struct cell *cell, uint16_t bdf);

/*
 * Real functions an inmate's config lists (BH_PCI_TYPE_DEVICE) leave the
 * root cell at create: config space reads all ones there, their memory
 * BARs leave its nested page tables, their DMA goes through the inmate's
 * DMA regions only (the IOMMU; refused without one). The inmate reads
 * their config space and writes the command and status registers.
 * Assign: how many functions it took (their BARs left the root cell: the
 * caller flushes the root CPUs' TLBs), or a negative errno with a console
 * line, nothing changed.
 * Release (at destroy, or for a partly created cell): all back.
 */
int pci_cell_assign(struct cell *cell);
void pci_cell_release(struct cell *cell);
/* The inmate a real function @bdf is passed to, or NULL (the root's). */
const struct cell *pci_owner(uint16_t bdf);

/* "bb:dd.f" for console lines: BDF_TEXT_SIZE bytes with the NUL. */
#define BDF_TEXT_SIZE	8
void pci_bdf_text(uint16_t bdf, char out[BDF_TEXT_SIZE]);

/* Can a BAR of @cell's virtual device decode at the page @gpa? */
int pci_bar_page_allowed(const struct cell *cell, uint64_t gpa);

#endif
