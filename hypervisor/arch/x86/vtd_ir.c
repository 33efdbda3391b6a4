// SPDX-License-Identifier: GPL-2.0-only
/*
 * VT-d interrupt remapping while root Linux uses it (x2APIC mode needs
 * it): the hypervisor owns the unit, Linux keeps programming it through
 * an emulation of the registers it uses.
 *
 * Linux writes interrupt remapping table entries (IRTEs) into its own
 * table and tells the unit with an interrupt-entry-cache invalidation
 * through its invalidation queue. Here the unit reads our table and our
 * queue instead: Linux's register page exits (vtd.c), a write of its
 * queue tail makes us run its new descriptors at once: an IEC
 * invalidation copies the named entries from Linux's table into ours,
 * each checked (fixed or lowest-priority delivery, no posted interrupts,
 * no destination that is another cell's CPU: such an entry is copied not
 * present and reported), then invalidates the unit's cache through our
 * queue; a wait descriptor writes its status word into Linux's memory
 * (which must be root RAM). DMA-remapping descriptors are dropped:
 * Linux runs with intel_iommu=off, DMA remapping is ours. Linux's head
 * always equals its tail: nothing of its queue is ever pending.
 *
 * When cells come or go the whole table is copied again (an entry Linux
 * aimed at a CPU that has left it is dropped, one that was refused may
 * be good now). At disable the unit gets Linux's table back and Linux's
 * queue, its head where Linux's tail is (see vtd_ir_give_back()).
 */
#include <asm/apic.h>
#include <asm/vtd.h>
#include <asm/vtd_hw.h>
#include <cell.h>
#include <percpu.h>
#include <pool.h>
#include <report.h>

/* Invalidation descriptors, 128 bits (VT-d spec 6.5.2) */
#define QI_TYPE(lo)		((lo) & 0xf)
#define QI_CC			0x1	/* context cache */
#define QI_IOTLB		0x2
#define QI_IEC			0x4	/* interrupt entry cache */
#define QI_WAIT			0x5
#define QI_GLOBAL		(1ull << 4)	/* CC and IOTLB granularity 1 */
#define QI_IOTLB_DRAIN		(3ull << 6)	/* drain reads and writes */
#define QI_IEC_INDEX		(1ull << 4)	/* else global */
#define QI_IEC_IIDX(lo)		(((lo) >> 32) & 0xffff)
#define QI_IEC_IM(lo)		(((lo) >> 27) & 0x1f)
#define QI_WAIT_SW		(1ull << 5)	/* status write */
#define QI_WAIT_FN		(1ull << 6)	/* fence */
#define QI_ENTRIES		256		/* one page of 16-byte descriptors */

#define IQA_BASE(v)		((v) & ~0xfffull)
#define IQA_DW			(1ull << 11)	/* 256-bit descriptors */
#define IQA_QS(v)		((v) & 7)
#define IRTA_BASE(v)		((v) & ~0xfffull)
#define IRTA_EIME		(1ull << 11)	/* x2APIC destinations */
#define IRTA_ENTRIES(v)		(2u << ((v) & 0xf))
#define IRT_MAX_ENTRIES		65536u
#define IRTE_HI_SVT_SID		(1ull << 18)	/* verify the requester: all 16 bits */

/*
 * The last IR_HV_ENTRIES entries of our table are the hypervisor's: the
 * MSIs of passed-through functions, one per pci.c slot. Linux allocates
 * its entries from the bottom and needs a few dozen; one it writes up
 * there is never copied (reported), and root-cell MSIs cannot name them.
 */
#define IR_HV_ENTRIES		16
#define IR_MIN_ENTRIES		256


static struct report_limit ir_reports;

static unsigned int hv_first(const struct vtd_ir *ir)
{
	return ir->entries - IR_HV_ENTRIES;
}

static int eime(const struct vtd_unit *u)
{
	return !!(u->ir.linux_irta & IRTA_EIME);
}

