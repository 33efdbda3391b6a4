// SPDX-License-Identifier: GPL-2.0-only
/*
 * The local APIC write filter (hypervisor/arch/x86/apic.c): every store
 * a cell makes to its APIC page goes through apic_mmio_access(), as the
 * MMIO handler is called, and every MSI through arch_send_msi(). What
 * may pass is the policy table in docs/cells.md ("The local APIC"); the
 * register offsets and the ICR and MSI encodings below are written out
 * from the Intel SDM (vol. 3, 11.4-11.11) and the AMD APM (vol. 2, 16),
 * never taken from the code under test.
 *
 * The "hardware" is an anonymous page at the APIC's physical address
 * (0xfee00000), filled with a sentinel per register before each case,
 * so a write that should not happen shows in the page. apic.c reaches
 * it through apic_read()/apic_write() of asm/apic.h; this test renames
 * those two before the header is read and supplies its own, which do
 * the same access and also log each write, so the order (ICR high
 * before ICR low) and the number of IPIs are seen too. Under ASan
 * (this test's _asan build) 0xfee00000 lies in ASan's shadow gap: the
 * page is mapped over it with MAP_FIXED, and the two accessors are not
 * instrumented. If the page cannot be mapped the test is skipped.
 *
 * The CPUs: root CPUs 0-2, inmate CPUs 3 and 4 running, inmate CPU 5
 * parked. APIC IDs are twice the CPU number (so a CPU number used as an
 * APIC ID shows), logical IDs (flat model) one bit per CPU.
 *
 * apic.c and report.c are included as source, so this test builds with
 * the Makefile's generic rule for tests/unit/test_*.c plus the
 * hypervisor include paths the Makefile adds for it. Built with
 * -DAPIC_UNDER_TEST='"path/apic.c"' it checks another copy of the
 * filter instead (a deliberately broken one must fail).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define apic_read	apic_hw_read
#define apic_write	apic_hw_write
#define apic_x2apic_mode	apic_hw_x2apic_mode
#define apic_x2apic_write_icr	apic_hw_x2apic_write_icr
#define apic_x2apic_write_reg	apic_hw_x2apic_write_reg
#include <asm/apic.h>
#undef apic_read
#undef apic_write
#undef apic_x2apic_mode
#undef apic_x2apic_write_icr
#undef apic_x2apic_write_reg
static uint32_t apic_read(unsigned int reg);
static void apic_write(unsigned int reg, uint32_t val);
static int apic_x2apic_mode(void);
static void apic_x2apic_write_icr(uint32_t dest, uint32_t icr_lo);
static void apic_x2apic_write_reg(uint32_t msr, uint32_t value);

#ifdef APIC_UNDER_TEST
#include APIC_UNDER_TEST
#else
#include "../../hypervisor/arch/x86/apic.c"
#endif
#include "../../hypervisor/core/report.c"

#include "check.h"

#ifdef __SANITIZE_ADDRESS__
#define T_NO_ASAN	__attribute__((no_sanitize_address))
#else
#define T_NO_ASAN
#endif

/* ---- the APIC, from the SDM/APM ---------------------------------------------- */

#define T_APIC_PHYS	0xfee00000ul
#define T_ID		0x020
#define T_VERSION	0x030
#define T_TPR		0x080
#define T_APR		0x090
#define T_PPR		0x0a0
#define T_EOI		0x0b0
#define T_RRD		0x0c0
#define T_LDR		0x0d0
#define T_DFR		0x0e0
#define T_SVR		0x0f0
#define T_ISR0		0x100
#define T_ISR7		0x170
#define T_TMR0		0x180
#define T_IRR0		0x200
#define T_IRR7		0x270
#define T_ESR		0x280
#define T_CMCI		0x2f0
#define T_ICR_LO	0x300
#define T_ICR_HI	0x310
#define T_LVT_TIMER	0x320
#define T_LVT_THERMAL	0x330
#define T_LVT_PERF	0x340
#define T_LVT_LINT0	0x350
#define T_LVT_LINT1	0x360
#define T_LVT_ERROR	0x370
#define T_TMICT		0x380
#define T_TMCCT		0x390
#define T_TDCR		0x3e0

/* ICR low and LVT: delivery mode in bits 10:8. */
#define T_DM_FIXED	0x000
#define T_DM_LOWEST	0x100
#define T_DM_SMI	0x200
#define T_DM_RSVD	0x300
#define T_DM_NMI	0x400
#define T_DM_INIT	0x500
#define T_DM_SIPI	0x600
#define T_DM_EXTINT	0x700
#define T_LOGICAL	0x800		/* destination mode, bit 11 */
#define T_ASSERT	0x4000		/* level, bit 14 */
#define T_LEVEL_TRIG	0x8000		/* trigger mode, bit 15 */
#define T_SH_SELF	0x40000		/* shorthand, bits 19:18 */
#define T_SH_ALL	0x80000
#define T_SH_OTHERS	0xc0000
#define T_MASKED	0x10000		/* LVT mask, bit 16 */
#define T_DEST(id)	((uint32_t)(id) << 24)	/* ICR high */

/* MSI address: 0xfee, destination 19:12, destination mode bit 2. */
#define T_MSI(dest)	(0xfee00000ull | (uint64_t)(dest) << 12)
#define T_MSI_LOGICAL	0x4ull

/* ---- CPUs and cells -------------------------------------------------------------- */

#define T_CPUS		6
#define T_INMATE_CPU	3

struct per_cpu per_cpu_area[BH_MAX_CPUS];
uint64_t cpus_online;

static const struct bh_cell_desc root_desc = { .name = "RootCell" };
static const struct bh_cell_desc inmate_desc = { .name = "apic-inmate" };
struct cell root_cell = { .desc = &root_desc };
static struct cell inmate = { .desc = &inmate_desc, .id = 1 };

static uint32_t t_apic_id(unsigned int cpu)
{
	return 2 * cpu;
}

static uint32_t t_ldr(unsigned int cpu)
{
	return 1u << cpu;
}

/* Every CPU as at the start of each case. */
static void cpus_reset(void)
{
	unsigned int i;

	memset(per_cpu_area, 0, sizeof(per_cpu_area));
	cpus_online = (1ull << T_CPUS) - 1;
	root_cell.cpu_set = (1ull << T_INMATE_CPU) - 1;
	inmate.cpu_set = cpus_online & ~root_cell.cpu_set;
	for (i = 0; i < T_CPUS; i++) {
		struct per_cpu *c = &per_cpu_area[i];

		c->cpu_id = i;
		c->online = 1;
		c->state = CPU_RUNNING;
		c->cell = i < T_INMATE_CPU ? &root_cell : &inmate;
		c->parked = i == 5;
		c->arch.apic_id = t_apic_id(i);
		c->arch.apic_ldr = t_ldr(i);
	}
}

/* ---- the fake hardware page and what apic.c wrote to it -------------------------- */

static volatile uint32_t *apic_page;

struct t_write {
	unsigned int reg;
	uint32_t val;
};

#define MAX_WRITES	16
static struct t_write writes[MAX_WRITES];
static unsigned int num_writes;

static T_NO_ASAN uint32_t apic_read(unsigned int reg)
{
	return *(volatile uint32_t *)(T_APIC_PHYS + reg);
}

static T_NO_ASAN void apic_write(unsigned int reg, uint32_t val)
{
	if (num_writes < MAX_WRITES)
		writes[num_writes] = (struct t_write){ reg, val };
	num_writes++;
	*(volatile uint32_t *)(T_APIC_PHYS + reg) = val;
}

/*
 * x2APIC mode (t_x2apic): the same page and log stand for the MSRs. An
 * ICR write shows as ICR high = the 32-bit destination, then ICR low;
 * another register at its xAPIC offset ((MSR - 0x800) * 16).
 */
static int t_x2apic;

static int apic_x2apic_mode(void)
{
	return t_x2apic;
}

static void apic_x2apic_write_icr(uint32_t dest, uint32_t icr_lo)
{
	CHECK(t_x2apic, "x2APIC ICR written in xAPIC mode");
	apic_write(T_ICR_HI, dest);
	apic_write(T_ICR_LO, icr_lo);
}

