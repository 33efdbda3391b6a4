// SPDX-License-Identifier: GPL-2.0-only
/*
 * Writes to the local APIC, emulated. Cells see the APIC page read-only;
 * each write is decoded and let through only if the register is one a
 * cell may write and the value one it may write (docs/hypervisor.md has
 * the table). Registers that concern only the writing CPU (EOI, TPR,
 * timer, error status, spurious vector) pass unchanged; local vectors may
 * not deliver SMI, INIT or ExtINT; the APIC ID, the read-only and the
 * reserved registers are never written (offset 0 of the page is where
 * QEMU decodes CPU stores as MSIs). An IPI is let through only to running
 * CPUs of the sender's own cell, only as a fixed, lowest-priority or NMI
 * interrupt, and never as INIT or SIPI (a real INIT would reset a CPU
 * out of the hypervisor); INIT and SIPI from the root cell to a CPU it
 * got back restart that CPU the way hardware would. Everything else is
 * dropped and reported.
 */
#include <arch.h>
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/layout.h>
#include <asm/paging.h>
#include <percpu.h>
#include <asm/processor.h>
#include <asm/vcpu.h>
#include <asm/vtd.h>
#include <cell.h>
#include <report.h>

#define APIC_REGS		8	/* ISR and IRR: 8 registers of 32 bits */
#define APIC_SVR_ENABLE		(1u << 8)
#define DRAIN_TRIES		1000

_Static_assert(APIC_BASE + APIC_REG_EOI == APIC_EOI_PHYS, "traps.S acknowledges here");

/*
 * In x2APIC mode the ID is a 32-bit MSR and the logical ID follows from
 * it (cluster ID >> 4, a bit per CPU): apic_ldr, the flat xAPIC logical
 * ID, is then 0 and x2apic_logical_reaches() is asked instead.
 */
void apic_cpu_init(struct per_cpu *cpu)
{
	if (apic_x2apic_mode()) {
		cpu->arch.apic_id = (uint32_t)rdmsr(X2APIC_MSR(APIC_REG_ID));
		cpu->arch.apic_ldr = 0;
		return;
	}
	cpu->arch.apic_id = apic_read(APIC_REG_ID) >> 24;
	cpu->arch.apic_ldr = apic_read(APIC_REG_LDR) >> 24;
}

/* Does an x2APIC logical (cluster) destination @dest name CPU @c? */
static int x2apic_logical_reaches(const struct per_cpu *c, uint32_t dest)
{
	return (dest >> 16) == (c->arch.apic_id >> 4) &&
	       (dest & (1u << (c->arch.apic_id & 0xf)));
}

static int apic_any_set(unsigned int first_reg)
{
	unsigned int i;

	for (i = 0; i < APIC_REGS; i++)
		if (apic_read(first_reg + 0x10 * i))
			return 1;
	return 0;
}

/*
 * Interrupts the old cell left requested (IRR) or in service (ISR) would
 * reach whoever runs on this CPU next: Linux sees "Stale IRR" or an
 * inmate vector it has no handler for. In-service ones end with an EOI;
 * requested ones are let in here, where the hypervisor's vectors 32-255
 * acknowledge them (traps.S).
 */
static void apic_drain(void)
{
	unsigned int i;

	apic_write(APIC_REG_TPR, 0);
	apic_write(APIC_REG_SVR, apic_read(APIC_REG_SVR) | APIC_SVR_ENABLE);
	for (i = 0; i < 256 && apic_any_set(APIC_REG_ISR); i++)
		apic_write(APIC_REG_EOI, 0);
	for (i = 0; i < DRAIN_TRIES && apic_any_set(APIC_REG_IRR); i++)
		vcpu->irq_window(64);
}

/*
 * Back to an enabled xAPIC, the mode root Linux and a new inmate expect.
 * x2APIC leaves only through the disabled state, which resets the APIC
 * as at power-on (IDs from hardware, logical ID 0, all masked). Some CPU
 * models (Bochs 2.7, like the P6 family) ignore every write to the APIC
 * base once the APIC is disabled, until a reset: then the APIC stays
 * off and this CPU can serve no cell (-EIO).
 */
