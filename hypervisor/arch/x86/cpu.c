// SPDX-License-Identifier: GPL-2.0-only
/*
 * CPU requests, parking, and resets into a cell (see asm/cpu.h).
 *
 * A CPU enters a cell the way hardware leaves reset: real mode, CS base
 * from the entry address (or the SIPI vector for the root cell), the
 * cell's nested page tables and permission maps. VMLOAD then replaces the
 * segment state VMRUN does not load (FS, GS, TR, LDTR, syscall MSRs), so
 * nothing of the CPU's previous cell remains visible.
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
#include <pool.h>
#include <setup.h>

#define KICK_SPINS	200000u		/* re-send the NMI after this long */
#define PARK_ASID	2

static uint64_t *park_npt;
static uint8_t *park_code;

int cpu_park_init(void)
{
	if (park_npt)
		return 0;
	park_code = pool_alloc_page();
	park_npt = npt_create();
	if (!park_code || !park_npt)
		return -ENOMEM;
	park_code[0] = 0xfa;		/* cli */
	park_code[1] = 0xf4;		/* hlt */
	park_code[2] = 0xeb;		/* jmp hlt */
	park_code[3] = 0xfd;
	return npt_map(park_npt, 0, (uint64_t)park_code, 4096,
		       NPT_READ | NPT_EXEC);
}

void cpu_park_exit(void)
{
	npt_destroy(park_npt);
	pool_free_page(park_code);
	park_npt = NULL;
	park_code = NULL;
}

static void set_real_mode_seg(struct vmcb_seg *seg, uint16_t attrib)
{
	seg->selector = 0;
	seg->base = 0;
	seg->limit = 0xffff;
	seg->attrib = attrib;
}

/* Reset state: real mode at @cs_base:@ip under @npt with @cell's maps. */
static void vmcb_reset(struct per_cpu *cpu, const struct cell *cell,
		       uint64_t *npt, uint32_t asid, uint64_t cs_base, uint16_t ip)
{
	struct vmcb *vmcb = &cpu->arch.vmcb;
	uint32_t intercepts1 = vmcb->intercepts1, intercepts2 = vmcb->intercepts2;

	memset(vmcb, 0, sizeof(*vmcb));
	vmcb->intercepts1 = intercepts1;
	vmcb->intercepts2 = intercepts2;
	vmcb->iopm_base_pa = hv_virt_to_phys(cell->arch.iopm);
	vmcb->msrpm_base_pa = hv_virt_to_phys(cell->arch.msrpm);
	vmcb->asid = asid;
	vmcb->tlb_control = TLB_CONTROL_FLUSH_ALL;
	vmcb->np_enable = NP_ENABLE;
	vmcb->n_cr3 = (uint64_t)npt;

	set_real_mode_seg(&vmcb->cs, 0x9b);
	vmcb->cs.selector = (uint16_t)(cs_base >> 4);
	vmcb->cs.base = cs_base;
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
	vmcb->rip = ip;
	vmcb->dr6 = 0xffff0ff0;
	vmcb->dr7 = 0x400;
	vmcb->g_pat = 0x0007040600070406ull;	/* the reset PAT */
	memset(&cpu->arch.regs, 0, sizeof(cpu->arch.regs));

	/* The state VMRUN leaves alone: from this fresh VMCB too. */
	asm volatile("vmload %0" : : "a"(hv_virt_to_phys(vmcb)) : "memory");
}

void arch_park_self(struct per_cpu *cpu)
{
	cpu->parked = 1;
	vmcb_reset(cpu, cpu->cell, park_npt, PARK_ASID, 0, 0);
}

static void start_in_cell(struct per_cpu *cpu)
{
	const struct cell *cell = cpu->cell;
	uint64_t entry = cell->desc->entry_address;

	cpu->parked = 0;
	cpu->state = CPU_RUNNING;
	apic_reset_for_cell();
	msr_reset_for_inmate();
	vmcb_reset(cpu, cell, cell->arch.npt_root, 3 + cell->id,
		   entry & ~0xffffull, (uint16_t)(entry & 0xffff));
}

static void start_root(struct per_cpu *cpu, uint32_t vector)
{
	cpu->parked = 0;
	apic_reset_for_cell();
	msr_restore_linux(cpu);
	vmcb_reset(cpu, &root_cell, root_cell.arch.npt_root, 1,
		   (uint64_t)(vector & 0xff) << 12, 0);
	cpu->arch.vmcb.g_pat = cpu->arch.linux_pat;
}