static void apic_x2apic_write_reg(uint32_t msr, uint32_t value)
{
	CHECK(t_x2apic && msr >= 0x800 && msr <= 0x8ff, "x2APIC MSR 0x%x written", msr);
	apic_write((msr - 0x800) << 4, value);
}

/* What each 32-bit word of the page holds before a case (bit 12 of ICR low clear: idle). */
static uint32_t sentinel(unsigned int off)
{
	return 0x5e000000u | off;
}

static T_NO_ASAN void page_reset(void)
{
	unsigned int off;

	for (off = 0; off < 4096; off += 4)
		apic_page[off / 4] = sentinel(off);
	num_writes = 0;
}

static T_NO_ASAN uint32_t page_at(unsigned int off)
{
	return apic_page[off / 4];
}

static int page_map(void)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;
	void *p;

#ifdef __SANITIZE_ADDRESS__
	flags |= MAP_FIXED;		/* over ASan's shadow gap, which nothing uses */
#else
	flags |= MAP_FIXED_NOREPLACE;
#endif
	p = mmap((void *)T_APIC_PHYS, 4096, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (p == MAP_FAILED || p != (void *)T_APIC_PHYS) {
		if (p != MAP_FAILED)
			munmap(p, 4096);
		return 0;
	}
	apic_page = p;
	return 1;
}

/* ---- cpu_request and printk: recorded ----------------------------------------------- */

struct t_request {
	int cpu;			/* -1: none */
	enum cpu_req req;
	uint32_t arg;
};

#define MAX_REQUESTS	4
static struct t_request requests[MAX_REQUESTS];
static unsigned int num_requests;

void cpu_request(struct per_cpu *target, enum cpu_req req, uint32_t arg)
{
	if (num_requests < MAX_REQUESTS)
		requests[num_requests] = (struct t_request){ (int)(target - per_cpu_area), req, arg };
	num_requests++;
}

/*
 * Interrupt remapping (vtd_ir.c): the entry a remappable MSI names. Rows
 * that need one set t_irte (0: none, -ENOENT) and t_irte_x2apic.
 */
static uint64_t t_irte;
static int t_irte_x2apic;

int vtd_ir_resolve(uint64_t addr, uint32_t data, uint64_t *irte, int *x2apic)
{
	(void)addr;
	(void)data;
	*irte = t_irte;
	*x2apic = t_irte_x2apic;
	return t_irte & 1 ? 0 : -ENOENT;
}

/*
 * The backend: apic_drain() opens a window for interrupts on the host
 * (apic_reset_for_cell(), which no case here calls). Never reached.
 */
static void t_irq_window(unsigned int spins)
{
	(void)spins;
	CHECK(0, "the filter opened the host's interrupt window");
}

static const struct vcpu_ops t_vcpu_ops = { .name = "test", .irq_window = t_irq_window };
const struct vcpu_ops *vcpu = &t_vcpu_ops;

#define MAX_LINES	32
static char lines[MAX_LINES][200];
static unsigned int num_lines;

void printk(const char *fmt, ...)
{
	va_list ap;

	if (num_lines < MAX_LINES) {
		va_start(ap, fmt);
		vsnprintf(lines[num_lines], sizeof(lines[0]), fmt, ap);
		va_end(ap);
	}
	num_lines++;
}

/* A fresh start for one case: CPUs, page, logs. */
static void case_reset(void)
{
	cpus_reset();
	page_reset();
	t_x2apic = 0;
	num_requests = 0;
	num_lines = 0;
}

/* ---- what a case expects --------------------------------------------------------------- */

struct t_ipi {
	uint32_t hi, lo;
};

#define MAX_IPIS	3

struct t_effect {
	unsigned int nipis;		/* IPIs sent, in this order */
	struct t_ipi ipi[MAX_IPIS];
	int one_of;			/* exactly one IPI, any of ipi[0..nipis) */
	int report;			/* one report line */
	int req_cpu;			/* cpu_request posted to; -1 none */
	enum cpu_req req;
	uint32_t req_arg;
};

#define NO_IPI		.nipis = 0, .req_cpu = -1
#define IPI(h, l)	.nipis = 1, .ipi = { { (h), (l) } }, .req_cpu = -1
#define REFUSED		.nipis = 0, .report = 1, .req_cpu = -1

static int is_icr(unsigned int reg)
{
	return reg == T_ICR_LO || reg == T_ICR_HI;
}

/*
 * The IPIs @e names and nothing else reached the ICR (as ICR high, then
 * ICR low), no other register was written, the page shows the last
 * one, and requests, report lines and the violation count are as said.
 */
static void check_ipis_at(int line, const char *what, const struct t_effect *e)
{
	unsigned int n = 0, i, other = 0, want = e->one_of ? 1 : e->nipis;
	struct t_ipi sent[MAX_IPIS + 1];

	for (i = 0; i < num_writes && i < MAX_WRITES; i++) {
		if (writes[i].reg == T_ICR_HI && i + 1 < num_writes &&
		    writes[i + 1].reg == T_ICR_LO) {
			if (n <= MAX_IPIS)
				sent[n] = (struct t_ipi){ writes[i].val, writes[i + 1].val };
			n++;
			i++;
		} else {
			other++;
		}
	}
	CHECK(other == 0 && num_writes <= MAX_WRITES,
	      "line %d: %s: %u write(s) besides ICR high+low pairs (first to 0x%x)",
	      line, what, other, num_writes ? writes[0].reg : 0);
	CHECK(n == want, "line %d: %s: %u IPI(s) sent, want %u (first 0x%x:%08x)",
	      line, what, n, want, n ? sent[0].hi : 0, n ? sent[0].lo : 0);
	for (i = 0; i < n && i < want && i <= MAX_IPIS; i++) {
		unsigned int j, match = 0;

		if (e->one_of) {
			for (j = 0; j < e->nipis; j++)
				match |= sent[i].hi == e->ipi[j].hi && sent[i].lo == e->ipi[j].lo;
		} else {
			match = sent[i].hi == e->ipi[i].hi && sent[i].lo == e->ipi[i].lo;
		}
		CHECK(match, "line %d: %s: IPI %u is 0x%08x:%08x, want 0x%08x:%08x%s",
		      line, what, i, sent[i].hi, sent[i].lo, e->ipi[i].hi, e->ipi[i].lo,
		      e->one_of ? " or another of the list" : "");
	}
	if (!n) {
		CHECK(page_at(T_ICR_HI) == sentinel(T_ICR_HI) &&
		      page_at(T_ICR_LO) == sentinel(T_ICR_LO),
		      "line %d: %s: ICR 0x%08x:%08x, want untouched", line, what,
		      page_at(T_ICR_HI), page_at(T_ICR_LO));
	} else if (n <= MAX_IPIS) {
		CHECK(page_at(T_ICR_HI) == sent[n - 1].hi && page_at(T_ICR_LO) == sent[n - 1].lo,
		      "line %d: %s: the page's ICR 0x%08x:%08x is not the last IPI",
		      line, what, page_at(T_ICR_HI), page_at(T_ICR_LO));
	}
	for (i = 0; i < 4096; i += 4)
		if (!is_icr(i) && page_at(i) != sentinel(i)) {
			CHECK(0, "line %d: %s: register 0x%x written (0x%x)", line, what,
			      i, page_at(i));
			break;
		}

	if (e->req_cpu < 0)
		CHECK(num_requests == 0, "line %d: %s: %u cpu_request(s), first to CPU %d (%d)",
		      line, what, num_requests, num_requests ? requests[0].cpu : -1,
		      num_requests ? (int)requests[0].req : -1);
	else
		CHECK(num_requests == 1 && requests[0].cpu == e->req_cpu &&
		      requests[0].req == e->req && requests[0].arg == e->req_arg,
		      "line %d: %s: %u cpu_request(s), first CPU %d req %d arg 0x%x, want CPU %d req %d arg 0x%x",
		      line, what, num_requests, num_requests ? requests[0].cpu : -1,
		      num_requests ? (int)requests[0].req : -1,
		      num_requests ? requests[0].arg : 0, e->req_cpu, (int)e->req, e->req_arg);
}