static int apic_back_to_xapic(struct per_cpu *cpu)
{
	const uint64_t mode = APIC_BASE_ENABLE | APIC_BASE_X2APIC;
	uint64_t base = rdmsr(MSR_APIC_BASE);

	if ((base & mode) == APIC_BASE_ENABLE)
		return 0;
	if (base & APIC_BASE_X2APIC)
		wrmsr(MSR_APIC_BASE, base & ~mode);
	wrmsr(MSR_APIC_BASE, (base & ~APIC_BASE_X2APIC) | APIC_BASE_ENABLE);
	if ((rdmsr(MSR_APIC_BASE) & mode) != APIC_BASE_ENABLE)
		return -EIO;
	cpu->arch.apic_ldr = apic_read(APIC_REG_LDR) >> 24;
	return 0;
}

int apic_reset_for_cell(struct per_cpu *cpu)
{
	static const unsigned int lvts[] = { 0x320, 0x330, 0x340, 0x350, 0x360, 0x370 };
	unsigned int i;
	int err;

	err = apic_back_to_xapic(cpu);
	if (err) {
		printk("CPU %u: its local APIC stays disabled after the last cell's "
		       "mode change (this CPU model cannot re-enable it): the CPU stays parked\n",
		       cpu->cpu_id);
		return err;
	}
	for (i = 0; i < ARRAY_SIZE(lvts); i++)
		apic_write(lvts[i], APIC_LVT_MASKED);
	apic_write(APIC_REG_TMICT, 0);
	apic_drain();
	return 0;
}

static void wait_icr_idle(void)
{
	unsigned int spins = 1000000;

	while ((apic_read(APIC_REG_ICR_LO) & APIC_ICR_BUSY) && --spins)
		cpu_relax();
}

/* @icr_hi in xAPIC form (destination in 31:24), whatever this CPU's mode. */
static void send_ipi(uint32_t icr_hi, uint32_t icr_lo)
{
	if (apic_x2apic_mode()) {
		uint32_t dest = icr_hi >> 24;

		apic_x2apic_write_icr(dest == 0xff ? X2APIC_BROADCAST : dest, icr_lo);
		return;
	}
	wait_icr_idle();
	apic_write(APIC_REG_ICR_HI, icr_hi);
	apic_write(APIC_REG_ICR_LO, icr_lo);
}

void apic_send_nmi(uint32_t apic_id)
{
	send_ipi(apic_id << 24, APIC_ICR_DM_NMI << APIC_ICR_DM_SHIFT | APIC_ICR_ASSERT);
}

static struct per_cpu *cpu_by_apic_id(uint32_t apic_id)
{
	unsigned int i;

	for_each_cpu(i, cpus_online)
		if (per_cpu_area[i].online && per_cpu_area[i].arch.apic_id == apic_id)
			return &per_cpu_area[i];
	return NULL;
}

static void report(struct per_cpu *cpu, const char *what, uint32_t icr_lo)
{
	cpu->violations++;
	if (report_due(&cpu->reports, cpu->cpu_id, what,
		       (uint64_t)cpu->arch.icr_hi << 32 | icr_lo))
		printk("CPU %u: cell \"%s\": %s (ICR 0x%x:%08x) refused\n", cpu->cpu_id,
		       cpu->cell->desc->name, what, cpu->arch.icr_hi, icr_lo);
}

static void report_reg(struct per_cpu *cpu, const char *what, unsigned int reg,
		       uint32_t value)
{
	cpu->violations++;
	if (report_due(&cpu->reports, cpu->cpu_id, what, (uint64_t)reg << 32 | value))
		printk("CPU %u: cell \"%s\": %s (register 0x%x, value 0x%x) ignored\n",
		       cpu->cpu_id, cpu->cell->desc->name, what, reg, value);
}

/*
 * INIT or SIPI from the root cell to another of its CPUs: what the
 * hardware would do, emulated, because a real INIT would reset the CPU
 * out of the hypervisor and a real SIPI cannot reach it. INIT parks the
 * CPU (a running one too: INIT resets) until a SIPI starts it in real
 * mode at the SIPI's vector. Linux sends these to bring CPUs online,
 * also CPUs it took offline for a cell that was then refused.
 */
