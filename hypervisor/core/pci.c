// SPDX-License-Identifier: GPL-2.0-only
/*
 * PCI configuration space of cells (see pci.h): the one place that says
 * which config accesses are emulated and which reach the hardware, and
 * which real functions are passed to inmates.
 */
#include <arch.h>
#include <bulkhead/config.h>
#include <cell.h>
#include <ivshmem.h>
#include <mmio.h>
#include <pci.h>
#include <setup.h>

#define ECAM_FUNCTION_SHIFT	12	/* 4 KiB of config space per function */
#define MAX_ASSIGNED		16	/* real functions passed to inmates */
#define DROP_REPORTS		4	/* dropped config writes reported per function */
#define BAR_PAGE		4096ull	/* nested paging maps BARs in whole pages */

/*
 * A real function passed to an inmate (BH_PCI_TYPE_DEVICE in its config)
 * from cell create to destroy: its memory BARs as they were then (the
 * inmate cannot move them, root Linux cannot reach them).
 */
struct pci_assigned {
	struct cell *cell;		/* NULL: slot free */
	uint16_t bdf;
	unsigned int drop_reports;
	struct {
		uint64_t addr, size;
	} bar[PCI_NUM_BARS];
};

static struct pci_assigned assigned[MAX_ASSIGNED];

static struct pci_assigned *pci_assignment(uint16_t bdf)
{
	unsigned int i;

	for (i = 0; i < MAX_ASSIGNED; i++)
		if (assigned[i].cell && assigned[i].bdf == bdf)
			return &assigned[i];
	return NULL;
}

const struct cell *pci_owner(uint16_t bdf)
{
	const struct pci_assigned *a = pci_assignment(bdf);

	return a ? a->cell : NULL;
}

void pci_bdf_text(uint16_t bdf, char out[BDF_TEXT_SIZE])
{
	static const char hex[] = "0123456789abcdef";

	out[0] = hex[bdf >> 12];
	out[1] = hex[(bdf >> 8) & 0xf];
	out[2] = ':';
	out[3] = hex[(bdf >> 7) & 1];
	out[4] = hex[(bdf >> 3) & 0xf];
	out[5] = '.';
	out[6] = hex[bdf & 7];
	out[7] = '\0';
}

