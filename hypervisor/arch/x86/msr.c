// SPDX-License-Identifier: GPL-2.0-only
/* The MSR policy of cells (see asm/msr.h). */
#include <asm/apic.h>
#include <asm/msr.h>
#include <percpu.h>
#include <asm/processor.h>
#include <cell.h>
#include <report.h>

/* What an inmate changes directly: an OS's own per-CPU state. */
static const uint32_t inmate_direct[] = {
	MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE,
	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SFMASK,
	MSR_SYSENTER_CS, MSR_SYSENTER_CS + 1, MSR_SYSENTER_EIP,
	MSR_TSC_AUX,
};

#define EFER_ALLOWED	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE | EFER_SVME)
#define MTRR_DEF_TYPE_WB 0x806		/* MTRRs enabled, everything write-back */

static int is_inmate_direct(uint32_t msr)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(inmate_direct); i++)
		if (inmate_direct[i] == msr)
			return 1;
	return 0;
}

unsigned int msr_intercepted(const struct cell *cell, uint32_t msr)
{
	if (cell != &root_cell) {
		if (is_inmate_direct(msr))
			return 0;
		/* Reading the TSC and EFER is harmless; writing them is not. */
		if (msr == MSR_TSC || msr == MSR_EFER)
			return MSR_ACCESS_WRITE;
		return MSR_ACCESS_READ | MSR_ACCESS_WRITE;
	}
	switch (msr) {
	case MSR_EFER:			/* SVME must stay set under a guest */
	case MSR_APIC_BASE:		/* moving the APIC slips IPIs past apic.c */
		return MSR_ACCESS_WRITE;
	case MSR_VM_CR:			/* SVM's own MSRs are ours */
	case MSR_VM_HSAVE_PA:
		return MSR_ACCESS_READ | MSR_ACCESS_WRITE;
	default:
		return 0;
	}
}

static int is_mtrr(uint32_t msr)
{
	return msr == MSR_MTRR_CAP || msr == MSR_MTRR_DEF_TYPE ||
	       (msr >= MSR_MTRR_VAR_FIRST && msr <= MSR_MTRR_VAR_LAST) ||
	       msr == MSR_MTRR_FIX_64K || msr == MSR_MTRR_FIX_16K_80000 ||
	       msr == MSR_MTRR_FIX_16K_A0000 ||
	       (msr >= MSR_MTRR_FIX_4K_FIRST && msr <= MSR_MTRR_FIX_4K_LAST);
}

/* Memory types 0 (UC), 1 (WC), 4 (WT), 5 (WP), 6 (WB), 7 (UC-) only. */
static int pat_valid(uint64_t pat)
{
	unsigned int i, type;

	for (i = 0; i < 8; i++) {
		type = (pat >> (8 * i)) & 0xff;
		if (type == 2 || type == 3 || type > 7)
			return 0;
	}
	return 1;
}

int msr_read(struct per_cpu *cpu, uint32_t msr, uint64_t *value)
{
	if (msr == MSR_VM_CR) {
		*value = VM_CR_SVMDIS;		/* no SVM for cells */
		return 0;
	}
	if (msr == MSR_VM_HSAVE_PA) {
		*value = 0;
		return 0;
	}
	if (cpu->cell == &root_cell)
		return -EPERM;			/* nothing else exits */
	if (msr == MSR_PAT) {
		*value = cpu->arch.vmcb.g_pat;
		return 0;
	}
	if (is_mtrr(msr) || msr == MSR_DEBUGCTL) {
		/* Virtual: no MTRR ranges (all memory write-back), no debug controls. */
		*value = msr == MSR_MTRR_DEF_TYPE ? MTRR_DEF_TYPE_WB : 0;
		return 0;
	}
	if (msr == MSR_APIC_BASE || msr == MSR_SYSCFG || msr == MSR_HWCR) {
		*value = rdmsr(msr);	/* the hardware's; writes are checked or refused */
		return 0;
	}
	return -EPERM;
}

static int write_efer(struct per_cpu *cpu, uint64_t value)
{
	struct vmcb *vmcb = &cpu->arch.vmcb;

	if (value & ~EFER_ALLOWED)
		return -EPERM;
	/* LME changes only with paging off; LMA is the CPU's to set. */
	if (((value ^ vmcb->efer) & EFER_LME) && (vmcb->cr0 & X86_CR0_PG))
		return -EPERM;
	vmcb->efer = (value & ~EFER_LMA) | (vmcb->efer & EFER_LMA) | EFER_SVME;
	return 0;
}

static int write_apic_base(struct per_cpu *cpu, uint64_t value)
{
	/* Only the enable bit may change: no new base, no x2APIC. */
	if ((value ^ rdmsr(MSR_APIC_BASE)) & ~APIC_BASE_ENABLE) {
		cpu->violations++;
		if (report_due(&cpu->reports, cpu->cpu_id, "APIC base", value))
			printk("CPU %u: cell \"%s\": APIC base 0x%lx refused\n",
			       cpu->cpu_id, cpu->cell->desc->name, value);
		return -EPERM;
	}
	wrmsr(MSR_APIC_BASE, value);
	return 0;
}

int msr_write(struct per_cpu *cpu, uint32_t msr, uint64_t value)
{
	switch (msr) {
	case MSR_EFER:
		return write_efer(cpu, value);
	case MSR_APIC_BASE:
		return write_apic_base(cpu, value);
	case MSR_VM_CR:
	case MSR_VM_HSAVE_PA:
		return 0;			/* ignored */
	}
	if (cpu->cell == &root_cell)
		return -EPERM;
	if (msr == MSR_PAT) {
		if (!pat_valid(value))
			return -EPERM;
		cpu->arch.vmcb.g_pat = value;
		return 0;
	}
	/* Shared with Linux or not the cell's: ignored, as documented. */
	if (is_mtrr(msr) || msr == MSR_DEBUGCTL || msr == MSR_TSC)
		return msr == MSR_MTRR_CAP ? -EPERM : 0;
	return -EPERM;
}

void msr_save_linux(struct per_cpu *cpu)
{
	cpu->arch.linux_pat = rdmsr(MSR_PAT);
	cpu->arch.linux_tsc_aux = rdmsr(MSR_TSC_AUX);
}

void msr_restore_linux(const struct per_cpu *cpu)
{
	wrmsr(MSR_PAT, cpu->arch.linux_pat);
	wrmsr(MSR_TSC_AUX, cpu->arch.linux_tsc_aux);
}

void msr_reset_for_inmate(void)
{
	wrmsr(MSR_TSC_AUX, 0);
}