/*
 * One report line for CPU @cpu naming its cell, or none; the CPU's
 * violation count says the same.
 */
static void check_report_at(int line, const char *what, unsigned int cpu, int report)
{
	const struct per_cpu *c = &per_cpu_area[cpu];
	char prefix[80];
	size_t len;

	snprintf(prefix, sizeof(prefix), "CPU %u: cell \"%s\": ", cpu, c->cell->desc->name);
	if (!report) {
		CHECK(num_lines == 0, "line %d: %s: %u line(s), first \"%s\", want none",
		      line, what, num_lines, num_lines ? lines[0] : "");
		CHECK(c->violations == 0, "line %d: %s: %llu violation(s), want 0",
		      line, what, (unsigned long long)c->violations);
		return;
	}
	len = num_lines ? strlen(lines[0]) : 0;
	CHECK(num_lines == 1 && !strncmp(lines[0], prefix, strlen(prefix)) &&
	      len > 9 && (!strcmp(lines[0] + len - 9, " ignored\n") ||
			  !strcmp(lines[0] + len - 9, " refused\n")),
	      "line %d: %s: %u line(s), first \"%s\", want one \"%s... ignored/refused\"",
	      line, what, num_lines, num_lines ? lines[0] : "", prefix);
	CHECK(c->violations == 1, "line %d: %s: %llu violation(s), want 1",
	      line, what, (unsigned long long)c->violations);
}

/* No CPU's APIC IDs changed, but @cpu's logical ID is @ldr. */
static void check_ids_at(int line, const char *what, unsigned int cpu, uint32_t ldr)
{
	unsigned int i;

	for (i = 0; i < T_CPUS; i++) {
		uint32_t want = i == cpu ? ldr : t_ldr(i);

		CHECK(per_cpu_area[i].arch.apic_id == t_apic_id(i) &&
		      per_cpu_area[i].arch.apic_ldr == want,
		      "line %d: %s: CPU %u IDs 0x%x/0x%x, want 0x%x/0x%x", line, what, i,
		      per_cpu_area[i].arch.apic_id, per_cpu_area[i].arch.apic_ldr,
		      t_apic_id(i), want);
	}
}

static void store(unsigned int cpu, unsigned int reg, unsigned int size, uint64_t value)
{
	uint64_t v = value;

	apic_mmio_access(&per_cpu_area[cpu], NULL, T_APIC_PHYS + reg, 1, size, &v);
}

/* ---- registers but the ICR ------------------------------------------------------------ */

#define PASS	1
#define DROP	0

struct test_reg_case {
	const char *what;
	unsigned int cpu, reg, size;
	uint64_t value;
	int passes;			/* the page holds @value at @reg afterwards */
	int report;
	uint32_t ldr;			/* the writer's logical ID afterwards; 0: as before */
};

static const struct test_reg_case test_reg_cases[] = {
	/* the writing CPU's own business: to the hardware, unchanged */
	{ "TPR", 3, T_TPR, 4, 0x20, PASS, 0, 0 },
	{ "TPR (root)", 1, T_TPR, 4, 0xf0, PASS, 0, 0 },
	{ "EOI", 3, T_EOI, 4, 0, PASS, 0, 0 },
	{ "SVR enable, vector 0xff", 3, T_SVR, 4, 0x1ff, PASS, 0, 0 },
	{ "SVR software disable", 0, T_SVR, 4, 0xff, PASS, 0, 0 },
	{ "ESR", 3, T_ESR, 4, 0, PASS, 0, 0 },
	{ "timer initial count", 3, T_TMICT, 4, 0x123456, PASS, 0, 0 },
	{ "timer divide", 3, T_TDCR, 4, 0xb, PASS, 0, 0 },
	/* ICR high alone: remembered, not written */
	{ "ICR high alone", 3, T_ICR_HI, 4, T_DEST(0), DROP, 0, 0 },
	/* the APIC ID: ignored and reported, root too */
	{ "APIC ID (inmate, root CPU 0's ID)", 3, T_ID, 4, T_DEST(0), DROP, 1, 0 },
	{ "APIC ID (inmate, its own)", 3, T_ID, 4, T_DEST(6), DROP, 1, 0 },
	{ "APIC ID (root)", 0, T_ID, 4, T_DEST(6), DROP, 1, 0 },
	/* the MSI decode area, reserved and read-only registers */
	{ "offset 0 (MSI decode)", 3, 0x000, 4, 0x41, DROP, 1, 0 },
	{ "offset 0 (root)", 1, 0x000, 4, 0x4041, DROP, 1, 0 },
	{ "offset 0x010 (reserved)", 3, 0x010, 4, 0x41, DROP, 1, 0 },
	{ "version", 3, T_VERSION, 4, 0x80050010, DROP, 1, 0 },
	{ "APR", 3, T_APR, 4, 0x10, DROP, 1, 0 },
	{ "PPR", 3, T_PPR, 4, 0x10, DROP, 1, 0 },
	{ "RRD", 3, T_RRD, 4, 0x10, DROP, 1, 0 },
	{ "ISR 0", 3, T_ISR0, 4, 0xffffffff, DROP, 1, 0 },
	{ "ISR 7", 3, T_ISR7, 4, 1, DROP, 1, 0 },
	{ "TMR 0", 3, T_TMR0, 4, 1, DROP, 1, 0 },
	{ "IRR 0", 3, T_IRR0, 4, 0xffffffff, DROP, 1, 0 },
	{ "IRR 7", 3, T_IRR7, 4, 0x80000000, DROP, 1, 0 },
	{ "IRR 0 (root)", 2, T_IRR0, 4, 0x10000, DROP, 1, 0 },
	{ "timer current count", 3, T_TMCCT, 4, 5, DROP, 1, 0 },
	{ "reserved 0x3f0", 3, 0x3f0, 4, 5, DROP, 1, 0 },
	{ "AMD extended space 0x400", 3, 0x400, 4, 5, DROP, 1, 0 },
	{ "AMD extended LVT 0x500", 3, 0x500, 4, T_DM_SMI, DROP, 1, 0 },
	{ "last word of the page", 3, 0xffc, 4, 5, DROP, 1, 0 },
	/* not a register, not 32 bits */
	{ "between registers (ICR + 4)", 3, 0x304, 4, 0x41, DROP, 1, 0 },
	{ "between registers (LVT timer + 4)", 3, 0x324, 4, T_MASKED, DROP, 1, 0 },
	{ "between registers (LVT error + 4)", 1, 0x374, 4, T_MASKED, DROP, 1, 0 },
	{ "between registers (TPR + 8)", 3, 0x088, 4, 0x20, DROP, 1, 0 },
	{ "between registers (EOI + 12, root)", 0, 0x0bc, 4, 0, DROP, 1, 0 },
	{ "1-byte TPR", 3, T_TPR, 1, 0x20, DROP, 1, 0 },
	{ "2-byte TPR", 3, T_TPR, 2, 0x20, DROP, 1, 0 },
	{ "1-byte EOI (root)", 0, T_EOI, 1, 0, DROP, 1, 0 },
	{ "8-byte ICR (low and high at once)", 3, T_ICR_LO, 8, 0x0000000600000041ull, DROP, 1, 0 },
	{ "8-byte EOI", 3, T_EOI, 8, 0, DROP, 1, 0 },
	{ "8-byte TMICT (root)", 1, T_TMICT, 8, 0x1000, DROP, 1, 0 },
	/* logical IDs: the root cell only */
	{ "LDR (root)", 1, T_LDR, 4, T_DEST(0x40), PASS, 0, 0x40 },
	{ "DFR flat (root)", 1, T_DFR, 4, 0xffffffff, PASS, 0, 0 },
	{ "LDR (inmate, root CPU 0's bit)", 3, T_LDR, 4, T_DEST(0x01), DROP, 1, 0 },
	{ "LDR (inmate, its own bit)", 3, T_LDR, 4, T_DEST(0x08), DROP, 1, 0 },
	{ "LDR (root, inmate CPU 3's bit)", 1, T_LDR, 4, T_DEST(0x08), DROP, 1, 0 },
	{ "LDR (root, its own and inmate CPU 4's bit)", 1, T_LDR, 4, T_DEST(0x12), DROP, 1, 0 },
	{ "LDR (root, parked inmate CPU 5's bit)", 1, T_LDR, 4, T_DEST(0x20), DROP, 1, 0 },
	{ "LDR (root, root CPU 2's bit)", 1, T_LDR, 4, T_DEST(0x04), PASS, 0, 0x04 },
	{ "DFR cluster (inmate)", 3, T_DFR, 4, 0x0fffffff, DROP, 1, 0 },
};

