// SPDX-License-Identifier: GPL-2.0-only
/*
 * A cell's x86 resources: nested page tables from its memory regions, and
 * the I/O and MSR permission maps. Everything not granted is intercepted.
 * The I/O map is SVM's 12 KiB IOPM; its first 8 KiB are VMX's I/O
 * bitmaps A and B, bit for bit. The MSR map is the backend's own format.
 */
#include <arch.h>
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/msr.h>
#include <asm/paging.h>
#include <asm/processor.h>
#include <asm/svm.h>
#include <asm/vcpu.h>
#include <asm/pci.h>
#include <cell.h>
#include <mmio.h>
#include <pool.h>

/* The root cell's maps; inmate cells will take theirs from the pool. */
static uint8_t root_iopm[IOPM_SIZE] __attribute__((aligned(4096)));
static uint8_t root_msrpm[MSRPM_SIZE] __attribute__((aligned(4096)));

/*
 * The root cell's nested page tables change at run time from more than
 * one CPU: hypercalls (loadable regions) and virtual BARs moving.
 */
static spinlock_t root_npt_lock;

static unsigned int npt_access(uint64_t flags)
{
	unsigned int access = 0;

	if (flags & BH_MEM_READ)
		access |= NPT_READ;
	if (flags & BH_MEM_WRITE)
		access |= NPT_WRITE;
	if (flags & BH_MEM_EXECUTE)
		access |= NPT_EXEC;
	if (flags & BH_MEM_IO)
		access |= NPT_UNCACHED;
	return access;
}

static int map_memory(struct cell *cell)
{
	const struct bh_memory_region *mem = bh_cell_mem_regions(cell->desc);
	unsigned int i;
	int err;

	cell->arch.npt_root = npt_create();
	if (!cell->arch.npt_root)
		return -ENOMEM;
	for (i = 0; i < cell->desc->num_memory_regions; i++) {
		err = npt_map(cell->arch.npt_root, mem[i].virt_start,
			      mem[i].phys_start, mem[i].size,
			      npt_access(mem[i].flags));
		if (err) {
			printk("Cell \"%s\": memory region %u at 0x%lx cannot be mapped (%d)\n",
			       cell->desc->name, i, mem[i].virt_start, err);
			return err;
		}
	}
	return 0;
}

/*
 * The local APIC page is mapped read-only: reads go to the hardware,
 * writes exit so that IPIs can be checked (apic.c). Inmates get it too.
 * The rest of the 1 MiB interrupt window around it is mapped in no cell,
 * whatever its config says: a CPU store there is an MSI (asm/apic.h)
 * that would reach any CPU with any delivery mode.
 */
static int map_apic(struct cell *cell)
{
	int err = npt_unmap(cell->arch.npt_root, APIC_BASE & MSI_ADDR_BASE_MASK,
			    MSI_WINDOW_SIZE);

	err = err ?: npt_map(cell->arch.npt_root, APIC_BASE, APIC_BASE, 4096,
			     NPT_READ | NPT_UNCACHED);
	return err ?: mmio_region_register(cell, APIC_BASE, 4096, apic_mmio_access, NULL);
}

/*
 * Root Linux reads the hypervisor's log in place (bulkhead/console.h):
 * its pages, and nothing else of the hypervisor's memory, read-only.
 */
static int map_console_log(struct cell *cell)
{
	uint64_t size;
	uint64_t phys = hv_virt_to_phys(console_log(&size));

	return npt_map(cell->arch.npt_root, phys, phys, size, NPT_READ);
}

int arch_gpa_reserved(uint64_t gpa)
{
	return (gpa & MSI_ADDR_BASE_MASK) == (APIC_BASE & MSI_ADDR_BASE_MASK);
}

int arch_map_loadable(struct cell *cell, int map)
{
	const struct bh_memory_region *mem = bh_cell_mem_regions(cell->desc);
	unsigned int i;
	int err = 0;

	spin_lock(&root_npt_lock);
	for (i = 0; i < cell->desc->num_memory_regions && !err; i++) {
		if (!(mem[i].flags & BH_MEM_LOADABLE))
			continue;
		if (map)
			err = npt_map(root_cell.arch.npt_root, mem[i].phys_start,
				      mem[i].phys_start, mem[i].size,
				      NPT_READ | NPT_WRITE);
		else
			err = npt_unmap(root_cell.arch.npt_root, mem[i].phys_start,
					mem[i].size);
	}
	spin_unlock(&root_npt_lock);
	return err;
}

/* The config region holding guest-physical @gpa, or NULL. */
static const struct bh_memory_region *region_of(const struct cell *cell,
						uint64_t gpa)
{
	const struct bh_memory_region *mem = bh_cell_mem_regions(cell->desc);
	unsigned int i;

	for (i = 0; i < cell->desc->num_memory_regions; i++)
		if (gpa >= mem[i].virt_start && gpa - mem[i].virt_start < mem[i].size)
			return &mem[i];
	return NULL;
}

