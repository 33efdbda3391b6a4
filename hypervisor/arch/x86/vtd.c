// SPDX-License-Identifier: GPL-2.0-only
/*
 * Intel VT-d DMA remapping: the hypervisor owns the units the system
 * config lists (platform.iommu_base[]) from enable to disable.
 *
 * Policy (docs/hypervisor.md, "DMA"): every requester (any bus, device
 * and function) is a device of the root cell and translates through one
 * second-level table that maps the root cell's DMA regions 1:1 and
 * nothing else: no hypervisor memory, no inmate memory, no shared
 * region; but a function passed to an inmate, which translates through
 * a table of that inmate's DMA regions (its guest-physical addresses to
 * its memory), in a domain of its own. A DMA anywhere else is blocked by
 * the unit and reported on the console (device, cell, address,
 * direction). The units' register pages are taken out of the root cell:
 * Linux cannot reprogram them.
 *
 * What we need of a unit, and refuse without (enable fails, nothing
 * changed): it answers at its address, translation and interrupt
 * remapping are off (Linux was booted with intel_iommu=off and did not
 * enable interrupt remapping: with queued invalidation on, the register
 * interface used here is not allowed), 2 MiB second-level pages, and a
 * 3- or 4-level table (39- or 48-bit guest address width).
 *
 * Faults are polled, not signalled: on VM exits of root CPUs, at most
 * once per VTD_POLL_TSC cycles (root Linux's timer alone exits every
 * few milliseconds). The fault event interrupt stays masked: Linux never
 * programmed its address, and an unmasked one would be a 4-byte DMA to
 * whatever address the register holds.
 */
#include <asm/apic.h>
#include <asm/paging.h>
#include <asm/processor.h>
#include <asm/vtd.h>
#include <asm/vtd_hw.h>
#include <arch.h>
#include <cell.h>
#include <mmio.h>
#include <pci.h>
#include <percpu.h>
#include <pool.h>
#include <report.h>
#include <setup.h>

static struct vtd_unit units[BH_MAX_IOMMU_UNITS];
static unsigned int num_units;
static uint64_t *root_table, *context_table, *dma_root;
static volatile int active;
static uint64_t last_poll;
static int polling;
static struct report_limit fault_reports;

/*
 * Functions passed to inmates. A bus with one gets a context table of
 * its own (the shared one copied, then that function's entry changed);
 * an inmate with one gets a DMA table, indexed by cell ID. Both go when
 * their last function comes back.
 */
static uint64_t *bus_context[256];
static unsigned int bus_assigned[256];
static uint64_t *cell_dma[BH_MAX_CELLS + 1];
static unsigned int cell_assigned[BH_MAX_CELLS + 1];

/* Drops every cached context entry and translation of the unit. */
static int invalidate_all(struct vtd_unit *u)
{
	unsigned int iotlb = VTD_ECAP_IRO(u->ecap) + 8;
	int err;

	/* With queued invalidation on, the registers may not be used. */
	if (u->ir.on)
		return vtd_qi_invalidate_all(u);
	wr64(u, VTD_CCMD, VTD_CCMD_ICC | VTD_CCMD_GLOBAL);
	err = wait_reg(u, rd64, VTD_CCMD, VTD_CCMD_ICC, 0);
	if (err)
		return err;
	wr64(u, iotlb, VTD_IOTLB_IVT | VTD_IOTLB_GLOBAL | VTD_IOTLB_DRAIN);
	return wait_reg(u, rd64, iotlb, VTD_IOTLB_IVT, 0);
}

