/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The bare-metal runtime for inmates (x86-64): start-up (header.S),
 * console output through the hypervisor, I/O ports, the TSC, interrupts
 * and the local APIC timer, PCI config space, calibration against the
 * ACPI PM timer, and a way to tell the hypervisor the inmate is done. An inmate defines
 *
 *	int inmate_main(void);
 *
 * which runs in 64-bit mode with the first 4 GiB mapped 1:1
 * and interrupts off; returning 0 reports "done", anything else "failed".
 */
#ifndef BH_INMATE_H
#define BH_INMATE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <bulkhead/errno.h>	/* libcellmsg returns them negated */
#include <bulkhead/hypercall.h>
#include <bulkhead/ivshmem.h>
#include <common/x86_io.h>

int inmate_main(void);

/* Set by header.S from CPUID: VMCALL on Intel, VMMCALL on AMD. */
extern int inmate_vmx;

static inline long hypercall2(unsigned long code, unsigned long a1,
			      unsigned long a2)
{
	long ret;

	if (inmate_vmx)
		asm volatile("vmcall" : "=a"(ret) : "a"(code), "D"(a1), "S"(a2)
			     : "memory");
	else
		asm volatile("vmmcall" : "=a"(ret) : "a"(code), "D"(a1), "S"(a2)
			     : "memory");
	return ret;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return lo | (uint64_t)hi << 32;
}

static inline void cpu_relax(void)
{
	asm volatile("pause" ::: "memory");
}

/* printk-style output on the hypervisor's console (one exit per byte). */
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vprintk(const char *fmt, va_list ap);

/* Stops this CPU for good after telling the hypervisor @failed. */
void __attribute__((noreturn)) inmate_exit(int failed);

/*
 * Interrupts (vectors 32-255) and the local APIC. irq_init() also answers
 * `cell shutdown` (BH_SHUTDOWN_VECTOR): an inmate that keeps interrupts
 * enabled is shut down cleanly; one that runs with interrupts off for
 * more than a second when asked is stopped and marked failed.
 */
typedef void (*irq_handler_t)(unsigned int vector);
void irq_init(void);
void irq_set_handler(unsigned int vector, irq_handler_t handler);
/*
 * Runs @enter(vector) before every handler and @exit after its EOI (an
 * RTOS's interrupt bookkeeping; 0: none).
 */
void irq_set_hooks(irq_handler_t enter, void (*exit)(void));
/*
 * Exception @vector (0-31) to @entry, an assembler routine that ends in
 * IRETQ (and pops the error code of the vectors that push one). The
 * others have no gate: an exception there ends in a triple fault, which
 * the hypervisor reports and fails the cell for.
 */
void irq_set_exception(unsigned int vector, void (*entry)(void));
#define APIC_ID		0x020	/* register offsets as in xAPIC mode */
uint32_t apic_read(unsigned int reg);
void apic_write(unsigned int reg, uint32_t val);
/*
 * x2APIC mode where the CPU has it (0, or -ENODEV): the registers are
 * MSRs from then on, the timer and EOI included, and apic_read/apic_write
 * go there. The hypervisor lets the CPU write all but the ICR and the
 * local vectors that name a delivery mode without an exit.
 */
int apic_use_x2apic(void);
int apic_is_x2apic(void);

/*
 * The demos' choice, named for their console line: x2APIC where the CPU
 * has it, unless the demo is built with INMATE_XAPIC_ONLY (the Bochs
 * builds whose CPU must go back to Linux: Bochs cannot re-enable an APIC
 * that left x2APIC mode).
 */
static inline const char *apic_choose_mode(void)
{
#ifdef INMATE_XAPIC_ONLY
	return "xAPIC";
#else
	return apic_use_x2apic() == 0 ? "x2APIC" : "xAPIC";
#endif
}
uint32_t apic_id(void);		/* physical APIC ID, in either mode */
void apic_timer_oneshot(unsigned int vector, uint32_t ticks);
/*
 * Starts the timer again with @ticks, vector and divider as the last
 * apic_timer_oneshot() set them: one register write (one exit in xAPIC
 * mode instead of three).
 */
void apic_timer_set_count(uint32_t ticks);
uint32_t apic_timer_current(void);

static inline void irq_enable(void)
{
	asm volatile("sti" ::: "memory");
}

static inline void irq_disable(void)
{
	asm volatile("cli" ::: "memory");
}

