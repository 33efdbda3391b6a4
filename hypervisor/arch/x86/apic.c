// SPDX-License-Identifier: GPL-2.0-only
/*
 * Writes to the local APIC, emulated. Everything but the interrupt
 * command register goes to the hardware unchanged (EOI, timer, LVTs, TPR
 * only concern the writing CPU). An IPI is let through only to running
 * CPUs of the sender's own cell, and never as INIT or SIPI (a real INIT
 * would reset a CPU out of the hypervisor); INIT and SIPI from the root
 * cell to a CPU it got back restart that CPU the way hardware would.
 * Everything else is dropped and reported.
 */
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/decode.h>
#include <asm/mmio.h>
#include <asm/paging.h>
#include <asm/percpu.h>
#include <asm/processor.h>
#include <cell.h>

#define MAX_REPORTS	16

static unsigned int reports;

void apic_cpu_init(struct per_cpu *cpu)
{
	cpu->apic_id = apic_read(APIC_REG_ID) >> 24;
	cpu->apic_ldr = apic_read(APIC_REG_LDR) >> 24;
}

/*
 * A CPU that goes to a new cell must not bring the old one's interrupt
 * sources along: mask every local vector and stop the timer. (Requests
 * already in the APIC's IRR still arrive once; the inmate runtime
 * acknowledges any vector.)
 */
void apic_reset_for_cell(void)
{
	static const unsigned int lvts[] = { 0x320, 0x330, 0x340, 0x350, 0x360, 0x370 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(lvts); i++)
		apic_write(lvts[i], APIC_LVT_MASKED);
	apic_write(APIC_REG_TMICT, 0);
}

static void wait_icr_idle(void)
{
	unsigned int spins = 1000000;

	while ((apic_read(APIC_REG_ICR_LO) & APIC_ICR_BUSY) && --spins)
		cpu_relax();
}

static void send_ipi(uint32_t icr_hi, uint32_t icr_lo)
{
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

	for (i = 0; i < BH_MAX_CPUS; i++)
		if (per_cpu_area[i].online && per_cpu_area[i].apic_id == apic_id)
			return &per_cpu_area[i];
	return NULL;
}

static void report(struct per_cpu *cpu, const char *what, uint32_t icr_lo)
{
	cpu->violations++;
	if (reports++ < MAX_REPORTS)
		printk("CPU %u: cell \"%s\": %s (ICR 0x%x:%08x) refused\n", cpu->cpu_id,
		       cpu->cell->desc->name, what, cpu->icr_hi, icr_lo);
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
		target->wait_for_sipi = 1;
		return;
	}
	if (!target->wait_for_sipi)
		return;		/* the pair's second SIPI */
	target->wait_for_sipi = 0;
	cpu_request(target, CPU_REQ_START_ROOT, icr_lo & 0xff);
}

static void physical_ipi(struct per_cpu *cpu, unsigned int mode, uint32_t icr_lo)
{
	struct per_cpu *target = cpu_by_apic_id(cpu->icr_hi >> 24);
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
	send_ipi(cpu->icr_hi, icr_lo);
}

/* The logical destinations the sender's cell may reach (flat mode). */
static uint32_t cell_logical_mask(const struct cell *cell)
{
	uint32_t mask = 0;
	unsigned int i;

	for (i = 0; i < BH_MAX_CPUS; i++)
		if (per_cpu_area[i].online && per_cpu_area[i].cell == cell &&
		    !per_cpu_area[i].parked)
			mask |= per_cpu_area[i].apic_ldr;
	return mask;
}

