// SPDX-License-Identifier: GPL-2.0-only
/*
 * Taking over a running Linux CPU (late launch) and giving it back, the
 * part both backends share.
 *
 * The driver's trampoline (bulkhead/image.h) hands us the CPU with
 * Linux's stack pointer and CR3. Linux's stack holds, from that pointer
 * up: RFLAGS, R15, R14, R13, R12, RBP, RBX and the return address into the
 * driver. The backend fills its guest state so that the guest resumes
 * exactly as if the trampoline had returned 0: at the return address, on
 * the stack above it, with the callee-saved registers back.
 * The hypervisor's own memory is never executed or touched by the guest.
 */
#include <arch.h>
#include <asm/apic.h>
#include <asm/vtd.h>
#include <asm/cpu.h>
#include <asm/linux.h>
#include <asm/msr.h>
#include <asm/paging.h>
#include <asm/processor.h>
#include <asm/traps.h>
#include <asm/vcpu.h>
#include <percpu.h>
#include <cell.h>
#include <setup.h>

enum linux_stack_slot {
	SLOT_RFLAGS, SLOT_R15, SLOT_R14, SLOT_R13, SLOT_R12, SLOT_RBP, SLOT_RBX,
	SLOT_RET, SLOT_COUNT
};

const struct vcpu_ops *vcpu;

/*
 * By CPUID's vendor, then the backend checks the features it needs. The
 * page table format follows the backend: the root cell's tables are
 * built next.
 */
int vcpu_select(void)
{
	uint32_t max, vendor[3];

	cpuid(0, 0, &max, &vendor[0], &vendor[2], &vendor[1]);
	if (!memcmp(vendor, "GenuineIntel", 12)) {
		vcpu = &vmx_ops;
	} else if (!memcmp(vendor, "AuthenticAMD", 12) || !memcmp(vendor, "HygonGenuine", 12)) {
		vcpu = &svm_ops;
	} else {
		printk("CPU vendor \"%.12s\": neither AMD SVM nor Intel VMX is known there\n",
		       (const char *)vendor);
		return -ENODEV;
	}
	npt_set_format(vcpu->npt_format);
	printk("Using %s\n", vcpu->name);
	printk("Using %s\n", apic_x2apic_mode() ? "x2APIC" : "xAPIC");
	return vcpu->check_features();
}

/* The image lives at its link address, pool pages at their physical one. */
uint64_t hv_virt_to_phys(const void *p)
{
	if ((uint64_t)p >= bh_header.link_base)
		return (uint64_t)p - bh_header.link_base + bh_header.phys_base;
	return (uint64_t)p;
}

/* Where Linux (the driver) sees an object of the image. */
static uint64_t driver_address(const void *p)
{
	return (uint64_t)p - bh_header.link_base + bh_header.driver_va;
}

int linux_segment(struct per_cpu *cpu, uint16_t selector, struct x86_seg *seg)
{
	uint64_t desc[2] = { 0, 0 };
	unsigned int size;
	int err;

	seg->selector = selector;
	seg->base = 0;
	seg->attrib = 0;
	seg->limit = 0;
	if (!(selector & ~3u))
		return 0;		/* null selector: unusable */
	if ((selector | 7u) > cpu->arch.linux_gdt_limit || (selector & 4))
		return -EINVAL;
	err = guest_read(cpu->arch.linux_cr3, cpu->arch.linux_gdt_base + (selector & ~7u),
			 &desc[0], sizeof(desc[0]), NULL);
	if (err)
		return err;
	size = (desc[0] >> 44) & 1 ? 8 : 16;	/* S clear: a system descriptor */
	if (size == 16) {
		if ((selector | 15u) > cpu->arch.linux_gdt_limit)
			return -EINVAL;
		err = guest_read(cpu->arch.linux_cr3,
				 cpu->arch.linux_gdt_base + (selector & ~7u) + 8,
				 &desc[1], sizeof(desc[1]), NULL);
		if (err)
			return err;
	}
	seg->attrib = (uint16_t)(((desc[0] >> 40) & 0xff) | (((desc[0] >> 52) & 0xf) << 8));
	seg->limit = (uint32_t)((desc[0] & 0xffff) | ((desc[0] >> 32) & 0xf0000));
	if (desc[0] & (1ull << 55))
		seg->limit = (seg->limit << 12) | 0xfff;
	seg->base = ((desc[0] >> 16) & 0xffffff) | (((desc[0] >> 56) & 0xff) << 24) |
		    (size == 16 ? desc[1] << 32 : 0);
	return 0;
}

int linux_resume_state(struct per_cpu *cpu, uint64_t linux_rsp,
		       struct linux_resume *out)
{
	uint64_t slot[SLOT_COUNT];
	int err;