static void restart_root_cpu(struct per_cpu *target, unsigned int mode,
			     uint32_t icr_lo)
{
	if (mode == APIC_ICR_DM_INIT) {
		if (!(icr_lo & APIC_ICR_ASSERT))
			return;		/* INIT de-assert: nothing to do */
		if (!target->parked)
			cpu_request(target, CPU_REQ_PARK, 0);
		target->arch.wait_for_sipi = 1;
		return;
	}
	if (!target->arch.wait_for_sipi)
		return;		/* the pair's second SIPI */
	target->arch.wait_for_sipi = 0;
	cpu_request(target, CPU_REQ_START_ROOT, icr_lo & 0xff);
}

static void physical_ipi(struct per_cpu *cpu, unsigned int mode, uint32_t icr_lo)
{
	struct per_cpu *target = cpu_by_apic_id(cpu->arch.icr_hi >> 24);
	int init_sipi = mode == APIC_ICR_DM_INIT || mode == APIC_ICR_DM_SIPI;

	if (!target) {
		report(cpu, "IPI to a CPU the hypervisor does not know", icr_lo);
		return;
	}
	if (init_sipi && cpu->cell == &root_cell && target->cell == &root_cell &&
	    target != cpu) {
		restart_root_cpu(target, mode, icr_lo);
		return;
	}
	if (init_sipi) {
		report(cpu, "INIT/SIPI outside the root cell or to itself", icr_lo);
		return;
	}
	if (target->cell != cpu->cell || target->parked) {
		report(cpu, "IPI to a CPU of another cell", icr_lo);
		return;
	}
	send_ipi(cpu->arch.icr_hi, icr_lo);
}

/* The logical destinations the sender's cell may reach (flat mode). */
static uint32_t cell_logical_mask(const struct cell *cell)
{
	uint32_t mask = 0;
	unsigned int i;

	for_each_cpu(i, cell->cpu_set)
		if (per_cpu_area[i].online && per_cpu_area[i].cell == cell &&
		    !per_cpu_area[i].parked)
			mask |= per_cpu_area[i].arch.apic_ldr;
	return mask;
}

/*
 * Physical IPIs to each running CPU of the sender's cell (x2APIC mode
 * has no flat logical IDs to do it in one).
 */
static void send_to_cell(struct per_cpu *cpu, uint32_t icr_lo, int self)
{
	unsigned int i;

	for_each_cpu(i, cpu->cell->cpu_set) {
		struct per_cpu *c = &per_cpu_area[i];

		if (c->online && c->cell == cpu->cell && !c->parked && (self || c != cpu))
			send_ipi(c->arch.apic_id << 24, icr_lo & ~APIC_ICR_LOGICAL);
	}
}

static void handle_icr(struct per_cpu *cpu, uint32_t icr_lo)
{
	unsigned int mode = (icr_lo >> APIC_ICR_DM_SHIFT) & 7;
	unsigned int shorthand = (icr_lo >> APIC_ICR_SHORTHAND_SHIFT) & 3;
	uint32_t dest;

	/* SMI would take the CPU into firmware, out of our hands; 3 and 7 are reserved/ExtINT. */
	if (mode != APIC_ICR_DM_FIXED && mode != APIC_ICR_DM_LOWEST &&
	    mode != APIC_ICR_DM_NMI && mode != APIC_ICR_DM_INIT &&
	    mode != APIC_ICR_DM_SIPI) {
		report(cpu, "IPI with SMI or a reserved delivery mode", icr_lo);
		return;
	}
	if ((mode == APIC_ICR_DM_INIT || mode == APIC_ICR_DM_SIPI) &&
	    (shorthand || (icr_lo & APIC_ICR_LOGICAL))) {
		report(cpu, "INIT/SIPI by shorthand or logical destination", icr_lo);
		return;
	}
	if (shorthand == APIC_ICR_SH_SELF) {
		send_ipi(cpu->arch.icr_hi, icr_lo);
		return;
	}
	if (shorthand) {
		/* "all": only fixed IPIs, and only to the sender's cell. */
		if (mode != APIC_ICR_DM_FIXED) {
			report(cpu, "broadcast INIT/SIPI/NMI", icr_lo);
			return;
		}
		if (apic_x2apic_mode()) {
			send_to_cell(cpu, icr_lo & ~(3u << APIC_ICR_SHORTHAND_SHIFT),
				     shorthand != APIC_ICR_SH_OTHERS);
			return;
		}
		dest = cell_logical_mask(cpu->cell);
		if (shorthand == APIC_ICR_SH_OTHERS)
			dest &= ~cpu->arch.apic_ldr;
		if (dest)
			send_ipi(dest << 24, (icr_lo & ~(3u << APIC_ICR_SHORTHAND_SHIFT)) |
				 APIC_ICR_LOGICAL);
		return;
	}
	if (!(icr_lo & APIC_ICR_LOGICAL)) {
		physical_ipi(cpu, mode, icr_lo);
		return;
	}
	dest = (cpu->arch.icr_hi >> 24) & cell_logical_mask(cpu->cell);
	if (dest != cpu->arch.icr_hi >> 24)
		report(cpu, "logical IPI partly outside the cell", icr_lo);
	if (dest)
		send_ipi(dest << 24, icr_lo);
}

