/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The local APIC in xAPIC mode (TCG has no x2APIC). Cells see the real
 * APIC through a read-only mapping: reads are direct, writes exit and are
 * checked here, so no cell can send INIT, SIPI or NMI to another's CPUs.
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

struct per_cpu;

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
 * so that nothing of the old cell reaches the new one.
 */
void apic_reset_for_cell(void);
/* Sends an NMI to the CPU with physical APIC ID @apic_id. */
void apic_send_nmi(uint32_t apic_id);
/* Stores to the APIC page (an mmio_handler_t): filtered, emulated. */
void apic_mmio_access(struct per_cpu *cpu, void *ctx, uint64_t gpa, int is_write,
		      unsigned int size, uint64_t *value);

#endif