/* Submits @lo/@hi and a wait on our queue; 0 once the unit did both. */
static int qi_submit(struct vtd_unit *u, uint64_t lo, uint64_t hi)
{
	struct vtd_ir *ir = &u->ir;
	unsigned int i;

	ir->queue[2 * ir->tail] = lo;
	ir->queue[2 * ir->tail + 1] = hi;
	ir->tail = (ir->tail + 1) % QI_ENTRIES;
	*ir->status = 0;
	ir->queue[2 * ir->tail] = QI_WAIT | QI_WAIT_SW | QI_WAIT_FN | 1ull << 32;
	ir->queue[2 * ir->tail + 1] = (uint64_t)ir->status;
	ir->tail = (ir->tail + 1) % QI_ENTRIES;
	asm volatile("mfence" ::: "memory");	/* descriptors before the tail */
	wr64(u, VTD_IQT, (uint64_t)ir->tail << 4);
	for (i = 0; i < VTD_SPINS; i++) {
		if (*ir->status == 1)
			return 0;
		cpu_relax();
	}
	return -ETIMEDOUT;
}

int vtd_qi_invalidate_all(struct vtd_unit *u)
{
	int err;

	spin_lock(&u->ir.lock);
	err = qi_submit(u, QI_CC | QI_GLOBAL, 0);
	err = err ?: qi_submit(u, QI_IOTLB | QI_GLOBAL | QI_IOTLB_DRAIN, 0);
	spin_unlock(&u->ir.lock);
	return err;
}

/* Is @c a CPU Linux's entry @lo reaches (a broadcast reaches them all)? */
static int irte_reaches(const struct vtd_unit *u, const struct per_cpu *c, uint64_t lo)
{
	const struct apic_dest d = {
		.id = IRTE_DEST(lo, eime(u)),
		.logical = !!(lo & IRTE_LOGICAL),
		.x2apic = eime(u),
		.broadcast = 1,
	};

	return apic_dest_reaches(c, &d);
}

/* Why Linux's entry @lo may not be used, or NULL. */
static const char *irte_refused(const struct vtd_unit *u, uint64_t lo)
{
	unsigned int i;

	if (lo & IRTE_POSTED)
		return "a posted interrupt";
	if (IRTE_DLM(lo) > 1)
		return "not a fixed or lowest-priority interrupt";
	for_each_cpu(i, cpus_online) {
		const struct per_cpu *c = &per_cpu_area[i];

		if (c->online && c->cell && c->cell != &root_cell && irte_reaches(u, c, lo))
			return "aimed at another cell's CPU";
	}
	return NULL;
}

/* Linux's entries [@first, +@count) into ours, checked. */
static void irt_copy(struct vtd_unit *u, unsigned int index, unsigned int first,
		     unsigned int count)
{
	struct vtd_ir *ir = &u->ir;
	const volatile uint64_t *src = (const uint64_t *)IRTA_BASE(ir->linux_irta);
	unsigned int i;

	for (i = first; i < ir->entries && i - first < count; i++) {
		uint64_t lo = src[2 * i], hi = src[2 * i + 1];
		const char *why = !(lo & IRTE_P) ? NULL : i >= hv_first(ir) ?
				  "the entry is the hypervisor's (passed-through devices)" :
				  irte_refused(u, lo);

		if (why && report_due(&ir_reports, 0, why, (uint64_t)index << 32 | i))
			printk("IOMMU %u: root cell's interrupt remapping entry %u (vector 0x%x) refused: %s\n",
			       index, i, IRTE_VECTOR(lo), why);
		if (i >= hv_first(ir))
			continue;
		ir->irt[2 * i] = 0;		/* not present while it changes */
		ir->irt[2 * i + 1] = hi;
		ir->irt[2 * i] = why ? lo & ~IRTE_P : lo;
	}
}

