// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Intel VMX backend (asm/vcpu.h): VMXON and a VMCS per CPU, built
 * from the running Linux at enable; EPT for every cell (the tables of
 * npt.c in EPT format), VPID per cell, unrestricted guest for CPUs that
 * start a cell in real mode, and the exits decoded for exits.c.
 *
 * Host state on every exit: the hypervisor's CR3, GDT and IDT, its stack
 * (entry.S), and Linux's own TR, SYSENTER MSRs, PAT and EFER, so that
 * the exit changes nothing Linux owns but FS/GS bases, DEBUGCTL and DR7,
 * which vmx_leave() puts back. Guest CR0 and CR4 bits that VMX fixes
 * (CR0.NE, CR4.VMXE) are owned by the host: the guest sees its own values
 * through the read shadows, and a write that changes them exits.
 */
#include <asm/cpu.h>
#include <asm/linux.h>
#include <asm/mmio.h>
#include <asm/msr.h>
#include <asm/paging.h>
#include <asm/processor.h>
#include <asm/vcpu.h>
#include <asm/vtd.h>
#include <asm/vmx.h>
#include <percpu.h>
#include <cell.h>
#include <setup.h>

#define VMCS_IDT_VECTORING_INFO		0x4408
#define VMCS_IDT_VECTORING_ERROR	0x440a

#define CPUID_1_ECX_VMX		(1u << 5)
#define CPUID_1_ECX_XSAVE	(1u << 26)
#define X86_CR0_CD		(1ull << 30)
#define X86_CR0_NW		(1ull << 29)
#define X86_CR4_OSXSAVE		(1ull << 18)
#define X86_NMI_VECTOR		2

void __attribute__((noreturn)) vmx_run(struct guest_regs *regs, int *launched);
extern uint8_t vmx_exit_entry[];

/* What this CPU model offers, read once per enable (all CPUs alike). */
static struct {
	uint32_t revision;
	uint32_t pin, proc, proc2, exit, entry;	/* the controls we run with */
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	uint64_t ept_vpid_cap;
	int vpid, virtual_nmis;
} caps;

/* ---- VMX instructions ---- */

static inline uint64_t vmread(uint32_t field)
{
	uint64_t value;

	asm volatile("vmread %1, %0" : "=r"(value) : "r"((uint64_t)field) : "cc");
	return value;
}

static inline void vmwrite(uint32_t field, uint64_t value)
{
	asm volatile("vmwrite %1, %0" : : "r"((uint64_t)field), "r"(value) : "cc");
}

/* VMXON, VMCLEAR, VMPTRLD: 0, or -EIO when the CPU says VMfail. */
#define DEFINE_VMX_PA_INSN(name)					\
	static inline int name(uint64_t pa)				\
	{								\
		uint8_t failed;						\
									\
		asm volatile(#name " %1; setna %0" : "=q"(failed)	\
			     : "m"(pa) : "cc", "memory");		\
		return failed ? -EIO : 0;				\
	}
DEFINE_VMX_PA_INSN(vmxon)
DEFINE_VMX_PA_INSN(vmclear)
DEFINE_VMX_PA_INSN(vmptrld)

static inline void vmxoff(void)
{
	asm volatile("vmxoff" ::: "cc", "memory");
}

#define INVEPT_SINGLE	1
#define INVEPT_ALL	2
#define INVVPID_ALL	2

/*
 * Every cached translation goes: all EPT contexts where the CPU can,
 * else the current one (the VMCS's EPT pointer, which the caller set).
 */
static void flush_all_contexts(void)
{
	struct { uint64_t a, b; } desc = { vmread(VMCS_EPT_POINTER), 0 };
	uint64_t type = caps.ept_vpid_cap & EPT_CAP_INVEPT_ALL ? INVEPT_ALL : INVEPT_SINGLE;

	asm volatile("invept %0, %1" : : "m"(desc), "r"(type) : "cc", "memory");
	desc.a = 0;
	if (caps.vpid && (caps.ept_vpid_cap & VPID_CAP_INVVPID_ALL))
		asm volatile("invvpid %0, %1" : : "m"(desc), "r"((uint64_t)INVVPID_ALL)
			     : "cc", "memory");
}

/* ---- what the CPU offers ---- */

/* A control word: what we want, what the CPU forces, or -1 if it lacks some. */
static int64_t control(uint32_t msr, uint32_t want)
{
	uint64_t allowed = rdmsr(msr);
	uint32_t must = (uint32_t)allowed, may = (uint32_t)(allowed >> 32);

	if (want & ~may)
		return -1;
	return (want | must) & may;
}

/* The optional bits of @want that the CPU has. */
static uint32_t offered(uint32_t msr, uint32_t want)
{
	return want & (uint32_t)(rdmsr(msr) >> 32);
}