/* What the unit offers, against what we need; a console line if short. */
static int probe_unit(struct vtd_unit *u, unsigned int index)
{
	uint32_t ver = rd32(u, VTD_VER), gsts;
	unsigned int sagaw;

	if (ver == 0 || ver == 0xffffffff) {
		printk("IOMMU %u: no VT-d unit answers at 0x%lx (version register 0x%x): is the IOMMU enabled in the machine?\n",
		       index, u->base, ver);
		return -ENODEV;
	}
	u->cap = rd64(u, VTD_CAP);
	u->ecap = rd64(u, VTD_ECAP);
	gsts = rd32(u, VTD_GSTS);
	if (gsts & VTD_GCMD_TE) {
		printk("IOMMU %u at 0x%lx: Linux uses it for DMA remapping: boot Linux with intel_iommu=off\n",
		       index, u->base);
		return -EBUSY;
	}
	u->ir.on = 0;
	if (gsts & (VTD_GCMD_IRE | VTD_GCMD_QIE)) {
		int err = vtd_ir_probe(u, index);

		if (err)
			return err;
	}
	sagaw = VTD_CAP_SAGAW(u->cap);
	if (sagaw & VTD_SAGAW_48)
		u->aw = VTD_CTX_AW_48;
	else if (sagaw & VTD_SAGAW_39)
		u->aw = VTD_CTX_AW_39;
	else {
		printk("IOMMU %u at 0x%lx: neither 3- nor 4-level tables (SAGAW 0x%x)\n",
		       index, u->base, sagaw);
		return -ENODEV;
	}
	if (!(u->cap & VTD_CAP_SLLPS_2M)) {
		printk("IOMMU %u at 0x%lx: no 2 MiB pages (CAP 0x%lx)\n", index, u->base, u->cap);
		return -ENODEV;
	}
	printk("IOMMU %u: Intel VT-d %u.%u at 0x%lx, %u-level tables, %u fault records\n",
	       index, ver >> 4 & 0xf, ver & 0xf, u->base, u->aw == VTD_CTX_AW_48 ? 4 : 3,
	       (unsigned int)VTD_CAP_NFR(u->cap));
	if (!u->ir.on)
		printk("IOMMU %u: WARNING: Linux runs without interrupt remapping (intremap=off): root-cell devices' MSIs are not checked and can reach inmates' CPUs, and passed-through devices get no MSI; boot Linux with interrupt remapping on\n",
		       index);
	return 0;
}

/*
 * @desc's DMA regions into DMA table @t, at the cell's guest-physical
 * addresses (the root cell's are its physical ones: it is identity-
 * mapped). A 3-level unit walks from the table below our 4-level root's
 * first entry: it covers 512 GiB, so every region must end below that.
 */
static int map_dma_regions(uint64_t *t, const struct bh_cell_desc *desc)
{
	const struct bh_memory_region *mem = bh_cell_mem_regions(desc);
	uint32_t i;
	int err;

	for (i = 0; i < desc->num_memory_regions; i++) {
		const struct bh_memory_region *r = &mem[i];

		if (!(r->flags & BH_MEM_DMA))
			continue;
		if (units[0].aw == VTD_CTX_AW_39 && r->virt_start + r->size > (1ull << 39)) {
			printk("Cell \"%s\": DMA region %u [0x%lx, +0x%lx) is beyond the IOMMU's 39-bit addresses\n",
			       desc->name, i, r->virt_start, r->size);
			return -EINVAL;
		}
		err = dma_pt_map(t, r->virt_start, r->phys_start, r->size,
				 NPT_READ | (r->flags & BH_MEM_WRITE ? NPT_WRITE : 0));
		if (err)
			return err;
	}
	return 0;
}

/* The root cell's DMA regions, 1:1. */
static int build_dma_table(void)
{
	dma_root = pool_alloc_page();
	if (!dma_root)
		return -ENOMEM;
	return map_dma_regions(dma_root, &system_config->root_cell);
}

/* What context entries point to for DMA table @table (see build_dma_table()). */
static uint64_t slpt_of(const uint64_t *table)
{
	if (units[0].aw == VTD_CTX_AW_48)
		return (uint64_t)table;
	return table[0] & PTE_ADDR_MASK;
}

/*
 * One root table and one context table for the root domain: every bus's
 * root entry points to the same context table, whose every entry points
 * to the root cell's DMA table. Units of different widths would need a
 * table each; they share one here, so all must agree.
 */
static int build_context(void)
{
	unsigned int i;
	uint64_t slpt = slpt_of(dma_root);

	for (i = 1; i < num_units; i++)
		if (units[i].aw != units[0].aw) {
			printk("IOMMU: units of different table depths are not supported\n");
			return -ENODEV;
		}
	if (!(dma_root[0] & PTE_P) && units[0].aw == VTD_CTX_AW_39) {
		printk("IOMMU: the root cell has no DMA region below 512 GiB\n");
		return -EINVAL;
	}
	root_table = pool_alloc_page();
	context_table = pool_alloc_page();
	if (!root_table || !context_table)
		return -ENOMEM;
	for (i = 0; i < 256; i++) {
		context_table[2 * i] = slpt | VTD_ENTRY_P;
		context_table[2 * i + 1] = units[0].aw | VTD_ROOT_DOMAIN << 8;
		root_table[2 * i] = (uint64_t)context_table | VTD_ENTRY_P;
	}
	return 0;
}

/*
 * Root Linux's accesses to a unit's registers: reads see all ones,
 * writes are dropped, and the first of a run is reported.
 */