/* Linux's state of the unit: checked, remembered; 0 or a console line. */
int vtd_ir_probe(struct vtd_unit *u, unsigned int index)
{
	struct vtd_ir *ir = &u->ir;
	uint64_t iqa = rd64(u, VTD_IQA), irta = rd64(u, VTD_IRTA);
	uint32_t gsts = rd32(u, VTD_GSTS);
	const char *why = NULL;

	if ((gsts & (VTD_GCMD_IRE | VTD_GCMD_QIE)) != (VTD_GCMD_IRE | VTD_GCMD_QIE))
		why = "interrupt remapping or queued invalidation alone";
	else if (!(u->ecap & VTD_ECAP_QI) || !(u->ecap & VTD_ECAP_IR))
		why = "a unit without queued invalidation or interrupt remapping";
	else if (gsts & VTD_GCMD_CFI)
		why = "compatibility-format interrupts allowed: any device could interrupt any CPU";
	else if (iqa & IQA_DW)
		why = "256-bit invalidation descriptors";
	else if (rd64(u, VTD_IQH) != rd64(u, VTD_IQT))
		why = "invalidations still pending";
	else if (IRTA_ENTRIES(irta) < IR_MIN_ENTRIES)
		why = "a table too small to keep entries for the hypervisor";
	else if (IRTA_ENTRIES(irta) > IRT_MAX_ENTRIES ||
		 !cell_root_ram_holds(IRTA_BASE(irta), IRTA_ENTRIES(irta) * 16ull) ||
		 !cell_root_ram_holds(IQA_BASE(iqa), (QI_ENTRIES * 16ull) << IQA_QS(iqa)))
		why = "its table or queue outside root RAM";
	if (why) {
		printk("IOMMU %u at 0x%lx: Linux's interrupt remapping cannot be taken over (%s): boot Linux with intremap=off\n",
		       index, u->base, why);
		return -EBUSY;
	}
	ir->on = 1;
	ir->linux_irta = irta;
	ir->linux_iqa = iqa;
	ir->linux_tail = (uint32_t)rd64(u, VTD_IQT);
	ir->entries = IRTA_ENTRIES(irta);
	return 0;
}

/* Queued invalidation through the queue @iqa names (ours or Linux's), from slot 0. */
static int qi_restart(struct vtd_unit *u, uint64_t iqa)
{
	int err = gcmd(u, VTD_GCMD_QIE, 0);

	if (err)
		return err;
	wr64(u, VTD_IQT, 0);
	wr64(u, VTD_IQA, iqa);
	return gcmd(u, VTD_GCMD_QIE, 1);	/* the head starts at 0 */
}

int vtd_ir_take(struct vtd_unit *u, unsigned int index)
{
	struct vtd_ir *ir = &u->ir;
	const char *step;
	int err;

	ir->irt_pages = (ir->entries * 16 + 4095) / 4096;
	ir->queue = pool_alloc_page();
	ir->status = pool_alloc_page();
	ir->irt = pool_alloc_pages(ir->irt_pages);
	if (!ir->queue || !ir->status || !ir->irt)
		return -ENOMEM;
	irt_copy(u, index, 0, ir->entries);
	ir->tail = 0;
	step = "switching to our invalidation queue";
	err = qi_restart(u, (uint64_t)ir->queue);
	if (!err) {
		step = "switching to our remapping table";
		wr64(u, VTD_IRTA, (uint64_t)ir->irt | (ir->linux_irta & (IRTA_EIME | 0xf)));
		err = gcmd(u, VTD_GCMD_SIRTP, 1);
	}
	if (!err) {
		step = "invalidating the interrupt entry cache";
		spin_lock(&ir->lock);
		err = qi_submit(u, QI_IEC, 0);
		spin_unlock(&ir->lock);
	}
	if (err)
		printk("IOMMU %u: taking interrupt remapping over failed %s (%d; fault status 0x%x, status 0x%x, head 0x%lx, tail 0x%lx)\n",
		       index, step, err, rd32(u, VTD_FSTS), rd32(u, VTD_GSTS), rd64(u, VTD_IQH), rd64(u, VTD_IQT));
	else
		printk("IOMMU %u: interrupt remapping taken over from Linux (%u entries, %s destinations)\n",
		       index, ir->entries, eime(u) ? "x2APIC" : "xAPIC");
	return err;
}

/*
 * Linux's table again, and its queue with the head at Linux's tail: the
 * head restarts at 0 when queued invalidation comes on, so the slots
 * before Linux's tail get harmless descriptors (global IEC invalidations,
 * then a wait that writes into our memory) and the unit runs through
 * them. Linux's queue holds
 * nothing it still waits for: every descriptor it wrote was run by us.
 */