static int read_caps(void)
{
	uint64_t basic = rdmsr(MSR_VMX_BASIC);
	int true_ctls = !!(basic & VMX_BASIC_TRUE_CTLS);
	uint32_t pin_msr = true_ctls ? MSR_VMX_TRUE_PINBASED : MSR_VMX_PINBASED;
	uint32_t proc_msr = true_ctls ? MSR_VMX_TRUE_PROCBASED : MSR_VMX_PROCBASED;
	uint32_t exit_msr = true_ctls ? MSR_VMX_TRUE_EXIT : MSR_VMX_EXIT;
	uint32_t entry_msr = true_ctls ? MSR_VMX_TRUE_ENTRY : MSR_VMX_ENTRY;
	uint32_t proc2_want;
	int64_t c;

	caps.revision = (uint32_t)basic & 0x7fffffff;
	if (!(offered(proc_msr, PROC_SECONDARY)) ||
	    !(offered(MSR_VMX_PROCBASED2, PROC2_EPT))) {
		printk("CPU lacks EPT (extended page tables)\n");
		return -ENODEV;
	}
	if (!offered(MSR_VMX_PROCBASED2, PROC2_UNRESTRICTED)) {
		printk("CPU lacks VMX unrestricted guest (cells start in real mode)\n");
		return -ENODEV;
	}
	caps.ept_vpid_cap = rdmsr(MSR_VMX_EPT_VPID_CAP);
	if ((caps.ept_vpid_cap & (EPT_CAP_WALK_4 | EPT_CAP_WB | EPT_CAP_INVEPT)) !=
	    (EPT_CAP_WALK_4 | EPT_CAP_WB | EPT_CAP_INVEPT)) {
		printk("CPU lacks 4-level write-back EPT with INVEPT\n");
		return -ENODEV;
	}
	caps.virtual_nmis = !!offered(pin_msr, PIN_VIRTUAL_NMIS);
	c = control(pin_msr, PIN_NMI_EXIT | (caps.virtual_nmis ? PIN_VIRTUAL_NMIS : 0));
	caps.pin = (uint32_t)c;
	/*
	 * No CR3 exits wanted: with EPT, the guest's page tables are its
	 * own. Without the "true" controls the CPU forces them (handle_cr).
	 */
	c = c < 0 ? c : control(proc_msr, PROC_IO_BITMAPS | PROC_MSR_BITMAPS | PROC_SECONDARY);
	caps.proc = (uint32_t)c;
	caps.vpid = !!offered(MSR_VMX_PROCBASED2, PROC2_VPID);
	/*
	 * Instructions CPUID shows the guest must work: without their
	 * "enable" control they raise #UD in a guest (Linux uses all three).
	 */
	proc2_want = PROC2_EPT | PROC2_UNRESTRICTED | (caps.vpid ? PROC2_VPID : 0) |
		     offered(MSR_VMX_PROCBASED2, PROC2_RDTSCP | PROC2_INVPCID | PROC2_XSAVES);
	c = c < 0 ? c : control(MSR_VMX_PROCBASED2, proc2_want);
	caps.proc2 = (uint32_t)c;
	c = c < 0 ? c : control(exit_msr, EXIT_HOST_64BIT | EXIT_SAVE_DEBUG |
				EXIT_SAVE_PAT | EXIT_LOAD_PAT | EXIT_SAVE_EFER | EXIT_LOAD_EFER);
	caps.exit = (uint32_t)c;
	c = c < 0 ? c : control(entry_msr, ENTRY_LOAD_DEBUG | ENTRY_LOAD_PAT | ENTRY_LOAD_EFER |
				ENTRY_IA32E_GUEST);
	caps.entry = (uint32_t)c & ~ENTRY_IA32E_GUEST;
	if (c < 0) {
		printk("CPU lacks a VMX control Bulkhead needs (NMI exiting, I/O and MSR bitmaps, PAT/EFER switching)\n");
		return -ENODEV;
	}
	caps.cr0_fixed0 = rdmsr(MSR_VMX_CR0_FIXED0);
	caps.cr0_fixed1 = rdmsr(MSR_VMX_CR0_FIXED1);
	caps.cr4_fixed0 = rdmsr(MSR_VMX_CR4_FIXED0);
	caps.cr4_fixed1 = rdmsr(MSR_VMX_CR4_FIXED1);
	return 0;
}

static int vmx_check_features(void)
{
	uint32_t a, b, c, d;
	uint64_t fc;

	cpuid(1, 0, &a, &b, &c, &d);
	if (!(c & CPUID_1_ECX_VMX)) {
		printk("CPU lacks VMX\n");
		return -ENODEV;
	}
	fc = rdmsr(MSR_FEATURE_CONTROL);
	if ((fc & FEATURE_CONTROL_LOCKED) && !(fc & FEATURE_CONTROL_VMX)) {
		printk("VMX disabled by the firmware (IA32_FEATURE_CONTROL)\n");
		return -EPERM;
	}
	if (!(fc & FEATURE_CONTROL_LOCKED))
		wrmsr(MSR_FEATURE_CONTROL, fc | FEATURE_CONTROL_VMX | FEATURE_CONTROL_LOCKED);
	return read_caps();
}

/* ---- CR0 and CR4: the bits VMX fixes are the host's ---- */

/* CR0 bits the guest may not change directly (PE and PG are its own). */
static uint64_t cr0_host_bits(void)
{
	return (caps.cr0_fixed0 | ~caps.cr0_fixed1) & ~(X86_CR0_PE | X86_CR0_PG);
}

static uint64_t cr4_host_bits(void)
{
	return caps.cr4_fixed0 | ~caps.cr4_fixed1;
}

static uint64_t cr0_real(uint64_t guest)
{
	return (guest | (caps.cr0_fixed0 & ~(X86_CR0_PE | X86_CR0_PG))) & caps.cr0_fixed1;
}

static void set_cr0(uint64_t guest)
{
	vmwrite(VMCS_CR0_MASK, cr0_host_bits());
	vmwrite(VMCS_CR0_SHADOW, guest);
	vmwrite(VMCS_GUEST_CR0, cr0_real(guest));
}

static void set_cr4(uint64_t guest)
{
	vmwrite(VMCS_CR4_MASK, cr4_host_bits());
	vmwrite(VMCS_CR4_SHADOW, guest);
	vmwrite(VMCS_GUEST_CR4, (guest | caps.cr4_fixed0) & caps.cr4_fixed1);
}

/* ---- guest state ---- */

