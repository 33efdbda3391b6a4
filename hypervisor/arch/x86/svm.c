// SPDX-License-Identifier: GPL-2.0-only
/*
 * #VMEXIT handling. TCG's SVM has no next-RIP and no decode assists
 * (PLATFORM.md), so each handler knows the length of the instruction it
 * completes. Policy for the root cell: an access to memory or ports it
 * was not given is refused and reported on the console with CPU, address
 * and access; memory accesses get a #GP (Linux's exception tables turn a
 * probing access into an error, anything else into an oops, and Linux
 * keeps running), port reads return all ones and port writes are dropped.
 */
#include <asm/cpu.h>
#include <asm/mmio.h>
#include <asm/msr.h>
#include <asm/pci.h>
#include <percpu.h>
#include <asm/processor.h>
#include <asm/svm.h>
#include <cell.h>
#include <control.h>
#include <report.h>
#include <setup.h>

#define LEN_CPUID	2
#define LEN_RDMSR	2
#define LEN_VMMCALL	3
static void inject_exception(struct vmcb *vmcb, uint8_t vector, int has_error,
			     uint32_t error)
{
	vmcb->eventinj = vector | EVENTINJ_TYPE_EXCEPTION | EVENTINJ_VALID |
			 (has_error ? EVENTINJ_ERROR_VALID | (uint64_t)error << 32 : 0);
}

static void handle_cpuid(struct per_cpu *cpu)
{
	struct vmcb *vmcb = &cpu->arch.vmcb;
	uint32_t leaf = (uint32_t)vmcb->rax, a, b, c, d;

	cpuid(leaf, (uint32_t)cpu->arch.regs.rcx, &a, &b, &c, &d);
	/*
	 * Cells must not run SVM guests of their own. Root Linux sees SVM
	 * disabled by the firmware (VM_CR.SVMDIS, below) rather than absent:
	 * a CPU it brings online under us must show the features it booted
	 * with, or Linux clears them for all CPUs until the next reboot.
	 */
	if (leaf == 0x80000001 && cpu->cell != &root_cell)
		c &= ~CPUID_80000001_ECX_SVM;
	vmcb->rax = a;
	cpu->arch.regs.rbx = b;
	cpu->arch.regs.rcx = c;
	cpu->arch.regs.rdx = d;
	vmcb->rip += LEN_CPUID;
}

static void handle_msr(struct per_cpu *cpu)
{
	struct vmcb *vmcb = &cpu->arch.vmcb;
	uint32_t msr = (uint32_t)cpu->arch.regs.rcx;
	uint64_t value = (cpu->arch.regs.rdx << 32) | (uint32_t)vmcb->rax;
	int err;

	if (vmcb->exitinfo1 == 1) {
		err = msr_write(cpu, msr, value);
	} else {
		err = msr_read(cpu, msr, &value);
		if (!err) {
			vmcb->rax = (uint32_t)value;
			cpu->arch.regs.rdx = value >> 32;
		}
	}
	if (err) {
		inject_exception(vmcb, X86_GP, 1, 0);
		return;
	}
	vmcb->rip += LEN_RDMSR;
}

static void handle_io(struct per_cpu *cpu)
{
	struct vmcb *vmcb = &cpu->arch.vmcb;
	uint64_t info = vmcb->exitinfo1;
	uint16_t port = (uint16_t)(info >> SVM_IOIO_PORT_SHIFT);
	unsigned int size = (info & SVM_IOIO_SIZE_MASK) >> SVM_IOIO_SIZE_SHIFT;
	int in = info & SVM_IOIO_IN;
	uint32_t value = (uint32_t)vmcb->rax;

	if (!(info & SVM_IOIO_STR) && pci_conf1_access(cpu, port, size, in, &value)) {
		if (in) {
			uint64_t mask = size == 1 ? 0xff : size == 2 ? 0xffff : 0xffffffff;

			/* A 32-bit IN clears bits 63:32 like any 32-bit load. */
			vmcb->rax = size == 4 ? value : (vmcb->rax & ~mask) | (value & mask);
		}
		vmcb->rip = vmcb->exitinfo2;
		return;
	}
	cpu->violations++;
	if (cpu->cell != &root_cell) {
		printk("CPU %u: cell \"%s\": %s of I/O port 0x%x (RIP 0x%lx)\n",
		       cpu->cpu_id, cpu->cell->desc->name, in ? "read" : "write",
		       port, vmcb->rip);
		cell_cpu_failed(cpu, "I/O port outside its config");
		return;
	}
	if (report_due(&cpu->reports, cpu->cpu_id, "I/O port", port))
		printk("CPU %u: cell \"%s\": %s of I/O port 0x%x refused (RIP 0x%lx)\n",
		       cpu->cpu_id, cpu->cell->desc->name, in ? "read" : "write",
		       port, vmcb->rip);
	if (info & SVM_IOIO_STR) {
		inject_exception(vmcb, X86_GP, 1, 0);
		return;
	}
	if (in) {
		uint64_t ones = size == 1 ? 0xff : size == 2 ? 0xffff : 0xffffffff;

		vmcb->rax = (vmcb->rax & ~ones) | ones;
	}
	vmcb->rip = vmcb->exitinfo2;	/* next RIP, for I/O exits */
}