void vtd_ir_give_back(struct vtd_unit *u, unsigned int index)
{
	struct vtd_ir *ir = &u->ir;
	volatile uint64_t *lq = (uint64_t *)IQA_BASE(ir->linux_iqa);
	unsigned int slots = QI_ENTRIES << IQA_QS(ir->linux_iqa);
	unsigned int n = (ir->linux_tail >> 4) % slots, i;
	int err;

	if (!ir->on || !ir->irt)
		return;
	wr64(u, VTD_IRTA, ir->linux_irta);
	err = gcmd(u, VTD_GCMD_SIRTP, 1);
	spin_lock(&ir->lock);
	err = err ?: qi_submit(u, QI_IEC, 0);
	spin_unlock(&ir->lock);
	for (i = 0; i < n; i++) {
		/*
		 * The last one is a wait (QEMU lets queued invalidation off
		 * only after one) that writes our status word: it runs before
		 * we return, while that page is still ours.
		 */
		lq[2 * i] = i + 1 < n ? QI_IEC : QI_WAIT | QI_WAIT_SW | QI_WAIT_FN | 1ull << 32;
		lq[2 * i + 1] = i + 1 < n ? 0 : (uint64_t)ir->status;
	}
	err = err ?: qi_restart(u, ir->linux_iqa);
	if (!err) {
		wr64(u, VTD_IQT, (uint64_t)n << 4);
		err = wait_reg(u, rd64, VTD_IQH, ~0ull, (uint64_t)n << 4);
	}
	if (err)
		printk("IOMMU %u: interrupt remapping NOT given back to Linux cleanly (%d; fault status 0x%x, status 0x%x, head 0x%lx, tail 0x%lx, Linux's tail 0x%x)\n",
		       index, err, rd32(u, VTD_FSTS), rd32(u, VTD_GSTS), rd64(u, VTD_IQH),
		       rd64(u, VTD_IQT), ir->linux_tail);
	else
		printk("IOMMU %u: interrupt remapping back to Linux\n", index);
	ir->on = 0;
}

/* After entries changed: the unit's cache of them goes (ir.lock held). */
static void invalidate_entries(struct vtd_unit *u, unsigned int index)
{
	if (qi_submit(u, QI_IEC, 0))
		printk("IOMMU %u: interrupt entry cache invalidation timed out\n", index);
}

void vtd_ir_recopy(struct vtd_unit *u, unsigned int index)
{
	if (!u->ir.on || !u->ir.irt)
		return;
	spin_lock(&u->ir.lock);
	irt_copy(u, index, 0, u->ir.entries);
	invalidate_entries(u, index);
	spin_unlock(&u->ir.lock);
}

/* One descriptor of Linux's queue. */
static void run_linux_descriptor(struct per_cpu *cpu, struct vtd_unit *u, unsigned int index,
				 uint64_t lo, uint64_t hi)
{
	uint64_t addr = hi & ~3ull;

	switch (QI_TYPE(lo)) {
	case QI_IEC:
		if (lo & QI_IEC_INDEX)
			irt_copy(u, index, (unsigned int)QI_IEC_IIDX(lo), 1u << QI_IEC_IM(lo));
		else
			irt_copy(u, index, 0, u->ir.entries);
		invalidate_entries(u, index);
		return;
	case QI_WAIT:
		if (!(lo & QI_WAIT_SW))
			return;
		if (cell_root_ram_holds(addr, 4))
			*(volatile uint32_t *)addr = (uint32_t)(lo >> 32);
		else if (report_due(&cpu->reports, cpu->cpu_id, "IOMMU wait", addr))
			printk("CPU %u: root cell's invalidation wait writes to 0x%lx, not root RAM: dropped\n",
			       cpu->cpu_id, addr);
		return;
	case QI_CC:
	case QI_IOTLB:
		return;		/* DMA remapping is ours: Linux has none */
	default:
		if (report_due(&cpu->reports, cpu->cpu_id, "IOMMU descriptor", lo))
			printk("CPU %u: root cell's invalidation descriptor 0x%lx:%lx dropped\n",
			       cpu->cpu_id, hi, lo);
	}
}

/* Linux moved its tail to @tail: run what it queued, in order. */
static void run_linux_queue(struct per_cpu *cpu, struct vtd_unit *u, unsigned int index,
			    uint32_t tail)
{
	struct vtd_ir *ir = &u->ir;
	const volatile uint64_t *lq = (const uint64_t *)IQA_BASE(ir->linux_iqa);
	unsigned int slots = QI_ENTRIES << IQA_QS(ir->linux_iqa);
	unsigned int head = (ir->linux_tail >> 4) % slots, end = (tail >> 4) % slots;

	while (head != end) {
		run_linux_descriptor(cpu, u, index, lq[2 * head], lq[2 * head + 1]);
		head = (head + 1) % slots;
	}
	ir->linux_tail = end << 4;
}