/*
 * The ACPI PM timer port the demos calibrate against: q35's (0x608), as
 * the demo configs give it to the cell; builds for another machine pass
 * -DPM_TIMER_PORT (the Bochs ones: BOCHS_PM_TIMER_PORT).
 */
#ifndef PM_TIMER_PORT
#define PM_TIMER_PORT	0x608
#endif

/* Time: calibrate against the ACPI PM timer at @pm_timer_port first. */
uint64_t timing_init(uint16_t pm_timer_port);	/* returns the TSC in Hz */
uint64_t apic_timer_hz(void);
uint64_t tsc_to_ns(uint64_t tsc);
uint64_t now_ns(void);

/*
 * PCI config space via ports 0xcf8-0xcff, which the hypervisor emulates:
 * an inmate sees its own virtual devices (ivshmem), the functions passed
 * to it, and nothing else.
 */
#define PCI_BDF(bus, dev, fn)	((uint16_t)((bus) << 8 | (dev) << 3 | (fn)))
uint32_t pci_read_config(uint16_t bdf, unsigned int offset, unsigned int size);
void pci_write_config(uint16_t bdf, unsigned int offset, uint32_t value,
		      unsigned int size);
/* The first device @vendor:@device at or after @start_bdf, or -1. */
int pci_find_device(uint16_t vendor, uint16_t device, uint16_t start_bdf);
/* Offset of capability @id in @bdf's config space, or 0. */
unsigned int pci_find_cap(uint16_t bdf, uint8_t id);

/*
 * Bulkhead's ivshmem device (lib/x86/ivshmem.c). ivshmem_open() takes the
 * @nth such device on the bus, puts BAR0 at @mmio_base and BAR1 one page
 * above (two free pages of guest-physical space; 3-4 GiB is uncached),
 * enables MSI-X with every vector masked: 0, or -1 when there is none.
 * ivshmem_route_vector() sends MSI-X vector @index to @irq_vector on the
 * calling CPU and unmasks it.
 */
struct ivshmem_device {
	uint16_t bdf;
	unsigned int msix_cap;
	unsigned int num_vectors;
	uint32_t id;				/* IVPosition */
	volatile uint32_t *regs;		/* BAR0 */
	volatile uint32_t *msix;		/* the MSI-X table in BAR1 */
	void *shmem;
	uint64_t shmem_phys, shmem_size;
	/*
	 * A link's layout (include/bulkhead/ivshmem.h), from the vendor
	 * capability's version 2; a pair has num_peers 2 and no sections.
	 */
	uint32_t num_peers;
	uint64_t common_size, output_size;	/* 0 on a pair */
};
/* Peer @peer's output section of a link; its state in the state table. */
#define IVSHMEM_OUTPUT(d, peer) \
	((volatile uint8_t *)(d)->shmem + \
	 IVSHMEM_LINK_OUTPUT_OFFSET((d)->common_size, (d)->output_size, (peer)))
#define IVSHMEM_LINK_STATE(d, peer) \
	(((volatile const uint32_t *)(d)->shmem)[IVSHMEM_STATE_ENTRY(peer) / 4])
int ivshmem_open(struct ivshmem_device *d, unsigned int nth, uint64_t mmio_base);
/*
 * Where inmates put the BARs of their @nth ivshmem device (the mmio_base
 * to pass): two pages each from 0xfc000000, free guest-physical space in
 * the uncached GiB below the local APIC. The one place that says so.
 */
#define IVSHMEM_INMATE_BAR_BASE	0xfc000000ul
#define IVSHMEM_INMATE_BARS(nth) \
	(IVSHMEM_INMATE_BAR_BASE + (uint64_t)(nth) * 2 * IVSHMEM_EMU_BAR_SIZE)
void ivshmem_route_vector(struct ivshmem_device *d, unsigned int index,
			  unsigned int irq_vector);
void ivshmem_ring(struct ivshmem_device *d, uint32_t peer_id, uint32_t vector);
void ivshmem_set_state(struct ivshmem_device *d, uint32_t state);
uint32_t ivshmem_peer_state(struct ivshmem_device *d);

/* Sorts @v (@n values) in place and picks min, median, p99 and max. */
struct latency_summary {
	unsigned int n;
	uint64_t min, p50, p99, max;
};
void latency_summary(uint64_t *v, unsigned int n, struct latency_summary *s);

void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

#endif