static void handle_npf(struct per_cpu *cpu)
{
	struct vmcb *vmcb = &cpu->arch.vmcb;
	uint64_t err = vmcb->exitinfo1;
	const char *access = err & NPF_FETCH ? "execute" :
			     err & NPF_WRITE ? "write" : "read";
	struct mmio_region region;

	/* Emulated ranges: the APIC page, virtual PCI config space and BARs. */
	if (!(err & NPF_FETCH) &&
	    mmio_region_find(cpu->cell, vmcb->exitinfo2, &region) == 0 &&
	    mmio_emulate(cpu, vmcb->exitinfo2, &region) == 0)
		return;

	cpu->violations++;
	if (report_due(&cpu->reports, cpu->cpu_id, access, vmcb->exitinfo2))
		printk("CPU %u: cell \"%s\": %s of 0x%lx refused (RIP 0x%lx): not in the cell's memory\n",
		       cpu->cpu_id, cpu->cell->desc->name, access, vmcb->exitinfo2,
		       vmcb->rip);
	if (cpu->cell != &root_cell) {
		cell_cpu_failed(cpu, "memory access outside its config");
		return;
	}
	inject_exception(vmcb, X86_GP, 1, 0);
}

static void handle_vmmcall(struct per_cpu *cpu)
{
	struct vmcb *vmcb = &cpu->arch.vmcb;
	uint64_t code = vmcb->rax;

	/* Complete the instruction first: BH_HC_DISABLE leaves from here. */
	vmcb->rip += LEN_VMMCALL;
	vmcb->rax = 0;
	vmcb->rax = (uint64_t)hypercall(cpu, code, cpu->arch.regs.rdi, cpu->arch.regs.rsi);
}

/*
 * An exit the hypervisor cannot complete. An inmate's CPU is parked and
 * its cell failed, like any other broken rule. A root CPU has nowhere
 * to go: it halts with its state on the console.
 */
static void stop_cpu(struct per_cpu *cpu, const char *why)
{
	struct vmcb *vmcb = &cpu->arch.vmcb;
	int inmate = cpu->cell && cpu->cell != &root_cell;

	printk("CPU %u: cell \"%s\"%s %s (exit 0x%lx, RIP 0x%lx, RSP 0x%lx, CR0 0x%lx, CR3 0x%lx, EFER 0x%lx)\n",
	       cpu->cpu_id, cpu->cell ? cpu->cell->desc->name : "?",
	       inmate ? ":" : " stopped:", why, vmcb->exitcode, vmcb->rip, vmcb->rsp,
	       vmcb->cr0, vmcb->cr3, vmcb->efer);
	if (inmate) {
		cell_cpu_failed(cpu, why);
		return;
	}
	cpu->state = CPU_FAILED;
	halt_forever();
}

/* entry.S passes the guest registers; they are in the CPU's area. */
static struct per_cpu *per_cpu_of_regs(struct guest_regs *regs)
{
	return (struct per_cpu *)((uint8_t *)regs -
				  __builtin_offsetof(struct per_cpu, arch.regs));
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

void svm_handle_exit(struct guest_regs *regs)
{
	struct per_cpu *cpu = per_cpu_of_regs(regs);
	struct vmcb *vmcb = &cpu->arch.vmcb;

	cpu->exits_total++;
	cpu->exits[exit_kind(vmcb->exitcode)]++;
	vmcb->tlb_control = 0;
	switch (vmcb->exitcode) {
	case SVM_EXIT_CPUID:
		handle_cpuid(cpu);
		break;
	case SVM_EXIT_VMMCALL:
		handle_vmmcall(cpu);
		break;
	case SVM_EXIT_MSR:
		handle_msr(cpu);
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
		inject_exception(vmcb, X86_UD, 0, 0);
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
		if (cpu->cell != &root_cell) {
			cell_cpu_failed(cpu, "triple fault");
			break;
		}
		stop_cpu(cpu, "triple fault");
		break;
	case SVM_EXIT_INVALID:
		stop_cpu(cpu, "VMRUN refused the guest state");
		break;
	default:
		stop_cpu(cpu, "unexpected VM exit");
		break;
	}
}