/* The 64-bit register at @reg & ~7, as Linux sees it. */
static uint64_t linux_view(const struct vtd_unit *u, unsigned int reg)
{
	const struct vtd_ir *ir = &u->ir;

	switch (reg & ~7u) {
	case VTD_VER:
	case VTD_CAP:
	case VTD_ECAP:
		return rd64(u, reg & ~7u);
	case VTD_GCMD:		/* GSTS in the upper half: IR, QI and their pointers */
		return (uint64_t)(VTD_GCMD_IRE | VTD_GCMD_QIE | VTD_GCMD_SIRTP) << 32;
	case VTD_IQH:
	case VTD_IQT:
		return ir->linux_tail;
	case VTD_IQA:
		return ir->linux_iqa;
	case VTD_IRTA:
		return ir->linux_irta;
	default:
		return 0;	/* no faults, nothing pending, everything else off */
	}
}

void vtd_ir_root_access(struct per_cpu *cpu, struct vtd_unit *u, unsigned int index,
			unsigned int reg, int is_write, unsigned int size, uint64_t *value)
{
	struct vtd_ir *ir = &u->ir;
	unsigned int shift = (reg & 7) * 8;

	if (!is_write) {
		*value = linux_view(u, reg) >> shift;
		if (size < 8)
			*value &= (1ull << (size * 8)) - 1;
		return;
	}
	spin_lock(&ir->lock);
	if (reg == VTD_IQT && size >= 4)
		run_linux_queue(cpu, u, index, (uint32_t)*value);
	else if (reg == VTD_IRTA && size == 8)
		ir->linux_irta = *value;
	else if (reg == VTD_GCMD && (*value & VTD_GCMD_SIRTP) &&
		 IRTA_ENTRIES(ir->linux_irta) <= ir->entries &&
		 cell_root_ram_holds(IRTA_BASE(ir->linux_irta), IRTA_ENTRIES(ir->linux_irta) * 16ull))
		irt_copy(u, index, 0, ir->entries);	/* a new table of Linux's */
	else if (reg == VTD_GCMD && (*value & (VTD_GCMD_IRE | VTD_GCMD_QIE)) !=
		 (VTD_GCMD_IRE | VTD_GCMD_QIE) &&
		 report_due(&cpu->reports, cpu->cpu_id, "IOMMU GCMD", *value))
		printk("CPU %u: root cell's IOMMU command 0x%lx ignored: interrupt remapping and queued invalidation stay on\n",
		       cpu->cpu_id, *value);
	spin_unlock(&ir->lock);
}

int vtd_ir_entry(const struct vtd_unit *u, unsigned int handle, uint64_t *lo, int *x2apic)
{
	if (!u->ir.on || !u->ir.irt || handle >= hv_first(&u->ir))
		return -ENOENT;
	*lo = u->ir.irt[2 * handle];
	*x2apic = eime(u);
	return *lo & IRTE_P ? 0 : -ENOENT;
}

int vtd_ir_hv_entry(struct vtd_unit *u, unsigned int index, unsigned int slot,
		    uint32_t apic_id, uint32_t vector, int lowest, uint16_t sid)
{
	struct vtd_ir *ir = &u->ir;
	unsigned int i = hv_first(ir) + slot;
	uint64_t dest = eime(u) ? (uint64_t)apic_id << 32 : (uint64_t)(apic_id & 0xff) << 40;

	if (!ir->on || !ir->irt || slot >= IR_HV_ENTRIES)
		return -ENODEV;
	spin_lock(&ir->lock);
	ir->irt[2 * i] = 0;			/* not present while it changes */
	ir->irt[2 * i + 1] = IRTE_HI_SVT_SID | sid;
	ir->irt[2 * i] = IRTE_P | (uint64_t)(lowest ? 1 : 0) << 5 | (uint64_t)vector << 16 | dest;
	invalidate_entries(u, index);
	spin_unlock(&ir->lock);
	return (int)i;
}

void vtd_ir_hv_entry_clear(struct vtd_unit *u, unsigned int index, unsigned int slot)
{
	struct vtd_ir *ir = &u->ir;
	unsigned int i = hv_first(ir) + slot;

	if (!ir->on || !ir->irt || slot >= IR_HV_ENTRIES)
		return;
	spin_lock(&ir->lock);
	ir->irt[2 * i] = 0;
	ir->irt[2 * i + 1] = 0;
	invalidate_entries(u, index);
	spin_unlock(&ir->lock);
}
