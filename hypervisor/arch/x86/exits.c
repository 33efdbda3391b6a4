// SPDX-License-Identifier: GPL-2.0-only
/*
 * What a VM exit means, for both backends: svm.c and vmx.c decode the
 * hardware's exit information and call these. Policy for the root cell:
 * an access to memory or ports it was not given is refused and reported
 * on the console with CPU, address and access; memory accesses get a #GP
 * (Linux's exception tables turn a probing access into an error,
 * anything else into an oops, and Linux keeps running), port reads
 * return all ones and port writes are dropped. An inmate that does the
 * same is stopped: its cell fails.
 */
#include <asm/mmio.h>
#include <asm/msr.h>
#include <asm/paging.h>
#include <asm/pci.h>
#include <asm/processor.h>
#include <asm/vcpu.h>
#include <percpu.h>
#include <cell.h>
#include <control.h>
#include <ivshmem.h>
#include <report.h>
#include <setup.h>

static void inject_gp(struct per_cpu *cpu)
{
	vcpu->inject_exception(cpu, X86_GP, 1, 0);
}

void exit_cpuid(struct per_cpu *cpu, unsigned int len, uint32_t hide_leaf,
		unsigned int hide_reg, uint32_t hide_bits)
{
	struct guest_regs *r = &cpu->arch.regs;
	uint32_t leaf = (uint32_t)r->rax, out[4];

	cpuid(leaf, (uint32_t)r->rcx, &out[0], &out[1], &out[2], &out[3]);
	/*
	 * Cells must not run guests of their own. Root Linux sees the
	 * feature but disabled by the firmware (msr.c) rather than absent:
	 * a CPU it brings online under us must show the features it booted
	 * with, or Linux clears them for all CPUs until the next reboot.
	 */
	if (leaf == hide_leaf && cpu->cell != &root_cell && hide_reg < 4)
		out[hide_reg] &= ~hide_bits;
	r->rax = out[0];
	r->rbx = out[1];
	r->rcx = out[2];
	r->rdx = out[3];
	vcpu->skip(cpu, len);
}

void exit_msr(struct per_cpu *cpu, int write, unsigned int len)
{
	struct guest_regs *r = &cpu->arch.regs;
	uint32_t msr = (uint32_t)r->rcx;
	uint64_t value = (r->rdx << 32) | (uint32_t)r->rax;
	int err;

	if (write) {
		err = msr_write(cpu, msr, value);
	} else {
		err = msr_read(cpu, msr, &value);
		if (!err) {
			r->rax = (uint32_t)value;
			r->rdx = value >> 32;
		}
	}
	if (err) {
		inject_gp(cpu);
		return;
	}
	vcpu->skip(cpu, len);
}

static uint64_t size_ones(unsigned int size)
{
	return size == 1 ? 0xff : size == 2 ? 0xffff : 0xffffffff;
}

void exit_io(struct per_cpu *cpu, uint16_t port, unsigned int size, int in,
	     int string, uint64_t next_rip)
{
	struct guest_regs *r = &cpu->arch.regs;
	uint32_t value = (uint32_t)r->rax;
	uint64_t rip;

	if (!string && pci_conf1_access(cpu, port, size, in, &value)) {
		/* A 32-bit IN clears bits 63:32 like any 32-bit load. */
		if (in)
			r->rax = size == 4 ? value :
				 (r->rax & ~size_ones(size)) | (value & size_ones(size));
		vcpu_set(cpu, VCPU_RIP, next_rip);
		return;
	}
	/* Only reports need it: a VMREAD on VMX, not on every config access. */
	rip = vcpu_get(cpu, VCPU_RIP);
	cpu->violations++;
	if (cpu->cell != &root_cell) {
		printk("CPU %u: cell \"%s\": %s of I/O port 0x%x (RIP 0x%lx)\n",
		       cpu->cpu_id, cpu->cell->desc->name, in ? "read" : "write",
		       port, rip);
		cell_cpu_failed(cpu, "I/O port outside its config");
		return;
	}
	if (report_due(&cpu->reports, cpu->cpu_id, "I/O port", port))
		printk("CPU %u: cell \"%s\": %s of I/O port 0x%x refused (RIP 0x%lx)\n",
		       cpu->cpu_id, cpu->cell->desc->name, in ? "read" : "write",
		       port, rip);
	if (string) {
		inject_gp(cpu);
		return;
	}
	if (in)
		r->rax |= size_ones(size);
	vcpu_set(cpu, VCPU_RIP, next_rip);
}

void exit_npf(struct per_cpu *cpu, uint64_t gpa, int write, int fetch)
{
	const char *access = fetch ? "execute" : write ? "write" : "read";
	struct mmio_region region;
	int due, section;

	/* Emulated ranges: the APIC page, virtual PCI config space and BARs. */
	if (!fetch && mmio_region_find(cpu->cell, gpa, &region) == 0 &&
	    mmio_emulate(cpu, gpa, &region) == 0)
		return;

	cpu->violations++;
	due = report_due(&cpu->reports, cpu->cpu_id, access, gpa);
	/* An ivshmem link's part the cell may read but not write. */
	section = write && ivshmem_write_refused(cpu->cell, cpu->cpu_id, gpa,
						 vcpu_get(cpu, VCPU_RIP), due);
	if (due && !section)
		printk("CPU %u: cell \"%s\": %s of 0x%lx refused (RIP 0x%lx): not in the cell's memory\n",
		       cpu->cpu_id, cpu->cell->desc->name, access, gpa,
		       vcpu_get(cpu, VCPU_RIP));
	if (cpu->cell != &root_cell) {
		cell_cpu_failed(cpu, section ? "write into a read-only part of an ivshmem link" :
				"memory access outside its config");
		return;
	}
	inject_gp(cpu);
}

void exit_hypercall(struct per_cpu *cpu, unsigned int len)
{
	struct guest_regs *r = &cpu->arch.regs;
	uint64_t code = r->rax;

	/* Complete the instruction first: BH_HC_DISABLE leaves from here. */
	vcpu->skip(cpu, len);
	r->rax = 0;
	r->rax = (uint64_t)hypercall(cpu, code, r->rdi, r->rsi);
}

void exit_stop_cpu(struct per_cpu *cpu, const char *why, uint64_t code)
{
	int inmate = cpu->cell && cpu->cell != &root_cell;

	printk("CPU %u: cell \"%s\"%s %s (exit 0x%lx, RIP 0x%lx, RSP 0x%lx, CR0 0x%lx, CR3 0x%lx, EFER 0x%lx)\n",
	       cpu->cpu_id, cpu->cell ? cpu->cell->desc->name : "?",
	       inmate ? ":" : " stopped:", why, code, vcpu_get(cpu, VCPU_RIP),
	       vcpu_get(cpu, VCPU_RSP), vcpu_get(cpu, VCPU_CR0),
	       vcpu_get(cpu, VCPU_CR3), vcpu_get(cpu, VCPU_EFER));
	if (inmate) {
		cell_cpu_failed(cpu, why);
		return;
	}
	cpu->state = CPU_FAILED;
	halt_forever();
}

void exit_triple_fault(struct per_cpu *cpu, uint64_t code)
{
	if (cpu->cell != &root_cell) {
		cell_cpu_failed(cpu, "triple fault");
		return;
	}
	exit_stop_cpu(cpu, "triple fault", code);
}