static void test_registers(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(test_reg_cases); i++) {
		const struct test_reg_case *c = &test_reg_cases[i];
		unsigned int off;

		case_reset();
		store(c->cpu, c->reg, c->size, c->value);
		for (off = 0; off < 4096; off += 4) {
			uint32_t want = c->passes && off == c->reg ? (uint32_t)c->value
								   : sentinel(off);

			if (page_at(off) != want) {
				CHECK(0, "%s: register 0x%x holds 0x%x, want 0x%x", c->what,
				      off, page_at(off), want);
				break;
			}
		}
		CHECK(num_writes == (c->passes ? 1u : 0u), "%s: %u hardware write(s), want %u",
		      c->what, num_writes, c->passes ? 1 : 0);
		CHECK(num_requests == 0, "%s: %u cpu_request(s)", c->what, num_requests);
		check_report_at(__LINE__, c->what, c->cpu, c->report);
		check_ids_at(__LINE__, c->what, c->cpu, c->ldr ? c->ldr : t_ldr(c->cpu));
	}
}

/* ---- local vector table ------------------------------------------------------------------ */

static const unsigned int test_lvts[] = {
	T_CMCI, T_LVT_TIMER, T_LVT_THERMAL, T_LVT_PERF, T_LVT_LINT0, T_LVT_LINT1, T_LVT_ERROR,
};

struct test_lvt_case {
	const char *what;
	uint32_t value;
	int allowed;
};

static const struct test_lvt_case test_lvt_cases[] = {
	{ "masked, all zero", T_MASKED, 1 },
	{ "masked fixed", T_MASKED | 0xef, 1 },
	{ "masked SMI", T_MASKED | T_DM_SMI, 1 },
	{ "masked INIT", T_MASKED | T_DM_INIT, 1 },
	{ "masked ExtINT", T_MASKED | T_DM_EXTINT, 1 },
	{ "masked ExtINT, level", T_MASKED | T_LEVEL_TRIG | T_DM_EXTINT, 1 },
	{ "fixed", 0xec, 1 },
	{ "fixed, periodic timer bit", 0x20000 | 0xec, 1 },
	{ "fixed, level", T_LEVEL_TRIG | 0x31, 1 },
	{ "NMI", T_DM_NMI, 1 },
	{ "SMI", T_DM_SMI, 0 },
	{ "SMI with a vector", T_DM_SMI | 0x40, 0 },
	{ "INIT", T_DM_INIT, 0 },
	{ "ExtINT", T_DM_EXTINT, 0 },
	{ "ExtINT, level (virtual wire)", T_LEVEL_TRIG | T_DM_EXTINT, 0 },
	{ "reserved mode 1 (lowest)", T_DM_LOWEST | 0x40, 0 },
	{ "reserved mode 3", T_DM_RSVD | 0x40, 0 },
	{ "reserved mode 6 (SIPI)", T_DM_SIPI | 0x40, 0 },
};

static void test_lvt(void)
{
	static const unsigned int writers[] = { T_INMATE_CPU, 1 };
	unsigned int w, l, i;

	for (w = 0; w < ARRAY_SIZE(writers); w++)
		for (l = 0; l < ARRAY_SIZE(test_lvts); l++)
			for (i = 0; i < ARRAY_SIZE(test_lvt_cases); i++) {
				const struct test_lvt_case *c = &test_lvt_cases[i];
				unsigned int reg = test_lvts[l], cpu = writers[w];
				uint32_t want = c->allowed ? c->value : sentinel(reg);
				char what[96];

				snprintf(what, sizeof(what), "LVT 0x%x, %s, CPU %u", reg,
					 c->what, cpu);
				case_reset();
				store(cpu, reg, 4, c->value);
				CHECK(page_at(reg) == want, "%s: holds 0x%x, want 0x%x", what,
				      page_at(reg), want);
				CHECK(num_writes == (c->allowed ? 1u : 0u),
				      "%s: %u hardware write(s)", what, num_writes);
				check_report_at(__LINE__, what, cpu, !c->allowed);
			}
}

/* ---- the ICR ---------------------------------------------------------------------------------- */

struct test_icr_case {
	const char *what;
	unsigned int cpu;
	uint32_t hi, lo;		/* written in this order */
	struct t_effect want;
};

/*
 * CPU: APIC ID, logical ID. Root 0: 0, 0x01; 1: 2, 0x02; 2: 4, 0x04.
 * Inmate 3: 6, 0x08; 4: 8, 0x10; 5 (parked): 10, 0x20.
 */
