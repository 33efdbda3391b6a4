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
	uint16_t linux_intx_off;	/* the command's INTx-disable bit as Linux had it */
	struct {
		uint64_t addr, size;
	} bar[PCI_NUM_BARS];
	/*
	 * The MSI capability as its owner sees it: the bytes from the
	 * capability's start, what the owner wrote (one vector). The device
	 * holds the message the hypervisor made of it, or MSI is off there.
	 */
	struct {
		unsigned int cap, len;	/* cap 0: the function has no MSI */
		uint8_t shadow[PCI_MSI_CAP_MAX];
		unsigned int reports;
	} msi;
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

static unsigned int pci_slot(const struct pci_assigned *a)
{
	return (unsigned int)(a - assigned);
}

static uint32_t msi_shadow_get(const struct pci_assigned *a, unsigned int off, unsigned int size)
{
	uint32_t v = 0;

	while (size--)
		v = v << 8 | a->msi.shadow[off + size];
	return v;
}

static int pci_msi_is64(const struct pci_assigned *a)
{
	return !!(msi_shadow_get(a, PCI_MSI_FLAGS, 2) & PCI_MSI_FLAGS_64BIT);
}

/* MSI off in the device, and its message going nowhere. */
static void pci_msi_off(struct pci_assigned *a)
{
	unsigned int flags = a->msi.cap + PCI_MSI_FLAGS;

	arch_pci_hw_write(a->bdf, flags, 2,
			  arch_pci_hw_read(a->bdf, flags, 2) & ~(PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE));
	arch_pci_msi_unroute(pci_slot(a));
}

/*
 * The owner's message, checked and turned into one the hypervisor made
 * (arch), is what the device sends while the owner has MSI enabled. A
 * message that may not be sent leaves MSI off in the device (reported).
 */
static void pci_msi_update(struct pci_assigned *a)
{
	int is64 = pci_msi_is64(a);
	uint64_t addr = msi_shadow_get(a, PCI_MSI_ADDRESS_LO, 4) |
			(is64 ? (uint64_t)msi_shadow_get(a, PCI_MSI_ADDRESS_HI, 4) << 32 : 0);
	uint32_t data = msi_shadow_get(a, is64 ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32, 2);
	unsigned int cap = a->msi.cap;
	uint64_t hw_addr;
	uint32_t hw_data;
	const char *why;
	char bdf[BDF_TEXT_SIZE];

	pci_msi_off(a);
	if (!(msi_shadow_get(a, PCI_MSI_FLAGS, 2) & PCI_MSI_FLAGS_ENABLE))
		return;
	if (arch_pci_msi_route(a->cell, a->bdf, pci_slot(a), addr, data, &hw_addr, &hw_data, &why)) {
		if (a->msi.reports++ < DROP_REPORTS) {
			pci_bdf_text(a->bdf, bdf);
			printk("Cell \"%s\": PCI device %s: MSI (address 0x%lx, data 0x%x) refused: %s\n",
			       a->cell->desc->name, bdf, addr, data, why);
		}
		return;
	}
	arch_pci_hw_write(a->bdf, cap + PCI_MSI_ADDRESS_LO, 4, (uint32_t)hw_addr);
	if (is64)
		arch_pci_hw_write(a->bdf, cap + PCI_MSI_ADDRESS_HI, 4, (uint32_t)(hw_addr >> 32));
	arch_pci_hw_write(a->bdf, cap + (is64 ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32), 2, hw_data);
	arch_pci_hw_write(a->bdf, cap + PCI_MSI_FLAGS, 2,
			  arch_pci_hw_read(a->bdf, cap + PCI_MSI_FLAGS, 2) | PCI_MSI_FLAGS_ENABLE);
}

/*
 * A write into the MSI capability: message control (enable only: one
 * vector), address and data go to the shadow and become a checked
 * message; the mask bits go to the device; the rest is read-only.
 */
static void pci_msi_write(struct pci_assigned *a, unsigned int reg, unsigned int size,
			  uint32_t value)
{
	unsigned int i, off, mask_reg = pci_msi_is64(a) ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32;
	int message = 0;

	for (i = 0; i < size; i++, value >>= 8) {
		off = reg + i - a->msi.cap;
		if (off == PCI_MSI_FLAGS) {
			a->msi.shadow[off] = (uint8_t)((a->msi.shadow[off] & ~PCI_MSI_FLAGS_ENABLE) |
						       (value & PCI_MSI_FLAGS_ENABLE));
			message = 1;
		} else if (off >= PCI_MSI_ADDRESS_LO && off < mask_reg) {
			a->msi.shadow[off] = (uint8_t)value;
			message = 1;
		} else if (off >= mask_reg && off < mask_reg + 4 &&
			   (msi_shadow_get(a, PCI_MSI_FLAGS, 2) & PCI_MSI_FLAGS_MASKBIT)) {
			a->msi.shadow[off] = (uint8_t)value;
			arch_pci_hw_write(a->bdf, reg + i, 1, value & 0xff);
		}
	}
	if (message)
		pci_msi_update(a);
}

