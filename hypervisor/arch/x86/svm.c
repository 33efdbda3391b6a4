// SPDX-License-Identifier: GPL-2.0-only
/*
 * The AMD SVM backend (asm/vcpu.h): the VMCB, #VMEXIT decoding, and
 * taking a CPU from Linux and giving it back. TCG's SVM has no next-RIP
 * and no decode assists (PLATFORM.md), so each exit knows the length of
 * the instruction it completes.
 *
 * A CPU enters a cell the way hardware leaves reset (svm_reset): real
 * mode, the cell's nested page tables and permission maps; VMLOAD then
 * replaces the segment state VMRUN does not load (FS, GS, TR, LDTR,
 * syscall MSRs), so nothing of the CPU's previous cell remains visible.
 */
#include <asm/cpu.h>
#include <asm/linux.h>
#include <asm/msr.h>
#include <asm/paging.h>
#include <asm/processor.h>
#include <asm/svm.h>
#include <asm/vcpu.h>
#include <asm/vtd.h>
#include <percpu.h>
#include <cell.h>
#include <setup.h>

#define LEN_CPUID	2
#define LEN_RDMSR	2
#define LEN_VMMCALL	3

void __attribute__((noreturn)) svm_run(struct guest_regs *regs, uint64_t vmcb_pa);

static struct vmcb *vmcb_of(struct per_cpu *cpu)
{
	return &cpu->arch.vmcb;
}

/* ---- guest state ---- */

static uint64_t svm_get(struct per_cpu *cpu, enum vcpu_reg reg)
{
	const struct vmcb *v = vmcb_of(cpu);

	switch (reg) {
	case VCPU_RIP:		return v->rip;
	case VCPU_RSP:		return v->rsp;
	case VCPU_RFLAGS:	return v->rflags;
	case VCPU_CR0:		return v->cr0;
	case VCPU_CR3:		return v->cr3;
	case VCPU_CR4:		return v->cr4;
	case VCPU_EFER:		return v->efer;
	case VCPU_PAT:		return v->g_pat;
	case VCPU_CS_ATTRIB:	return v->cs.attrib;
	}
	return 0;
}

static void svm_set(struct per_cpu *cpu, enum vcpu_reg reg, uint64_t value)
{
	struct vmcb *v = vmcb_of(cpu);

	switch (reg) {
	case VCPU_RIP:		v->rip = value; break;
	case VCPU_RSP:		v->rsp = value; break;
	case VCPU_RFLAGS:	v->rflags = value; break;
	case VCPU_CR0:		v->cr0 = value; break;
	case VCPU_CR3:		v->cr3 = value; break;
	case VCPU_CR4:		v->cr4 = value; break;
	case VCPU_EFER:		v->efer = value; break;
	case VCPU_PAT:		v->g_pat = value; break;
	case VCPU_CS_ATTRIB:	break;
	}
}

static void svm_skip(struct per_cpu *cpu, unsigned int len)
{
	vmcb_of(cpu)->rip += len;
}

static void svm_inject_exception(struct per_cpu *cpu, uint8_t vector, int has_error,
				 uint32_t error)
{
	vmcb_of(cpu)->eventinj = vector | EVENTINJ_TYPE_EXCEPTION | EVENTINJ_VALID |
		(has_error ? EVENTINJ_ERROR_VALID | (uint64_t)error << 32 : 0);
}

static void svm_inject_nmi(struct per_cpu *cpu)
{
	vmcb_of(cpu)->eventinj = 2 | (2ull << 8) | EVENTINJ_VALID;
}

static void svm_raise_irq(struct per_cpu *cpu, uint8_t vector)
{
	vmcb_of(cpu)->vintr = VINTR_IRQ | VINTR_IGN_TPR | 0xfull << VINTR_PRIO_SHIFT |
			      (uint64_t)vector << VINTR_VECTOR_SHIFT;
}

static void svm_flush_tlb(struct per_cpu *cpu)
{
	vmcb_of(cpu)->tlb_control = TLB_CONTROL_FLUSH_ALL;
}

/* The NMI is still pending after the exit: let it in, it just returns. */
static void svm_nmi_done(void)
{
	asm volatile("stgi; clgi" ::: "memory");
}