/*
 * A local vector may deliver a fixed interrupt or an NMI to its own CPU;
 * SMI, INIT and ExtINT could take the CPU out of the hypervisor's hands
 * (an INIT exits but stays pending and resets the CPU afterwards).
 */
static int lvt_allowed(uint32_t value)
{
	unsigned int mode = (value >> APIC_ICR_DM_SHIFT) & 7;

	return (value & APIC_LVT_MASKED) || mode == APIC_ICR_DM_FIXED ||
	       mode == APIC_ICR_DM_NMI;
}

/* The logical IDs of the CPUs that are not @cell's. */
static uint32_t others_logical_mask(const struct cell *cell)
{
	uint32_t mask = 0;
	unsigned int i;

	for_each_cpu(i, cpus_online)
		if (per_cpu_area[i].online && per_cpu_area[i].cell != cell)
			mask |= per_cpu_area[i].arch.apic_ldr;
	return mask;
}

/*
 * Logical IDs decide where logical IPIs and MSIs land: an inmate that
 * took a root CPU's logical ID would receive the root's interrupts, and
 * a root CPU that took an inmate CPU's would share the inmate's. Only the
 * root cell (Linux, when it brings a CPU up) sets them, and only to bits
 * no CPU of another cell holds.
 */
static void set_logical_id(struct per_cpu *cpu, uint32_t reg, uint32_t value)
{
	if (cpu->cell != &root_cell) {
		report_reg(cpu, "change of the logical APIC ID or mode", reg, value);
		return;
	}
	if (reg == APIC_REG_LDR && ((value >> 24) & others_logical_mask(cpu->cell))) {
		report_reg(cpu, "logical APIC ID of another cell's CPU", reg, value);
		return;
	}
	apic_write(reg, value);
	if (reg == APIC_REG_LDR)
		cpu->arch.apic_ldr = value >> 24;
}

int apic_dest_reaches(const struct per_cpu *c, const struct apic_dest *d)
{
	if (!d->logical)
		return c->arch.apic_id == d->id ||
		       (d->broadcast && d->id == (d->x2apic ? X2APIC_BROADCAST : 0xff));
	return d->x2apic ? x2apic_logical_reaches(c, d->id) : (c->arch.apic_ldr & d->id) != 0;
}

/* @vector to the running CPUs of @cell @d names (the first only: @lowest). */
static int deliver_msi(const struct cell *cell, const struct apic_dest *d, uint32_t vector,
		       int lowest)
{
	unsigned int i;
	int sent = 0;

	for_each_cpu(i, cell->cpu_set) {
		const struct per_cpu *c = &per_cpu_area[i];

		if (!c->online || c->cell != cell || c->parked || !apic_dest_reaches(c, d))
			continue;
		send_ipi(c->arch.apic_id << 24, vector);
		sent++;
		if (lowest)
			break;
	}
	return sent ? 0 : -ENOENT;
}

/*
 * A remappable MSI of a root-cell virtual device (root Linux with
 * interrupt remapping): delivered as the entry it names says, which
 * vtd_ir.c checked to reach root CPUs only.
 */