static uint64_t vmx_get(struct per_cpu *cpu, enum vcpu_reg reg)
{
	uint64_t mask;

	(void)cpu;
	switch (reg) {
	case VCPU_RIP:		return vmread(VMCS_GUEST_RIP);
	case VCPU_RSP:		return vmread(VMCS_GUEST_RSP);
	case VCPU_RFLAGS:	return vmread(VMCS_GUEST_RFLAGS);
	case VCPU_CR0:
		mask = vmread(VMCS_CR0_MASK);
		return (vmread(VMCS_GUEST_CR0) & ~mask) | (vmread(VMCS_CR0_SHADOW) & mask);
	case VCPU_CR3:		return vmread(VMCS_GUEST_CR3);
	case VCPU_CR4:
		mask = vmread(VMCS_CR4_MASK);
		return (vmread(VMCS_GUEST_CR4) & ~mask) | (vmread(VMCS_CR4_SHADOW) & mask);
	case VCPU_EFER:		return vmread(VMCS_GUEST_EFER);
	case VCPU_PAT:		return vmread(VMCS_GUEST_PAT);
	case VCPU_CS_ATTRIB:
		mask = vmread(VMCS_GUEST_ES_AR + 2 * VMX_CS);
		return (mask & 0xff) | ((mask >> 4) & 0xf00);
	}
	return 0;
}

static void set_efer(uint64_t efer)
{
	uint32_t entry = (uint32_t)vmread(VMCS_ENTRY_CTLS) & ~ENTRY_IA32E_GUEST;

	vmwrite(VMCS_GUEST_EFER, efer);
	vmwrite(VMCS_ENTRY_CTLS, entry | (efer & EFER_LMA ? ENTRY_IA32E_GUEST : 0));
}

static void vmx_set(struct per_cpu *cpu, enum vcpu_reg reg, uint64_t value)
{
	(void)cpu;
	switch (reg) {
	case VCPU_RIP:		vmwrite(VMCS_GUEST_RIP, value); break;
	case VCPU_RSP:		vmwrite(VMCS_GUEST_RSP, value); break;
	case VCPU_RFLAGS:	vmwrite(VMCS_GUEST_RFLAGS, value); break;
	case VCPU_CR0:		set_cr0(value); break;
	case VCPU_CR3:		vmwrite(VMCS_GUEST_CR3, value); break;
	case VCPU_CR4:		set_cr4(value); break;
	case VCPU_EFER:		set_efer(value); break;
	case VCPU_PAT:		vmwrite(VMCS_GUEST_PAT, value); break;
	case VCPU_CS_ATTRIB:	break;
	}
}

static void vmx_skip(struct per_cpu *cpu, unsigned int len)
{
	(void)cpu;
	vmwrite(VMCS_GUEST_RIP, vmread(VMCS_GUEST_RIP) + len);
	/* The instruction is done: an STI or MOV SS shadow ends with it. */
	vmwrite(VMCS_GUEST_INTERRUPTIBILITY, vmread(VMCS_GUEST_INTERRUPTIBILITY) &
		~(uint64_t)(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS));
}

/* ---- events for the guest ---- */

static void vmx_inject_exception(struct per_cpu *cpu, uint8_t vector, int has_error,
				 uint32_t error)
{
	(void)cpu;
	vmwrite(VMCS_ENTRY_INTR_INFO, vector | INTR_TYPE_EXCEPTION | INTR_INFO_VALID |
		(has_error ? INTR_INFO_ERROR_CODE : 0));
	vmwrite(VMCS_ENTRY_EXCEPTION_ERROR, error);
}

static void vmx_inject_nmi(struct per_cpu *cpu)
{
	cpu->arch.vmx.nmi_pending = 1;
}

static void vmx_raise_irq(struct per_cpu *cpu, uint8_t vector)
{
	cpu->arch.vmx.irq_pending = vector;
}

/*
 * The window exits wanted for the next entry. The VMCS's controls are
 * only read and written when that changes: most exits have nothing
 * pending, and a VMREAD/VMWRITE pair on each would be a cost for nothing.
 */
static void set_window_exits(struct vmx_cpu *v, uint32_t want)
{
	uint32_t proc;

	if (want == v->window_exits)
		return;
	proc = (uint32_t)vmread(VMCS_PROC_CTLS);
	proc &= ~(uint32_t)(PROC_NMI_WINDOW_EXIT | PROC_INTR_WINDOW_EXIT);
	vmwrite(VMCS_PROC_CTLS, proc | want);
	v->window_exits = want;
}

/*
 * Pending NMIs and interrupts go in when the guest can take them: an
 * event already queued for this entry goes first, and the window exits
 * bring us back for the rest. Without virtual NMIs there is no NMI
 * window: the NMI waits for the next exit.
 */
static void deliver_pending(struct per_cpu *cpu)
{
	struct vmx_cpu *v = &cpu->arch.vmx;
	uint32_t block, want = 0;
	int queued;

	if (!v->nmi_pending && !v->irq_pending) {
		set_window_exits(v, 0);
		return;
	}
	block = (uint32_t)vmread(VMCS_GUEST_INTERRUPTIBILITY);
	queued = !!(vmread(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID);
	if (v->nmi_pending && !queued &&
	    !(block & (INTERRUPTIBILITY_NMI | INTERRUPTIBILITY_MOV_SS | INTERRUPTIBILITY_STI))) {
		vmwrite(VMCS_ENTRY_INTR_INFO, X86_NMI_VECTOR | INTR_TYPE_NMI | INTR_INFO_VALID);
		v->nmi_pending = 0;
		queued = 1;
	}
	if (v->irq_pending && !queued && (vmread(VMCS_GUEST_RFLAGS) & RFLAGS_IF) &&
	    !(block & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS))) {
		vmwrite(VMCS_ENTRY_INTR_INFO, v->irq_pending | INTR_TYPE_EXTERNAL | INTR_INFO_VALID);
		v->irq_pending = 0;
	}
	if (v->nmi_pending && caps.virtual_nmis)
		want |= PROC_NMI_WINDOW_EXIT;
	if (v->irq_pending)
		want |= PROC_INTR_WINDOW_EXIT;
	set_window_exits(v, want);
}