/*
 * A few instructions with interrupts open, not just STI's shadow:
 * emulators (QEMU's TCG) look for interrupts between blocks.
 */
static void svm_irq_window(unsigned int spins)
{
	asm volatile("stgi; sti\n"
		     "1: pause; dec %0; jnz 1b\n"
		     "cli; clgi" : "+r"(spins) : : "memory");
}

/* The MSRPM's three ranges of 8192 MSRs, two bits each (read, write). */
static const struct {
	uint32_t first_msr, offset;
} msrpm_ranges[] = {
	{ 0x00000000, 0x000 },
	{ 0xc0000000, 0x800 },
	{ 0xc0010000, 0x1000 },
};

/* MSRs outside the ranges always exit; msr.c decides about each one. */
static void svm_build_msr_bitmap(struct cell *cell)
{
	unsigned int r, i, bit;

	memset(cell->arch.msrpm, 0, MSRPM_SIZE);
	for (r = 0; r < ARRAY_SIZE(msrpm_ranges); r++) {
		for (i = 0; i < 0x2000; i++) {
			bit = i * 2;
			cell->arch.msrpm[msrpm_ranges[r].offset + bit / 8] |= (uint8_t)
				(msr_intercepted(cell, msrpm_ranges[r].first_msr + i) << (bit % 8));
		}
	}
}

/* ---- entering a cell ---- */

static void set_real_mode_seg(struct vmcb_seg *seg, uint16_t attrib)
{
	seg->selector = 0;
	seg->base = 0;
	seg->limit = 0xffff;
	seg->attrib = attrib;
}

static void set_maps(struct vmcb *vmcb, const struct vcpu_reset *to)
{
	vmcb->iopm_base_pa = hv_virt_to_phys(to->cell->arch.iopm);
	vmcb->msrpm_base_pa = hv_virt_to_phys(to->cell->arch.msrpm);
	vmcb->asid = to->tag;
	vmcb->tlb_control = TLB_CONTROL_FLUSH_ALL;
	vmcb->np_enable = NP_ENABLE;
	vmcb->n_cr3 = (uint64_t)to->npt;	/* pool: phys == virt */
}

static void svm_reset(struct per_cpu *cpu, const struct vcpu_reset *to)
{
	struct vmcb *vmcb = vmcb_of(cpu);
	uint32_t intercepts1 = vmcb->intercepts1, intercepts2 = vmcb->intercepts2;

	memset(vmcb, 0, sizeof(*vmcb));
	vmcb->intercepts1 = intercepts1;
	vmcb->intercepts2 = intercepts2;
	set_maps(vmcb, to);

	set_real_mode_seg(&vmcb->cs, 0x9b);
	vmcb->cs.selector = (uint16_t)(to->cs_base >> 4);
	vmcb->cs.base = to->cs_base;
	set_real_mode_seg(&vmcb->ds, 0x93);
	set_real_mode_seg(&vmcb->es, 0x93);
	set_real_mode_seg(&vmcb->ss, 0x93);
	set_real_mode_seg(&vmcb->fs, 0x93);
	set_real_mode_seg(&vmcb->gs, 0x93);
	set_real_mode_seg(&vmcb->ldtr, 0x82);
	set_real_mode_seg(&vmcb->tr, 0x8b);
	vmcb->gdtr.limit = 0xffff;
	vmcb->idtr.limit = 0xffff;
	vmcb->cr0 = 0x10;			/* ET */
	vmcb->efer = EFER_SVME;
	vmcb->rflags = 0x2;
	vmcb->rip = to->ip;
	vmcb->dr6 = 0xffff0ff0;
	vmcb->dr7 = 0x400;
	vmcb->g_pat = PAT_RESET;
	memset(&cpu->arch.regs, 0, sizeof(cpu->arch.regs));

	/* The state VMRUN leaves alone: from this fresh VMCB too. */
	asm volatile("vmload %0" : : "a"(hv_virt_to_phys(vmcb)) : "memory");
}

/* ---- taking a CPU from Linux, giving it back ---- */

static int svm_check_features(void)
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
	if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS) {
		printk("SVM disabled by firmware\n");
		return -EPERM;
	}
	return 0;
}

static void load_seg(struct vmcb_seg *to, const struct x86_seg *from)
{
	to->selector = from->selector;
	to->attrib = from->attrib;
	to->limit = from->limit;
	to->base = from->base;
}