static int pci_in_msi(const struct pci_assigned *a, unsigned int reg, unsigned int size)
{
	return a->msi.cap && reg >= a->msi.cap && reg + size <= a->msi.cap + a->msi.len;
}

/* The command register's INTx-disable bit within an access at @reg, or 0. */
static uint32_t pci_intx_off_bit(unsigned int reg, unsigned int size)
{
	unsigned int byte = PCI_COMMAND + 1;	/* bit 10 is bit 2 of this byte */

	return reg <= byte && reg + size > byte ? 1u << (2 + 8 * (byte - reg)) : 0;
}

/*
 * The owner of a passed-through function writes its command and status
 * registers (decode, bus mastering; status bits to clear) and its MSI
 * capability (pci_msi_write()). INTx stays off: its line belongs to root
 * Linux's I/O APIC. BARs stay where they were checked; MSI-X stays off
 * (its table is in a BAR the owner maps). The rest of the header and the
 * capabilities are dropped, the first few reported.
 */
static void pci_owner_write(struct pci_assigned *a, unsigned int reg, unsigned int size,
			    uint32_t value)
{
	if (reg >= PCI_COMMAND && reg + size <= PCI_STATUS + 2) {
		arch_pci_hw_write(a->bdf, reg, size, value | pci_intx_off_bit(reg, size));
		return;
	}
	if (pci_in_msi(a, reg, size)) {
		pci_msi_write(a, reg, size, value);
		return;
	}
	if (a->drop_reports < DROP_REPORTS) {
		char bdf[BDF_TEXT_SIZE];

		a->drop_reports++;
		pci_bdf_text(a->bdf, bdf);
		printk("Cell \"%s\": config write of 0x%x to %s register 0x%x dropped (the cell may write the command and status registers and MSI only)\n",
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
		/* Its owner reads the real thing (MSI as it wrote it); everyone else, nothing. */
		*value = a->cell != cell ? pci_size_mask(size) :
			 pci_in_msi(a, reg, size) ? msi_shadow_get(a, reg - a->msi.cap, size) :
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

/* Offset of capability @id of @bdf, or 0 (a looping list ends too). */
static unsigned int pci_hw_find_cap(uint16_t bdf, unsigned int id)
{
	unsigned int pos, steps;

	if (!(arch_pci_hw_read(bdf, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST))
		return 0;
	pos = arch_pci_hw_read(bdf, PCI_CAPABILITY_LIST, 1) & 0xfc;
	for (steps = 0; pos >= 0x40 && steps < 48; steps++) {
		if (arch_pci_hw_read(bdf, pos, 1) == id)
			return pos;
		pos = arch_pci_hw_read(bdf, pos + PCI_CAP_LIST_NEXT, 1) & 0xfc;
	}
	return 0;
}

/*
 * The function's MSI capability, off in the device and blank for its new
 * owner (whole dwords: mask and pending bits where it has them).
 */
static void pci_msi_take(struct pci_assigned *a)
{
	unsigned int cap = pci_hw_find_cap(a->bdf, PCI_CAP_ID_MSI), flags, i;

	if (!cap)
		return;
	flags = arch_pci_hw_read(a->bdf, cap + PCI_MSI_FLAGS, 2);
	a->msi.cap = cap;
	a->msi.len = (flags & PCI_MSI_FLAGS_64BIT ? 16 : 12) +
		     (flags & PCI_MSI_FLAGS_MASKBIT ? 8 : 0);
	for (i = 0; i < PCI_MSI_FLAGS + 2; i++)
		a->msi.shadow[i] = (uint8_t)arch_pci_hw_read(a->bdf, cap + i, 1);
	a->msi.shadow[PCI_MSI_FLAGS] &= (uint8_t)~(PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE);
	pci_msi_off(a);
}

/* INTx off for the new owner (the line is root Linux's), as Linux had it after. */
static void pci_intx_take(struct pci_assigned *a, int take)
{
	uint32_t cmd = arch_pci_hw_read(a->bdf, PCI_COMMAND, 2);

	if (take) {
		a->linux_intx_off = cmd & PCI_COMMAND_INTX_DISABLE;
		cmd |= PCI_COMMAND_INTX_DISABLE;
	} else {
		cmd = (cmd & ~PCI_COMMAND_INTX_DISABLE) | a->linux_intx_off;
	}
	arch_pci_hw_write(a->bdf, PCI_COMMAND, 2, cmd);
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
	if (a->msi.cap)
		pci_msi_off(a);
	pci_intx_take(a, 0);
	if (iommu)
		arch_iommu_release(a->cell, a->bdf);
	/* the BARs leave the root cell only once its ECAM page is trapped */
	for (i = 0; trapped && i < PCI_NUM_BARS; i++)
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
	pci_intx_take(a, 1);
	pci_msi_take(a);
	err = pci_read_bars(a);
	if (err) {
		pci_give_back(a, 0, 0);
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