/*
 * An exit in the middle of delivering an event (an NMI kick while the
 * guest took an interrupt, say) would lose that event: deliver it again.
 */
static void redeliver_interrupted_event(void)
{
	uint32_t info = (uint32_t)vmread(VMCS_IDT_VECTORING_INFO);
	unsigned int type = (info >> 8) & 7;

	if (!(info & INTR_INFO_VALID))
		return;
	vmwrite(VMCS_ENTRY_INTR_INFO, info & ~(1u << 12));
	if (info & INTR_INFO_ERROR_CODE)
		vmwrite(VMCS_ENTRY_EXCEPTION_ERROR, vmread(VMCS_IDT_VECTORING_ERROR));
	if (type >= 4)		/* software interrupt or exception: its length */
		vmwrite(VMCS_ENTRY_INSN_LEN, vmread(VMCS_EXIT_INSN_LEN));
}

static void vmx_flush_tlb(struct per_cpu *cpu)
{
	(void)cpu;
	flush_all_contexts();
}

/*
 * An NMI exit leaves NMIs blocked on the host until an IRET: take a
 * software NMI through our own vector, whose IRET ends the blocking.
 */
static void vmx_nmi_done(void)
{
	asm volatile("int $2" ::: "memory");
}

static void vmx_irq_window(unsigned int spins)
{
	asm volatile("sti\n"
		     "1: pause; dec %0; jnz 1b\n"
		     "cli" : "+r"(spins) : : "memory");
}

/* One bit per MSR: read low, read high, write low, write high (1 KiB each). */
static void vmx_build_msr_bitmap(struct cell *cell)
{
	static const uint32_t range_base[2] = { 0x00000000, 0xc0000000 };
	uint8_t *map = cell->arch.msrpm;
	unsigned int r, i, access;

	memset(map, 0, MSRPM_SIZE);
	for (r = 0; r < 2; r++) {
		for (i = 0; i < 0x2000; i++) {
			access = msr_intercepted(cell, range_base[r] + i);
			if (access & MSR_ACCESS_READ)
				map[r * 1024 + i / 8] |= 1u << (i % 8);
			if (access & MSR_ACCESS_WRITE)
				map[2048 + r * 1024 + i / 8] |= 1u << (i % 8);
		}
	}
}

/* ---- the VMCS ---- */

static void set_maps(const struct vcpu_reset *to)
{
	const uint8_t *iopm = to->cell->arch.iopm;

	vmwrite(VMCS_IO_BITMAP_A, hv_virt_to_phys(iopm));
	vmwrite(VMCS_IO_BITMAP_B, hv_virt_to_phys(iopm + PAGE_SIZE));
	vmwrite(VMCS_MSR_BITMAP, hv_virt_to_phys(to->cell->arch.msrpm));
	vmwrite(VMCS_EPT_POINTER, (uint64_t)to->npt | EPTP_WB_4LEVEL);	/* pool: phys */
	if (caps.vpid)
		vmwrite(VMCS_VPID, to->tag);
}

static void set_controls(void)
{
	vmwrite(VMCS_PIN_CTLS, caps.pin);
	vmwrite(VMCS_PROC_CTLS, caps.proc);
	vmwrite(VMCS_PROC_CTLS2, caps.proc2);
	vmwrite(VMCS_EXIT_CTLS, caps.exit);
	vmwrite(VMCS_ENTRY_CTLS, caps.entry);
	vmwrite(VMCS_EXCEPTION_BITMAP, 0);
	vmwrite(VMCS_CR3_TARGET_COUNT, 0);
	vmwrite(VMCS_EXIT_MSR_STORE_COUNT, 0);
	vmwrite(VMCS_EXIT_MSR_LOAD_COUNT, 0);
	vmwrite(VMCS_ENTRY_MSR_LOAD_COUNT, 0);
	vmwrite(VMCS_ENTRY_INTR_INFO, 0);
	vmwrite(VMCS_LINK_POINTER, ~0ull);
}

static void set_host_state(struct per_cpu *cpu)
{
	struct desc_ptr gdt, idt;

	store_gdt(&gdt);		/* the hypervisor's (traps.c) */
	store_idt(&idt);
	vmwrite(VMCS_HOST_CR0, read_cr0());
	vmwrite(VMCS_HOST_CR3, read_cr3());
	vmwrite(VMCS_HOST_CR4, read_cr4());
	vmwrite(VMCS_HOST_CS_SEL, read_cs());
	vmwrite(VMCS_HOST_SS_SEL, read_ss());
	vmwrite(VMCS_HOST_DS_SEL, 0);
	vmwrite(VMCS_HOST_ES_SEL, 0);
	vmwrite(VMCS_HOST_FS_SEL, 0);
	vmwrite(VMCS_HOST_GS_SEL, 0);
	vmwrite(VMCS_HOST_FS_BASE, 0);
	vmwrite(VMCS_HOST_GS_BASE, 0);
	/*
	 * Linux's own TSS: the hypervisor takes no interrupt that switches
	 * stacks, and after disable TR is Linux's again without an LTR.
	 */
	vmwrite(VMCS_HOST_TR_SEL, cpu->arch.vmx.linux_tr_sel);
	vmwrite(VMCS_HOST_TR_BASE, cpu->arch.vmx.linux_tr_base);
	vmwrite(VMCS_HOST_GDTR_BASE, gdt.base);
	vmwrite(VMCS_HOST_IDTR_BASE, idt.base);
	vmwrite(VMCS_HOST_SYSENTER_CS, rdmsr(MSR_SYSENTER_CS));
	vmwrite(VMCS_HOST_SYSENTER_ESP, rdmsr(MSR_SYSENTER_CS + 1));
	vmwrite(VMCS_HOST_SYSENTER_EIP, rdmsr(MSR_SYSENTER_EIP));
	vmwrite(VMCS_HOST_PAT, rdmsr(MSR_PAT));
	vmwrite(VMCS_HOST_EFER, rdmsr(MSR_EFER));
	vmwrite(VMCS_HOST_RIP, (uint64_t)vmx_exit_entry);
	/* VMCS_HOST_RSP: vmx_run() */
}