	err = guest_read(cpu->arch.linux_cr3, linux_rsp, slot, sizeof(slot), NULL);
	if (err) {
		printk("CPU %u: cannot read Linux's stack at 0x%lx\n", cpu->cpu_id,
		       linux_rsp);
		return err;
	}
	out->rflags = slot[SLOT_RFLAGS];
	out->rip = slot[SLOT_RET];
	out->rsp = linux_rsp + sizeof(slot);

	memset(&cpu->arch.regs, 0, sizeof(cpu->arch.regs));
	cpu->arch.regs.rbx = slot[SLOT_RBX];
	cpu->arch.regs.rbp = slot[SLOT_RBP];
	cpu->arch.regs.r12 = slot[SLOT_R12];
	cpu->arch.regs.r13 = slot[SLOT_R13];
	cpu->arch.regs.r14 = slot[SLOT_R14];
	cpu->arch.regs.r15 = slot[SLOT_R15];
	return 0;
}

int arch_cpu_init(struct per_cpu *cpu)
{
	int err;

	err = vcpu->check_features();
	if (err)
		return err;
	if (system_config->platform.apic_base != APIC_BASE) {
		printk("CPU %u: local APIC at 0x%lx, only 0x%lx is supported\n",
		       cpu->cpu_id, system_config->platform.apic_base, APIC_BASE);
		return -EINVAL;
	}
	/*
	 * Linux in x2APIC mode routes every device interrupt through
	 * interrupt remapping: the hypervisor must have taken that over
	 * (vtd_ir.c), or it could neither route the root's virtual devices'
	 * interrupts nor keep root devices off inmate CPUs.
	 */
	if (apic_x2apic_mode() && !vtd_ir_on()) {
		printk("CPU %u: Linux runs the APIC in x2APIC mode: the system config must list its interrupt remapping unit (platform.iommu_type, iommu_base)\n",
		       cpu->cpu_id);
		return -EINVAL;
	}
	cpu->cell = &root_cell;
	apic_cpu_init(cpu);
	msr_save_linux(cpu);
	err = vcpu->cpu_init(cpu, cpu->arch.linux_rsp);
	if (err)
		return err;
	cpu->arch.hw_on = 1;
	return 0;
}

static void save_linux_tables(struct per_cpu *cpu)
{
	struct desc_ptr gdt, idt;

	store_gdt(&gdt);
	store_idt(&idt);
	cpu->arch.linux_gdt_base = gdt.base;
	cpu->arch.linux_gdt_limit = gdt.limit;
	cpu->arch.linux_idt_base = idt.base;
	cpu->arch.linux_idt_limit = idt.limit;
}

static void restore_linux_tables(const struct per_cpu *cpu)
{
	struct desc_ptr gdt = { cpu->arch.linux_gdt_limit, cpu->arch.linux_gdt_base };
	struct desc_ptr idt = { cpu->arch.linux_idt_limit, cpu->arch.linux_idt_base };

	asm volatile("lgdt %0; lidt %1" : : "m"(gdt), "m"(idt));
}

/* Called by entry.S; returns only with an error for Linux. */
int arch_entry(unsigned int cpu_id, uint64_t linux_rsp, uint64_t linux_cr3)
{
	struct per_cpu *cpu;
	int err;

	if (cpu_id >= BH_MAX_CPUS)
		return -EINVAL;
	cpu = &per_cpu_area[cpu_id];
	memset(cpu, 0, sizeof(*cpu));
	cpu->cpu_id = cpu_id;
	cpu->arch.linux_cr3 = linux_cr3;
	cpu->arch.linux_rsp = linux_rsp;
	save_linux_tables(cpu);
	traps_init();
	traps_load();
	cpu->online = 1;
	__atomic_fetch_or(&cpus_online, 1ull << cpu_id, __ATOMIC_SEQ_CST);
	err = hv_cpu_entry(cpu);
	if (err) {
		/* vcpu is set whenever hw_on is: the root cell came first. */
		if (cpu->arch.hw_on)
			vcpu->cpu_abort(cpu);
		cpu->arch.hw_on = 0;
		cpu->online = 0;
		__atomic_fetch_and(&cpus_online, ~(1ull << cpu_id), __ATOMIC_SEQ_CST);
		restore_linux_tables(cpu);
		return err;
	}
	vcpu->run(cpu);
}

void arch_cpu_leave(struct per_cpu *cpu)
{
	vcpu->leave(cpu);
}

void linux_return(struct per_cpu *cpu, uint64_t cr3, uint64_t efer)
{
	void (*leave)(uint64_t, uint64_t, uint64_t);

	cpu->arch.hw_on = 0;
	leave = (void (*)(uint64_t, uint64_t, uint64_t))bh_header.trampoline_leave;
	leave(cr3, driver_address(&cpu->arch.frame), efer);
	halt_forever();
}
