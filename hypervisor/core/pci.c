// SPDX-License-Identifier: GPL-2.0-only
/*
 * PCI configuration space of cells (see pci.h): the one place that says
 * which config accesses are emulated and which reach the hardware.
 */
#include <bulkhead/config.h>
#include <cell.h>
#include <ivshmem.h>
#include <pci.h>
#include <setup.h>

#define ECAM_FUNCTION_SHIFT	12	/* 4 KiB of config space per function */

static uint32_t size_mask(unsigned int size)
{
	return size >= 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

enum pci_cfg_result pci_cfg_read(struct cell *cell, uint16_t bdf,
				 unsigned int reg, unsigned int size,
				 uint32_t *value)
{
	struct ivshmem_dev *dev = ivshmem_find(cell, bdf);
	unsigned int shift = (reg & 3) * 8;

	if (!dev) {
		if (cell == &root_cell)
			return PCI_CFG_HARDWARE;
		*value = size_mask(size);	/* no function here */
		return PCI_CFG_DONE;
	}
	*value = reg < PCI_CFG_SPACE_SIZE ?
		 (ivshmem_cfg_read(dev, reg & ~3u) >> shift) & size_mask(size) : 0;
	return PCI_CFG_DONE;
}

enum pci_cfg_result pci_cfg_write(struct cell *cell, uint16_t bdf,
				  unsigned int reg, unsigned int size,
				  uint32_t value)
{
	struct ivshmem_dev *dev = ivshmem_find(cell, bdf);
	unsigned int shift = (reg & 3) * 8;

	if (!dev)
		return cell == &root_cell ? PCI_CFG_HARDWARE : PCI_CFG_DONE;
	if (reg < PCI_CFG_SPACE_SIZE)
		ivshmem_cfg_write(dev, reg & ~3u, value << shift,
				  size_mask(size) << shift);
	return PCI_CFG_DONE;
}

static int ecam_bdf(uint64_t gpa, uint16_t *bdf)
{
	const struct bh_platform *p = &system_config->platform;
	uint64_t end;

	if (!p->pci_mmconfig_base)
		return 0;
	end = p->pci_mmconfig_base +
	      ((uint64_t)p->pci_mmconfig_end_bus + 1) * (256u << ECAM_FUNCTION_SHIFT);
	if (gpa < p->pci_mmconfig_base || gpa >= end)
		return 0;
	*bdf = (uint16_t)((gpa - p->pci_mmconfig_base) >> ECAM_FUNCTION_SHIFT);
	return 1;
}

/*
 * The root cell's ECAM is mapped but for its virtual functions' pages;
 * an inmate has no ECAM mapping at all, so all of it is emulated.
 */
int pci_mmio_claims(struct cell *cell, uint64_t gpa)
{
	uint16_t bdf;

	if (ecam_bdf(gpa, &bdf))
		return cell != &root_cell || ivshmem_find(cell, bdf);
	return ivshmem_mmio_claims(cell, gpa);
}

void pci_mmio_access(void *ctx, uint64_t gpa, int is_write, unsigned int size,
		     uint64_t *value)
{
	struct cell *cell = ctx;
	unsigned int reg = gpa & ((1u << ECAM_FUNCTION_SHIFT) - 1);
	uint32_t v;
	uint16_t bdf;

	if (!ecam_bdf(gpa, &bdf)) {
		ivshmem_mmio_access(cell, gpa, is_write, size, value);
		return;
	}
	/* Config space is accessed in naturally aligned 1, 2 or 4 bytes. */
	if (size > 4 || (reg & (size - 1))) {
		if (!is_write)
			*value = ~0ull;
		return;
	}
	if (is_write) {
		pci_cfg_write(cell, bdf, reg, size, (uint32_t)*value);
		return;
	}
	/* Only the root reaches hardware, and its real pages never fault. */
	if (pci_cfg_read(cell, bdf, reg, size, &v) != PCI_CFG_DONE)
		v = size_mask(size);
	*value = v;
}

/* The 1 MiB around the local APIC, where CPU stores become MSIs. */
#define INTERRUPT_WINDOW_MASK	(~0xfffffull)

/*
 * A virtual BAR decodes only where nothing else can be: not in the
 * interrupt window around the local APIC, not inside ECAM, and not in
 * the cell's RAM. In the root
 * cell, the page must lie in a device-memory region (its MMIO hole),
 * which arch_trap_page() then makes exit.
 */
int pci_bar_page_allowed(const struct cell *cell, uint64_t gpa)
{
	const struct bh_memory_region *mem = bh_cell_mem_regions(cell->desc);
	uint16_t bdf;
	unsigned int i;

	if (gpa == 0 || ecam_bdf(gpa, &bdf) ||
	    (gpa & INTERRUPT_WINDOW_MASK) ==
	    (system_config->platform.apic_base & INTERRUPT_WINDOW_MASK))
		return 0;
	for (i = 0; i < cell->desc->num_memory_regions; i++)
		if (gpa >= mem[i].virt_start && gpa - mem[i].virt_start < mem[i].size)
			return (mem[i].flags & BH_MEM_IO) != 0;
	return cell != &root_cell;
}