static const struct test_icr_case test_icr_cases[] = {
	/* physical */
	{ "inmate fixed to itself", 3, T_DEST(6), 0x41, { IPI(T_DEST(6), 0x41) } },
	{ "inmate fixed to its cell's CPU 4", 3, T_DEST(8), 0x41, { IPI(T_DEST(8), 0x41) } },
	{ "inmate fixed, level, to itself", 3, T_DEST(6), T_LEVEL_TRIG | T_ASSERT | 0x42,
	  { IPI(T_DEST(6), T_LEVEL_TRIG | T_ASSERT | 0x42) } },
	{ "inmate fixed to root CPU 0", 3, T_DEST(0), 0x41, { REFUSED } },
	{ "inmate fixed to root CPU 1", 3, T_DEST(2), 0x41, { REFUSED } },
	{ "inmate fixed to root CPU 1 by CPU number", 3, T_DEST(1), 0x41, { REFUSED } },
	{ "inmate fixed to its parked CPU 5", 3, T_DEST(10), 0x41, { REFUSED } },
	{ "inmate fixed to an unknown APIC ID", 3, T_DEST(0x30), 0x41, { REFUSED } },
	{ "inmate fixed to physical broadcast 0xff", 3, T_DEST(0xff), 0x41, { REFUSED } },
	{ "inmate NMI to CPU 4", 3, T_DEST(8), T_ASSERT | T_DM_NMI,
	  { IPI(T_DEST(8), T_ASSERT | T_DM_NMI) } },
	{ "inmate NMI to itself (CPU 4)", 4, T_DEST(8), T_ASSERT | T_DM_NMI,
	  { IPI(T_DEST(8), T_ASSERT | T_DM_NMI) } },
	{ "inmate NMI to root CPU 2", 3, T_DEST(4), T_ASSERT | T_DM_NMI, { REFUSED } },
	{ "inmate lowest-priority physical to CPU 4", 3, T_DEST(8), T_DM_LOWEST | 0x41,
	  { IPI(T_DEST(8), T_DM_LOWEST | 0x41) } },
	/* modes that never pass */
	{ "inmate SMI by self shorthand", 3, 0, T_SH_SELF | T_ASSERT | T_DM_SMI, { REFUSED } },
	{ "inmate SMI logical to itself", 3, T_DEST(0x08), T_LOGICAL | T_ASSERT | T_DM_SMI,
	  { REFUSED } },
	{ "inmate SMI physical to itself", 3, T_DEST(6), T_ASSERT | T_DM_SMI, { REFUSED } },
	{ "root SMI to root CPU 1", 0, T_DEST(2), T_ASSERT | T_DM_SMI, { REFUSED } },
	{ "inmate reserved mode 3 to itself", 3, T_DEST(6), T_DM_RSVD | 0x41, { REFUSED } },
	{ "inmate reserved mode 3 by self shorthand", 3, 0, T_SH_SELF | T_DM_RSVD | 0x41,
	  { REFUSED } },
	{ "inmate ExtINT to itself", 3, T_DEST(6), T_DM_EXTINT, { REFUSED } },
	{ "root ExtINT to root CPU 1", 0, T_DEST(2), T_DM_EXTINT, { REFUSED } },
	/* INIT and SIPI from an inmate */
	{ "inmate INIT to itself", 3, T_DEST(6), T_ASSERT | T_DM_INIT, { REFUSED } },
	{ "inmate INIT to its CPU 4", 3, T_DEST(8), T_ASSERT | T_DM_INIT, { REFUSED } },
	{ "inmate INIT to root CPU 0", 3, T_DEST(0), T_ASSERT | T_DM_INIT, { REFUSED } },
	{ "inmate INIT de-assert to root CPU 1", 3, T_DEST(2), T_LEVEL_TRIG | T_DM_INIT,
	  { REFUSED } },
	{ "inmate SIPI to root CPU 1", 3, T_DEST(2), T_ASSERT | T_DM_SIPI | 0x9a, { REFUSED } },
	{ "inmate SIPI to its CPU 4", 3, T_DEST(8), T_ASSERT | T_DM_SIPI | 0x9a, { REFUSED } },
	{ "inmate INIT to all others", 3, 0, T_SH_OTHERS | T_ASSERT | T_DM_INIT, { REFUSED } },
	{ "inmate INIT by self shorthand", 3, 0, T_SH_SELF | T_ASSERT | T_DM_INIT, { REFUSED } },
	{ "inmate SIPI by self shorthand", 3, 0, T_SH_SELF | T_ASSERT | T_DM_SIPI | 0x9a,
	  { REFUSED } },
	{ "inmate INIT logical to root CPUs", 3, T_DEST(0x07), T_LOGICAL | T_ASSERT | T_DM_INIT,
	  { REFUSED } },
	/* logical: masked to the sender's cell's running CPUs */
	{ "inmate lowest-priority logical to its cell", 3, T_DEST(0x18),
	  T_LOGICAL | T_DM_LOWEST | 0x41, { IPI(T_DEST(0x18), T_LOGICAL | T_DM_LOWEST | 0x41) } },
	{ "inmate fixed logical to itself", 3, T_DEST(0x08), T_LOGICAL | 0x41,
	  { IPI(T_DEST(0x08), T_LOGICAL | 0x41) } },
	{ "inmate NMI logical to CPU 4", 3, T_DEST(0x10), T_LOGICAL | T_ASSERT | T_DM_NMI,
	  { IPI(T_DEST(0x10), T_LOGICAL | T_ASSERT | T_DM_NMI) } },
	{ "inmate lowest-priority logical to all (0xff)", 3, T_DEST(0xff),
	  T_LOGICAL | T_DM_LOWEST | 0x41,
	  { IPI(T_DEST(0x18), T_LOGICAL | T_DM_LOWEST | 0x41), .report = 1 } },
	{ "inmate fixed logical to itself and root CPUs", 3, T_DEST(0x0f), T_LOGICAL | 0x41,
	  { IPI(T_DEST(0x08), T_LOGICAL | 0x41), .report = 1 } },
	{ "inmate fixed logical to root CPUs only", 3, T_DEST(0x07), T_LOGICAL | 0x41,
	  { REFUSED } },
	{ "inmate fixed logical to its parked CPU 5", 3, T_DEST(0x20), T_LOGICAL | 0x41,
	  { REFUSED } },
	{ "inmate NMI logical to root CPU 0", 3, T_DEST(0x01), T_LOGICAL | T_ASSERT | T_DM_NMI,
	  { REFUSED } },
	/* shorthands */
	{ "inmate fixed to self", 3, 0, T_SH_SELF | 0x41, { IPI(0, T_SH_SELF | 0x41) } },
	{ "inmate NMI to self", 3, 0, T_SH_SELF | T_ASSERT | T_DM_NMI,
	  { IPI(0, T_SH_SELF | T_ASSERT | T_DM_NMI) } },
	{ "inmate fixed to all including self", 3, 0, T_SH_ALL | 0x41,
	  { IPI(T_DEST(0x18), T_LOGICAL | 0x41) } },
	{ "inmate fixed to all excluding self", 3, 0, T_SH_OTHERS | 0x41,
	  { IPI(T_DEST(0x10), T_LOGICAL | 0x41) } },
	{ "inmate NMI to all including self", 3, 0, T_SH_ALL | T_ASSERT | T_DM_NMI, { REFUSED } },
	{ "inmate NMI to all excluding self", 3, 0, T_SH_OTHERS | T_ASSERT | T_DM_NMI,
	  { REFUSED } },
	{ "inmate SMI to all excluding self", 3, 0, T_SH_OTHERS | T_ASSERT | T_DM_SMI,
	  { REFUSED } },
	{ "inmate SIPI to all excluding self", 3, 0, T_SH_OTHERS | T_ASSERT | T_DM_SIPI | 0x9a,
	  { REFUSED } },
	{ "root fixed to all including self", 0, 0, T_SH_ALL | 0xfd,
	  { IPI(T_DEST(0x07), T_LOGICAL | 0xfd) } },
	{ "root fixed to all excluding self", 0, 0, T_SH_OTHERS | 0xfb,
	  { IPI(T_DEST(0x06), T_LOGICAL | 0xfb) } },
	/* the root cell */
	{ "root fixed to root CPU 1", 0, T_DEST(2), 0xfb, { IPI(T_DEST(2), 0xfb) } },
	{ "root NMI to root CPU 2", 0, T_DEST(4), T_ASSERT | T_DM_NMI,
	  { IPI(T_DEST(4), T_ASSERT | T_DM_NMI) } },
	{ "root fixed to inmate CPU 3", 0, T_DEST(6), 0xfb, { REFUSED } },
	{ "root NMI to inmate CPU 4", 1, T_DEST(8), T_ASSERT | T_DM_NMI, { REFUSED } },
	{ "root fixed logical to root and inmate CPUs", 0, T_DEST(0x0e), T_LOGICAL | 0xfb,
	  { IPI(T_DEST(0x06), T_LOGICAL | 0xfb), .report = 1 } },
	{ "root INIT to root CPU 1", 0, T_DEST(2), T_ASSERT | T_DM_INIT,
	  { .nipis = 0, .req_cpu = 1, .req = CPU_REQ_PARK, .req_arg = 0 } },
	{ "root INIT to itself", 0, T_DEST(0), T_ASSERT | T_DM_INIT, { REFUSED } },
	{ "root SIPI to itself", 0, T_DEST(0), T_ASSERT | T_DM_SIPI | 0x9a, { REFUSED } },
	{ "root INIT to inmate CPU 3", 0, T_DEST(6), T_ASSERT | T_DM_INIT, { REFUSED } },
	{ "root INIT logical to root CPU 1", 0, T_DEST(0x02), T_LOGICAL | T_ASSERT | T_DM_INIT,
	  { REFUSED } },
	{ "root INIT to all excluding self", 0, 0, T_SH_OTHERS | T_ASSERT | T_DM_INIT,
	  { REFUSED } },
	{ "root INIT de-assert to root CPU 1", 0, T_DEST(2), T_LEVEL_TRIG | T_DM_INIT,
	  { NO_IPI } },
	{ "root SIPI without an INIT first", 0, T_DEST(2), T_ASSERT | T_DM_SIPI | 0x9a,
	  { NO_IPI } },
};

static void icr_write(unsigned int cpu, uint32_t hi, uint32_t lo)
{
	store(cpu, T_ICR_HI, 4, hi);
	store(cpu, T_ICR_LO, 4, lo);
}

static void test_icr(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(test_icr_cases); i++) {
		const struct test_icr_case *c = &test_icr_cases[i];

		case_reset();
		icr_write(c->cpu, c->hi, c->lo);
		check_ipis_at(__LINE__, c->what, &c->want);
		check_report_at(__LINE__, c->what, c->cpu, c->want.report);
		check_ids_at(__LINE__, c->what, c->cpu, t_ldr(c->cpu));
	}
}

