// SPDX-License-Identifier: GPL-2.0-only
/* The MSR policy of cells (see asm/msr.h). */
#include <asm/apic.h>
#include <asm/msr.h>
#include <percpu.h>
#include <asm/processor.h>
#include <asm/vcpu.h>
#include <asm/vtd.h>
#include <cell.h>
#include <report.h>

/* What an inmate changes directly: an OS's own per-CPU state. */
static const uint32_t inmate_direct[] = {
	MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE,
	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SFMASK,
	MSR_SYSENTER_CS, MSR_SYSENTER_CS + 1, MSR_SYSENTER_EIP,
	MSR_TSC_AUX,
};

#define MTRR_DEF_TYPE_WB 0x806		/* MTRRs enabled, everything write-back */

static int is_inmate_direct(uint32_t msr)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(inmate_direct); i++)
		if (inmate_direct[i] == msr)
			return 1;
	return 0;
}

/*
 * x2APIC registers: what concerns only the writing CPU (TPR, EOI, SVR,
 * ESR, the timer, self IPIs) is written directly, reads too; the ICR and
 * the local vectors that name a delivery mode exit (apic.c). In xAPIC
 * mode none of them exists: the CPU's #GP comes without an exit.
 */
static unsigned int x2apic_intercepted(uint32_t msr)
{
	switch (msr) {
	case X2APIC_MSR(APIC_REG_TPR):
	case X2APIC_MSR(APIC_REG_EOI):
	case X2APIC_MSR(APIC_REG_SVR):
	case X2APIC_MSR(APIC_REG_ESR):
	case X2APIC_MSR(APIC_REG_LVT_FIRST):	/* the timer: no delivery mode */
	case X2APIC_MSR(APIC_REG_TMICT):
	case X2APIC_MSR(APIC_REG_TDCR):
	case X2APIC_MSR_SELF_IPI:
		return 0;
	case MSR_X2APIC_ICR:
	case X2APIC_MSR(APIC_REG_LVT_CMCI):
	case X2APIC_MSR(APIC_REG_LVT_FIRST) + 1 ... X2APIC_MSR(APIC_REG_LVT_LAST):
		return MSR_ACCESS_WRITE;
	default:
		return 0;	/* read-only or reserved: the CPU refuses writes */
	}
}

unsigned int msr_intercepted(const struct cell *cell, uint32_t msr)
{
	if (msr >= MSR_X2APIC_FIRST && msr <= MSR_X2APIC_LAST)
		return x2apic_intercepted(msr);
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
	case MSR_VM_CR:			/* SVM's and VMX's own MSRs are ours */
	case MSR_VM_HSAVE_PA:
	case MSR_FEATURE_CONTROL:
		return MSR_ACCESS_READ | MSR_ACCESS_WRITE;
	default:
		return 0;
	}
}

static int on_svm(void)
{
	return vcpu == &svm_ops;
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

/*
 * No cell runs guests of its own: SVM reads as disabled by the firmware,
 * VMX as locked off in the feature control (what Linux and KVM check).
 * The MSRs of the other vendor do not exist: #GP as on the hardware.
 */
static int virt_msr_read(uint32_t msr, uint64_t *value)
{
	if (msr == MSR_VM_CR && on_svm()) {
		*value = VM_CR_SVMDIS;
		return 0;
	}
	if (msr == MSR_VM_HSAVE_PA && on_svm()) {
		*value = 0;
		return 0;
	}
	if (msr == MSR_FEATURE_CONTROL && !on_svm()) {
		*value = FEATURE_CONTROL_LOCKED;
		return 0;
	}
	return -EPERM;
}

static int is_virt_msr(uint32_t msr)
{
	return msr == MSR_VM_CR || msr == MSR_VM_HSAVE_PA || msr == MSR_FEATURE_CONTROL;
}

int msr_read(struct per_cpu *cpu, uint32_t msr, uint64_t *value)
{
	if (is_virt_msr(msr))
		return virt_msr_read(msr, value);
	if (cpu->cell == &root_cell)
		return -EPERM;			/* nothing else exits */
	if (msr == MSR_PAT) {
		*value = vcpu_get(cpu, VCPU_PAT);
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
	uint64_t efer = vcpu_get(cpu, VCPU_EFER);

	if (value & ~vcpu->efer_allowed)
		return -EPERM;
	/* LME changes only with paging off; LMA is the CPU's to set. */
	if (((value ^ efer) & EFER_LME) && (vcpu_get(cpu, VCPU_CR0) & X86_CR0_PG))
		return -EPERM;
	vcpu_set(cpu, VCPU_EFER, (value & ~EFER_LMA) | (efer & EFER_LMA) | vcpu->efer_forced);
	return 0;
}

static int cpu_has_x2apic(void)
{
	uint32_t a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	return !!(c & CPUID_1_ECX_X2APIC);
}

/*
 * The APIC modes an inmate may move between, as the hardware allows
 * (disabled, xAPIC, x2APIC; x2APIC only back through disabled). Root
 * Linux keeps the mode it booted in: a CPU it gets back comes in xAPIC
 * mode (apic_reset_for_cell()), and goes to x2APIC only if Linux runs in
 * it, which the hypervisor knows by its interrupt remapping (vtd_ir.c).
 */
static int apic_mode_change_ok(const struct per_cpu *cpu, uint64_t old, uint64_t new)
{
	uint64_t en = APIC_BASE_ENABLE, x2 = APIC_BASE_X2APIC;

	if (!((old ^ new) & x2))
		return 1;
	if (!cpu_has_x2apic())
		return 0;
	if (cpu->cell == &root_cell)
		return vtd_ir_on() && (new & (en | x2)) == (en | x2) && (old & (en | x2)) == en;
	if ((new & (en | x2)) == (en | x2))
		return (old & (en | x2)) == en;		/* xAPIC -> x2APIC */
	return !(new & (en | x2));			/* x2APIC -> disabled */
}

static int write_apic_base(struct per_cpu *cpu, uint64_t value)
{
	uint64_t old = rdmsr(MSR_APIC_BASE);

	/* The enable bit and the mode may change: never the base. */
	if (((value ^ old) & ~(APIC_BASE_ENABLE | APIC_BASE_X2APIC)) ||
	    !apic_mode_change_ok(cpu, old, value)) {
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
	}
	if (msr >= MSR_X2APIC_FIRST && msr <= MSR_X2APIC_LAST)
		return apic_x2apic_write(cpu, msr, value);
	if (is_virt_msr(msr)) {
		uint64_t ignored;

		return virt_msr_read(msr, &ignored);	/* writes ignored where they exist */
	}
	if (cpu->cell == &root_cell)
		return -EPERM;
	if (msr == MSR_PAT) {
		if (!pat_valid(value))
			return -EPERM;
		vcpu_set(cpu, VCPU_PAT, value);
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