static int send_remapped_msi(const struct cell *cell, uint64_t addr, uint32_t data)
{
	struct apic_dest d = { 0 };
	uint64_t irte;
	uint32_t vector;

	if (cell != &root_cell || vtd_ir_resolve(addr, data, &irte, &d.x2apic))
		return -EINVAL;
	vector = IRTE_VECTOR(irte);
	if (vector < 32)
		return -EINVAL;
	d.id = IRTE_DEST(irte, d.x2apic);
	d.logical = !!(irte & IRTE_LOGICAL);
	return deliver_msi(cell, &d, vector, IRTE_DLM(irte) == APIC_ICR_DM_LOWEST);
}

int arch_send_msi(const struct cell *cell, uint64_t addr, uint32_t data)
{
	unsigned int mode = (data >> APIC_ICR_DM_SHIFT) & 7;
	uint32_t vector = data & 0xff;
	struct apic_dest d = {
		.id = (addr >> MSI_ADDR_DEST_SHIFT) & 0xff,
		.logical = !!(addr & MSI_ADDR_LOGICAL),
		.broadcast = 1,
	};

	if (!(addr >> 32) && (addr & MSI_ADDR_BASE_MASK) == APIC_BASE && (addr & MSI_ADDR_REMAPPABLE))
		return send_remapped_msi(cell, addr, data);
	/* bits 63:32 set: a memory write on x86, no interrupt */
	if ((addr >> 32) || (addr & MSI_ADDR_BASE_MASK) != APIC_BASE || vector < 32 ||
	    (mode != APIC_ICR_DM_FIXED && mode != APIC_ICR_DM_LOWEST))
		return -EINVAL;
	return deliver_msi(cell, &d, vector, mode == APIC_ICR_DM_LOWEST);
}

const char *apic_msi_for_cell(const struct cell *cell, uint64_t addr, uint32_t data,
			      uint32_t *apic_id, int *lowest)
{
	unsigned int mode = (data >> APIC_ICR_DM_SHIFT) & 7;
	const struct per_cpu *c;

	if ((addr >> 32) || (addr & MSI_ADDR_BASE_MASK) != APIC_BASE)
		return "not an interrupt address";
	if (addr & (MSI_ADDR_REMAPPABLE | MSI_ADDR_LOGICAL))
		return "not a physical destination in compatibility format";
	if (mode != APIC_ICR_DM_FIXED && mode != APIC_ICR_DM_LOWEST)
		return "not a fixed or lowest-priority interrupt";
	if ((data & 0xff) < 32)
		return "a vector below 32";
	*apic_id = (addr >> MSI_ADDR_DEST_SHIFT) & 0xff;
	c = cpu_by_apic_id(*apic_id);
	if (!c || c->cell != cell)
		return "not a CPU of the cell";
	*lowest = mode == APIC_ICR_DM_LOWEST;
	return NULL;
}

static int apic_is_lvt(unsigned int reg)
{
	return reg == APIC_REG_LVT_CMCI ||
	       (reg >= APIC_REG_LVT_FIRST && reg <= APIC_REG_LVT_LAST);
}

/* One register write of a cell (@reg 16-byte aligned), filtered. */
static void apic_write_filtered(struct per_cpu *cpu, unsigned int reg, uint32_t value)
{
	switch (reg) {
	case APIC_REG_TPR:
	case APIC_REG_EOI:
	case APIC_REG_SVR:
	case APIC_REG_ESR:
	case APIC_REG_TMICT:
	case APIC_REG_TDCR:
		apic_write(reg, value);
		return;
	case APIC_REG_ICR_HI:
		cpu->arch.icr_hi = value;
		return;
	case APIC_REG_ICR_LO:
		handle_icr(cpu, value);
		return;
	case APIC_REG_LDR:
	case APIC_REG_DFR:
		set_logical_id(cpu, reg, value);
		return;
	}
	if (!apic_is_lvt(reg)) {
		/* The ID (apic_id is what IPIs and MSIs are routed by) and the rest. */
		report_reg(cpu, "write to the APIC ID, a read-only or a reserved APIC register",
			   reg, value);
		return;
	}
	if (lvt_allowed(value))
		apic_write(reg, value);
	else
		report_reg(cpu, "local vector with SMI/INIT/ExtINT delivery", reg, value);
}