/*
 * Linux bringing root CPU 1 back: INIT assert, INIT de-assert, SIPI,
 * SIPI. The INIT parks the CPU, the first SIPI starts it at the vector,
 * the rest does nothing; no IPI reaches the hardware, nothing is
 * reported. A CPU already parked is not asked to park again.
 */
static void test_root_restart(void)
{
	static const struct t_effect park = { .req_cpu = 1, .req = CPU_REQ_PARK };
	static const struct t_effect start = { .req_cpu = 1, .req = CPU_REQ_START_ROOT,
					       .req_arg = 0x9a };
	static const struct t_effect start2 = { .req_cpu = 2, .req = CPU_REQ_START_ROOT,
						.req_arg = 0x10 };
	static const struct t_effect nothing = { .req_cpu = -1 };

	case_reset();
	icr_write(0, T_DEST(2), T_ASSERT | T_DM_INIT);
	check_ipis_at(__LINE__, "INIT", &park);
	check_report_at(__LINE__, "INIT", 0, 0);

	per_cpu_area[1].parked = 1;		/* what the request does */
	page_reset();
	num_requests = 0;
	icr_write(0, T_DEST(2), T_LEVEL_TRIG | T_DM_INIT);
	check_ipis_at(__LINE__, "INIT de-assert", &nothing);
	check_report_at(__LINE__, "INIT de-assert", 0, 0);

	page_reset();
	icr_write(0, T_DEST(2), T_ASSERT | T_DM_SIPI | 0x9a);
	check_ipis_at(__LINE__, "SIPI", &start);
	check_report_at(__LINE__, "SIPI", 0, 0);

	per_cpu_area[1].parked = 0;		/* it runs again */
	page_reset();
	num_requests = 0;
	icr_write(0, T_DEST(2), T_ASSERT | T_DM_SIPI | 0x9a);
	check_ipis_at(__LINE__, "second SIPI", &nothing);
	check_report_at(__LINE__, "second SIPI", 0, 0);

	/* a parked root CPU (given back by a cell): no second park */
	case_reset();
	per_cpu_area[2].parked = 1;
	icr_write(1, T_DEST(4), T_ASSERT | T_DM_INIT);
	check_ipis_at(__LINE__, "INIT to a parked root CPU", &nothing);
	check_report_at(__LINE__, "INIT to a parked root CPU", 1, 0);
	icr_write(1, T_DEST(4), T_ASSERT | T_DM_SIPI | 0x10);
	check_ipis_at(__LINE__, "SIPI to a parked root CPU", &start2);
	check_report_at(__LINE__, "SIPI to a parked root CPU", 1, 0);

	/* a parked root CPU gets no fixed IPI, though */
	case_reset();
	per_cpu_area[2].parked = 1;
	icr_write(1, T_DEST(4), 0xfb);
	check_ipis_at(__LINE__, "fixed IPI to a parked root CPU",
		      &(struct t_effect){ REFUSED });
	check_report_at(__LINE__, "fixed IPI to a parked root CPU", 1, 1);
}

/* "All excluding self" from the only running CPU of its cell: nothing, quietly. */
static void test_icr_alone(void)
{
	static const struct t_effect nothing = { .req_cpu = -1 };

	case_reset();
	per_cpu_area[4].parked = 1;
	icr_write(3, 0, T_SH_OTHERS | 0x41);
	check_ipis_at(__LINE__, "all excluding self, alone", &nothing);
	check_report_at(__LINE__, "all excluding self, alone", 3, 0);
	page_reset();
	icr_write(3, 0, T_SH_ALL | 0x41);
	check_ipis_at(__LINE__, "all including self, alone",
		      &(struct t_effect){ IPI(T_DEST(0x08), T_LOGICAL | 0x41) });
	check_report_at(__LINE__, "all including self, alone", 3, 0);
}

/* ---- arch_send_msi ----------------------------------------------------------------------------- */

struct test_msi_case {
	const char *what;
	struct cell *cell;
	uint64_t addr;
	uint32_t data;
	int err;
	struct t_effect want;
};

/* A fixed, physical, edge IPI with @v: what an MSI becomes. */
#define FIXED(id, v)	{ T_DEST(id), (v) }

static const struct test_msi_case test_msi_cases[] = {
	{ "fixed to inmate CPU 3", &inmate, T_MSI(6), 0x41, 0, { IPI(T_DEST(6), 0x41) } },
	{ "fixed to inmate CPU 4, level", &inmate, T_MSI(8), 0xc000 | 0x42, 0,
	  { IPI(T_DEST(8), 0x42) } },
	{ "fixed, vector 32", &inmate, T_MSI(6), 0x20, 0, { IPI(T_DEST(6), 0x20) } },
	{ "fixed, vector 255", &inmate, T_MSI(6), 0xff, 0, { IPI(T_DEST(6), 0xff) } },
	{ "fixed to root CPU 0's ID", &inmate, T_MSI(0), 0x41, -ENOENT, { NO_IPI } },
	{ "fixed to root CPU 1's ID", &inmate, T_MSI(2), 0x41, -ENOENT, { NO_IPI } },
	{ "fixed to the parked CPU 5", &inmate, T_MSI(10), 0x41, -ENOENT, { NO_IPI } },
	{ "fixed to an unknown ID", &inmate, T_MSI(0x30), 0x41, -ENOENT, { NO_IPI } },
	{ "fixed, physical broadcast", &inmate, T_MSI(0xff), 0x41, 0,
	  { .nipis = 2, .ipi = { FIXED(6, 0x41), FIXED(8, 0x41) }, .req_cpu = -1 } },
	{ "NMI", &inmate, T_MSI(6), T_DM_NMI, -EINVAL, { NO_IPI } },
	{ "NMI with a vector", &inmate, T_MSI(6), T_DM_NMI | 0x41, -EINVAL, { NO_IPI } },
	{ "SMI", &inmate, T_MSI(6), T_DM_SMI | 0x41, -EINVAL, { NO_IPI } },
	{ "INIT", &inmate, T_MSI(6), T_DM_INIT | 0x41, -EINVAL, { NO_IPI } },
	{ "ExtINT", &inmate, T_MSI(6), T_DM_EXTINT | 0x41, -EINVAL, { NO_IPI } },
	{ "reserved mode 3", &inmate, T_MSI(6), T_DM_RSVD | 0x41, -EINVAL, { NO_IPI } },
	{ "SIPI mode", &inmate, T_MSI(6), T_DM_SIPI | 0x41, -EINVAL, { NO_IPI } },
	{ "vector 0", &inmate, T_MSI(6), 0x00, -EINVAL, { NO_IPI } },
	{ "vector 2", &inmate, T_MSI(6), 0x02, -EINVAL, { NO_IPI } },
	{ "vector 31", &inmate, T_MSI(6), 0x1f, -EINVAL, { NO_IPI } },
	{ "lowest-priority, vector 31", &inmate, T_MSI(6), T_DM_LOWEST | 0x1f, -EINVAL,
	  { NO_IPI } },
	{ "address 0", &inmate, 0, 0x41, -EINVAL, { NO_IPI } },
	{ "address 0xfed00000 (HPET)", &inmate, 0xfed00000ull | 6 << 12, 0x41, -EINVAL,
	  { NO_IPI } },
	{ "address 0xfef00000", &inmate, 0xfef00000ull | 6 << 12, 0x41, -EINVAL, { NO_IPI } },
	{ "address 0x7ee00000", &inmate, 0x7ee00000ull | 6 << 12, 0x41, -EINVAL, { NO_IPI } },
	{ "address 0x1_fee06000 (upper dword set)", &inmate, 0x100000000ull | T_MSI(6), 0x41,
	  -EINVAL, { NO_IPI } },
	{ "logical to inmate CPU 3's LDR", &inmate, T_MSI(0x08) | T_MSI_LOGICAL, 0x41, 0,
	  { IPI(T_DEST(6), 0x41) } },
	{ "logical to CPU 3 and root CPUs", &inmate, T_MSI(0x0f) | T_MSI_LOGICAL, 0x41, 0,
	  { IPI(T_DEST(6), 0x41) } },
	{ "logical to root CPUs only", &inmate, T_MSI(0x07) | T_MSI_LOGICAL, 0x41, -ENOENT,
	  { NO_IPI } },
	{ "logical to the parked CPU 5", &inmate, T_MSI(0x20) | T_MSI_LOGICAL, 0x41, -ENOENT,
	  { NO_IPI } },
	{ "logical, no destination", &inmate, T_MSI(0) | T_MSI_LOGICAL, 0x41, -ENOENT,
	  { NO_IPI } },
	{ "fixed logical to both inmate CPUs", &inmate, T_MSI(0x18) | T_MSI_LOGICAL, 0x41, 0,
	  { .nipis = 2, .ipi = { FIXED(6, 0x41), FIXED(8, 0x41) }, .req_cpu = -1 } },
	{ "lowest-priority logical to both inmate CPUs", &inmate, T_MSI(0x18) | T_MSI_LOGICAL,
	  T_DM_LOWEST | 0x41, 0,
	  { .nipis = 2, .ipi = { FIXED(6, 0x41), FIXED(8, 0x41) }, .one_of = 1,
	    .req_cpu = -1 } },
	{ "lowest-priority physical broadcast", &inmate, T_MSI(0xff), T_DM_LOWEST | 0x41, 0,
	  { .nipis = 2, .ipi = { FIXED(6, 0x41), FIXED(8, 0x41) }, .one_of = 1,
	    .req_cpu = -1 } },
	{ "lowest-priority to CPU 4", &inmate, T_MSI(8), T_DM_LOWEST | 0x41, 0,
	  { IPI(T_DEST(8), 0x41) } },
	{ "root: fixed to root CPU 2", &root_cell, T_MSI(4), 0x41, 0, { IPI(T_DEST(4), 0x41) } },
	{ "root: fixed to inmate CPU 3", &root_cell, T_MSI(6), 0x41, -ENOENT, { NO_IPI } },
	{ "root: logical to all", &root_cell, T_MSI(0xff) | T_MSI_LOGICAL, 0x41, 0,
	  { .nipis = 3, .ipi = { FIXED(0, 0x41), FIXED(2, 0x41), FIXED(4, 0x41) },
	    .req_cpu = -1 } },
	{ "root: lowest-priority logical to all", &root_cell, T_MSI(0xff) | T_MSI_LOGICAL,
	  T_DM_LOWEST | 0x41, 0,
	  { .nipis = 3, .ipi = { FIXED(0, 0x41), FIXED(2, 0x41), FIXED(4, 0x41) }, .one_of = 1,
	    .req_cpu = -1 } },
};

