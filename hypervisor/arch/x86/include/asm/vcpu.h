/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The x86 vendor boundary: what code shared by both backends (exits.c,
 * cpu.c, setup.c, mmio.c, msr.c, apic.c) asks of AMD SVM (svm.c) or
 * Intel VMX (vmx.c). One image holds both; vcpu_select() picks one by
 * CPUID when the root cell is set up, before any CPU is taken over, and
 * the choice holds until disable.
 *
 * Guest state lives where the hardware wants it (VMCB fields, VMCS
 * fields). Shared code reads and writes it only through vcpu_get() and
 * vcpu_set(); the general registers are in struct guest_regs for both
 * (RAX too: svm.c copies it to and from the VMCB around each exit).
 */
#ifndef BH_ASM_VCPU_H
#define BH_ASM_VCPU_H

#include <hv.h>
#include <percpu.h>

struct cell;

/* entry.S passes the guest registers; they are in the CPU's area. */
static inline struct per_cpu *per_cpu_of_regs(struct guest_regs *regs)
{
	return (struct per_cpu *)((uint8_t *)regs -
				  __builtin_offsetof(struct per_cpu, arch.regs));
}

enum vcpu_reg {
	VCPU_RIP,
	VCPU_RSP,
	VCPU_RFLAGS,
	VCPU_CR0,		/* as the guest sees it (VMX: read shadows applied) */
	VCPU_CR3,
	VCPU_CR4,
	VCPU_EFER,
	VCPU_PAT,
	VCPU_CS_ATTRIB,		/* read only; struct x86_seg's layout (asm/linux.h) */
};

/* Where a CPU enters a cell: real mode at @cs_base:@ip, like after reset. */
struct vcpu_reset {
	const struct cell *cell;	/* I/O and MSR maps */
	uint64_t *npt;			/* nested page tables (the cell's, or parking's) */
	unsigned int tag;		/* ASID / VPID: VCPU_TAG_* or VCPU_TAG_CELL + id */
	uint64_t cs_base;
	uint16_t ip;
};

#define VCPU_TAG_ROOT	1
#define VCPU_TAG_PARK	2
#define VCPU_TAG_CELL	3

struct vcpu_ops {
	const char *name;			/* "AMD SVM", "Intel VMX" */
	/* Can this CPU run us? 0, or -errno with one line on the console. */
	int (*check_features)(void);
	/* Virtualization on for the calling CPU; guest state = running Linux. */
	int (*cpu_init)(struct per_cpu *cpu, uint64_t linux_rsp);
	/* Undoes cpu_init when enable fails on another CPU: native again. */
	void (*cpu_abort)(struct per_cpu *cpu);
	void __attribute__((noreturn)) (*run)(struct per_cpu *cpu);
	/* Native again with the guest's state (disable). */
	void __attribute__((noreturn)) (*leave)(struct per_cpu *cpu);
	void (*reset)(struct per_cpu *cpu, const struct vcpu_reset *to);

	uint64_t (*get)(struct per_cpu *cpu, enum vcpu_reg reg);
	void (*set)(struct per_cpu *cpu, enum vcpu_reg reg, uint64_t value);
	/* Completes the instruction that exited (@len bytes). */
	void (*skip)(struct per_cpu *cpu, unsigned int len);

	void (*inject_exception)(struct per_cpu *cpu, uint8_t vector, int has_error,
				 uint32_t error);
	void (*inject_nmi)(struct per_cpu *cpu);
	/* An external interrupt @vector for the guest, as soon as it takes one. */
	void (*raise_irq)(struct per_cpu *cpu, uint8_t vector);
	/* The guest's cached translations go before it runs again. */
	void (*flush_tlb)(struct per_cpu *cpu);

	/* After an NMI exit: let the hypervisor take NMIs again. */
	void (*nmi_done)(void);
	/* Interrupts open on the host for a moment (@spins pauses). */
	void (*irq_window)(unsigned int spins);

	/* The cell's MSR bitmap (cell->arch.msrpm, MSRPM_SIZE) from msr.c. */
	void (*build_msr_bitmap)(struct cell *cell);
	/* EFER bits a guest may set, and those it must keep set. */
	uint64_t efer_allowed, efer_forced;
	/* Nested page table format (paging.h): NPT_FORMAT_AMD or _EPT. */
	unsigned int npt_format;
};

extern const struct vcpu_ops *vcpu;
extern const struct vcpu_ops svm_ops, vmx_ops;

/* Picks the backend this CPU supports: 0, or -ENODEV with the reason. */
int vcpu_select(void);

static inline uint64_t vcpu_get(struct per_cpu *cpu, enum vcpu_reg reg)
{
	return vcpu->get(cpu, reg);
}

static inline void vcpu_set(struct per_cpu *cpu, enum vcpu_reg reg, uint64_t value)
{
	vcpu->set(cpu, reg, value);
}

/* ---- exits.c: what both backends do with the exits they decode ---- */

/* CPUID: the host's answer, virtualization hidden (the backend's bit). */
void exit_cpuid(struct per_cpu *cpu, unsigned int len, uint32_t hide_leaf,
		unsigned int hide_reg, uint32_t hide_bits);
void exit_msr(struct per_cpu *cpu, int write, unsigned int len);
/* Port I/O; @next_rip after the instruction. */
void exit_io(struct per_cpu *cpu, uint16_t port, unsigned int size, int in,
	     int string, uint64_t next_rip);
/* A nested page fault at @gpa: emulated MMIO or a violation. */
void exit_npf(struct per_cpu *cpu, uint64_t gpa, int write, int fetch);
void exit_hypercall(struct per_cpu *cpu, unsigned int len);
/*
 * An exit the hypervisor cannot complete: an inmate's cell fails, a root
 * CPU halts with its state on the console. @code is the vendor's.
 */
void exit_stop_cpu(struct per_cpu *cpu, const char *why, uint64_t code);
/* A shutdown: an inmate's cell fails quietly (the cell reports it). */
void exit_triple_fault(struct per_cpu *cpu, uint64_t code);

/*
 * Up to @max instruction bytes at @rip of a CPU in 64-bit mode, read
 * through its cell's nested tables; how many could be read (0: none).
 */
unsigned int guest_fetch(struct per_cpu *cpu, uint64_t rip, uint8_t *buf,
			 unsigned int max);

#endif