static uint32_t vmx_ar(uint16_t attrib)
{
	if (!attrib)
		return VMX_AR_UNUSABLE;
	return (attrib & 0xffu) | ((attrib & 0xf00u) << 4);
}

static void write_seg(enum vmx_seg s, uint16_t selector, uint64_t base,
		      uint32_t limit, uint32_t ar)
{
	vmwrite(VMCS_GUEST_ES_SEL + 2 * s, selector);
	vmwrite(VMCS_GUEST_ES_BASE + 2 * s, base);
	vmwrite(VMCS_GUEST_ES_LIMIT + 2 * s, limit);
	vmwrite(VMCS_GUEST_ES_AR + 2 * s, ar);
}

static int capture_seg(struct per_cpu *cpu, enum vmx_seg s, uint16_t selector,
		       struct x86_seg *seg)
{
	int err = linux_segment(cpu, selector, seg);

	if (!err)
		write_seg(s, seg->selector, seg->base, seg->limit, vmx_ar(seg->attrib));
	return err;
}

static inline uint16_t read_sel(int which)
{
	uint16_t v = 0;

	if (which == VMX_FS)
		asm volatile("mov %%fs, %0" : "=r"(v));
	else if (which == VMX_GS)
		asm volatile("mov %%gs, %0" : "=r"(v));
	else if (which == VMX_LDTR)
		asm volatile("sldt %0" : "=r"(v));
	return v;
}

static int capture_segments(struct per_cpu *cpu)
{
	struct x86_seg seg;
	int err;

	err = capture_seg(cpu, VMX_CS, read_cs(), &seg);
	err = err ?: capture_seg(cpu, VMX_SS, read_ss(), &seg);
	err = err ?: capture_seg(cpu, VMX_DS, read_ds(), &seg);
	err = err ?: capture_seg(cpu, VMX_ES, read_es(), &seg);
	err = err ?: capture_seg(cpu, VMX_FS, read_sel(VMX_FS), &seg);
	err = err ?: capture_seg(cpu, VMX_GS, read_sel(VMX_GS), &seg);
	err = err ?: capture_seg(cpu, VMX_LDTR, read_sel(VMX_LDTR), &seg);
	err = err ?: capture_seg(cpu, VMX_TR, read_tr(), &seg);
	if (err)
		return err;
	if (!seg.attrib) {
		printk("CPU %u: Linux runs without a task register\n", cpu->cpu_id);
		return -EINVAL;
	}
	cpu->arch.vmx.linux_tr_sel = seg.selector;
	cpu->arch.vmx.linux_tr_base = seg.base;
	/* The bases of FS and GS are the MSRs', whatever the selectors say. */
	vmwrite(VMCS_GUEST_ES_BASE + 2 * VMX_FS, rdmsr(MSR_FS_BASE));
	vmwrite(VMCS_GUEST_ES_BASE + 2 * VMX_GS, rdmsr(MSR_GS_BASE));
	vmwrite(VMCS_GUEST_GDTR_BASE, cpu->arch.linux_gdt_base);
	vmwrite(VMCS_GUEST_GDTR_LIMIT, cpu->arch.linux_gdt_limit);
	vmwrite(VMCS_GUEST_IDTR_BASE, cpu->arch.linux_idt_base);
	vmwrite(VMCS_GUEST_IDTR_LIMIT, cpu->arch.linux_idt_limit);
	return 0;
}

