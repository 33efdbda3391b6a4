/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The local APIC. In xAPIC mode cells see the real APIC through a
 * read-only mapping: reads are direct, writes exit and are checked here,
 * so no cell can send INIT, SIPI or NMI to another's CPUs. An inmate may
 * switch its CPUs to x2APIC mode where the CPU has it: then the APIC is
 * MSRs 0x800-0x8ff, reached directly (msr.c) but for the ICR and the
 * local vectors that can deliver SMI/INIT/ExtINT, which come here. A CPU
 * goes back to xAPIC mode whenever it changes cells.
 */
#ifndef BH_ASM_APIC_H
#define BH_ASM_APIC_H

#include <common/x86_apic.h>
#include <hv.h>

#define APIC_REG_ID		0x020
#define APIC_REG_TPR		0x080
#define APIC_REG_EOI		0x0b0
#define APIC_REG_LDR		0x0d0
#define APIC_REG_DFR		0x0e0
#define APIC_REG_SVR		0x0f0
#define APIC_REG_ISR		0x100	/* 8 registers, 0x10 apart */
#define APIC_REG_IRR		0x200	/* 8 registers, 0x10 apart */
#define APIC_REG_ESR		0x280
#define APIC_REG_LVT_CMCI	0x2f0
#define APIC_REG_ICR_LO		0x300
#define APIC_REG_ICR_HI		0x310
#define APIC_REG_TMICT		0x380
#define APIC_REG_TDCR		0x3e0
#define APIC_REG_LVT_FIRST	0x320	/* timer, thermal, perf, LINT0/1, error */
#define APIC_REG_LVT_LAST	0x370
#define APIC_LVT_MASKED		(1u << 16)

#define APIC_ICR_BUSY		(1u << 12)
#define APIC_ICR_DM_SHIFT	8
#define APIC_ICR_DM_FIXED	0
#define APIC_ICR_DM_LOWEST	1
#define APIC_ICR_DM_SMI		2
#define APIC_ICR_DM_NMI		4
#define APIC_ICR_DM_INIT	5
#define APIC_ICR_DM_SIPI	6
#define APIC_ICR_LOGICAL	(1u << 11)
#define APIC_ICR_ASSERT		(1u << 14)
#define APIC_ICR_SHORTHAND_SHIFT 18
#define APIC_ICR_SH_SELF	1
#define APIC_ICR_SH_OTHERS	3	/* all excluding self */

/*
 * A CPU store anywhere in the 1 MiB MSI window but the APIC's own
 * registers is an MSI too on QEMU (and on chipsets that decode the window
 * for CPUs): no cell maps it, so such a store exits and is refused.
 */
#define MSI_WINDOW_SIZE		0x100000ull

#define MSR_X2APIC_FIRST	0x800
#define MSR_X2APIC_LAST		0x8ff
#define MSR_X2APIC_ICR		0x830
#define X2APIC_MSR(reg)		(MSR_X2APIC_FIRST + ((reg) >> 4))
#define X2APIC_MSR_SELF_IPI	0x83f
#define X2APIC_BROADCAST	0xffffffffu

struct per_cpu;

/* Is this CPU's APIC in x2APIC mode (IA32_APIC_BASE.EXTD)? */
static inline int apic_x2apic_mode(void)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0x1b));
	return !!(lo & (1u << 10));
}

/* The x2APIC ICR: destination in bits 63:32, no busy bit to wait for. */
static inline void apic_x2apic_write_icr(uint32_t dest, uint32_t icr_lo)
{
	asm volatile("wrmsr" : : "c"(MSR_X2APIC_ICR), "a"(icr_lo), "d"(dest) : "memory");
}

/* Another x2APIC register (32 bits). */
static inline void apic_x2apic_write_reg(uint32_t msr, uint32_t value)
{
	asm volatile("wrmsr" : : "c"(msr), "a"(value), "d"(0) : "memory");
}

static inline uint32_t apic_read(unsigned int reg)
{
	return *(volatile uint32_t *)(APIC_BASE + reg);
}

static inline void apic_write(unsigned int reg, uint32_t val)
{
	*(volatile uint32_t *)(APIC_BASE + reg) = val;
}

/* Records this CPU's APIC IDs (called on every CPU at enable). */
void apic_cpu_init(struct per_cpu *cpu);
/*
 * Before this CPU changes cells: masks its local interrupt sources, stops
 * the timer and takes every interrupt already requested or in service,
 * so that nothing of the old cell reaches the new one. Also brings the
 * APIC back to xAPIC mode; -EIO where the CPU cannot do that (then it
 * must stay parked: see apic_back_to_xapic()).
 */
int apic_reset_for_cell(struct per_cpu *cpu);
/*
 * Where an interrupt goes, from a compatibility-format MSI address or an
 * interrupt remapping entry: a physical APIC ID (with @broadcast, 0xff,
 * or 0xffffffff in x2APIC form, is every CPU), a flat xAPIC logical mask
 * (@logical), or an x2APIC cluster (@logical, @x2apic: cluster in bits
 * 31:16, a bit per CPU in 15:0).
 */
struct apic_dest {
	uint32_t id;
	int logical, x2apic, broadcast;
};

/* Does @d name CPU @c (wherever @c runs)? */
int apic_dest_reaches(const struct per_cpu *c, const struct apic_dest *d);
/*
 * Why the compatibility-format MSI @addr/@data a passed-through device of
 * @cell is to send may not be sent, or NULL: then it names one CPU of
 * @cell, physical APIC ID @apic_id, fixed or (@lowest) lowest-priority
 * delivery, and a vector of 32 or more (data bits 7:0).
 */
struct cell;
const char *apic_msi_for_cell(const struct cell *cell, uint64_t addr, uint32_t data,
			      uint32_t *apic_id, int *lowest);
/* Sends an NMI to the CPU with physical APIC ID @apic_id. */
void apic_send_nmi(uint32_t apic_id);
/* Stores to the APIC page (an mmio_handler_t): filtered, emulated. */
void apic_mmio_access(struct per_cpu *cpu, void *ctx, uint64_t gpa, int is_write,
		      unsigned int size, uint64_t *value);
/*
 * A write of a cell in x2APIC mode to x2APIC MSR @msr that exited (the
 * ICR, a local vector): filtered like the xAPIC page. 0, or -EPERM for a
 * register the cell may not write that way (the guest gets #GP).
 */
int apic_x2apic_write(struct per_cpu *cpu, uint32_t msr, uint64_t value);

#endif
