// SPDX-License-Identifier: GPL-2.0-only
/*
 * Taking over a running Linux CPU (late launch) and giving it back.
 *
 * The driver's trampoline (bulkhead/image.h) hands us the CPU with
 * Linux's stack pointer and CR3. Linux's stack holds, from that pointer
 * up: RFLAGS, R15, R14, R13, R12, RBP, RBX and the return address into the
 * driver. The VMCB is filled so that the guest resumes exactly as if the
 * trampoline had returned 0: at the return address, on the stack above
 * it, with the callee-saved registers back.
 * The hypervisor's own memory is never executed or touched by the guest.
 */
#include <arch.h>
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/msr.h>
#include <asm/paging.h>
#include <percpu.h>
#include <asm/processor.h>
#include <asm/svm.h>
#include <asm/traps.h>
#include <cell.h>
#include <setup.h>

void __attribute__((noreturn)) svm_run(struct guest_regs *regs, uint64_t vmcb_pa);

enum linux_stack_slot {
	SLOT_RFLAGS, SLOT_R15, SLOT_R14, SLOT_R13, SLOT_R12, SLOT_RBP, SLOT_RBX,
	SLOT_RET, SLOT_COUNT
};

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

int arch_check_features(void)
{
	uint32_t a, b, c, d;

	cpuid(0x80000000, 0, &a, &b, &c, &d);
	if (a < 0x8000000a)
		return -ENODEV;
	cpuid(0x80000001, 0, &a, &b, &c, &d);
	if (!(c & CPUID_80000001_ECX_SVM)) {
		printk("CPU lacks SVM\n");
		return -ENODEV;
	}
	cpuid(0x8000000a, 0, &a, &b, &c, &d);
	if (!(d & CPUID_8000000A_EDX_NP)) {
		printk("CPU lacks nested paging (NPT)\n");
		return -ENODEV;
	}
	return 0;
}

/* VMCB attributes from a GDT descriptor: type/S/DPL/P and AVL/L/D/G. */
static uint16_t seg_attrib(uint64_t desc)
{
	return (uint16_t)(((desc >> 40) & 0xff) | (((desc >> 52) & 0xf) << 8));
}

static int load_segment(struct per_cpu *cpu, const struct desc_ptr *gdt,
			struct vmcb_seg *seg, uint16_t selector)
{
	uint64_t desc = 0;
	int err;

	seg->selector = selector;
	seg->base = 0;
	if (!(selector & ~3u)) {
		seg->attrib = 0;	/* null selector: unusable */
		seg->limit = 0;
		return 0;
	}
	if ((selector | 7u) > gdt->limit || (selector & 4))
		return -EINVAL;
	err = guest_read(cpu->arch.linux_cr3, gdt->base + (selector & ~7u), &desc,
			 sizeof(desc), NULL);
	if (err)
		return err;
	seg->attrib = seg_attrib(desc);
	seg->limit = (uint32_t)((desc & 0xffff) | ((desc >> 32) & 0xf0000));
	if (desc & (1ull << 55))
		seg->limit = (seg->limit << 12) | 0xfff;
	seg->base = ((desc >> 16) & 0xffffff) | (((desc >> 56) & 0xff) << 24);
	return 0;
}

static int capture_segments(struct per_cpu *cpu)
{
	struct vmcb *vmcb = &cpu->arch.vmcb;
	struct desc_ptr gdt = { cpu->arch.linux_gdt_limit, cpu->arch.linux_gdt_base };
	struct desc_ptr idt = { cpu->arch.linux_idt_limit, cpu->arch.linux_idt_base };
	int err;

	vmcb->gdtr.base = gdt.base;
	vmcb->gdtr.limit = gdt.limit;
	vmcb->idtr.base = idt.base;
	vmcb->idtr.limit = idt.limit;
	err = load_segment(cpu, &gdt, &vmcb->cs, read_cs());
	err = err ?: load_segment(cpu, &gdt, &vmcb->ss, read_ss());
	err = err ?: load_segment(cpu, &gdt, &vmcb->ds, read_ds());
	err = err ?: load_segment(cpu, &gdt, &vmcb->es, read_es());
	vmcb->tr.selector = read_tr();
	return err;
}

static int capture_linux(struct per_cpu *cpu, uint64_t linux_rsp)
{
	struct vmcb *vmcb = &cpu->arch.vmcb;
	uint64_t slot[SLOT_COUNT];
	int err;

	err = guest_read(cpu->arch.linux_cr3, linux_rsp, slot, sizeof(slot), NULL);
	if (err) {
		printk("CPU %u: cannot read Linux's stack at 0x%lx\n", cpu->cpu_id,
		       linux_rsp);
		return err;
	}
	err = capture_segments(cpu);
	if (err) {
		printk("CPU %u: cannot read Linux's GDT\n", cpu->cpu_id);
		return err;
	}
	vmcb->cpl = 0;
	vmcb->cr0 = read_cr0();
	vmcb->cr3 = cpu->arch.linux_cr3;
	vmcb->cr4 = read_cr4();
	vmcb->cr2 = read_cr2();
	vmcb->efer = rdmsr(MSR_EFER);		/* SVME is already set */
	vmcb->g_pat = rdmsr(MSR_PAT);
	vmcb->dr7 = 0x400;
	vmcb->dr6 = 0xffff0ff0;
	vmcb->rflags = slot[SLOT_RFLAGS];
	vmcb->rip = slot[SLOT_RET];
	vmcb->rsp = linux_rsp + sizeof(slot);
	vmcb->rax = 0;

	memset(&cpu->arch.regs, 0, sizeof(cpu->arch.regs));
	cpu->arch.regs.rbx = slot[SLOT_RBX];
	cpu->arch.regs.rbp = slot[SLOT_RBP];
	cpu->arch.regs.r12 = slot[SLOT_R12];
	cpu->arch.regs.r13 = slot[SLOT_R13];
	cpu->arch.regs.r14 = slot[SLOT_R14];
	cpu->arch.regs.r15 = slot[SLOT_R15];
	return 0;
}