void cpu_request(struct per_cpu *target, enum cpu_req req, uint32_t arg)
{
	unsigned int spins = 0;

	target->arch.request_arg = arg;
	__atomic_store_n(&target->arch.request, req, __ATOMIC_RELEASE);
	apic_send_nmi(target->arch.apic_id);
	/* An NMI that meets a CPU already in its NMI handler is lost: re-send. */
	while (__atomic_load_n(&target->arch.request, __ATOMIC_ACQUIRE) != CPU_REQ_NONE) {
		cpu_relax();
		if (++spins == KICK_SPINS) {
			spins = 0;
			apic_send_nmi(target->arch.apic_id);
		}
	}
}

static void cpu_request_all(uint64_t set, enum cpu_req req)
{
	unsigned int i;

	for (i = 0; i < BH_MAX_CPUS; i++)
		if (set & (1ull << i))
			cpu_request(&per_cpu_area[i], req, 0);
}

void arch_park_cpus(uint64_t set)
{
	cpu_request_all(set, CPU_REQ_PARK);
}

void arch_start_cpus(uint64_t set)
{
	cpu_request_all(set, CPU_REQ_START_CELL);
}

void arch_flush_tlbs(struct per_cpu *caller, uint64_t set)
{
	if (set & (1ull << caller->cpu_id))
		caller->arch.vmcb.tlb_control = TLB_CONTROL_FLUSH_ALL;
	cpu_request_all(set & ~(1ull << caller->cpu_id), CPU_REQ_FLUSH_TLB);
}

#define PM_TIMER_HZ	3579545u
#define PM_TIMER_MASK	0xffffffu

static uint32_t pm_timer(void)
{
	uint32_t v;

	asm volatile("inl %1, %0" : "=a"(v)
		     : "Nd"((uint16_t)system_config->platform.pm_timer_port));
	return v & PM_TIMER_MASK;
}

static uint64_t parked_of(uint64_t set)
{
	uint64_t parked = 0;
	unsigned int i;

	for (i = 0; i < BH_MAX_CPUS; i++)
		if ((set & (1ull << i)) &&
		    __atomic_load_n(&per_cpu_area[i].parked, __ATOMIC_ACQUIRE))
			parked |= 1ull << i;
	return parked;
}

uint64_t arch_ask_shutdown(uint64_t set)
{
	uint32_t start, elapsed = 0, now, last;
	unsigned int i;

	set &= ~parked_of(set);
	for (i = 0; i < BH_MAX_CPUS; i++)
		if (set & (1ull << i))
			cpu_request(&per_cpu_area[i], CPU_REQ_ASK_SHUTDOWN, 0);
	/* Up to a second by the ACPI PM timer (24 bits: wraps in 4.6 s). */
	start = last = pm_timer();
	while ((set & ~parked_of(set)) && elapsed < PM_TIMER_HZ) {
		cpu_relax();
		now = pm_timer();
		elapsed += (now - last) & PM_TIMER_MASK;
		last = now;
	}
	(void)start;
	return set & ~parked_of(set);
}

void cpu_handle_nmi(struct per_cpu *cpu)
{
	enum cpu_req req = __atomic_load_n(&cpu->arch.request, __ATOMIC_ACQUIRE);

	/* The NMI is still pending after the exit: let it in, it just returns. */
	traps_take_nmi();
	switch (req) {
	case CPU_REQ_NONE:
		/* Not ours: the guest's. */
		cpu->arch.vmcb.eventinj = 2 | (2ull << 8) | EVENTINJ_VALID;
		return;
	case CPU_REQ_PARK:
		arch_park_self(cpu);
		break;
	case CPU_REQ_START_CELL:
		start_in_cell(cpu);
		break;
	case CPU_REQ_START_ROOT:
		start_root(cpu, cpu->arch.request_arg);
		break;
	case CPU_REQ_FLUSH_TLB:
		cpu->arch.vmcb.tlb_control = TLB_CONTROL_FLUSH_ALL;
		break;
	case CPU_REQ_ASK_SHUTDOWN:
		cpu->arch.vmcb.vintr = VINTR_IRQ | VINTR_IGN_TPR | 0xfull << VINTR_PRIO_SHIFT |
				  (uint64_t)BH_SHUTDOWN_VECTOR << VINTR_VECTOR_SHIFT;
		break;
	}
	__atomic_store_n(&cpu->arch.request, CPU_REQ_NONE, __ATOMIC_RELEASE);
}
