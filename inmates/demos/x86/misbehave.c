// SPDX-License-Identifier: GPL-2.0-only
/*
 * misbehave: breaks a rule chosen by a second image, for cell-faults.
 * `bulkhead cell load misbehave misbehave.bin MODE -a 0x80000` puts one
 * character at 0x80000:
 *   m  read memory the cell was not given
 *   i  read an I/O port the cell was not given (COM1's status)
 *   t  triple fault (an empty IDT, then an exception)
 *   l  loop forever with interrupts off (shutdown must still work)
 *   a  move its local APIC (refused with a #GP: with no IDT, a triple fault)
 *   v  program LINT0 to deliver INIT (refused and reported; it goes on)
 *   z  store NMI and INIT messages at APIC offset 0 (where QEMU decodes
 *      CPU stores as MSIs) and into reserved registers (ignored; it goes on)
 *   d  give itself APIC ID 5, then wait with interrupts on (ignored:
 *      `cell shutdown` must still reach it)
 *   s  send an SMI to itself, by shorthand and by its logical ID, then
 *      wait with interrupts on (refused: shutdown must still work)
 *   e  set a reserved EFER bit (LMSLE): #GP, with no IDT a triple fault
 *   r  MSRs: print what it sees of PAT, TSC_AUX, MTRRs, DEBUGCTL and what
 *      writes do (#GP caught); it goes on
 *   p  leave its timer interrupt pending, then loop with interrupts off
 *      (the hypervisor must drain it before Linux gets the CPU back)
 *   x  x2APIC mode (where the CPU has it), then through the ICR MSR: NMI,
 *      INIT and a fixed IPI to CPU 0 (root Linux), a logical IPI, a
 *      broadcast NMI, an IPI to an APIC ID beyond the machine's, INIT in
 *      LINT0 (all refused), a fixed IPI to all but itself (its cell has no
 *      other CPU: nobody) and a self IPI (arrives); then waits for shutdown
 */
#include "../../lib/x86/inmate.h"

#define MODE_ADDR	0x80000ul

#define APIC_ID		0x020
#define APIC_LDR	0x0d0
#define APIC_IRR	0x200
#define APIC_ICR_LO	0x300
#define APIC_ICR_HI	0x310
#define ICR_SMI		(2u << 8)
#define ICR_LOGICAL	(1u << 11)
#define ICR_SELF	(1u << 18)
#define PENDING_VECTOR	0x40

#define MSR_X2APIC_ICR		0x830
#define MSR_X2APIC_LINT0	0x835
#define MSR_X2APIC_SELF_IPI	0x83f
#define ICR_FIXED		0u
#define ICR_NMI			(4u << 8)
#define ICR_INIT		(5u << 8)
#define ICR_ASSERT		(1u << 14)
#define ICR_ALL_BUT_SELF	(3u << 18)
#define SELF_IPI_VECTOR		0x41

/* ---- a #GP handler for mode r: skip the 2-byte RDMSR/WRMSR, count ---- */
extern uint8_t gp_stub[];
static volatile unsigned int gp_count;

asm(".text\n"
    "gp_stub:\n"
    "	add $8, %rsp\n"		/* the error code */
    "	addq $2, (%rsp)\n"		/* past RDMSR or WRMSR */
    "	lock incl gp_count(%rip)\n"
    "	iretq\n");

static uint64_t idt[2 * 32] __attribute__((aligned(16)));

static void catch_gp(void)
{
	uint64_t stub = (uint64_t)gp_stub;
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) ptr = { sizeof(idt) - 1, (uint64_t)idt };

	idt[2 * 13] = (stub & 0xffff) | (0x18ull << 16) | (0x8eull << 40) |
		      ((stub >> 16) & 0xffff) << 48;
	idt[2 * 13 + 1] = stub >> 32;
	asm volatile("lidt %0" : : "m"(ptr));
}

static uint64_t read_msr(uint32_t msr)
{
	uint32_t lo = 0, hi = 0;

	asm volatile("rdmsr" : "+a"(lo), "+d"(hi) : "c"(msr));
	return lo | (uint64_t)hi << 32;
}