static void handle_icr(struct per_cpu *cpu, uint32_t icr_lo)
{
	unsigned int mode = (icr_lo >> APIC_ICR_DM_SHIFT) & 7;
	unsigned int shorthand = (icr_lo >> APIC_ICR_SHORTHAND_SHIFT) & 3;
	uint32_t dest;

	if ((mode == APIC_ICR_DM_INIT || mode == APIC_ICR_DM_SIPI) &&
	    (shorthand || (icr_lo & APIC_ICR_LOGICAL))) {
		report(cpu, "INIT/SIPI by shorthand or logical destination", icr_lo);
		return;
	}
	if (shorthand == 1) {			/* self */
		send_ipi(cpu->icr_hi, icr_lo);
		return;
	}
	if (shorthand) {
		/* "all": only fixed IPIs, and only to the sender's cell. */
		if (mode != APIC_ICR_DM_FIXED) {
			report(cpu, "broadcast INIT/SIPI/NMI", icr_lo);
			return;
		}
		dest = cell_logical_mask(cpu->cell);
		send_ipi(dest << 24, (icr_lo & ~(3u << APIC_ICR_SHORTHAND_SHIFT)) |
			 APIC_ICR_LOGICAL);
		return;
	}
	if (!(icr_lo & APIC_ICR_LOGICAL)) {
		physical_ipi(cpu, mode, icr_lo);
		return;
	}
	dest = (cpu->icr_hi >> 24) & cell_logical_mask(cpu->cell);
	if (dest != cpu->icr_hi >> 24)
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

/*
 * Logical IDs decide where logical IPIs and MSIs land: an inmate that
 * took a root CPU's logical ID would receive the root's interrupts.
 * Only the root cell (Linux, when it brings a CPU up) sets them.
 */
static void set_logical_id(struct per_cpu *cpu, uint32_t reg, uint32_t value)
{
	if (cpu->cell != &root_cell) {
		report(cpu, "change of the logical APIC ID or mode", value);
		return;
	}
	apic_write(reg, value);
	if (reg == APIC_REG_LDR)
		cpu->apic_ldr = value >> 24;
}

/* The running CPUs of @cell an MSI with @addr reaches. */
static int msi_reaches(const struct per_cpu *c, const struct cell *cell,
		       uint64_t addr)
{
	uint32_t dest = (addr >> MSI_ADDR_DEST_SHIFT) & 0xff;

	if (!c->online || c->cell != cell || c->parked)
		return 0;
	if (addr & MSI_ADDR_LOGICAL)
		return (c->apic_ldr & dest) != 0;
	return dest == 0xff || c->apic_id == dest;
}

int apic_deliver_msi(const struct cell *cell, uint64_t addr, uint32_t data)
{
	unsigned int mode = (data >> APIC_ICR_DM_SHIFT) & 7;
	uint32_t vector = data & 0xff;
	unsigned int i;
	int sent = 0;

	if ((addr & MSI_ADDR_BASE_MASK) != APIC_BASE || vector < 32 ||
	    (mode != APIC_ICR_DM_FIXED && mode != APIC_ICR_DM_LOWEST))
		return -EINVAL;
	for (i = 0; i < BH_MAX_CPUS; i++) {
		if (!msi_reaches(&per_cpu_area[i], cell, addr))
			continue;
		send_ipi(per_cpu_area[i].apic_id << 24, vector);
		sent++;
		if (mode == APIC_ICR_DM_LOWEST)
			break;
	}
	return sent ? 0 : -ENOENT;
}

int apic_handle_write(struct per_cpu *cpu, uint64_t gpa)
{
	struct vmcb *vmcb = &cpu->vmcb;
	struct mmio_insn insn;
	uint8_t bytes[15];
	unsigned int avail;
	uint32_t value, reg = gpa & 0xfff;

	avail = guest_fetch(cpu, vmcb->rip, bytes, sizeof(bytes));
	if (!avail || decode_mmio(bytes, avail, &insn) || !insn.is_write ||
	    insn.size != 4 || (reg & 3))
		return -EINVAL;
	value = insn.reg < 0 ? (uint32_t)insn.imm : (uint32_t)mmio_guest_reg(cpu, insn.reg);
	if (insn.high_byte)
		return -EINVAL;

	if (reg == APIC_REG_ICR_HI) {
		cpu->icr_hi = value;
	} else if (reg == APIC_REG_ICR_LO) {
		handle_icr(cpu, value);
	} else if (reg == APIC_REG_LDR || reg == APIC_REG_DFR) {
		set_logical_id(cpu, reg, value);
	} else if (reg >= APIC_REG_LVT_FIRST && reg <= APIC_REG_LVT_LAST &&
		   !lvt_allowed(value)) {
		report(cpu, "local vector with SMI/INIT/ExtINT delivery", value);
	} else {
		apic_write(reg, value);
	}
	vmcb->rip += insn.length;
	return 0;
}