/*
 * A cell's store to its APIC page (the page is read-only: loads never
 * come here). Registers are 32 bits at 16-byte steps.
 */
void apic_mmio_access(struct per_cpu *cpu, void *ctx, uint64_t gpa, int is_write,
		      unsigned int size, uint64_t *value)
{
	unsigned int reg = gpa & 0xfff;

	(void)ctx;
	if (!is_write) {
		*value = size == 4 && !(reg & 3) ? apic_read(reg) : 0;
		return;
	}
	if (size != 4 || (reg & 0xf))
		report_reg(cpu, "write between APIC registers or not 32 bits wide", reg,
			   (uint32_t)*value);
	else
		apic_write_filtered(cpu, reg, (uint32_t)*value);
}

/*
 * A logical IPI in x2APIC mode (Linux's cluster mode sends all of its
 * IPIs this way): a physical IPI to each running CPU of the sender's
 * cell the destination names, as fixed, lowest-priority (the first such
 * CPU) or NMI only; a destination naming any CPU outside the cell is
 * reported, and those CPUs get nothing.
 */
static void x2apic_logical_ipi(struct per_cpu *cpu, uint32_t dest, uint32_t icr_lo)
{
	unsigned int mode = (icr_lo >> APIC_ICR_DM_SHIFT) & 7, i;
	uint32_t physical = icr_lo & ~APIC_ICR_LOGICAL;
	int outside = 0;

	if (mode != APIC_ICR_DM_FIXED && mode != APIC_ICR_DM_LOWEST && mode != APIC_ICR_DM_NMI) {
		report(cpu, "x2APIC logical IPI with INIT, SIPI, SMI or a reserved delivery mode",
		       icr_lo);
		return;
	}
	for_each_cpu(i, cpus_online) {
		struct per_cpu *c = &per_cpu_area[i];

		if (!c->online || !x2apic_logical_reaches(c, dest))
			continue;
		if (c->cell != cpu->cell || c->parked) {
			outside = 1;
			continue;
		}
		send_ipi(c->arch.apic_id << 24, physical);
		if (mode == APIC_ICR_DM_LOWEST)
			break;
	}
	if (outside)
		report(cpu, "logical IPI partly outside the cell", icr_lo);
}

/* Local vectors with a delivery mode, as x2APIC MSRs; the rest pass (msr.c). */
static int x2apic_is_checked_lvt(uint32_t msr)
{
	return msr == X2APIC_MSR(APIC_REG_LVT_CMCI) ||
	       (msr > X2APIC_MSR(APIC_REG_LVT_FIRST) && msr <= X2APIC_MSR(APIC_REG_LVT_LAST));
}

int apic_x2apic_write(struct per_cpu *cpu, uint32_t msr, uint64_t value)
{
	uint32_t dest = (uint32_t)(value >> 32), icr_lo = (uint32_t)value;

	if (!apic_x2apic_mode())
		return -EPERM;		/* no x2APIC registers in xAPIC mode: #GP */
	if (x2apic_is_checked_lvt(msr)) {
		if (lvt_allowed(icr_lo))
			apic_x2apic_write_reg(msr, icr_lo);
		else
			report_reg(cpu, "local vector with SMI/INIT/ExtINT delivery",
				   (msr - MSR_X2APIC_FIRST) << 4, icr_lo);
		return 0;
	}
	if (msr != MSR_X2APIC_ICR)
		return -EPERM;
	if ((icr_lo & APIC_ICR_LOGICAL) && !((icr_lo >> APIC_ICR_SHORTHAND_SHIFT) & 3)) {
		cpu->arch.icr_hi = dest;	/* the reports name it */
		x2apic_logical_ipi(cpu, dest, icr_lo);
		return 0;
	}
	if (dest > 0xfe && !((icr_lo >> APIC_ICR_SHORTHAND_SHIFT) & 3)) {
		cpu->arch.icr_hi = dest;
		report(cpu, "x2APIC IPI beyond the CPUs the hypervisor knows", icr_lo);
		return 0;
	}
	cpu->arch.icr_hi = dest << 24;
	handle_icr(cpu, icr_lo);
	return 0;
}