/* ---- x2APIC mode ------------------------------------------------------------------------ */

/*
 * An inmate CPU in x2APIC mode writes the ICR MSR (0x830): @hi is the
 * 32-bit destination (bits 63:32), @lo bits 31:0. Physical destinations
 * only; "all" shorthands become one physical IPI per running CPU of the
 * cell (no flat logical IDs in x2APIC mode).
 */
static const struct test_icr_case test_x2apic_icr_cases[] = {
	{ "x2APIC fixed to its cell's CPU 4", 3, 8, 0x41, { IPI(8, 0x41) } },
	{ "x2APIC fixed to itself", 3, 6, 0x42, { IPI(6, 0x42) } },
	{ "x2APIC NMI to CPU 4", 3, 8, T_ASSERT | T_DM_NMI, { IPI(8, T_ASSERT | T_DM_NMI) } },
	{ "x2APIC fixed to root CPU 0", 3, 0, 0x41, { REFUSED } },
	{ "x2APIC fixed to root CPU 1", 3, 2, 0x41, { REFUSED } },
	{ "x2APIC fixed to its parked CPU 5", 3, 10, 0x41, { REFUSED } },
	{ "x2APIC INIT to CPU 4", 3, 8, T_ASSERT | T_DM_INIT, { REFUSED } },
	{ "x2APIC SIPI to root CPU 1", 3, 2, T_ASSERT | T_DM_SIPI | 0x9a, { REFUSED } },
	{ "x2APIC SMI to itself", 3, 6, T_ASSERT | T_DM_SMI, { REFUSED } },
	/* logical: cluster ID << 16 | a bit per CPU (APIC ID & 15): CPU 4 is bit 8 */
	{ "x2APIC logical to its cell's CPU 4", 3, 0x100, T_LOGICAL | 0x41, { IPI(8, 0x41) } },
	{ "x2APIC logical to root CPU 2 (bit 4)", 3, 0x10, T_LOGICAL | 0x41, { REFUSED } },
	{ "x2APIC logical to CPU 4 and root CPU 2", 3, 0x110, T_LOGICAL | 0x41,
	  { .nipis = 1, .ipi = { { 8, 0x41 } }, .report = 1, .req_cpu = -1 } },
	{ "x2APIC logical to its parked CPU 5 (bit 10)", 3, 0x400, T_LOGICAL | 0x41, { REFUSED } },
	{ "x2APIC logical to cluster 1 (no CPU there)", 3, 0x10100, T_LOGICAL | 0x41, { NO_IPI } },
	{ "x2APIC logical INIT to CPU 4", 3, 0x100, T_LOGICAL | T_ASSERT | T_DM_INIT, { REFUSED } },
	{ "x2APIC logical NMI to CPU 4", 3, 0x100, T_LOGICAL | T_ASSERT | T_DM_NMI,
	  { IPI(8, T_ASSERT | T_DM_NMI) } },
	{ "root x2APIC logical to root CPUs 0 and 1 (Linux's cluster mode)", 0, 0x5,
	  T_LOGICAL | 0xfb, { .nipis = 2, .ipi = { { 0, 0xfb }, { 2, 0xfb } }, .req_cpu = -1 } },
	{ "root x2APIC logical lowest priority to root CPUs 0 and 1", 0, 0x5,
	  T_LOGICAL | 0x100 | 0xfb,
	  { .nipis = 2, .ipi = { { 0, 0x1fb }, { 2, 0x1fb } }, .one_of = 1, .req_cpu = -1 } },
	{ "x2APIC broadcast 0xffffffff", 3, 0xffffffff, 0x41, { REFUSED } },
	{ "x2APIC destination 0x100 (root CPU 0's ID + 256)", 3, 0x100, 0x41, { REFUSED } },
	{ "x2APIC destination 0xff", 3, 0xff, 0x41, { REFUSED } },
	{ "x2APIC destination 0x108 (CPU 4's ID + 256)", 3, 0x108, 0x41, { REFUSED } },
	{ "x2APIC fixed to self", 3, 0, T_SH_SELF | 0x43, { IPI(0, T_SH_SELF | 0x43) } },
	{ "x2APIC fixed to all excluding self", 3, 0, T_SH_OTHERS | 0x44, { IPI(8, 0x44) } },
	{ "x2APIC fixed to all including self", 4, 0, T_SH_ALL | 0x45,
	  { .nipis = 2, .ipi = { { 6, 0x45 }, { 8, 0x45 } }, .req_cpu = -1 } },
	{ "x2APIC NMI to all excluding self", 3, 0, T_SH_OTHERS | T_ASSERT | T_DM_NMI,
	  { REFUSED } },
};

static int x2apic_write(unsigned int cpu, uint32_t msr, uint64_t value)
{
	return apic_x2apic_write(&per_cpu_area[cpu], msr, value);
}

static void test_x2apic_icr(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(test_x2apic_icr_cases); i++) {
		const struct test_icr_case *c = &test_x2apic_icr_cases[i];

		case_reset();
		t_x2apic = 1;
		CHECK_EQ(x2apic_write(c->cpu, 0x830, (uint64_t)c->hi << 32 | c->lo), 0, c->what);
		check_ipis_at(__LINE__, c->what, &c->want);
		check_report_at(__LINE__, c->what, c->cpu, c->want.report);
		check_ids_at(__LINE__, c->what, c->cpu, t_ldr(c->cpu));
	}
}

