// SPDX-License-Identifier: GPL-2.0-only
/*
 * CPU requests, parking, and resets into a cell (see asm/cpu.h).
 *
 * A CPU enters a cell the way hardware leaves reset: real mode, CS base
 * from the entry address (or the SIPI vector for the root cell), the
 * cell's nested page tables and permission maps (the backend's reset,
 * asm/vcpu.h), so nothing of the CPU's previous cell remains visible.
 */
#include <arch.h>
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/msr.h>
#include <asm/paging.h>
#include <percpu.h>
#include <asm/processor.h>
#include <asm/vcpu.h>
#include <cell.h>
#include <pool.h>
#include <setup.h>

#define KICK_SPINS	200000u		/* re-send the NMI after this long */

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

static void reset_into(struct per_cpu *cpu, const struct cell *cell, uint64_t *npt,
		       unsigned int tag, uint64_t cs_base, uint16_t ip)
{
	const struct vcpu_reset to = {
		.cell = cell, .npt = npt, .tag = tag, .cs_base = cs_base, .ip = ip,
	};

	vcpu->reset(cpu, &to);
}

void arch_park_self(struct per_cpu *cpu)
{
	cpu->parked = 1;
	reset_into(cpu, cpu->cell, park_npt, VCPU_TAG_PARK, 0, 0);
}

static void start_in_cell(struct per_cpu *cpu)
{
	const struct cell *cell = cpu->cell;
	uint64_t entry = cell->desc->entry_address;

	if (apic_reset_for_cell(cpu)) {
		cpu->state = CPU_FAILED;	/* listed under the cell's failed CPUs */
		return;
	}
	cpu->parked = 0;
	cpu->state = CPU_RUNNING;
	msr_reset_for_inmate();
	reset_into(cpu, cell, cell->arch.npt_root, VCPU_TAG_CELL + cell->id,
		   entry & ~0xffffull, (uint16_t)(entry & 0xffff));
}

static void start_root(struct per_cpu *cpu, uint32_t vector)
{
	/* Parked it stays: Linux's bring-up times out and says so. */
	if (apic_reset_for_cell(cpu))
		return;
	cpu->parked = 0;
	msr_restore_linux(cpu);
	reset_into(cpu, &root_cell, root_cell.arch.npt_root, VCPU_TAG_ROOT,
		   (uint64_t)(vector & 0xff) << 12, 0);
	vcpu_set(cpu, VCPU_PAT, cpu->arch.linux_pat);
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

	/* Only CPUs the hypervisor took: another has no APIC ID to send to. */
	for (i = 0; i < BH_MAX_CPUS; i++)
		if ((set & (1ull << i)) && per_cpu_area[i].online)
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
		vcpu->flush_tlb(caller);
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

static uint64_t online_of(uint64_t set)
{
	uint64_t online = 0;
	unsigned int i;

	for (i = 0; i < BH_MAX_CPUS; i++)
		if ((set & (1ull << i)) && per_cpu_area[i].online)
			online |= 1ull << i;
	return online;
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

/*
 * Between two reads of the PM timer (and two pauses) the waiter looks at
 * the parked flags this many times. Under QEMU TCG a port read and a
 * `pause` each take the emulator's big lock, which the CPUs we wait for
 * need for their own pauses, to take the interrupt and to print their
 * report: a waiter that did either in a tight loop starved them of it for
 * longer than the whole timeout on a loaded host (ivshmem-reset, x2APIC).
 */
#define SHUTDOWN_LOOKS_PER_TICK_READ	256

uint64_t arch_ask_shutdown(uint64_t set)
{
	uint32_t elapsed = 0, now, last;
	unsigned int i, looks = 0;

	set &= ~parked_of(set);
	set &= online_of(set);
	for (i = 0; i < BH_MAX_CPUS; i++)
		if (set & (1ull << i))
			cpu_request(&per_cpu_area[i], CPU_REQ_ASK_SHUTDOWN, 0);
	/* Up to a second by the ACPI PM timer (24 bits: wraps in 4.6 s). */
	last = pm_timer();
	while ((set & ~parked_of(set)) && elapsed < PM_TIMER_HZ) {
		if (++looks < SHUTDOWN_LOOKS_PER_TICK_READ)
			continue;
		looks = 0;
		cpu_relax();
		now = pm_timer();
		elapsed += (now - last) & PM_TIMER_MASK;
		last = now;
	}
	return set & ~parked_of(set);
}

void cpu_handle_nmi(struct per_cpu *cpu)
{
	enum cpu_req req = __atomic_load_n(&cpu->arch.request, __ATOMIC_ACQUIRE);

	vcpu->nmi_done();
	switch (req) {
	case CPU_REQ_NONE:
		/* Not ours: the guest's. */
		vcpu->inject_nmi(cpu);
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
		vcpu->flush_tlb(cpu);
		break;
	case CPU_REQ_ASK_SHUTDOWN:
		vcpu->raise_irq(cpu, BH_SHUTDOWN_VECTOR);
		break;
	}
	__atomic_store_n(&cpu->arch.request, CPU_REQ_NONE, __ATOMIC_RELEASE);
}