static void root_access(struct per_cpu *cpu, void *ctx, uint64_t gpa, int is_write,
			unsigned int size, uint64_t *value)
{
	struct vtd_unit *u = ctx;

	if (u->ir.on) {
		vtd_ir_root_access(cpu, u, (unsigned int)(u - units),
				   (unsigned int)(gpa - u->base), is_write, size, value);
		return;
	}
	if (report_due(&cpu->reports, cpu->cpu_id, "IOMMU", gpa))
		printk("CPU %u: cell \"%s\": %s of the IOMMU's register 0x%lx refused: the hypervisor owns the IOMMU\n",
		       cpu->cpu_id, cpu->cell->desc->name, is_write ? "write" : "read", gpa);
	if (!is_write)
		*value = ~0ull;
}

static int activate(struct vtd_unit *u, unsigned int index)
{
	int err;

	u->fectl_saved = rd32(u, VTD_FECTL);
	wr32(u, VTD_FECTL, VTD_FECTL_IM);
	if (u->ir.on) {
		err = vtd_ir_take(u, index);
		if (err)
			return err;
	}
	wr64(u, VTD_RTADDR, (uint64_t)root_table);
	err = gcmd(u, VTD_GCMD_SRTP, 1);
	if (!err)
		err = invalidate_all(u);
	if (!err)
		err = gcmd(u, VTD_GCMD_TE, 1);
	return err;
}

static void deactivate(struct vtd_unit *u, unsigned int index)
{
	if (gcmd(u, VTD_GCMD_TE, 0) || invalidate_all(u))
		printk("IOMMU %u: did not turn DMA remapping off\n", index);
	else
		printk("IOMMU %u: DMA remapping off\n", index);
	vtd_ir_give_back(u, index);
	wr32(u, VTD_FECTL, u->fectl_saved);
}

int arch_iommu_init(void)
{
	const struct bh_platform *p = &system_config->platform;
	unsigned int i;
	int err;

	num_units = 0;
	active = 0;
	root_table = context_table = dma_root = 0;
	memset(bus_context, 0, sizeof(bus_context));
	memset(bus_assigned, 0, sizeof(bus_assigned));
	memset(cell_dma, 0, sizeof(cell_dma));
	memset(cell_assigned, 0, sizeof(cell_assigned));
	if (p->iommu_type != BH_IOMMU_VTD)
		return 0;
	for (i = 0; i < BH_MAX_IOMMU_UNITS && p->iommu_base[i]; i++) {
		units[i].base = p->iommu_base[i];
		err = probe_unit(&units[i], i);
		if (err)
			return err;
		num_units++;
	}
	err = build_dma_table();
	if (!err)
		err = build_context();
	for (i = 0; !err && i < num_units; i++) {
		err = arch_trap_page(&root_cell, units[i].base, 1);
		if (!err)
			err = mmio_region_register(&root_cell, units[i].base, PAGE_SIZE_4K,
						   root_access, &units[i]);
	}
	for (i = 0; !err && i < num_units; i++) {
		err = activate(&units[i], i);
		if (err) {
			printk("IOMMU %u: the unit did not complete a command (%d)\n", i, err);
			while (i--)
				deactivate(&units[i], i);
			break;
		}
		printk("IOMMU %u: DMA remapping on: root-cell devices reach root-cell RAM only\n", i);
	}
	if (err)
		printk("IOMMU: setup failed: %d\n", err);
	active = !err && num_units;
	return err;
}

/* Every unit drops what it cached of the tables we just changed. */
static void flush_units(void)
{
	unsigned int i;

	for (i = 0; i < num_units; i++)
		if (invalidate_all(&units[i]))
			printk("IOMMU %u: the unit did not complete an invalidation\n", i);
}

/* @cell's DMA regions at its guest-physical addresses. */
static int build_cell_dma(const struct cell *cell, uint64_t **table)
{
	uint64_t *t = pool_alloc_page();
	int err;

	if (!t)
		return -ENOMEM;
	err = map_dma_regions(t, cell->desc);
	if (!err && !(t[0] & PTE_P)) {
		printk("Cell \"%s\": no DMA region (BH_MEM_DMA) for its PCI device\n",
		       cell->desc->name);
		err = -EINVAL;
	}
	if (err) {
		npt_destroy(t);
		return err;
	}
	*table = t;
	return 0;
}

