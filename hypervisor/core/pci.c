// SPDX-License-Identifier: GPL-2.0-only
/*
 * PCI configuration space of cells (see pci.h): the one place that says
 * which config accesses are emulated and which reach the hardware.
 */
#include <arch.h>
#include <bulkhead/config.h>
#include <cell.h>
#include <ivshmem.h>
#include <mmio.h>
#include <pci.h>
#include <setup.h>

#define ECAM_FUNCTION_SHIFT	12	/* 4 KiB of config space per function */

static uint32_t pci_size_mask(unsigned int size)
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
		*value = pci_size_mask(size);	/* no function here */
		return PCI_CFG_DONE;
	}
	*value = reg < PCI_CFG_SPACE_SIZE ?
		 (ivshmem_cfg_read(dev, reg & ~3u) >> shift) & pci_size_mask(size) : 0;
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
				  pci_size_mask(size) << shift);
	return PCI_CFG_DONE;
}

static uint64_t pci_ecam_size(void)
{
	const struct bh_platform *p = &system_config->platform;

	return ((uint64_t)p->pci_mmconfig_end_bus + 1) * (256u << ECAM_FUNCTION_SHIFT);
}

static int pci_ecam_bdf(uint64_t gpa, uint16_t *bdf)
{
	const struct bh_platform *p = &system_config->platform;
	uint64_t end;

	if (!p->pci_mmconfig_base)
		return 0;
	end = p->pci_mmconfig_base + pci_ecam_size();
	if (gpa < p->pci_mmconfig_base || gpa >= end)
		return 0;
	*bdf = (uint16_t)((gpa - p->pci_mmconfig_base) >> ECAM_FUNCTION_SHIFT);
	return 1;
}

/* An access to a cell's emulated ECAM (an mmio_handler_t, @ctx the cell). */
static void pci_ecam_access(struct per_cpu *cpu, void *ctx, uint64_t gpa,
			    int is_write, unsigned int size, uint64_t *value)
{
	struct cell *cell = ctx;
	unsigned int reg = gpa & ((1u << ECAM_FUNCTION_SHIFT) - 1);
	uint32_t v;
	uint16_t bdf;

	(void)cpu;
	if (!pci_ecam_bdf(gpa, &bdf)) {
		if (!is_write)
			*value = ~0ull;
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
		v = pci_size_mask(size);
	*value = v;
}

int pci_cell_init(struct cell *cell)
{
	const struct bh_platform *p = &system_config->platform;

	if (cell == &root_cell || !p->pci_mmconfig_base)
		return 0;
	return mmio_region_register(cell, p->pci_mmconfig_base, pci_ecam_size(),
				    pci_ecam_access, cell);
}

static uint64_t pci_ecam_page(uint16_t bdf)
{
	return system_config->platform.pci_mmconfig_base +
	       ((uint64_t)bdf << ECAM_FUNCTION_SHIFT);
}

int pci_trap_function(struct cell *cell, uint16_t bdf)
{
	uint64_t page = pci_ecam_page(bdf);
	int err;

	if (!system_config->platform.pci_mmconfig_base)
		return 0;
	err = arch_trap_page(cell, page, 1);
	return err ?: mmio_region_register(cell, page, 1u << ECAM_FUNCTION_SHIFT,
					   pci_ecam_access, cell);
}

void pci_untrap_function(struct cell *cell, uint16_t bdf)
{
	if (!system_config->platform.pci_mmconfig_base)
		return;
	mmio_region_unregister(cell, pci_ecam_page(bdf));
	arch_trap_page(cell, pci_ecam_page(bdf), 0);
}

/*
 * A virtual BAR decodes only where nothing else can be: not where the
 * architecture keeps pages to itself (the local APIC and its interrupt
 * window on x86), not inside ECAM, and not in the cell's RAM. In the root
 * cell, the page must lie in a device-memory region (its MMIO hole),
 * which arch_trap_page() then makes exit.
 */
int pci_bar_page_allowed(const struct cell *cell, uint64_t gpa)
{
	const struct bh_memory_region *mem = bh_cell_mem_regions(cell->desc);
	uint16_t bdf;
	unsigned int i;

	if (gpa == 0 || pci_ecam_bdf(gpa, &bdf) || arch_gpa_reserved(gpa))
		return 0;
	for (i = 0; i < cell->desc->num_memory_regions; i++)
		if (gpa >= mem[i].virt_start && gpa - mem[i].virt_start < mem[i].size)
			return (mem[i].flags & BH_MEM_IO) != 0;
	return cell != &root_cell;
}