static int capture_linux(struct per_cpu *cpu, uint64_t linux_rsp)
{
	struct linux_resume resume;
	uint64_t cr4 = read_cr4() & ~CR4_VMXE;
	int err;

	err = linux_resume_state(cpu, linux_rsp, &resume);
	if (err)
		return err;
	err = capture_segments(cpu);
	if (err) {
		printk("CPU %u: cannot read Linux's GDT\n", cpu->cpu_id);
		return err;
	}
	set_cr0(read_cr0());
	set_cr4(cr4);
	vmwrite(VMCS_GUEST_CR3, cpu->arch.linux_cr3);
	vmwrite(VMCS_GUEST_DR7, 0x400);
	vmwrite(VMCS_GUEST_RSP, resume.rsp);
	vmwrite(VMCS_GUEST_RIP, resume.rip);
	vmwrite(VMCS_GUEST_RFLAGS, resume.rflags);
	vmwrite(VMCS_GUEST_SYSENTER_CS, rdmsr(MSR_SYSENTER_CS));
	vmwrite(VMCS_GUEST_SYSENTER_ESP, rdmsr(MSR_SYSENTER_CS + 1));
	vmwrite(VMCS_GUEST_SYSENTER_EIP, rdmsr(MSR_SYSENTER_EIP));
	vmwrite(VMCS_GUEST_DEBUGCTL, rdmsr(MSR_DEBUGCTL));
	vmwrite(VMCS_GUEST_PAT, rdmsr(MSR_PAT));
	set_efer(rdmsr(MSR_EFER));
	vmwrite(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmwrite(VMCS_GUEST_ACTIVITY, 0);
	vmwrite(VMCS_GUEST_PENDING_DBG, 0);
	return 0;
}

static int fixed_ok(uint64_t value, uint64_t fixed0, uint64_t fixed1)
{
	return (value & fixed0) == fixed0 && !(value & ~fixed1);
}

/* VMX on for this CPU: CR4.VMXE, VMXON, our VMCS current. */
static int vmx_on(struct per_cpu *cpu)
{
	uint64_t cr4 = read_cr4();

	if (cr4 & CR4_VMXE) {
		printk("CPU %u: VMX is in use already (another hypervisor, kvm_intel?)\n",
		       cpu->cpu_id);
		return -EBUSY;
	}
	write_cr4(cr4 | CR4_VMXE);
	if (!fixed_ok(read_cr0(), caps.cr0_fixed0, caps.cr0_fixed1) ||
	    !fixed_ok(read_cr4(), caps.cr4_fixed0, caps.cr4_fixed1)) {
		printk("CPU %u: Linux's CR0/CR4 do not allow VMX operation\n", cpu->cpu_id);
		write_cr4(cr4);
		return -EINVAL;
	}
	memset(cpu->arch.vmxon_region, 0, PAGE_SIZE);
	memset(cpu->arch.vmcs, 0, PAGE_SIZE);
	*(uint32_t *)cpu->arch.vmxon_region = caps.revision;
	*(uint32_t *)cpu->arch.vmcs = caps.revision;
	if (vmxon(hv_virt_to_phys(cpu->arch.vmxon_region))) {
		printk("CPU %u: VMXON failed\n", cpu->cpu_id);
		write_cr4(cr4);
		return -EIO;
	}
	if (vmclear(hv_virt_to_phys(cpu->arch.vmcs)) ||
	    vmptrld(hv_virt_to_phys(cpu->arch.vmcs))) {
		printk("CPU %u: VMCLEAR/VMPTRLD failed\n", cpu->cpu_id);
		vmxoff();
		write_cr4(cr4);
		return -EIO;
	}
	return 0;
}

static void vmx_off(struct per_cpu *cpu)
{
	vmclear(hv_virt_to_phys(cpu->arch.vmcs));
	vmxoff();
	write_cr4(read_cr4() & ~CR4_VMXE);
}

static int vmx_cpu_init(struct per_cpu *cpu, uint64_t linux_rsp)
{
	struct vcpu_reset maps = { .cell = &root_cell, .npt = root_cell.arch.npt_root,
				   .tag = VCPU_TAG_ROOT };
	int err;

	memset(&cpu->arch.vmx, 0, sizeof(cpu->arch.vmx));
	err = vmx_on(cpu);
	if (err)
		return err;
	set_controls();
	err = capture_linux(cpu, linux_rsp);
	if (err) {
		vmx_off(cpu);
		return err;
	}
	vmwrite(VMCS_ENTRY_CTLS, vmread(VMCS_ENTRY_CTLS) | ENTRY_IA32E_GUEST);
	set_host_state(cpu);
	set_maps(&maps);
	flush_all_contexts();
	return 0;
}

static void vmx_cpu_abort(struct per_cpu *cpu)
{
	vmx_off(cpu);
}

static void __attribute__((noreturn)) vmx_vcpu_run(struct per_cpu *cpu)
{
	vmx_run(&cpu->arch.regs, &cpu->arch.vmx.launched);
}

/* ---- entering a cell ---- */

static void vmx_reset(struct per_cpu *cpu, const struct vcpu_reset *to)
{
	enum vmx_seg s;

	for (s = VMX_ES; s <= VMX_GS; s++)
		write_seg(s, 0, 0, 0xffff, s == VMX_CS ? 0x9b : 0x93);
	write_seg(VMX_CS, (uint16_t)(to->cs_base >> 4), to->cs_base, 0xffff, 0x9b);
	write_seg(VMX_LDTR, 0, 0, 0xffff, 0x82);
	write_seg(VMX_TR, 0, 0, 0xffff, 0x8b);
	vmwrite(VMCS_GUEST_GDTR_BASE, 0);
	vmwrite(VMCS_GUEST_GDTR_LIMIT, 0xffff);
	vmwrite(VMCS_GUEST_IDTR_BASE, 0);
	vmwrite(VMCS_GUEST_IDTR_LIMIT, 0xffff);
	set_cr0(0x10);				/* ET */
	set_cr4(0);
	vmwrite(VMCS_GUEST_CR3, 0);
	vmwrite(VMCS_GUEST_DR7, 0x400);
	vmwrite(VMCS_GUEST_RSP, 0);
	vmwrite(VMCS_GUEST_RIP, to->ip);
	vmwrite(VMCS_GUEST_RFLAGS, 0x2);
	vmwrite(VMCS_GUEST_SYSENTER_CS, 0);
	vmwrite(VMCS_GUEST_SYSENTER_ESP, 0);
	vmwrite(VMCS_GUEST_SYSENTER_EIP, 0);
	vmwrite(VMCS_GUEST_DEBUGCTL, 0);
	vmwrite(VMCS_GUEST_PAT, PAT_RESET);
	set_efer(0);
	vmwrite(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmwrite(VMCS_GUEST_ACTIVITY, 0);
	vmwrite(VMCS_GUEST_PENDING_DBG, 0);
	vmwrite(VMCS_ENTRY_INTR_INFO, 0);
	cpu->arch.vmx.nmi_pending = 0;
	cpu->arch.vmx.irq_pending = 0;
	set_window_exits(&cpu->arch.vmx, 0);
	set_maps(to);
	/* A new cell may reuse the tag and the table pages of an old one. */
	flush_all_contexts();
	memset(&cpu->arch.regs, 0, sizeof(cpu->arch.regs));
}

/* ---- giving the CPU back ---- */

static void __attribute__((noreturn)) vmx_leave(struct per_cpu *cpu)
{
	struct native_frame *f = &cpu->arch.frame;
	struct desc_ptr gdt = { .limit = (uint16_t)vmread(VMCS_GUEST_GDTR_LIMIT),
				.base = vmread(VMCS_GUEST_GDTR_BASE) };
	struct desc_ptr idt = { .limit = (uint16_t)vmread(VMCS_GUEST_IDTR_LIMIT),
				.base = vmread(VMCS_GUEST_IDTR_BASE) };
	uint64_t cr0 = vmx_get(cpu, VCPU_CR0), cr4 = vmx_get(cpu, VCPU_CR4);
	uint64_t cr3 = vmread(VMCS_GUEST_CR3), efer = vmread(VMCS_GUEST_EFER);
	uint64_t pat = vmread(VMCS_GUEST_PAT), debugctl = vmread(VMCS_GUEST_DEBUGCTL);
	uint64_t fs = vmread(VMCS_GUEST_ES_BASE + 2 * VMX_FS);
	uint64_t gs = vmread(VMCS_GUEST_ES_BASE + 2 * VMX_GS);

	f->regs = cpu->arch.regs;
	f->rip = vmread(VMCS_GUEST_RIP);
	f->cs = vmread(VMCS_GUEST_ES_SEL + 2 * VMX_CS);
	f->rflags = vmread(VMCS_GUEST_RFLAGS);
	f->rsp = vmread(VMCS_GUEST_RSP);
	f->ss = vmread(VMCS_GUEST_ES_SEL + 2 * VMX_SS);

	vmx_off(cpu);
	write_cr0(cr0);
	write_cr4(cr4);
	asm volatile("lgdt %0; lidt %1" : : "m"(gdt), "m"(idt));
	wrmsr(MSR_PAT, pat);
	wrmsr(MSR_FS_BASE, fs);
	wrmsr(MSR_GS_BASE, gs);
	wrmsr(MSR_DEBUGCTL, debugctl);
	linux_return(cpu, cr3, efer);
}

/* ---- exits ---- */

/* Forced CR3 exits (no "true" VMX controls): the guest's CR3 as it is. */
static void handle_cr3(struct per_cpu *cpu, uint64_t qual, uint64_t value)
{
	unsigned int reg = (qual >> CR_QUAL_REG_SHIFT) & 15;

	if (((qual >> CR_QUAL_TYPE_SHIFT) & 3) == CR_QUAL_TYPE_MOV_TO) {
		/* Bit 63 only asks not to flush this PCID: not part of CR3. */
		vmwrite(VMCS_GUEST_CR3, value & ~(1ull << 63));
		if (caps.vpid)
			flush_all_contexts();
	} else {
		mmio_set_guest_reg(cpu, reg, vmread(VMCS_GUEST_CR3));
	}
	vmx_skip(cpu, (unsigned int)vmread(VMCS_EXIT_INSN_LEN));
}

static void handle_cr(struct per_cpu *cpu, uint64_t qual)
{
	unsigned int cr = qual & CR_QUAL_NUM_MASK;
	uint64_t value = mmio_guest_reg(cpu, (qual >> CR_QUAL_REG_SHIFT) & 15);
	uint64_t old, efer;

	if (cr == 3) {
		handle_cr3(cpu, qual, value);
		return;
	}
	if (((qual >> CR_QUAL_TYPE_SHIFT) & 3) != CR_QUAL_TYPE_MOV_TO || (cr != 0 && cr != 4))
		goto refuse;
	if (cr == 4) {
		/* Only writes that touch VMXE or reserved bits exit. */
		if ((value & CR4_VMXE) || (value & ~caps.cr4_fixed1))
			goto refuse;
		set_cr4(value);
		vmx_skip(cpu, (unsigned int)vmread(VMCS_EXIT_INSN_LEN));
		return;
	}
	old = vmx_get(cpu, VCPU_CR0);
	if ((value >> 32) || ((value & X86_CR0_PG) && !(value & X86_CR0_PE)) ||
	    ((value & X86_CR0_NW) && !(value & X86_CR0_CD)))
		goto refuse;
	/* Paging on or off with EFER.LME: long mode follows, as in hardware. */
	efer = vmread(VMCS_GUEST_EFER);
	if ((value ^ old) & X86_CR0_PG) {
		if ((value & X86_CR0_PG) && (efer & EFER_LME))
			set_efer(efer | EFER_LMA);
		else if (!(value & X86_CR0_PG))
			set_efer(efer & ~EFER_LMA);
	}
	set_cr0(value);
	vmx_skip(cpu, (unsigned int)vmread(VMCS_EXIT_INSN_LEN));
	return;
refuse:
	vmx_inject_exception(cpu, X86_GP, 1, 0);
}

/* XSETBV always exits: only XCR0, only features CPUID offers, x87 always on. */
static void handle_xsetbv(struct per_cpu *cpu)
{
	struct guest_regs *r = &cpu->arch.regs;
	uint64_t value = (r->rdx << 32) | (uint32_t)r->rax;
	uint32_t a, b, c, d;

	cpuid(0xd, 0, &a, &b, &c, &d);
	if ((uint32_t)r->rcx != 0 || !(value & 1) || (value & ~((uint64_t)d << 32 | a)) ||
	    ((value & 4) && !(value & 2))) {
		vmx_inject_exception(cpu, X86_GP, 1, 0);
		return;
	}
	asm volatile("xsetbv" : : "a"((uint32_t)value), "d"((uint32_t)(value >> 32)), "c"(0));
	vmx_skip(cpu, (unsigned int)vmread(VMCS_EXIT_INSN_LEN));
}

static void handle_io(struct per_cpu *cpu, uint64_t qual)
{
	uint64_t next = vmread(VMCS_GUEST_RIP) + vmread(VMCS_EXIT_INSN_LEN);

	exit_io(cpu, (uint16_t)(qual >> IO_QUAL_PORT_SHIFT), (qual & IO_QUAL_SIZE_MASK) + 1,
		!!(qual & IO_QUAL_IN), !!(qual & IO_QUAL_STRING), next);
}

static void handle_exception_nmi(struct per_cpu *cpu, uint32_t reason)
{
	uint32_t info = (uint32_t)vmread(VMCS_EXIT_INTR_INFO);

	if ((info & INTR_INFO_VALID) && ((info >> 8) & 7) == 2) {
		cpu_handle_nmi(cpu);
		return;
	}
	exit_stop_cpu(cpu, "unexpected exception exit", reason);
}

static unsigned int exit_kind(uint32_t reason)
{
	switch (reason) {
	case VMX_EXIT_CPUID:		return BH_EXIT_CPUID;
	case VMX_EXIT_RDMSR:
	case VMX_EXIT_WRMSR:		return BH_EXIT_MSR;
	case VMX_EXIT_IO:		return BH_EXIT_PIO;
	case VMX_EXIT_EPT_VIOLATION:	return BH_EXIT_MMIO;
	case VMX_EXIT_VMCALL:		return BH_EXIT_HYPERCALL;
	case VMX_EXIT_EXCEPTION_NMI:	return BH_EXIT_NMI;
	case VMX_EXIT_INIT:		return BH_EXIT_INIT;
	default:			return BH_EXIT_OTHER;
	}
}

static unsigned int insn_len(void)
{
	return (unsigned int)vmread(VMCS_EXIT_INSN_LEN);
}

static void dispatch(struct per_cpu *cpu, uint32_t reason)
{
	uint64_t qual = vmread(VMCS_EXIT_QUALIFICATION);

	switch (reason) {
	case VMX_EXIT_EXCEPTION_NMI:
		handle_exception_nmi(cpu, reason);
		break;
	case VMX_EXIT_CPUID:
		exit_cpuid(cpu, insn_len(), 1, 2, CPUID_1_ECX_VMX);
		break;
	case VMX_EXIT_VMCALL:
		exit_hypercall(cpu, insn_len());
		break;
	case VMX_EXIT_RDMSR:
	case VMX_EXIT_WRMSR:
		exit_msr(cpu, reason == VMX_EXIT_WRMSR, insn_len());
		break;
	case VMX_EXIT_IO:
		handle_io(cpu, qual);
		break;
	case VMX_EXIT_EPT_VIOLATION:
		exit_npf(cpu, vmread(VMCS_GUEST_PHYS_ADDR), !!(qual & EPT_QUAL_WRITE),
			 !!(qual & EPT_QUAL_FETCH));
		break;
	case VMX_EXIT_CR_ACCESS:
		handle_cr(cpu, qual);
		break;
	case VMX_EXIT_XSETBV:
		handle_xsetbv(cpu);
		break;
	case VMX_EXIT_INTR_WINDOW:
	case VMX_EXIT_NMI_WINDOW:
		break;			/* deliver_pending() does the rest */
	case VMX_EXIT_GETSEC:
	case VMX_EXIT_VMCLEAR ... VMX_EXIT_VMXON:
	case VMX_EXIT_INVEPT:
	case VMX_EXIT_INVVPID:
		vmx_inject_exception(cpu, X86_UD, 0, 0);
		break;
	case VMX_EXIT_INVD:
		/* Dropping dirty lines would lose other cells' writes: a no-op. */
		vmx_skip(cpu, insn_len());
		break;
	case VMX_EXIT_INIT:
		/* INIT would reset the CPU under us; CPU hotplug is refused. */
		printk("CPU %u: INIT signal ignored (CPU hotplug is not supported while enabled)\n",
		       cpu->cpu_id);
		break;
	case VMX_EXIT_SIPI:
		break;
	case VMX_EXIT_TRIPLE_FAULT:
		exit_triple_fault(cpu, reason);
		break;
	case VMX_EXIT_INVALID_STATE:
	case VMX_EXIT_MSR_LOADING:
	case VMX_EXIT_MCE_ENTRY:
		exit_stop_cpu(cpu, "VM entry refused the guest state", reason);
		break;
	default:
		exit_stop_cpu(cpu, "unexpected VM exit", reason);
		break;
	}
}

void vmx_handle_exit(struct guest_regs *regs)
{
	struct per_cpu *cpu = per_cpu_of_regs(regs);
	uint32_t reason = (uint32_t)vmread(VMCS_EXIT_REASON);
	uint64_t start = rdtsc();

	cpu->arch.vmx.launched = 1;
	cpu->exits_total++;
	cpu->exits[exit_kind(reason & 0xffff)]++;
	if (cpu->cell == &root_cell)
		vtd_poll_faults(cpu);
	vmwrite(VMCS_ENTRY_INTR_INFO, 0);
	if (!(reason & VMX_EXIT_ENTRY_FAILED))
		redeliver_interrupted_event();
	dispatch(cpu, reason & 0xffff);
	deliver_pending(cpu);
	cpu->exit_cycles += rdtsc() - start;
}

/* VMLAUNCH or VMRESUME itself failed (entry.S): the VMCS is wrong. */
void vmx_entry_failed(struct guest_regs *regs)
{
	struct per_cpu *cpu = per_cpu_of_regs(regs);
	uint64_t error = vmread(VMCS_INSN_ERROR);

	printk("CPU %u: VM entry failed, VMX instruction error %lu\n", cpu->cpu_id, error);
	exit_stop_cpu(cpu, "VM entry failed", 0x10000 | error);
}

const struct vcpu_ops vmx_ops = {
	.name = "Intel VMX",
	.check_features = vmx_check_features,
	.cpu_init = vmx_cpu_init,
	.cpu_abort = vmx_cpu_abort,
	.run = vmx_vcpu_run,
	.leave = vmx_leave,
	.reset = vmx_reset,
	.get = vmx_get,
	.set = vmx_set,
	.skip = vmx_skip,
	.inject_exception = vmx_inject_exception,
	.inject_nmi = vmx_inject_nmi,
	.raise_irq = vmx_raise_irq,
	.flush_tlb = vmx_flush_tlb,
	.nmi_done = vmx_nmi_done,
	.irq_window = vmx_irq_window,
	.build_msr_bitmap = vmx_build_msr_bitmap,
	.efer_allowed = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE,
	.efer_forced = 0,
	.npt_format = NPT_FORMAT_EPT,
};