int arch_iommu_assign(const struct cell *cell, uint16_t bdf)
{
	unsigned int bus = bdf >> 8, devfn = bdf & 0xff;
	char text[BDF_TEXT_SIZE];
	uint64_t *ctx;
	int err;

	if (!active)
		return -ENODEV;
	if (!cell_dma[cell->id]) {
		err = build_cell_dma(cell, &cell_dma[cell->id]);
		if (err)
			return err;
	}
	if (!bus_context[bus]) {
		ctx = pool_alloc_page();
		if (!ctx) {
			if (!cell_assigned[cell->id]) {
				npt_destroy(cell_dma[cell->id]);
				cell_dma[cell->id] = NULL;
			}
			return -ENOMEM;
		}
		memcpy(ctx, context_table, PAGE_SIZE_4K);
		bus_context[bus] = ctx;
		root_table[2 * bus] = (uint64_t)ctx | VTD_ENTRY_P;
	}
	ctx = bus_context[bus];
	/* Not present while the domain changes: no half-written entry is used. */
	ctx[2 * devfn] = 0;
	ctx[2 * devfn + 1] = units[0].aw | (VTD_ROOT_DOMAIN + cell->id) << 8;
	ctx[2 * devfn] = slpt_of(cell_dma[cell->id]) | VTD_ENTRY_P;
	bus_assigned[bus]++;
	cell_assigned[cell->id]++;
	flush_units();
	pci_bdf_text(bdf, text);
	printk("IOMMU: device %s DMAs into cell \"%s\" only (domain %lu)\n", text,
	       cell->desc->name, (unsigned long)(VTD_ROOT_DOMAIN + cell->id));
	return 0;
}

void arch_iommu_release(const struct cell *cell, uint16_t bdf)
{
	unsigned int bus = bdf >> 8, devfn = bdf & 0xff;
	uint64_t *ctx = bus_context[bus];

	if (!active || !ctx || !cell_assigned[cell->id])
		return;
	ctx[2 * devfn] = context_table[2 * devfn];
	ctx[2 * devfn + 1] = context_table[2 * devfn + 1];
	if (!--bus_assigned[bus])
		root_table[2 * bus] = (uint64_t)context_table | VTD_ENTRY_P;
	flush_units();
	if (!bus_assigned[bus]) {
		pool_free_page(ctx);
		bus_context[bus] = NULL;
	}
	if (!--cell_assigned[cell->id]) {
		npt_destroy(cell_dma[cell->id]);
		cell_dma[cell->id] = NULL;
	}
}

/* Translation off, as Linux had it, and the fault event as it was. */
void arch_iommu_exit(void)
{
	unsigned int i;

	if (!active)
		return;
	vtd_poll_faults(0);
	active = 0;
	for (i = 0; i < num_units; i++)
		deactivate(&units[i], i);
}

static const char *fault_reason(unsigned int reason)
{
	switch (reason) {
	case 5:
		return "no write permission";
	case 6:
		return "no read permission";
	case 4:
		return "address beyond the table";
	default:
		return "translation fault";
	}
}

/* Reasons 0x20 and up are interrupt requests the remapping unit refused. */
#define VTD_FAULT_IR_FIRST	0x20

static const char *ir_fault_reason(unsigned int reason)
{
	static const char *const why[] = {
		"reserved bits set in the request",
		"index beyond the table",
		"entry not present (a refused or unused entry)",
		"the table could not be read",
		"reserved bits set in the entry",
		"a compatibility-format interrupt, which is blocked",
		"the requester is not the one the entry names",
	};
	unsigned int i = reason - VTD_FAULT_IR_FIRST;

	return i < sizeof(why) / sizeof(why[0]) ? why[i] : "an interrupt fault";
}