static uint32_t pci_size_mask(unsigned int size)
{
	return size >= 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

/*
 * The owner of a passed-through function writes its command and status
 * registers (decode, bus mastering, INTx off; status bits to clear).
 * BARs stay where they were checked, and MSI/MSI-X stay off: without
 * interrupt remapping a device's MSI could name any CPU. The rest of the
 * header and the capabilities are dropped, the first few reported.
 */
static void pci_owner_write(struct pci_assigned *a, unsigned int reg, unsigned int size,
			    uint32_t value)
{
	if (reg >= PCI_COMMAND && reg + size <= PCI_STATUS + 2) {
		arch_pci_hw_write(a->bdf, reg, size, value);
		return;
	}
	if (a->drop_reports < DROP_REPORTS) {
		char bdf[BDF_TEXT_SIZE];

		a->drop_reports++;
		pci_bdf_text(a->bdf, bdf);
		printk("Cell \"%s\": config write of 0x%x to %s register 0x%x dropped (the cell may write the command and status registers only)\n",
		       a->cell->desc->name, value, bdf, reg);
	}
}

enum pci_cfg_result pci_cfg_read(struct cell *cell, uint16_t bdf,
				 unsigned int reg, unsigned int size,
				 uint32_t *value)
{
	struct ivshmem_dev *dev = ivshmem_find(cell, bdf);
	unsigned int shift = (reg & 3) * 8;
	struct pci_assigned *a = dev ? NULL : pci_assignment(bdf);

	if (a) {
		/* Its owner reads the real thing; everyone else, nothing. */
		*value = a->cell != cell ? pci_size_mask(size) :
			 reg < PCI_CFG_SPACE_SIZE ? arch_pci_hw_read(bdf, reg, size) : 0;
		return PCI_CFG_DONE;
	}
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
	struct pci_assigned *a = dev ? NULL : pci_assignment(bdf);

	if (a) {
		if (a->cell == cell)
			pci_owner_write(a, reg, size, value);
		return PCI_CFG_DONE;
	}
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

/*
 * BAR @i of @bdf as the firmware or Linux left it: address and size
 * (size 0: unused), sized the usual way with decoding off. Returns the
 * number of BAR registers it takes (2 for a 64-bit memory BAR).
 */
static unsigned int pci_hw_bar(uint16_t bdf, unsigned int i, uint64_t *addr,
			       uint64_t *size, int *is_io)
{
	unsigned int reg = PCI_BASE_ADDRESS_0 + 4 * i;
	uint32_t lo = arch_pci_hw_read(bdf, reg, 4), hi = 0, mask_lo, mask_hi = ~0u;
	int wide = !(lo & PCI_BAR_IO) && (lo & PCI_BAR_MEM_TYPE) == PCI_BAR_MEM_64 &&
		   i + 1 < PCI_NUM_BARS;
	uint64_t mask;

	arch_pci_hw_write(bdf, reg, 4, ~0u);
	mask_lo = arch_pci_hw_read(bdf, reg, 4);
	arch_pci_hw_write(bdf, reg, 4, lo);
	if (wide) {
		hi = arch_pci_hw_read(bdf, reg + 4, 4);
		arch_pci_hw_write(bdf, reg + 4, 4, ~0u);
		mask_hi = arch_pci_hw_read(bdf, reg + 4, 4);
		arch_pci_hw_write(bdf, reg + 4, 4, hi);
	}
	*is_io = lo & PCI_BAR_IO;
	if (*is_io) {
		*addr = lo & ~3u;
		mask = (mask_lo & ~3u) | 0xffff0000u;
		*size = mask_lo ? (uint32_t)(~mask + 1) : 0;
	} else {
		*addr = ((uint64_t)hi << 32 | lo) & ~0xfull;
		mask = ((uint64_t)mask_hi << 32 | mask_lo) & ~0xfull;
		*size = mask_lo ? ~mask + 1 : 0;
	}
	return wide ? 2 : 1;
}

/* Is [@addr, +@size) inside one device-memory region of @cell, mapped 1:1? */
static int pci_cell_maps_bar(const struct cell *cell, uint64_t addr, uint64_t size)
{
	const struct bh_memory_region *mem = bh_cell_mem_regions(cell->desc);
	unsigned int i;

	for (i = 0; i < cell->desc->num_memory_regions; i++)
		if ((mem[i].flags & BH_MEM_IO) && mem[i].virt_start == mem[i].phys_start &&
		    addr >= mem[i].phys_start && size <= mem[i].size &&
		    addr - mem[i].phys_start <= mem[i].size - size)
			return 1;
	return 0;
}

/* The BARs of @a's function, each checked against its new owner's config. */
static int pci_read_bars(struct pci_assigned *a)
{
	char bdf[BDF_TEXT_SIZE];
	unsigned int i, n;
	uint64_t addr, size;
	int is_io;

	pci_bdf_text(a->bdf, bdf);
	for (i = 0; i < PCI_NUM_BARS; i += n) {
		n = pci_hw_bar(a->bdf, i, &addr, &size, &is_io);
		if (!size)
			continue;
		if (is_io) {
			printk("Cell \"%s\": PCI device %s has an I/O BAR (%u, port 0x%lx): I/O BARs cannot be passed through yet\n",
			       a->cell->desc->name, bdf, i, addr);
			return -EINVAL;
		}
		if ((addr | size) & (BAR_PAGE - 1) || !pci_cell_maps_bar(a->cell, addr, size)) {
			printk("Cell \"%s\": PCI device %s BAR %u [0x%lx, +0x%lx) is not whole pages of one device-memory region of the cell (BH_MEM_IO, virt_start = phys_start)\n",
			       a->cell->desc->name, bdf, i, addr, size);
			return -EINVAL;
		}
		a->bar[i].addr = addr;
		a->bar[i].size = size;
	}
	return 0;
}

/* Stops the function's DMA and decoding: between owners it does nothing. */
static void pci_quiesce(uint16_t bdf)
{
	uint32_t cmd = arch_pci_hw_read(bdf, PCI_COMMAND, 2);

	arch_pci_hw_write(bdf, PCI_COMMAND, 2,
			  cmd & ~(PCI_COMMAND_MASTER | PCI_COMMAND_MEMORY | PCI_COMMAND_IO));
}

/* Undoes pci_take() for @a, whatever part of it was done. */
static void pci_give_back(struct pci_assigned *a, int trapped, int iommu)
{
	unsigned int i;

	pci_quiesce(a->bdf);
	if (iommu)
		arch_iommu_release(a->cell, a->bdf);
	for (i = 0; i < PCI_NUM_BARS; i++)
		if (a->bar[i].size)
			arch_root_take_mmio(a->bar[i].addr, a->bar[i].size, 0);
	if (trapped)
		pci_untrap_function(&root_cell, a->bdf);
	memset(a, 0, sizeof(*a));
}

/* One function from the root cell to @cell; on an error nothing changed. */
static int pci_take(struct cell *cell, const struct bh_pci_device *dev)
{
	const char *refused = dev->domain ? "not in PCI domain 0, the only one supported" :
			      pci_assignment(dev->bdf) ? "another cell's" :
			      !arch_pci_hw_present(dev->bdf) ? "not there" : NULL;
	struct pci_assigned *a = NULL;
	char bdf[BDF_TEXT_SIZE];
	unsigned int i;
	int err;

	pci_bdf_text(dev->bdf, bdf);
	if (refused) {
		printk("Cell \"%s\": PCI device %04x:%s is %s\n", cell->desc->name, dev->domain,
		       bdf, refused);
		return dev->domain ? -EINVAL : pci_assignment(dev->bdf) ? -EBUSY : -ENODEV;
	}
	for (i = 0; i < MAX_ASSIGNED && !a; i++)
		if (!assigned[i].cell)
			a = &assigned[i];
	if (!a)
		return -ENOSPC;
	a->cell = cell;
	a->bdf = dev->bdf;
	pci_quiesce(a->bdf);
	err = pci_read_bars(a);
	if (err) {
		memset(a, 0, sizeof(*a));
		return err;
	}
	err = pci_trap_function(&root_cell, a->bdf);
	if (err) {
		pci_give_back(a, 0, 0);
		return err;
	}
	for (i = 0; i < PCI_NUM_BARS && !err; i++)
		if (a->bar[i].size)
			err = arch_root_take_mmio(a->bar[i].addr, a->bar[i].size, 1);
	err = err ?: arch_iommu_assign(cell, a->bdf);
	if (err == -ENODEV)
		printk("Cell \"%s\": PCI device %s: passing a device to a cell needs an IOMMU the hypervisor owns (the system config's platform.iommu_type): its DMA would reach all memory\n",
		       cell->desc->name, bdf);
	if (err) {
		pci_give_back(a, 1, 0);
		return err;
	}
	printk("Cell \"%s\": PCI device %s passed through\n", cell->desc->name, bdf);
	return 0;
}

int pci_cell_assign(struct cell *cell)
{
	const struct bh_pci_device *dev = bh_cell_pci_devices(cell->desc);
	unsigned int i;
	int err, taken = 0;

	for (i = 0; i < cell->desc->num_pci_devices; i++) {
		if (dev[i].type != BH_PCI_TYPE_DEVICE)
			continue;
		err = pci_take(cell, &dev[i]);
		if (err) {
			pci_cell_release(cell);
			return err;
		}
		taken++;
	}
	return taken;
}

void pci_cell_release(struct cell *cell)
{
	unsigned int i;

	for (i = 0; i < MAX_ASSIGNED; i++)
		if (assigned[i].cell == cell)
			pci_give_back(&assigned[i], 1, 1);
}