/* Local vectors as MSRs: the same rule; what never exits is a #GP here. */
static void test_x2apic_registers(void)
{
	static const unsigned int checked[] = { 0x82f, 0x833, 0x834, 0x835, 0x836, 0x837 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(checked); i++) {
		unsigned int reg = (checked[i] - 0x800) << 4;

		case_reset();
		t_x2apic = 1;
		CHECK_EQ(x2apic_write(3, checked[i], T_DM_NMI), 0, "x2APIC LVT NMI");
		CHECK(page_at(reg) == T_DM_NMI && num_writes == 1,
		      "x2APIC MSR 0x%x: NMI delivery not written", checked[i]);
		case_reset();
		t_x2apic = 1;
		CHECK_EQ(x2apic_write(3, checked[i], T_DM_SMI), 0, "x2APIC LVT SMI");
		CHECK(page_at(reg) == sentinel(reg) && num_writes == 0,
		      "x2APIC MSR 0x%x: SMI delivery written", checked[i]);
		check_report_at(__LINE__, "x2APIC LVT SMI", 3, 1);
	}
	case_reset();
	t_x2apic = 1;
	CHECK_EQ(x2apic_write(3, 0x80b, 0), -EPERM, "x2APIC EOI does not come here");
	CHECK_EQ(x2apic_write(3, 0x802, 0), -EPERM, "x2APIC ID (read-only)");
	case_reset();
	CHECK_EQ(x2apic_write(3, 0x830, 8ull << 32 | 0x41), -EPERM,
		 "x2APIC ICR in xAPIC mode: #GP");
	CHECK(num_writes == 0, "x2APIC ICR in xAPIC mode: %u writes", num_writes);
}

/*
 * A remappable MSI (address bit 4) of a root virtual device: delivered
 * as the entry vtd_ir.c hands out says (t_irte), to root CPUs only;
 * nothing without a present entry, nothing for an inmate's device.
 */
static void test_remapped_msi(void)
{
	static const struct {
		const char *what;
		const struct cell *cell;
		uint64_t irte;
		int err;
		struct t_effect want;
	} rows[] = {
		{ "physical, root CPU 1", &root_cell, 1 | 0x31ull << 16 | 2ull << 32, 0,
		  { IPI(2, 0x31) } },
		{ "logical cluster, root CPUs 0 and 1, fixed", &root_cell,
		  1 | 4 | 0x32ull << 16 | 5ull << 32, 0,
		  { .nipis = 2, .ipi = { { 0, 0x32 }, { 2, 0x32 } }, .req_cpu = -1 } },
		{ "logical cluster, lowest priority: one of them", &root_cell,
		  1 | 4 | 1 << 5 | 0x33ull << 16 | 5ull << 32, 0,
		  { .nipis = 2, .ipi = { { 0, 0x33 }, { 2, 0x33 } }, .one_of = 1, .req_cpu = -1 } },
		{ "entry not present", &root_cell, 0x31ull << 16 | 2ull << 32, -EINVAL, { NO_IPI } },
		{ "vector below 32", &root_cell, 1 | 0x10ull << 16 | 2ull << 32, -EINVAL, { NO_IPI } },
		{ "an inmate's device", &inmate, 1 | 0x31ull << 16 | 6ull << 32, -EINVAL, { NO_IPI } },
	};
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		case_reset();
		t_x2apic = 1;
		t_irte = rows[i].irte;
		t_irte_x2apic = 1;
		err = arch_send_msi(rows[i].cell, 0xfee00000u | 0x10 | 3u << 5, 0);
		CHECK(err == rows[i].err, "%s: arch_send_msi: %d, want %d", rows[i].what, err,
		      rows[i].err);
		check_ipis_at(__LINE__, rows[i].what, &rows[i].want);
	}
	t_irte = 0;
}

static void test_msi(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(test_msi_cases); i++) {
		const struct test_msi_case *c = &test_msi_cases[i];
		int err;

		case_reset();
		err = arch_send_msi(c->cell, c->addr, c->data);
		CHECK(err == c->err, "%s: arch_send_msi: %d, want %d", c->what, err, c->err);
		check_ipis_at(__LINE__, c->what, &c->want);
		CHECK(num_lines == 0, "%s: %u line(s) printed, first \"%s\"", c->what, num_lines,
		      num_lines ? lines[0] : "");
	}
}

/* ---- the report limiter ------------------------------------------------------------------------ */

/* The line a repeat count is reported with ends like this (report.h). */
static int is_count_line(const char *line, unsigned int cpu, unsigned long n)
{
	char prefix[40], suffix[40];
	size_t len = strlen(line), slen;

	snprintf(prefix, sizeof(prefix), "CPU %u: the last report (", cpu);
	snprintf(suffix, sizeof(suffix), ") repeated %lu times\n", n);
	slen = strlen(suffix);
	return !strncmp(line, prefix, strlen(prefix)) && len > slen &&
	       !strcmp(line + len - slen, suffix);
}

/*
 * The same refused write 100 times: one report, then count lines at
 * the 2nd, 4th, ... 64th repeat (7 lines); every one is counted as a
 * violation and none reaches the hardware. A different refused write
 * then prints the final count (99) and its own report.
 */
static void test_report_limit(void)
{
	static const unsigned long counts[] = { 2, 4, 8, 16, 32, 64 };
	struct per_cpu *c = &per_cpu_area[T_INMATE_CPU];
	unsigned int i;

	case_reset();
	for (i = 0; i < 100; i++)
		store(T_INMATE_CPU, T_ID, 4, T_DEST(0));
	CHECK_EQ(num_lines, 7, "lines after 100 identical APIC ID writes");
	CHECK(num_lines >= 1 && !strncmp(lines[0], "CPU 3: cell \"apic-inmate\": ", 27),
	      "first line \"%s\"", lines[0]);
	for (i = 0; i < ARRAY_SIZE(counts) && i + 1 < num_lines && i + 1 < MAX_LINES; i++)
		CHECK(is_count_line(lines[i + 1], T_INMATE_CPU, counts[i]),
		      "line %u \"%s\", want a count of %lu", i + 1, lines[i + 1], counts[i]);
	CHECK_EQ(c->violations, 100, "violations after 100 writes");
	CHECK_EQ(num_writes, 0, "hardware writes");
	CHECK(page_at(T_ID) == sentinel(T_ID), "APIC ID 0x%x", page_at(T_ID));

	/* the same for 100 refused IPIs */
	num_lines = 0;
	for (i = 0; i < 100; i++)
		icr_write(T_INMATE_CPU, T_DEST(0), 0x41);
	CHECK_EQ(num_lines, 8, "lines after 100 identical refused IPIs (final count first)");
	CHECK(num_lines >= 1 && is_count_line(lines[0], T_INMATE_CPU, 99),
	      "first line \"%s\", want the final count 99", lines[0]);
	CHECK(num_lines >= 2 && !strncmp(lines[1], "CPU 3: cell \"apic-inmate\": ", 27),
	      "second line \"%s\"", lines[1]);
	CHECK_EQ(c->violations, 200, "violations after 200 refusals");
	CHECK_EQ(num_writes, 0, "hardware writes");

	/* and 100 refused LVT writes on a root CPU: its own limiter */
	num_lines = 0;
	for (i = 0; i < 100; i++)
		store(1, T_LVT_LINT0, 4, T_DM_EXTINT);
	CHECK_EQ(num_lines, 7, "lines after 100 identical LVT writes on CPU 1");
	CHECK(num_lines >= 1 && !strncmp(lines[0], "CPU 1: cell \"RootCell\": ", 24),
	      "first line \"%s\"", lines[0]);
	CHECK_EQ(per_cpu_area[1].violations, 100, "CPU 1's violations");
	CHECK_EQ(num_writes, 0, "hardware writes");
}

int main(void)
{
	if (!page_map()) {
		printf("skip: cannot map a page at the APIC's address 0x%lx\n", T_APIC_PHYS);
		return 77;
	}
	RUN(test_registers);
	RUN(test_lvt);
	RUN(test_icr);
	RUN(test_icr_alone);
	RUN(test_root_restart);
	RUN(test_x2apic_icr);
	RUN(test_x2apic_registers);
	RUN(test_msi);
	RUN(test_remapped_msi);
	RUN(test_report_limit);
	return check_exit();
}