static void write_msr(uint32_t msr, uint64_t v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

/* Did @msr's write fault? */
static int write_faults(uint32_t msr, uint64_t v)
{
	unsigned int before = gp_count;

	write_msr(msr, v);
	return gp_count != before;
}

static void msrs(void)
{
	unsigned int gp;

	catch_gp();
	printk("misbehave: msr pat 0x%lx tsc_aux 0x%lx mtrrcap 0x%lx deftype 0x%lx physbase0 0x%lx\n",
	       read_msr(0x277), read_msr(0xc0000103), read_msr(0xfe), read_msr(0x2ff),
	       read_msr(0x200));
	gp = write_faults(0x2ff, 0);			/* MTRRs off */
	gp |= write_faults(0x200, 0x6) << 1;		/* a WB range at 0 */
	gp |= write_faults(0x1d9, 1) << 2;		/* DEBUGCTL.LBR */
	gp |= write_faults(0x277, 0x0606060606060606ull) << 3;
	printk("misbehave: msr writes faulted 0x%x; now deftype 0x%lx physbase0 0x%lx debugctl 0x%lx pat 0x%lx\n",
	       gp, read_msr(0x2ff), read_msr(0x200), read_msr(0x1d9), read_msr(0x277));
	printk("misbehave: msr #GP on write: syscfg %d hwcr %d pat-bad %d tsc %d\n",
	       write_faults(0xc0010010, read_msr(0xc0010010)),
	       write_faults(0xc0010015, read_msr(0xc0010015)),
	       write_faults(0x277, 0x0202020202020202ull), write_faults(0x10, 0));
	gp = gp_count;
	read_msr(0xc0011020);
	printk("misbehave: msr #GP on read of an unknown MSR: %d\n", gp_count != gp);
	gp = write_faults(0xc0000103, 0x77);
	printk("misbehave: msr tsc_aux write %d, reads 0x%lx\n", gp, read_msr(0xc0000103));
}

/* Interrupts on, nothing to do: `cell shutdown` gets its answer. */
static void __attribute__((noreturn)) wait_for_shutdown(void)
{
	irq_init();
	irq_enable();
	for (;;)
		asm volatile("hlt");
}

static void send_self_smi(void)
{
	apic_write(APIC_ICR_HI, 0);
	apic_write(APIC_ICR_LO, ICR_SMI | ICR_SELF);
	apic_write(APIC_ICR_HI, apic_read(APIC_LDR));
	apic_write(APIC_ICR_LO, ICR_SMI | ICR_LOGICAL);
	printk("misbehave: SMIs sent, still here\n");
}

static void __attribute__((noreturn)) leave_irq_pending(void)
{
	unsigned int spins = 0;

	apic_timer_oneshot(PENDING_VECTOR, 100);
	while (!(apic_read(APIC_IRR + 0x10 * (PENDING_VECTOR / 32)) &
		 (1u << (PENDING_VECTOR % 32))) && ++spins < 100000000)
		cpu_relax();
	printk("misbehave: vector 0x%x %s, looping with interrupts off\n",
	       PENDING_VECTOR, spins < 100000000 ? "pending" : "never came");
	for (;;)
		cpu_relax();
}

static volatile unsigned int self_ipis;

static void on_self_ipi(unsigned int vector)
{
	(void)vector;
	self_ipis++;
}

static void x2apic_icr(uint32_t dest, uint32_t lo)
{
	write_msr(MSR_X2APIC_ICR, (uint64_t)dest << 32 | lo);
}

static void x2apic_ipis(void)
{
	unsigned int spins = 0;

	if (apic_use_x2apic()) {
		printk("misbehave: the CPU has no x2APIC\n");
		return;
	}
	irq_init();
	irq_set_handler(SELF_IPI_VECTOR, on_self_ipi);
	irq_enable();
	printk("misbehave: x2APIC mode, APIC ID %u\n", apic_id());
	x2apic_icr(0, ICR_NMI | ICR_ASSERT);
	x2apic_icr(0, ICR_INIT | ICR_ASSERT);
	x2apic_icr(0, ICR_FIXED | ICR_ASSERT | SELF_IPI_VECTOR);
	x2apic_icr(1, ICR_LOGICAL | ICR_ASSERT | SELF_IPI_VECTOR);
	x2apic_icr(0, ICR_ALL_BUT_SELF | ICR_NMI | ICR_ASSERT);
	x2apic_icr(0x100, ICR_FIXED | ICR_ASSERT | SELF_IPI_VECTOR);
	write_msr(MSR_X2APIC_LINT0, ICR_INIT);
	x2apic_icr(0, ICR_ALL_BUT_SELF | ICR_FIXED | ICR_ASSERT | SELF_IPI_VECTOR);
	write_msr(MSR_X2APIC_SELF_IPI, SELF_IPI_VECTOR);
	while (!self_ipis && ++spins < 100000000)
		cpu_relax();
	printk("misbehave: x2APIC IPIs sent; self IPIs arrived: %u; LINT0 reads 0x%x\n",
	       self_ipis, (uint32_t)read_msr(MSR_X2APIC_LINT0));
}

int inmate_main(void)
{
	char mode = *(volatile char *)MODE_ADDR;
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) no_idt = { 0, 0 };

	printk("misbehave: mode '%c'\n", mode);
	switch (mode) {
	case 'm':
		printk("misbehave: read 0x%lx\n", *(volatile uint64_t *)0x3a000000ul);
		break;
	case 'i':
		printk("misbehave: port 0x3fd reads 0x%x\n", inb(0x3fd));
		break;
	case 't':
		asm volatile("lidt %0; int3" : : "m"(no_idt));
		break;
	case 'l':
		asm volatile("cli");
		for (;;)
			cpu_relax();
	case 'a':
		/* IA32_APIC_BASE: same flags, base moved into our own RAM */
		asm volatile("wrmsr" : : "c"(0x1b), "a"(0x900), "d"(0));
		break;
	case 'v':
		apic_write(0x350, 5 << 8);	/* LINT0: INIT, unmasked */
		printk("misbehave: LINT0 reads 0x%x\n", apic_read(0x350));
		return 0;
	case 'z':
		apic_write(0x000, 4 << 8);	/* as an MSI: NMI to CPU 0 */
		apic_write(0x000, 5 << 8);	/* INIT to CPU 0 */
		apic_write(0x010, 5 << 8);
		apic_write(0x030, 0);		/* version: read-only */
		apic_write(0x3f0, 0);
		printk("misbehave: reserved APIC writes done\n");
		return 0;
	case 'd':
		apic_write(APIC_ID, 5u << 24);
		printk("misbehave: APIC ID reads 0x%x\n", apic_read(APIC_ID) >> 24);
		wait_for_shutdown();
	case 's':
		send_self_smi();
		wait_for_shutdown();
	case 'e':
		asm volatile("lidt %0" : : "m"(no_idt));
		write_msr(0xc0000080, read_msr(0xc0000080) | 1u << 13);
		break;
	case 'r':
		msrs();
		return 0;
	case 'p':
		leave_irq_pending();
	case 'x':
		x2apic_ipis();
		wait_for_shutdown();
	default:
		printk("misbehave: unknown mode\n");
		return 1;
	}
	printk("misbehave: still running: the hypervisor did not stop me\n");
	return 1;
}