static int capture_segments(struct per_cpu *cpu)
{
	struct vmcb *vmcb = vmcb_of(cpu);
	const uint16_t selectors[4] = { read_cs(), read_ss(), read_ds(), read_es() };
	struct vmcb_seg *segs[4] = { &vmcb->cs, &vmcb->ss, &vmcb->ds, &vmcb->es };
	struct x86_seg seg;
	unsigned int i;
	int err;

	vmcb->gdtr.base = cpu->arch.linux_gdt_base;
	vmcb->gdtr.limit = cpu->arch.linux_gdt_limit;
	vmcb->idtr.base = cpu->arch.linux_idt_base;
	vmcb->idtr.limit = cpu->arch.linux_idt_limit;
	for (i = 0; i < 4; i++) {
		err = linux_segment(cpu, selectors[i], &seg);
		if (err)
			return err;
		load_seg(segs[i], &seg);
	}
	vmcb->tr.selector = read_tr();
	return 0;
}

static int svm_cpu_init(struct per_cpu *cpu, uint64_t linux_rsp)
{
	struct vmcb *vmcb = vmcb_of(cpu);
	struct linux_resume resume;
	struct vcpu_reset maps = { .cell = &root_cell, .npt = root_cell.arch.npt_root,
				   .tag = VCPU_TAG_ROOT };
	int err;

	memset(vmcb, 0, sizeof(*vmcb));
	err = linux_resume_state(cpu, linux_rsp, &resume);
	if (err)
		return err;
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
	vmcb->rflags = resume.rflags;
	vmcb->rip = resume.rip;
	vmcb->rsp = resume.rsp;

	vmcb->intercepts1 = SVM_INTERCEPT_NMI | SVM_INTERCEPT_INIT | SVM_INTERCEPT_CPUID |
			    SVM_INTERCEPT_IOIO | SVM_INTERCEPT_MSR |
			    SVM_INTERCEPT_SHUTDOWN;
	vmcb->intercepts2 = SVM_INTERCEPT_VMRUN | SVM_INTERCEPT_VMMCALL |
			    SVM_INTERCEPT_VMLOAD | SVM_INTERCEPT_VMSAVE |
			    SVM_INTERCEPT_STGI | SVM_INTERCEPT_CLGI |
			    SVM_INTERCEPT_SKINIT;
	set_maps(vmcb, &maps);
	wrmsr(MSR_VM_HSAVE_PA, hv_virt_to_phys(cpu->arch.host_save));
	return 0;
}

/* The trampoline clears EFER.SVME on the way back (bulkhead/image.h). */
static void svm_cpu_abort(struct per_cpu *cpu)
{
	(void)cpu;
}

static void __attribute__((noreturn)) svm_vcpu_run(struct per_cpu *cpu)
{
	svm_run(&cpu->arch.regs, hv_virt_to_phys(vmcb_of(cpu)));
}

/*
 * Back to native: the guest's state becomes the CPU's. FS, GS, TR, LDTR
 * and the syscall MSRs never left the CPU (we use no VMLOAD/VMSAVE for
 * the root cell), so what remains is control registers, descriptor
 * tables and the registers popped by the trampoline, which also
 * switches to Linux's CR3.
 */
static void __attribute__((noreturn)) svm_leave(struct per_cpu *cpu)
{
	struct vmcb *vmcb = vmcb_of(cpu);
	struct native_frame *f = &cpu->arch.frame;
	struct desc_ptr gdt = { .limit = (uint16_t)vmcb->gdtr.limit, .base = vmcb->gdtr.base };
	struct desc_ptr idt = { .limit = (uint16_t)vmcb->idtr.limit, .base = vmcb->idtr.base };

	f->regs = cpu->arch.regs;
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
	linux_return(cpu, vmcb->cr3, vmcb->efer & ~EFER_SVME);
}

/* ---- #VMEXIT ---- */

static void handle_io(struct per_cpu *cpu)
{
	uint64_t info = vmcb_of(cpu)->exitinfo1;

	exit_io(cpu, (uint16_t)(info >> SVM_IOIO_PORT_SHIFT),
		(info & SVM_IOIO_SIZE_MASK) >> SVM_IOIO_SIZE_SHIFT,
		!!(info & SVM_IOIO_IN), !!(info & SVM_IOIO_STR),
		vmcb_of(cpu)->exitinfo2);	/* next RIP, for I/O exits */
}