/* Reports and clears the fault records of @u. */
static void report_faults(const struct vtd_unit *u, unsigned int index,
			  unsigned int cpu_id)
{
	unsigned int fro = VTD_CAP_FRO(u->cap), n = VTD_CAP_NFR(u->cap), i;

	for (i = 0; i < n; i++) {
		unsigned int rec = fro + 16 * i;
		uint64_t hi = rd64(u, rec + 8), addr;
		const struct cell *owner;
		const char *who;
		char bdf[BDF_TEXT_SIZE];
		unsigned int sid, reason;

		if (!(hi >> 32 & VTD_FRCD_F))
			continue;
		addr = rd64(u, rec) & ~0xfffull;
		sid = hi & 0xffff;
		owner = pci_owner((uint16_t)sid);
		who = owner ? owner->desc->name : NULL;
		reason = hi >> 32 & 0xff;
		pci_bdf_text((uint16_t)sid, bdf);
		if (reason >= VTD_FAULT_IR_FIRST) {
			/* the record's fault info holds the entry index (bits 63:48) */
			if (report_due(&fault_reports, cpu_id, "interrupt fault", addr))
				printk("IOMMU %u: interrupt of device %s (%s%s%s) refused: entry %lu: %s (fault reason 0x%x)\n",
				       index, bdf, who ? "cell \"" : "root cell", who ? who : "",
				       who ? "\"" : "", rd64(u, rec) >> 48, ir_fault_reason(reason), reason);
		} else if (report_due(&fault_reports, cpu_id, "DMA fault", addr)) {
			printk("IOMMU %u: DMA %s of 0x%lx by device %s (%s%s%s) refused: %s (fault reason %u)\n",
			       index, hi >> 62 & 1 ? "read" : "write", addr, bdf,
			       who ? "cell \"" : "root cell", who ? who : "", who ? "\"" : "",
			       fault_reason(reason), reason);
		}
		wr32(u, rec + 12, VTD_FRCD_F);
	}
	if (rd32(u, VTD_FSTS) & VTD_FSTS_PFO) {
		printk("IOMMU %u: more faults than fault records: some were not reported\n", index);
		wr32(u, VTD_FSTS, VTD_FSTS_PFO);
	}
}

void vtd_poll_faults(struct per_cpu *cpu)
{
	uint64_t now;
	unsigned int i;

	if (!active)
		return;
	now = rdtsc();
	if (cpu && now - last_poll < VTD_POLL_TSC)
		return;
	/* One CPU polls; the others go back to their cell. */
	if (__atomic_exchange_n(&polling, 1, __ATOMIC_ACQUIRE))
		return;
	last_poll = now;
	for (i = 0; i < num_units; i++)
		report_faults(&units[i], i, cpu ? cpu->cpu_id : 0);
	__atomic_store_n(&polling, 0, __ATOMIC_RELEASE);
}

void arch_iommu_cpus_changed(void)
{
	unsigned int i;

	for (i = 0; active && i < num_units; i++)
		vtd_ir_recopy(&units[i], i);
}

/* The unit the hypervisor runs interrupt remapping on, or NULL. */
static struct vtd_unit *ir_unit(unsigned int *index)
{
	unsigned int i;

	for (i = 0; active && i < num_units; i++)
		if (units[i].ir.on) {
			*index = i;
			return &units[i];
		}
	return NULL;
}

/*
 * A remappable MSI address (bit 4) names an entry: handle bits 19:5 and
 * bit 2 as bit 15, plus the data's low 16 bits where bit 3 (SHV) says so.
 * Virtual devices of the root cell sit under the first unit Linux uses
 * interrupt remapping on.
 */
int vtd_ir_resolve(uint64_t addr, uint32_t data, uint64_t *irte, int *x2apic)
{
	unsigned int handle = (unsigned int)((addr >> 5) & 0x7fff) | (unsigned int)((addr >> 2) & 1) << 15;
	unsigned int index;
	const struct vtd_unit *u = ir_unit(&index);

	if (addr & (1u << 3))
		handle += data & 0xffff;
	return u ? vtd_ir_entry(u, handle, irte, x2apic) : -ENOENT;
}

int arch_pci_msi_route(const struct cell *cell, uint16_t bdf, unsigned int slot,
		       uint64_t addr, uint32_t data, uint64_t *hw_addr, uint32_t *hw_data,
		       const char **why)
{
	unsigned int index;
	struct vtd_unit *u = ir_unit(&index);
	uint32_t apic_id;
	int lowest, handle;

	if (!u) {
		*why = "it needs interrupt remapping, which root Linux does not use on this machine";
		return -ENODEV;
	}
	*why = apic_msi_for_cell(cell, addr, data, &apic_id, &lowest);
	if (*why)
		return -EPERM;
	handle = vtd_ir_hv_entry(u, index, slot, apic_id, data & 0xff, lowest, bdf);
	if (handle < 0) {
		*why = "no remapping entry for it";
		return handle;
	}
	/* remappable format: the handle in bits 19:5 and 2, no subhandle */
	*hw_addr = MSI_ADDR_BASE | MSI_ADDR_REMAPPABLE | (uint64_t)(handle & 0x7fff) << 5 |
		   (uint64_t)(handle >> 15 & 1) << 2;
	*hw_data = 0;
	return 0;
}

void arch_pci_msi_unroute(unsigned int slot)
{
	unsigned int index;
	struct vtd_unit *u = ir_unit(&index);

	if (u)
		vtd_ir_hv_entry_clear(u, index, slot);
}

int vtd_ir_on(void)
{
	unsigned int index;

	return ir_unit(&index) != NULL;
}