static void setup_control(struct per_cpu *cpu, struct cell *cell)
{
	struct vmcb *vmcb = &cpu->arch.vmcb;

	vmcb->intercepts1 = SVM_INTERCEPT_NMI | SVM_INTERCEPT_INIT | SVM_INTERCEPT_CPUID |
			    SVM_INTERCEPT_IOIO | SVM_INTERCEPT_MSR |
			    SVM_INTERCEPT_SHUTDOWN;
	vmcb->intercepts2 = SVM_INTERCEPT_VMRUN | SVM_INTERCEPT_VMMCALL |
			    SVM_INTERCEPT_VMLOAD | SVM_INTERCEPT_VMSAVE |
			    SVM_INTERCEPT_STGI | SVM_INTERCEPT_CLGI |
			    SVM_INTERCEPT_SKINIT;
	vmcb->iopm_base_pa = hv_virt_to_phys(cell->arch.iopm);
	vmcb->msrpm_base_pa = hv_virt_to_phys(cell->arch.msrpm);
	vmcb->asid = 1;
	vmcb->tlb_control = TLB_CONTROL_FLUSH_ALL;
	vmcb->np_enable = NP_ENABLE;
	vmcb->n_cr3 = (uint64_t)cell->arch.npt_root;	/* pool: phys == virt */
}

int arch_cpu_init(struct per_cpu *cpu)
{
	uint64_t vm_cr;
	int err;

	err = arch_check_features();
	if (err)
		return err;
	if (system_config->platform.apic_base != APIC_BASE) {
		printk("CPU %u: local APIC at 0x%lx, only 0x%lx is supported\n",
		       cpu->cpu_id, system_config->platform.apic_base, APIC_BASE);
		return -EINVAL;
	}
	vm_cr = rdmsr(MSR_VM_CR);
	if (vm_cr & VM_CR_SVMDIS) {
		printk("CPU %u: SVM disabled by firmware\n", cpu->cpu_id);
		return -EPERM;
	}
	memset(&cpu->arch.vmcb, 0, sizeof(cpu->arch.vmcb));
	cpu->cell = &root_cell;
	apic_cpu_init(cpu);
	msr_save_linux(cpu);
	err = capture_linux(cpu, cpu->arch.linux_rsp);
	if (err)
		return err;
	setup_control(cpu, &root_cell);
	wrmsr(MSR_VM_HSAVE_PA, hv_virt_to_phys(cpu->arch.host_save));
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
	err = hv_cpu_entry(cpu);
	if (err) {
		cpu->online = 0;
		restore_linux_tables(cpu);
		return err;
	}
	arch_cpu_activate(cpu);
}

void arch_cpu_activate(struct per_cpu *cpu)
{
	svm_run(&cpu->arch.regs, hv_virt_to_phys(&cpu->arch.vmcb));
}

/*
 * Back to native: the guest's state becomes the CPU's. FS, GS, TR, LDTR
 * and the syscall MSRs never left the CPU (we use no VMLOAD/VMSAVE), so
 * what remains is control registers, descriptor tables and the registers
 * popped by bh_native_return, which also switches to Linux's CR3.
 */
void arch_cpu_leave(struct per_cpu *cpu)
{
	struct vmcb *vmcb = &cpu->arch.vmcb;
	struct native_frame *f = &cpu->arch.frame;
	struct desc_ptr gdt = { .limit = (uint16_t)vmcb->gdtr.limit, .base = vmcb->gdtr.base };
	struct desc_ptr idt = { .limit = (uint16_t)vmcb->idtr.limit, .base = vmcb->idtr.base };
	void (*leave)(uint64_t, uint64_t, uint64_t);

	f->regs = cpu->arch.regs;
	f->regs.rax = vmcb->rax;
	f->rip = vmcb->rip;
	f->cs = vmcb->cs.selector;
	f->rflags = vmcb->rflags;
	f->rsp = vmcb->rsp;
	f->ss = vmcb->ss.selector;

	wrmsr(MSR_PAT, vmcb->g_pat);
	write_cr0(vmcb->cr0);
	write_cr4(vmcb->cr4);
	write_cr2(vmcb->cr2);
	asm volatile("lgdt %0; lidt %1" : : "m"(gdt), "m"(idt));

	leave = (void (*)(uint64_t, uint64_t, uint64_t))bh_header.trampoline_leave;
	leave(vmcb->cr3, driver_address(f), vmcb->efer & ~EFER_SVME);
	halt_forever();
}