static void handle_npf(struct per_cpu *cpu)
{
	uint64_t err = vmcb_of(cpu)->exitinfo1;

	exit_npf(cpu, vmcb_of(cpu)->exitinfo2, !!(err & NPF_WRITE), !!(err & NPF_FETCH));
}

static unsigned int exit_kind(uint64_t code)
{
	switch (code) {
	case SVM_EXIT_CPUID:	return BH_EXIT_CPUID;
	case SVM_EXIT_MSR:	return BH_EXIT_MSR;
	case SVM_EXIT_IOIO:	return BH_EXIT_PIO;
	case SVM_EXIT_NPF:	return BH_EXIT_MMIO;
	case SVM_EXIT_VMMCALL:	return BH_EXIT_HYPERCALL;
	case SVM_EXIT_NMI:	return BH_EXIT_NMI;
	case SVM_EXIT_INIT:	return BH_EXIT_INIT;
	default:		return BH_EXIT_OTHER;
	}
}

static void dispatch(struct per_cpu *cpu, uint64_t code)
{
	switch (code) {
	case SVM_EXIT_CPUID:
		exit_cpuid(cpu, LEN_CPUID, 0x80000001, 2, CPUID_80000001_ECX_SVM);
		break;
	case SVM_EXIT_VMMCALL:
		exit_hypercall(cpu, LEN_VMMCALL);
		break;
	case SVM_EXIT_MSR:
		exit_msr(cpu, vmcb_of(cpu)->exitinfo1 == 1, LEN_RDMSR);
		break;
	case SVM_EXIT_IOIO:
		handle_io(cpu);
		break;
	case SVM_EXIT_NPF:
		handle_npf(cpu);
		break;
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
		svm_inject_exception(cpu, X86_UD, 0, 0);
		break;
	case SVM_EXIT_INIT:
		/* INIT would reset the CPU under us; CPU hotplug is refused. */
		printk("CPU %u: INIT signal ignored (CPU hotplug is not supported while enabled)\n",
		       cpu->cpu_id);
		break;
	case SVM_EXIT_NMI:
		cpu_handle_nmi(cpu);
		break;
	case SVM_EXIT_SHUTDOWN:
		exit_triple_fault(cpu, code);
		break;
	case SVM_EXIT_INVALID:
		exit_stop_cpu(cpu, "VMRUN refused the guest state", code);
		break;
	default:
		exit_stop_cpu(cpu, "unexpected VM exit", code);
		break;
	}
}

void svm_handle_exit(struct guest_regs *regs)
{
	struct per_cpu *cpu = per_cpu_of_regs(regs);
	struct vmcb *vmcb = vmcb_of(cpu);
	uint64_t code = vmcb->exitcode, start = rdtsc();

	cpu->exits_total++;
	cpu->exits[exit_kind(code)]++;
	if (cpu->cell == &root_cell)
		vtd_poll_faults(cpu);
	vmcb->tlb_control = 0;
	/* Shared code finds RAX with the other registers. */
	regs->rax = vmcb->rax;
	dispatch(cpu, code);
	vmcb->rax = regs->rax;
	cpu->exit_cycles += rdtsc() - start;
}

const struct vcpu_ops svm_ops = {
	.name = "AMD SVM",
	.check_features = svm_check_features,
	.cpu_init = svm_cpu_init,
	.cpu_abort = svm_cpu_abort,
	.run = svm_vcpu_run,
	.leave = svm_leave,
	.reset = svm_reset,
	.get = svm_get,
	.set = svm_set,
	.skip = svm_skip,
	.inject_exception = svm_inject_exception,
	.inject_nmi = svm_inject_nmi,
	.raise_irq = svm_raise_irq,
	.flush_tlb = svm_flush_tlb,
	.nmi_done = svm_nmi_done,
	.irq_window = svm_irq_window,
	.build_msr_bitmap = svm_build_msr_bitmap,
	.efer_allowed = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE | EFER_SVME,
	.efer_forced = EFER_SVME,
	.npt_format = NPT_FORMAT_AMD,
};