int arch_root_take_mmio(uint64_t phys, uint64_t size, int take)
{
	const struct bh_memory_region *r = region_of(&root_cell, phys);
	uint64_t *root = root_cell.arch.npt_root;
	int err;

	if (!r)
		return 0;		/* not the root cell's to begin with */
	if (!(r->flags & BH_MEM_IO) || r->virt_start != r->phys_start ||
	    size > r->size - (phys - r->virt_start))
		return -EINVAL;
	spin_lock(&root_npt_lock);
	err = take ? npt_unmap(root, phys, size) :
		     npt_map(root, phys, phys, size, npt_access(r->flags));
	spin_unlock(&root_npt_lock);
	return err;
}

/*
 * Only device memory can give way to a virtual BAR. Other CPUs of the
 * cell are not asked to flush: a BAR goes where the cell's OS found free
 * address space, which none of its CPUs has touched (docs/ivshmem.md).
 */
int arch_trap_page(struct cell *cell, uint64_t gpa, int trap)
{
	const struct bh_memory_region *r = region_of(cell, gpa);
	int err;

	if (!r)
		return 0;		/* not mapped: every access exits anyway */
	if (!(r->flags & BH_MEM_IO))
		return -EPERM;
	spin_lock(&root_npt_lock);
	if (trap)
		err = npt_unmap(cell->arch.npt_root, gpa, PAGE_SIZE_4K);
	else
		err = npt_map(cell->arch.npt_root, gpa,
			      r->phys_start + (gpa - r->virt_start), PAGE_SIZE_4K,
			      npt_access(r->flags));
	spin_unlock(&root_npt_lock);
	return err;
}

int arch_write_protect(struct cell *cell, uint64_t gpa, uint64_t size)
{
	const struct bh_memory_region *r = region_of(cell, gpa);
	int err;

	if (!r || (r->flags & BH_MEM_IO) || size > r->size ||
	    gpa - r->virt_start > r->size - size)
		return -EINVAL;
	spin_lock(&root_npt_lock);
	err = npt_map(cell->arch.npt_root, gpa, r->phys_start + (gpa - r->virt_start),
		      size, npt_access(r->flags) & ~NPT_WRITE);
	spin_unlock(&root_npt_lock);
	return err;
}

static void allow_ports(struct cell *cell)
{
	const struct bh_pio_region *pio = bh_cell_pio_regions(cell->desc);
	unsigned int i, port;

	memset(cell->arch.iopm, 0xff, IOPM_SIZE);
	for (i = 0; i < cell->desc->num_pio_regions; i++)
		for (port = pio[i].base; port < (unsigned int)pio[i].base + pio[i].length;
		     port++)
			cell->arch.iopm[port / 8] &= ~(1u << (port % 8));
	/* PCI config space is the hypervisor's to hand out (asm/pci.h). */
	for (port = PCI_CONF1_ADDRESS;
	     port < PCI_CONF1_ADDRESS + PCI_CONF1_PORTS; port++)
		cell->arch.iopm[port / 8] |= 1u << (port % 8);
}

int arch_cell_init(struct cell *cell)
{
	int err;

	if (cell == &root_cell) {
		/* The first thing of an enable that depends on the CPU. */
		err = vcpu_select();
		if (err)
			return err;
		cell->arch.iopm = root_iopm;
		cell->arch.msrpm = root_msrpm;
		/* Part of the baseline: parked CPUs need it from the start. */
		err = cpu_park_init();
		if (err)
			return err;
	} else {
		cell->arch.iopm = pool_alloc_pages(IOPM_SIZE / 4096);
		cell->arch.msrpm = pool_alloc_pages(MSRPM_SIZE / 4096);
		if (!cell->arch.iopm || !cell->arch.msrpm) {
			arch_cell_exit(cell);
			return -ENOMEM;
		}
	}
	err = map_memory(cell);
	if (!err)
		err = map_apic(cell);
	if (!err && cell == &root_cell)
		err = map_console_log(cell);
	if (err) {
		arch_cell_exit(cell);
		return err;
	}
	allow_ports(cell);
	vcpu->build_msr_bitmap(cell);
	return 0;
}

void arch_cell_exit(struct cell *cell)
{
	npt_destroy(cell->arch.npt_root);
	cell->arch.npt_root = NULL;
	if (cell == &root_cell)
		cpu_park_exit();
	if (cell != &root_cell) {
		if (cell->arch.iopm)
			pool_free_pages(cell->arch.iopm, IOPM_SIZE / 4096);
		if (cell->arch.msrpm)
			pool_free_pages(cell->arch.msrpm, MSRPM_SIZE / 4096);
		cell->arch.iopm = NULL;
		cell->arch.msrpm = NULL;
	}
}
