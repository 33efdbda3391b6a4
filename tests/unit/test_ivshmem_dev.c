// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hypervisor's emulated ivshmem device (hypervisor/core/ivshmem.c)
 * and the PCI core in front of it (hypervisor/core/pci.c), driven the way
 * a cell drives them: config space through pci_cfg_read/write (and ECAM),
 * BARs and registers through the cell's MMIO registry (core/mmio.c, what
 * the fault handler asks) and the handlers it names, the cell life cycle
 * through pci_cell_init() and ivshmem_cell_*().
 *
 * Everything the two files need from the rest of the hypervisor is faked
 * below and records what happened: the root cell and inmate cells built
 * from config blobs made here, the system config (q35: ECAM at
 * 0xb0000000, buses 0..0xff, local APIC at 0xfee00000), arch_send_msi
 * (logs every MSI; -EINVAL for a non-fixed one, as arch/x86/apic.c),
 * arch_trap_page (logs every call and keeps the set of trapped pages per
 * cell), arch_gpa_reserved (the 1 MiB window of the local APIC),
 * arch_pci_hw_present and printk (into a buffer); for passthrough (section
 * 10) one real function's config space (arch_pci_hw_read/write: a 1 MiB
 * memory BAR that sizes like hardware), arch_root_take_mmio and the IOMMU
 * hooks, which log every call.
 *
 * Expected values come from the PCI spec, docs/ivshmem.md and the ABI in
 * include/bulkhead/ivshmem.h, written out here, not from the code under
 * test.
 *
 * Both sources are included, so this test builds with the Makefile's
 * generic rule for tests/unit/test_*.c plus the hypervisor include paths
 * the Makefile adds for it.
 */

/*
 * The hypervisor's headers first: hv.h declares memset & co. and
 * bulkhead/errno.h defines the errno values, so <errno.h> is never included
 * here; <string.h> (through check.h) only repeats compatible prototypes.
 */
#include "../../hypervisor/core/ivshmem.c"
#include "../../hypervisor/core/pci.c"
#include "../../hypervisor/core/mmio.c"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* ---- what the test knows, from the PCI spec and docs/ivshmem.md -------- */

#define BDF		(0x0e << 3)		/* 00:0e.0, the pair's device */
#define BDF_OTHER	(0x0f << 3)		/* 00:0f.0: nothing virtual there */
#define BDF_HOST	0x0000			/* 00:00.0, a real function */

#define T_ECAM_BASE	0xb0000000ull
#define T_ECAM_0E0	(0xb0000000ull + (0x0e << 15))	/* 0xb0070000 */
#define T_ECAM_LAST	0xbffff000ull		/* ff:1f.7, last ECAM page */
#define T_APIC		0xfee00000ull

/* Type 0 config header. */
#define T_CFG_ID	0x00
#define T_CFG_COMMAND	0x04
#define T_CFG_STATUS	0x06
#define T_CFG_CLASS	0x08
#define T_CFG_HDR_TYPE	0x0e
#define T_CFG_BAR(n)	(0x10 + 4 * (n))
#define T_CFG_ROM	0x30
#define T_CFG_CAP_PTR	0x34
#define T_CFG_INTR_LINE	0x3c
#define T_CFG_INTR_PIN	0x3d

#define T_CMD_MEM	0x0002
#define T_CMD_MASTER	0x0004
#define T_CMD_INTX_OFF	0x0400
#define T_STATUS_CAPS	0x0010
#define T_CAP_MSIX	0x11
#define T_CAP_VENDOR	0x09
#define T_MSIX_ENABLE	0x8000
#define T_MSIX_MASKALL	0x4000
#define T_MSIX_QSIZE	0x07ff

/* BAR1: 16-byte MSI-X entries, the PBA at 0x800. */
#define T_ENTRY(v)	(0x10u * (v))
#define T_PBA		0x800u

/* Where the test puts the BARs. */
#define ROOT_BAR0	0x40000000ull
#define ROOT_BAR1	0x40001000ull
#define INMATE_BAR0	0xd0000000ull
#define INMATE_BAR1	0xd0001000ull

/* The MSI-X messages the cells program (fixed, vector 0x28 / 0x31). */
#define INMATE_MSI_ADDR	0xfee03000u
#define INMATE_MSI_DATA	0x28u
#define ROOT_MSI_ADDR	0xfee00000u
#define ROOT_MSI_DATA	0x31u

#define RAM_FLAGS	(BH_MEM_READ | BH_MEM_WRITE | BH_MEM_EXECUTE | BH_MEM_DMA)
#define MMIO_FLAGS	(BH_MEM_READ | BH_MEM_WRITE | BH_MEM_IO)
#define SHMEM_FLAGS	(BH_MEM_READ | BH_MEM_WRITE)

/* ---- config blobs --------------------------------------------------------- */

/* The system config with the root cell's arrays after it. */
struct test_system {
	struct bh_system_config sys;
	uint8_t cpu_set[8];
	struct bh_memory_region mem[3];
	struct bh_pci_device pci[1];
} BH_PACKED;

struct test_inmate {
	struct bh_cell_desc desc;
	uint8_t cpu_set[8];
	struct bh_memory_region mem[2];
	struct bh_pci_device pci[1];
} BH_PACKED;

static struct test_system test_sys;
static struct test_inmate inmate_cfg, inmate2_cfg, inmate3_cfg;

/* The link tests (section 9) point it at a system config with a link. */
const struct bh_system_config *system_config = &test_sys.sys;

struct cell root_cell;
static struct cell inmate, inmate2, inmate3;

static void desc_init(struct bh_cell_desc *d, const char *name, uint32_t id,
		      uint32_t num_mem)
{
	memcpy(d->signature, BH_CELL_SIGNATURE, BH_SIGNATURE_LEN);
	d->revision = BH_CONFIG_REVISION;
	d->id = id;
	strncpy(d->name, name, sizeof(d->name) - 1);
	d->cpu_set_size = 8;
	d->num_memory_regions = num_mem;
	d->num_pio_regions = 0;
	d->num_pci_devices = 1;
}

static void ivshmem_cfg(struct bh_pci_device *p, uint16_t bdf, uint32_t region,
			uint32_t peer_id)
{
	p->type = BH_PCI_TYPE_IVSHMEM;
	p->bdf = bdf;
	p->num_msix_vectors = 2;
	p->shmem_region = region;
	p->shmem_peer_id = peer_id;
}

static void inmate_blob(struct test_inmate *t, const char *name, uint32_t id,
			uint16_t bdf)
{
	static const struct bh_memory_region mem[2] = {
		/* RAM at 0, out of the reservation */
		{ 0x3b000000, 0x0, 0x100000, RAM_FLAGS | BH_MEM_LOADABLE },
		/* the root's shared region, seen at 2 GiB */
		{ 0x3e000000, 0x80000000, 0x200000, SHMEM_FLAGS | BH_MEM_ROOTSHARED },
	};

	memset(t, 0, sizeof(*t));
	desc_init(&t->desc, name, id, 2);
	t->cpu_set[0] = 0x2;
	memcpy(t->mem, mem, sizeof(mem));
	ivshmem_cfg(&t->pci[0], bdf, 1, 1);
}

static void configs_init(void)
{
	static const struct bh_memory_region mem[3] = {
		{ 0x0, 0x0, 0x3a000000, RAM_FLAGS },
		{ 0x3e000000, 0x3e000000, 0x200000, SHMEM_FLAGS },
		{ 0x40000000, 0x40000000, 0xc0000000, MMIO_FLAGS },
	};
	struct bh_system_config *sys = &test_sys.sys;

	memset(&test_sys, 0, sizeof(test_sys));
	memcpy(sys->signature, BH_SYSTEM_SIGNATURE, BH_SIGNATURE_LEN);
	sys->revision = BH_CONFIG_REVISION;
	sys->hypervisor_memory.phys_start = 0x3a000000;
	sys->hypervisor_memory.size = 64 << 20;
	sys->platform.pci_mmconfig_base = 0xb0000000;
	sys->platform.pci_mmconfig_end_bus = 0xff;
	sys->platform.apic_mode = BH_APIC_XAPIC;
	sys->platform.apic_base = 0xfee00000;
	desc_init(&sys->root_cell, "root", 0, 3);
	test_sys.cpu_set[0] = 0x3;
	memcpy(test_sys.mem, mem, sizeof(mem));
	ivshmem_cfg(&test_sys.pci[0], BDF, 1, 0);

	inmate_blob(&inmate_cfg, "inmate", 1, BDF);
	inmate_blob(&inmate2_cfg, "inmate-two", 2, BDF);
	inmate_blob(&inmate3_cfg, "inmate-lost", 3, BDF_OTHER);

	/* The blobs are laid out as the bh_cell_* helpers read them. */
	CHECK(bh_cell_pci_devices(&sys->root_cell) == test_sys.pci,
	      "root blob layout");
	CHECK(bh_cell_mem_regions(&inmate_cfg.desc) == inmate_cfg.mem,
	      "inmate blob layout");
	CHECK(bh_cell_pci_devices(&inmate_cfg.desc) == inmate_cfg.pci,
	      "inmate blob layout");
}

static const char *cell_name(const struct cell *c)
{
	if (!c)
		return "(none)";
	return c->desc ? c->desc->name : "(no desc)";
}

/* ---- fakes of the rest of the hypervisor ---------------------------------- */

/* printk: into a buffer the checks search. */
static char console[16384];
static size_t console_len;

void printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(console + console_len, sizeof(console) - console_len, fmt, ap);
	va_end(ap);
	if (n > 0)
		console_len += (size_t)n < sizeof(console) - console_len ?
			       (size_t)n : sizeof(console) - console_len - 1;
}

static void console_clear(void)
{
	console_len = 0;
	console[0] = '\0';
}

static int console_has(const char *s)
{
	return strstr(console, s) != NULL;
}

/* arch_pci_hw_present: what the test says, and who asked. */
static int hw_present;
static unsigned int hw_present_calls;
static uint16_t hw_present_bdf;
static uint32_t hw_real_bdf = ~0u;	/* the passthrough rows' function */

int arch_pci_hw_present(uint16_t bdf)
{
	hw_present_calls++;
	hw_present_bdf = bdf;
	return hw_present || bdf == hw_real_bdf;
}

/*
 * One real function for passthrough at BDF_PASS, as hardware answers:
 * vendor 1234:11e8, BAR0 a 32-bit memory BAR of hw_bar0_size bytes
 * (writes keep the size's alignment), BAR1 an I/O BAR of 16 ports when
 * hw_bar1_io, BARs 2-5 hardwired to 0, every other register plain storage. hw_writes counts the
 * writes to each register.
 */
#define BDF_PASS	(0x01 << 3)		/* 00:01.0 */
#define PASS_BAR0	0xfea00000u
#define PASS_BAR0_SIZE	0x100000u

static uint8_t hw_cfg[256];
static uint32_t hw_bar0_size;
static int hw_bar1_io;
static unsigned int hw_writes[256];

static void hw_function_init(void)
{
	memset(hw_cfg, 0, sizeof(hw_cfg));
	memset(hw_writes, 0, sizeof(hw_writes));
	*(uint32_t *)&hw_cfg[T_CFG_ID] = 0x11e81234;
	*(uint16_t *)&hw_cfg[T_CFG_COMMAND] = T_CMD_MEM | T_CMD_MASTER;
	*(uint32_t *)&hw_cfg[T_CFG_BAR(0)] = PASS_BAR0;
	hw_bar0_size = PASS_BAR0_SIZE;
	hw_bar1_io = 0;
}

uint32_t arch_pci_hw_read(uint16_t bdf, unsigned int reg, unsigned int size)
{
	uint32_t v = 0;

	if (bdf != BDF_PASS || reg + size > sizeof(hw_cfg))
		return size == 4 ? ~0u : (1u << (8 * size)) - 1;
	memcpy(&v, &hw_cfg[reg], size);
	return v;
}

void arch_pci_hw_write(uint16_t bdf, unsigned int reg, unsigned int size, uint32_t value)
{
	if (bdf != BDF_PASS || reg + size > sizeof(hw_cfg))
		return;
	hw_writes[reg]++;
	if (reg == T_CFG_BAR(0) && size == 4)
		value &= ~(hw_bar0_size - 1);
	if (reg == T_CFG_BAR(1) && size == 4)
		value = hw_bar1_io ? (value & ~0xfu) | 1 : 0;
	if (reg >= T_CFG_BAR(2) && reg < T_CFG_BAR(6))
		return;		/* unimplemented BARs: hardwired to 0 */
	memcpy(&hw_cfg[reg], &value, size);
}

/* arch_root_take_mmio: every call; what the root has lost now. */
static unsigned int root_takes, root_gives;
static uint64_t root_taken_addr, root_taken_size;

int arch_root_take_mmio(uint64_t phys, uint64_t size, int take)
{
	if (take) {
		root_takes++;
		root_taken_addr = phys;
		root_taken_size = size;
	} else {
		root_gives++;
	}
	return 0;
}

/* The IOMMU: assign returns iommu_answer; who has which function. */
static int iommu_answer;
static const struct cell *iommu_owner;
static unsigned int iommu_assigns, iommu_releases;

int arch_iommu_assign(const struct cell *cell, uint16_t bdf)
{
	iommu_assigns++;
	if (iommu_answer == 0 && bdf == BDF_PASS)
		iommu_owner = cell;
	return iommu_answer;
}

void arch_iommu_release(const struct cell *cell, uint16_t bdf)
{
	iommu_releases++;
	if (bdf == BDF_PASS && iommu_owner == cell)
		iommu_owner = NULL;
}

/*
 * MSI routing of passed-through functions: every call; route_answer is
 * what it returns (with route_why), and a routed message is the
 * remappable one below.
 */
#define ROUTED_ADDR	0xfee00210u	/* remappable format, handle 16 */
static int route_answer;
static const char *route_why = "not a CPU of the cell";
static unsigned int routes, unroutes;
static uint64_t route_addr;
static uint32_t route_data;

int arch_pci_msi_route(const struct cell *cell, uint16_t bdf, unsigned int slot,
		       uint64_t addr, uint32_t data, uint64_t *hw_addr, uint32_t *hw_data,
		       const char **why)
{
	(void)cell;
	(void)bdf;
	(void)slot;
	routes++;
	route_addr = addr;
	route_data = data;
	*why = route_answer ? route_why : NULL;
	*hw_addr = ROUTED_ADDR;
	*hw_data = 0;
	return route_answer;
}

void arch_pci_msi_unroute(unsigned int slot)
{
	(void)slot;
	unroutes++;
}

/* arch_gpa_reserved: x86's interrupt window, 0xfee00000 + 1 MiB. */
int arch_gpa_reserved(uint64_t gpa)
{
	return (gpa >> 20) == (T_APIC >> 20);
}

/* arch_send_msi: every message, and what the real one would return. */
struct msi_call {
	const struct cell *cell;
	uint64_t addr;
	uint32_t data;
	int ret;
};

static struct msi_call msis[64];
static unsigned int num_msis;

int arch_send_msi(const struct cell *cell, uint64_t addr, uint32_t data)
{
	unsigned int mode = (data >> 8) & 7;	/* 0 fixed, 1 lowest priority */
	int ret = 0;

	if ((addr & 0xfff00000ull) != 0xfee00000ull || (data & 0xff) < 32 ||
	    (mode != 0 && mode != 1))
		ret = -EINVAL;
	if (num_msis < ARRAY_SIZE(msis))
		msis[num_msis] = (struct msi_call){ cell, addr, data, ret };
	num_msis++;
	return ret;
}

/*
 * arch_trap_page: every call, and the pages each cell has trapped now.
 * Returns what arch/x86/cell.c would: 0 where the cell has nothing or
 * device memory, -EPERM for any other region of its config.
 */
struct trap_call {
	const struct cell *cell;
	uint64_t gpa;
	int trap;
};

static struct trap_call trap_log[512];
static unsigned int num_trap_calls;
static struct trap_call trapped_pages[64];	/* .trap unused */
static unsigned int num_trapped;
/* Calls that make no sense: trap twice, untrap what is not, -EPERM. */
static unsigned int trap_double, trap_stray, trap_refused;

int arch_trap_page(struct cell *cell, uint64_t gpa, int trap)
{
	const struct bh_memory_region *mem = bh_cell_mem_regions(cell->desc);
	unsigned int i;

	if (num_trap_calls < ARRAY_SIZE(trap_log))
		trap_log[num_trap_calls] = (struct trap_call){ cell, gpa, trap };
	num_trap_calls++;
	for (i = 0; i < cell->desc->num_memory_regions; i++) {
		if (gpa >= mem[i].virt_start && gpa - mem[i].virt_start < mem[i].size &&
		    !(mem[i].flags & BH_MEM_IO)) {
			trap_refused++;
			return -EPERM;
		}
	}
	for (i = 0; i < num_trapped; i++)
		if (trapped_pages[i].cell == cell && trapped_pages[i].gpa == gpa)
			break;
	if (trap) {
		if (i < num_trapped)
			trap_double++;
		else if (num_trapped < ARRAY_SIZE(trapped_pages))
			trapped_pages[num_trapped++] = (struct trap_call){ cell, gpa, 1 };
	} else {
		if (i == num_trapped)
			trap_stray++;
		else
			trapped_pages[i] = trapped_pages[--num_trapped];
	}
	return 0;
}

/*
 * arch_write_protect: every range made read-only, per cell, as
 * arch/x86/cell.c would take it (0; the ranges are checked by the tests).
 */
struct protect_call {
	const struct cell *cell;
	uint64_t gpa, size;
};

static struct protect_call protect_log[64];
static unsigned int num_protects;

int arch_write_protect(struct cell *cell, uint64_t gpa, uint64_t size)
{
	if (num_protects < ARRAY_SIZE(protect_log))
		protect_log[num_protects] = (struct protect_call){ cell, gpa, size };
	num_protects++;
	return 0;
}

/* Calls of arch_trap_page(@cell, @gpa, @trap) since the log was cleared. */
static unsigned int trap_calls(const struct cell *cell, uint64_t gpa, int trap)
{
	unsigned int i, n = 0;

	for (i = 0; i < num_trap_calls && i < ARRAY_SIZE(trap_log); i++)
		if (trap_log[i].cell == cell && trap_log[i].gpa == gpa &&
		    trap_log[i].trap == trap)
			n++;
	return n;
}

static int is_trapped(const struct cell *cell, uint64_t gpa)
{
	unsigned int i;

	for (i = 0; i < num_trapped; i++)
		if (trapped_pages[i].cell == cell && trapped_pages[i].gpa == gpa)
			return 1;
	return 0;
}

static unsigned int trapped_count(const struct cell *cell)
{
	unsigned int i, n = 0;

	for (i = 0; i < num_trapped; i++)
		n += trapped_pages[i].cell == cell;
	return n;
}

/* ---- accessors, as a cell's accesses arrive ---------------------------------- */

static uint32_t cfg_read_at(int line, struct cell *c, uint16_t bdf,
			    unsigned int reg, unsigned int size)
{
	uint32_t v = 0x5a5a5a5a;
	enum pci_cfg_result r = pci_cfg_read(c, bdf, reg, size, &v);

	CHECK(r == PCI_CFG_DONE, "line %d: cell %s: config read of %#x at %#x: result %d",
	      line, cell_name(c), bdf, reg, (int)r);
	return v;
}

static void cfg_write_at(int line, struct cell *c, uint16_t bdf,
			 unsigned int reg, unsigned int size, uint32_t v)
{
	enum pci_cfg_result r = pci_cfg_write(c, bdf, reg, size, v);

	CHECK(r == PCI_CFG_DONE, "line %d: cell %s: config write of %#x at %#x: result %d",
	      line, cell_name(c), bdf, reg, (int)r);
}

#define cfg_read(c, reg, size)		cfg_read_at(__LINE__, (c), BDF, (reg), (size))
#define cfg_write(c, reg, size, v)	cfg_write_at(__LINE__, (c), BDF, (reg), (size), (v))

/* Does the fault handler find an emulated range at @gpa? */
static int pci_mmio_claims(struct cell *c, uint64_t gpa)
{
	struct mmio_region r;

	return mmio_region_find(c, gpa, &r) == 0;
}

/*
 * An access through the handler the registry names at @gpa, or, where it
 * names none, through the one that would serve that address: ECAM's or
 * the BARs' (they must then find nothing).
 */
static void pci_mmio_access(struct cell *c, uint64_t gpa, int is_write,
			    unsigned int size, uint64_t *v)
{
	struct mmio_region r;
	uint16_t bdf;

	if (mmio_region_find(c, gpa, &r) == 0) {
		CHECK(r.ctx == c, "%#llx: the region's context is not its cell",
		      (unsigned long long)gpa);
		r.handler(NULL, r.ctx, gpa, is_write, size, v);
	} else if (pci_ecam_bdf(gpa, &bdf)) {
		pci_ecam_access(NULL, c, gpa, is_write, size, v);
	} else {
		ivshmem_bar_access(NULL, c, gpa, is_write, size, v);
	}
}

/* A BAR access as the NPF handler makes it: only if claimed. */
static uint64_t bar_read_at(int line, struct cell *c, uint64_t gpa, unsigned int size)
{
	uint64_t v = 0xa5a5a5a5a5a5a5a5ull;

	CHECK(pci_mmio_claims(c, gpa), "line %d: cell %s: %#llx not claimed", line,
	      cell_name(c), (unsigned long long)gpa);
	pci_mmio_access(c, gpa, 0, size, &v);
	return v;
}

static void bar_write_at(int line, struct cell *c, uint64_t gpa, unsigned int size,
			 uint64_t v)
{
	CHECK(pci_mmio_claims(c, gpa), "line %d: cell %s: %#llx not claimed", line,
	      cell_name(c), (unsigned long long)gpa);
	pci_mmio_access(c, gpa, 1, size, &v);
}

#define bar_read(c, gpa, size)		bar_read_at(__LINE__, (c), (gpa), (size))
#define bar_write(c, gpa, size, v)	bar_write_at(__LINE__, (c), (gpa), (size), (v))

/* The handler called directly, claimed or not. */
static uint64_t mmio_read(struct cell *c, uint64_t gpa, unsigned int size)
{
	uint64_t v = 0xa5a5a5a5a5a5a5a5ull;

	pci_mmio_access(c, gpa, 0, size, &v);
	return v;
}

/* Offset of the capability @id in the device's list, or 0. */
static unsigned int find_cap(struct cell *c, unsigned int id)
{
	unsigned int ptr = cfg_read(c, T_CFG_CAP_PTR, 1) & 0xfc, hops;

	for (hops = 0; ptr >= 0x40 && hops < 48; hops++) {
		if (cfg_read(c, ptr, 1) == id)
			return ptr;
		ptr = cfg_read(c, ptr + 1, 1) & 0xfc;
	}
	return 0;
}

static uint64_t bar0_of(const struct cell *c)
{
	return c == &root_cell ? ROOT_BAR0 : INMATE_BAR0;
}

static uint64_t bar1_of(const struct cell *c)
{
	return c == &root_cell ? ROOT_BAR1 : INMATE_BAR1;
}

/* BARs where the test keeps them, memory decoding and bus mastering on. */
static void place_bars(struct cell *c)
{
	cfg_write(c, T_CFG_BAR(0), 4, (uint32_t)bar0_of(c));
	cfg_write(c, T_CFG_BAR(1), 4, (uint32_t)bar1_of(c));
	cfg_write(c, T_CFG_COMMAND, 2, T_CMD_MEM | T_CMD_MASTER);
}

static void msix_control(struct cell *c, uint16_t ctrl)
{
	unsigned int cap = find_cap(c, T_CAP_MSIX);

	CHECK(cap != 0, "cell %s: no MSI-X capability", cell_name(c));
	if (cap)
		cfg_write(c, cap + 2, 2, ctrl);
}

static void msix_entry(struct cell *c, unsigned int vector, uint32_t addr,
		       uint32_t data, uint32_t ctrl)
{
	uint64_t e = bar1_of(c) + T_ENTRY(vector);

	bar_write(c, e + 0, 4, addr);
	bar_write(c, e + 4, 4, 0);
	bar_write(c, e + 8, 4, data);
	bar_write(c, e + 12, 4, ctrl);
}

/* BARs placed, MSI-X on, vector 0 unmasked with the cell's message. */
static void setup_msix(struct cell *c)
{
	place_bars(c);
	msix_control(c, T_MSIX_ENABLE);
	if (c == &root_cell)
		msix_entry(c, 0, ROOT_MSI_ADDR, ROOT_MSI_DATA, 0);
	else
		msix_entry(c, 0, INMATE_MSI_ADDR, INMATE_MSI_DATA, 0);
}

static void doorbell_from(struct cell *c, uint32_t value)
{
	bar_write(c, bar0_of(c) + IVSHMEM_REG_DOORBELL, 4, value);
}

static uint32_t reg_of(struct cell *c, unsigned int reg)
{
	return (uint32_t)bar_read(c, bar0_of(c) + reg, 4);
}

/* Exactly one MSI since the log was cleared, to @cell with @addr/@data. */
#define CHECK_ONE_MSI(c, a, d, what)						\
	do {									\
		CHECK_EQ(num_msis, 1, what ": MSIs sent");			\
		if (num_msis >= 1) {						\
			CHECK(msis[0].cell == (c), "%s: MSI went to %s", what,	\
			      cell_name(msis[0].cell));				\
			CHECK_EQ(msis[0].addr, (a), what ": MSI address");	\
			CHECK_EQ(msis[0].data, (d), what ": MSI data");	\
		}								\
	} while (0)

/* ---- set-up and tear-down ---------------------------------------------------- */

static void clear_logs(void)
{
	num_msis = 0;
	num_trap_calls = 0;
	console_clear();
}

/* The root cell's device exists; the inmates' configs are ready. */
static void setup(void)
{
	configs_init();
	memset(&root_cell, 0, sizeof(root_cell));
	root_cell.desc = &test_sys.sys.root_cell;
	root_cell.state = CELL_RUNNING;
	memset(&inmate, 0, sizeof(inmate));
	inmate.desc = &inmate_cfg.desc;
	inmate.id = 1;
	memset(&inmate2, 0, sizeof(inmate2));
	inmate2.desc = &inmate2_cfg.desc;
	inmate2.id = 2;
	memset(&inmate3, 0, sizeof(inmate3));
	inmate3.desc = &inmate3_cfg.desc;
	inmate3.id = 3;

	hw_present = 0;
	hw_present_calls = 0;
	num_trapped = 0;
	trap_double = trap_stray = trap_refused = 0;
	clear_logs();
	CHECK_EQ(ivshmem_cell_init(&root_cell), 0, "root cell init");
}

/* As cell_create() and cell_start() do it. */
static void create_inmate(struct cell *c)
{
	c->state = CELL_CREATED;
	memset(&c->mmio, 0, sizeof(c->mmio));
	CHECK_EQ(pci_cell_init(c), 0, "inmate ECAM");
	CHECK_EQ(ivshmem_cell_init(c), 0, "inmate init");
}

static void start_inmate(struct cell *c)
{
	ivshmem_cell_reset(c);
	c->state = CELL_RUNNING;
}

/* Everything goes; nothing is left behind, no trap made no sense. */
static void teardown(void)
{
	ivshmem_cell_exit(&inmate);
	ivshmem_cell_exit(&inmate2);
	ivshmem_cell_exit(&inmate3);
	ivshmem_cell_exit(&root_cell);
	CHECK(!ivshmem_find(&root_cell, BDF), "root device left behind");
	CHECK(!ivshmem_find(&inmate, BDF), "inmate device left behind");
	CHECK(!ivshmem_find(&inmate2, BDF), "inmate-two device left behind");
	CHECK(!ivshmem_find(&inmate3, BDF_OTHER), "inmate-lost device left behind");
	CHECK_EQ(trapped_count(&inmate), 0, "inmate pages still trapped after exit");
	CHECK_EQ(trapped_count(&inmate2), 0, "inmate-two pages still trapped after exit");
	CHECK_EQ(trapped_count(&inmate3), 0, "inmate-lost pages still trapped after exit");
	CHECK_EQ(trap_double, 0, "pages trapped twice");
	CHECK_EQ(trap_stray, 0, "pages untrapped that were not trapped");
	CHECK_EQ(trap_refused, 0, "arch_trap_page calls on RAM (-EPERM)");
}

/* ---- 1. the device and its config space ---------------------------------------- */

static void check_config_space(struct cell *c, uint64_t shmem)
{
	unsigned int msix, vcap;
	uint32_t ctrl;

	CHECK(ivshmem_find(c, BDF) != NULL, "%s: no device", cell_name(c));
	CHECK_EQ(cfg_read(c, T_CFG_ID, 4), 0x11101af4, "vendor:device dword");
	CHECK_EQ(cfg_read(c, T_CFG_ID, 2), 0x1af4, "vendor ID");
	CHECK_EQ(cfg_read(c, T_CFG_ID + 2, 2), 0x1110, "device ID");
	CHECK_EQ(cfg_read(c, T_CFG_CLASS, 4) >> 8, 0x050000, "class code");
	CHECK_EQ(cfg_read(c, T_CFG_CLASS + 3, 1), 0x05, "base class byte");
	CHECK(cfg_read(c, T_CFG_STATUS, 2) & T_STATUS_CAPS, "status: capability list");
	CHECK_EQ(cfg_read(c, T_CFG_HDR_TYPE, 1) & 0x7f, 0, "header type 0");
	CHECK_EQ(cfg_read(c, T_CFG_INTR_PIN, 1), 0, "interrupt pin: no INTx");
	CHECK_EQ(cfg_read(c, T_CFG_COMMAND, 2), 0, "command after init");

	/* The list: MSI-X first, then the vendor capability, then the end. */
	msix = cfg_read(c, T_CFG_CAP_PTR, 1);
	CHECK(msix >= 0x40 && msix < 0x100 && !(msix & 3), "capability pointer %#x", msix);
	CHECK_EQ(cfg_read(c, msix, 1), T_CAP_MSIX, "first capability ID");
	ctrl = cfg_read(c, msix + 2, 2);
	CHECK_EQ((ctrl & T_MSIX_QSIZE) + 1, 2, "MSI-X table size");
	CHECK_EQ(ctrl & (T_MSIX_ENABLE | T_MSIX_MASKALL), 0, "MSI-X off after init");
	CHECK_EQ(cfg_read(c, msix + 4, 4), 0x000 | 1, "MSI-X table: BIR 1, offset 0");
	CHECK_EQ(cfg_read(c, msix + 8, 4), 0x800 | 1, "MSI-X PBA: BIR 1, offset 0x800");

	vcap = cfg_read(c, msix + 1, 1);
	CHECK(vcap >= 0x40 && vcap < 0x100 && !(vcap & 3) && vcap != msix,
	      "next capability %#x", vcap);
	if (vcap < 0x40 || vcap >= 0x100)
		return;
	CHECK_EQ(cfg_read(c, vcap, 1), T_CAP_VENDOR, "second capability ID");
	CHECK_EQ(cfg_read(c, vcap + 1, 1), 0, "vendor capability ends the list");
	CHECK_EQ(cfg_read(c, vcap + 2, 1), 0x18, "vendor capability length");
	CHECK_EQ(cfg_read(c, vcap + 3, 1), 1, "vendor capability version");
	CHECK_EQ(cfg_read(c, vcap + 4, 4), 0x56494842, "magic");
	CHECK_EQ(cfg_read(c, vcap + 4, 1), 'B', "magic, first byte");
	CHECK_EQ(cfg_read(c, vcap + 7, 1), 'V', "magic, last byte");
	CHECK_EQ(cfg_read(c, vcap + 8, 4), (uint32_t)shmem, "shmem address, low");
	CHECK_EQ(cfg_read(c, vcap + 12, 4), (uint32_t)(shmem >> 32), "shmem address, high");
	CHECK_EQ(cfg_read(c, vcap + 16, 4), 0x200000, "shmem size, low");
	CHECK_EQ(cfg_read(c, vcap + 20, 4), 0, "shmem size, high");
}

static void test_config_space(void)
{
	uint32_t v;

	setup();
	CHECK_EQ(hw_present_calls, 1, "root init asks whether 00:0e.0 is real");
	CHECK_EQ(hw_present_bdf, BDF, "BDF asked about");
	/* The root's ECAM page of 00:0e.0 exits from now on, and only it. */
	CHECK_EQ(trap_calls(&root_cell, T_ECAM_0E0, 1), 1, "ECAM page of 00:0e.0 trapped");
	CHECK_EQ(num_trap_calls, 1, "arch_trap_page calls at root init");
	CHECK(is_trapped(&root_cell, T_ECAM_0E0), "ECAM page of 00:0e.0 trapped");
	check_config_space(&root_cell, 0x3e000000);

	/* Root: other functions are the hardware's, through ECAM or 0xcf8. */
	CHECK_EQ(pci_cfg_read(&root_cell, BDF_HOST, 0, 4, &v), PCI_CFG_HARDWARE,
		 "root read of 00:00.0");
	CHECK_EQ(pci_cfg_read(&root_cell, BDF_OTHER, 0, 2, &v), PCI_CFG_HARDWARE,
		 "root read of 00:0f.0");
	CHECK_EQ(pci_cfg_write(&root_cell, BDF_HOST, 4, 2, 0), PCI_CFG_HARDWARE,
		 "root write of 00:00.0");
	CHECK(pci_mmio_claims(&root_cell, T_ECAM_0E0 + 0x40), "root ECAM page of 00:0e.0 claimed");
	CHECK(!pci_mmio_claims(&root_cell, T_ECAM_BASE), "root ECAM page of 00:00.0 claimed");
	CHECK(!pci_mmio_claims(&root_cell, T_ECAM_0E0 + 0x1000), "root ECAM page of 00:0e.1 claimed");
	CHECK_EQ(mmio_read(&root_cell, T_ECAM_0E0, 4), 0x11101af4, "root ECAM read of the ID");
	CHECK_EQ(mmio_read(&root_cell, T_ECAM_0E0 + 2, 2), 0x1110, "root ECAM read of the device ID");

	/* The inmate sees its own device and nothing else. */
	create_inmate(&inmate);
	check_config_space(&inmate, 0x80000000);
	CHECK_EQ(cfg_read_at(__LINE__, &inmate, BDF_HOST, 0, 4), 0xffffffff, "inmate: 00:00.0 dword");
	CHECK_EQ(cfg_read_at(__LINE__, &inmate, BDF_HOST, 2, 2), 0xffff, "inmate: 00:00.0 word");
	CHECK_EQ(cfg_read_at(__LINE__, &inmate, BDF_HOST, 8, 1), 0xff, "inmate: 00:00.0 byte");
	CHECK_EQ(cfg_read_at(__LINE__, &inmate, BDF_OTHER, 0, 4), 0xffffffff, "inmate: 00:0f.0");
	CHECK_EQ(cfg_read_at(__LINE__, &inmate, BDF + 1, 0, 4), 0xffffffff, "inmate: 00:0e.1");
	cfg_write_at(__LINE__, &inmate, BDF_HOST, 4, 2, 0x7);	/* dropped, not the hardware's */
	CHECK(pci_mmio_claims(&inmate, T_ECAM_BASE), "inmate: all of ECAM is emulated");
	CHECK(pci_mmio_claims(&inmate, T_ECAM_LAST + 0xffc), "inmate: last ECAM page");
	CHECK_EQ(mmio_read(&inmate, T_ECAM_BASE, 4), 0xffffffff, "inmate ECAM: 00:00.0");
	CHECK_EQ(mmio_read(&inmate, T_ECAM_0E0, 4), 0x11101af4, "inmate ECAM: 00:0e.0");
	CHECK_EQ(trapped_count(&inmate), 0, "inmate init traps nothing");
	teardown();

	/* A real function at the virtual BDF: refused, nothing left. */
	configs_init();
	hw_present = 1;
	num_trapped = 0;
	clear_logs();
	CHECK_EQ(ivshmem_cell_init(&root_cell), -EBUSY, "root init over a real function");
	CHECK(!ivshmem_find(&root_cell, BDF), "device left after a refused init");
	CHECK_EQ(pci_cfg_read(&root_cell, BDF, 0, 4, &v), PCI_CFG_HARDWARE,
		 "00:0e.0 is the hardware's after a refused init");
	CHECK(!pci_mmio_claims(&root_cell, T_ECAM_0E0), "ECAM page claimed after a refused init");
	CHECK_EQ(trapped_count(&root_cell), 0, "pages trapped after a refused init");
	CHECK(console_has("00:0e.0"), "no report naming 00:0e.0: \"%s\"", console);
	hw_present = 0;
	/* The next init works again. */
	CHECK_EQ(ivshmem_cell_init(&root_cell), 0, "root init after the real function left");
	ivshmem_cell_exit(&root_cell);
}

/* ---- 2. BAR sizing ------------------------------------------------------------- */

static void test_bar_sizing(void)
{
	unsigned int b;

	setup();
	cfg_write(&root_cell, T_CFG_BAR(0), 4, 0xffffffff);
	CHECK_EQ(cfg_read(&root_cell, T_CFG_BAR(0), 4), 0xfffff000,
		 "BAR0 sizing: 4 KiB, 32-bit memory, not prefetchable");
	cfg_write(&root_cell, T_CFG_BAR(1), 4, 0xffffffff);
	CHECK_EQ(cfg_read(&root_cell, T_CFG_BAR(1), 4), 0xfffff000, "BAR1 sizing");
	for (b = 2; b < 6; b++) {
		cfg_write(&root_cell, T_CFG_BAR(b), 4, 0xffffffff);
		CHECK(cfg_read(&root_cell, T_CFG_BAR(b), 4) == 0, "BAR%u not implemented", b);
	}
	cfg_write(&root_cell, T_CFG_ROM, 4, 0xffffffff);
	CHECK_EQ(cfg_read(&root_cell, T_CFG_ROM, 4), 0, "no expansion ROM");
	/* Byte writes reach the BAR's bytes they name. */
	cfg_write(&root_cell, T_CFG_BAR(0), 4, 0);
	cfg_write(&root_cell, T_CFG_BAR(0) + 3, 1, 0x41);
	CHECK_EQ(cfg_read(&root_cell, T_CFG_BAR(0), 4), 0x41000000, "BAR0 after a byte write");
	/* The address's low bits are not writable. */
	cfg_write(&root_cell, T_CFG_BAR(0), 4, 0x40000abc);
	CHECK_EQ(cfg_read(&root_cell, T_CFG_BAR(0), 4), 0x40000000, "BAR0 low bits");
	/* Memory decoding is off: nothing trapped but the ECAM page. */
	CHECK_EQ(num_trap_calls, 1, "arch_trap_page calls while sizing");
	CHECK(!pci_mmio_claims(&root_cell, 0x40000000), "BAR claimed while decoding is off");
	teardown();
}

/* ---- 3. BAR placement ---------------------------------------------------------- */

/* BAR0 at @page with decoding on: not trapped, not claimed, BAR1 still is. */
static void check_bar_refused(struct cell *c, uint64_t page, const char *where)
{
	unsigned int before = trap_calls(c, page, 1);

	cfg_write(c, T_CFG_BAR(0), 4, (uint32_t)page);
	CHECK_EQ(cfg_read(c, T_CFG_BAR(0), 4), (uint32_t)page, where);
	CHECK(trap_calls(c, page, 1) == before, "%s: BAR0 page %#llx trapped", where,
	      (unsigned long long)page);
	CHECK(!is_trapped(c, page), "%s: page trapped", where);
	if (c != &root_cell && page >= T_ECAM_BASE && page < T_ECAM_LAST + 0x1000)
		/* An inmate's ECAM is all emulated: config space, not the BAR. */
		CHECK_EQ(mmio_read(c, page + IVSHMEM_REG_IV_POSITION, 4), 0xffffffff, where);
	else
		CHECK(!pci_mmio_claims(c, page + IVSHMEM_REG_IV_POSITION),
		      "%s: BAR0 page %#llx claimed", where, (unsigned long long)page);
	CHECK(is_trapped(c, bar1_of(c)), "%s: BAR1 no longer trapped", where);
}

static void test_bar_placement(void)
{
	unsigned int n;

	setup();
	n = num_trap_calls;
	cfg_write(&root_cell, T_CFG_BAR(0), 4, ROOT_BAR0);
	cfg_write(&root_cell, T_CFG_BAR(1), 4, ROOT_BAR1);
	CHECK_EQ(cfg_read(&root_cell, T_CFG_BAR(0), 4), ROOT_BAR0, "BAR0");
	CHECK_EQ(cfg_read(&root_cell, T_CFG_BAR(1), 4), ROOT_BAR1, "BAR1");
	CHECK_EQ(num_trap_calls, n, "traps before memory decoding is on");
	CHECK(!pci_mmio_claims(&root_cell, ROOT_BAR0), "BAR0 claimed before decoding is on");

	/* Command register: memory, master and INTx-disable are writable. */
	cfg_write(&root_cell, T_CFG_COMMAND, 2, 0xffff);
	CHECK_EQ(cfg_read(&root_cell, T_CFG_COMMAND, 2), 0x0406, "command after writing ones");
	CHECK(cfg_read(&root_cell, T_CFG_STATUS, 2) & T_STATUS_CAPS, "status after command write");
	CHECK_EQ(trap_calls(&root_cell, ROOT_BAR0, 1), 1, "BAR0 page trapped at memory enable");
	CHECK_EQ(trap_calls(&root_cell, ROOT_BAR1, 1), 1, "BAR1 page trapped at memory enable");
	CHECK(is_trapped(&root_cell, ROOT_BAR0) && is_trapped(&root_cell, ROOT_BAR1),
	      "BAR pages trapped");
	CHECK(pci_mmio_claims(&root_cell, ROOT_BAR0), "BAR0 start claimed");
	CHECK(pci_mmio_claims(&root_cell, ROOT_BAR0 + 0xffc), "BAR0 end claimed");
	CHECK(pci_mmio_claims(&root_cell, ROOT_BAR1 + T_PBA), "BAR1 PBA claimed");
	CHECK(!pci_mmio_claims(&root_cell, ROOT_BAR1 + 0x1000), "page after BAR1 claimed");
	CHECK(!pci_mmio_claims(&root_cell, ROOT_BAR0 - 4), "page before BAR0 claimed");
	/* Another cell's view: nothing of the root's BARs. */
	create_inmate(&inmate);
	CHECK(!pci_mmio_claims(&inmate, ROOT_BAR0), "root's BAR0 claimed for the inmate");

	/* Rewriting the same BAR value traps nothing again. */
	n = num_trap_calls;
	cfg_write(&root_cell, T_CFG_BAR(1), 4, ROOT_BAR1);
	cfg_write(&root_cell, T_CFG_COMMAND, 2, T_CMD_MEM);
	CHECK_EQ(num_trap_calls, n, "arch_trap_page calls without a change");

	/* BAR0 moves: the old page is given back, the new one trapped. */
	cfg_write(&root_cell, T_CFG_BAR(0), 4, 0x40010000);
	CHECK_EQ(trap_calls(&root_cell, ROOT_BAR0, 0), 1, "old BAR0 page untrapped");
	CHECK_EQ(trap_calls(&root_cell, 0x40010000, 1), 1, "new BAR0 page trapped");
	CHECK_EQ(trap_calls(&root_cell, ROOT_BAR1, 1), 1, "BAR1 trapped again on a BAR0 move");
	CHECK_EQ(trap_calls(&root_cell, ROOT_BAR1, 0), 0, "BAR1 untrapped on a BAR0 move");
	CHECK(!is_trapped(&root_cell, ROOT_BAR0), "old BAR0 page trapped");
	CHECK(!pci_mmio_claims(&root_cell, ROOT_BAR0), "old BAR0 page claimed");
	CHECK(pci_mmio_claims(&root_cell, 0x40010000), "new BAR0 page not claimed");

	/* Decoding off: both pages back. */
	cfg_write(&root_cell, T_CFG_COMMAND, 2, 0);
	CHECK_EQ(trap_calls(&root_cell, 0x40010000, 0), 1, "BAR0 untrapped at memory disable");
	CHECK_EQ(trap_calls(&root_cell, ROOT_BAR1, 0), 1, "BAR1 untrapped at memory disable");
	CHECK_EQ(trapped_count(&root_cell), 1, "root pages trapped but ECAM");
	CHECK(!pci_mmio_claims(&root_cell, 0x40010000), "BAR0 claimed with decoding off");
	CHECK(!pci_mmio_claims(&root_cell, ROOT_BAR1), "BAR1 claimed with decoding off");

	/* Pages a BAR must never take: it then decodes nowhere. */
	cfg_write(&root_cell, T_CFG_COMMAND, 2, T_CMD_MEM);
	CHECK(is_trapped(&root_cell, 0x40010000), "BAR0 not trapped again at memory enable");
	n = trap_calls(&root_cell, 0x40010000, 0);
	check_bar_refused(&root_cell, T_APIC, "root BAR0 over the local APIC");
	check_bar_refused(&root_cell, 0xb0008000, "root BAR0 over ECAM (00:01.0)");
	check_bar_refused(&root_cell, T_ECAM_LAST, "root BAR0 over the last ECAM page");
	check_bar_refused(&root_cell, 0x01000000, "root BAR0 over RAM");
	check_bar_refused(&root_cell, 0x3e000000, "root BAR0 over the shared memory");
	check_bar_refused(&root_cell, 0x3c000000, "root BAR0 outside the root's regions");
	CHECK_EQ(trap_calls(&root_cell, 0x40010000, 0), n + 1, "BAR0's last page given back once");
	CHECK(!is_trapped(&root_cell, 0x40010000), "BAR0's last page still trapped");
	/*
	 * Regression (found by this test): a BAR that decodes nowhere
	 * (unset, or refused as here: over RAM) must not answer at page 0,
	 * or an access there would reach its registers instead of being a
	 * violation.
	 */
	CHECK(!pci_mmio_claims(&root_cell, 0x0), "page 0 claimed as a refused BAR0");
	CHECK(!pci_mmio_claims(&root_cell, 0x8), "page 0 claimed as a refused BAR0");

	/* The inmate: anywhere outside its RAM and shared memory, ECAM, APIC. */
	start_inmate(&inmate);
	cfg_write(&inmate, T_CFG_BAR(1), 4, INMATE_BAR1);
	cfg_write(&inmate, T_CFG_COMMAND, 2, T_CMD_MEM);
	CHECK(is_trapped(&inmate, INMATE_BAR1), "inmate BAR1 not trapped");
	check_bar_refused(&inmate, 0x1000, "inmate BAR0 over its RAM");
	/* As above: the refused BAR0 must not answer at page 0 (IVPosition 1). */
	CHECK(!pci_mmio_claims(&inmate, 0x8), "inmate page 0 claimed as a refused BAR0");
	CHECK_EQ(mmio_read(&inmate, 0x8, 4), 0, "inmate read of 0x8 reached the refused BAR0");
	check_bar_refused(&inmate, 0x80000000, "inmate BAR0 over its shared memory");
	check_bar_refused(&inmate, 0x801ff000, "inmate BAR0 over its shared memory's end");
	check_bar_refused(&inmate, T_APIC, "inmate BAR0 over the local APIC");
	check_bar_refused(&inmate, T_ECAM_LAST, "inmate BAR0 over the last ECAM page");
	cfg_write(&inmate, T_CFG_BAR(0), 4, 0xc0000000);	/* just past ECAM */
	CHECK_EQ(trap_calls(&inmate, 0xc0000000, 1), 1, "inmate BAR0 past ECAM trapped");
	CHECK(pci_mmio_claims(&inmate, 0xc0000000), "inmate BAR0 past ECAM claimed");
	cfg_write(&inmate, T_CFG_BAR(0), 4, 0x80200000);	/* just past the shared memory */
	CHECK_EQ(trap_calls(&inmate, 0x80200000, 1), 1, "inmate BAR0 past shmem trapped");
	CHECK(!is_trapped(&inmate, 0xc0000000), "inmate's old BAR0 page still trapped");
	CHECK(!pci_mmio_claims(&root_cell, 0x80200000), "inmate's BAR0 claimed for the root");
	teardown();
}

/* ---- 4. registers ------------------------------------------------------------------ */

static void test_registers(void)
{
	uint64_t v;

	setup();
	create_inmate(&inmate);
	start_inmate(&inmate);
	place_bars(&root_cell);
	place_bars(&inmate);

	CHECK_EQ(reg_of(&root_cell, IVSHMEM_REG_IV_POSITION), 0, "root IVPosition");
	CHECK_EQ(reg_of(&inmate, IVSHMEM_REG_IV_POSITION), 1, "inmate IVPosition");
	/* The root's BAR0 is live: its registers keep what is written. */
	bar_write(&root_cell, ROOT_BAR0 + IVSHMEM_REG_INTR_MASK, 4, 0xffffffff);
	CHECK_EQ(reg_of(&root_cell, IVSHMEM_REG_INTR_MASK), 0xffffffff, "root IntrMask");
	bar_write(&root_cell, ROOT_BAR0 + IVSHMEM_REG_LOCAL_STATE, 4, 1);
	CHECK_EQ(reg_of(&root_cell, IVSHMEM_REG_LOCAL_STATE), 1, "root LOCAL_STATE");
	CHECK_EQ(reg_of(&inmate, IVSHMEM_REG_LOCAL_STATE), 0, "inmate LOCAL_STATE is its own");

	/* Only aligned 32-bit accesses: other sizes read 0, write nothing. */
	CHECK_EQ(bar_read(&inmate, INMATE_BAR0 + IVSHMEM_REG_IV_POSITION, 2), 0,
		 "16-bit IVPosition read");
	CHECK_EQ(bar_read(&inmate, INMATE_BAR0 + IVSHMEM_REG_IV_POSITION, 1), 0,
		 "8-bit IVPosition read");
	CHECK_EQ(bar_read(&inmate, INMATE_BAR0 + IVSHMEM_REG_IV_POSITION, 8), 0,
		 "64-bit IVPosition read");
	CHECK_EQ(bar_read(&inmate, INMATE_BAR0 + IVSHMEM_REG_IV_POSITION + 2, 4), 0,
		 "misaligned 32-bit IVPosition read");
	bar_write(&root_cell, ROOT_BAR0 + IVSHMEM_REG_LOCAL_STATE, 2, 0);
	bar_write(&root_cell, ROOT_BAR0 + IVSHMEM_REG_LOCAL_STATE, 1, 0);
	bar_write(&root_cell, ROOT_BAR0 + IVSHMEM_REG_LOCAL_STATE, 8, 0);
	CHECK_EQ(reg_of(&root_cell, IVSHMEM_REG_LOCAL_STATE), 1,
		 "LOCAL_STATE after 8/16/64-bit writes");
	/* Read-only and unused registers. */
	bar_write(&inmate, INMATE_BAR0 + IVSHMEM_REG_IV_POSITION, 4, 7);
	CHECK_EQ(reg_of(&inmate, IVSHMEM_REG_IV_POSITION), 1, "IVPosition is read-only");
	bar_write(&inmate, INMATE_BAR0 + IVSHMEM_REG_PEER_STATE, 4, 0);
	CHECK_EQ(reg_of(&inmate, IVSHMEM_REG_PEER_STATE), 1, "PEER_STATE is read-only");
	CHECK_EQ(reg_of(&root_cell, IVSHMEM_REG_LOCAL_STATE), 1,
		 "inmate's PEER_STATE write reached the root");
	CHECK_EQ(reg_of(&inmate, 0x100), 0, "past the register block");
	CHECK_EQ(reg_of(&inmate, 0xffc), 0, "end of BAR0");
	/* A cell reaches no other cell's BAR, claimed or not. */
	CHECK(!pci_mmio_claims(&root_cell, INMATE_BAR0), "inmate BAR0 claimed for the root");
	CHECK_EQ(mmio_read(&root_cell, INMATE_BAR0 + IVSHMEM_REG_IV_POSITION, 4), 0,
		 "root read of the inmate's IVPosition");
	v = 1;
	pci_mmio_access(&root_cell, INMATE_BAR0 + IVSHMEM_REG_LOCAL_STATE, 1, 4, &v);
	CHECK_EQ(reg_of(&inmate, IVSHMEM_REG_LOCAL_STATE), 0, "root wrote the inmate's LOCAL_STATE");
	CHECK_EQ(num_msis, 0, "MSIs without MSI-X");
	teardown();
}

/* ---- 5. pairing ------------------------------------------------------------------- */

static void test_pairing(void)
{
	uint32_t v;
	unsigned int n;

	setup();
	create_inmate(&inmate);
	CHECK(ivshmem_find(&inmate, BDF) != NULL, "inmate device");
	CHECK(ivshmem_find(&inmate, BDF) != ivshmem_find(&root_cell, BDF),
	      "inmate and root share a device");
	start_inmate(&inmate);
	place_bars(&root_cell);
	place_bars(&inmate);
	CHECK_EQ(reg_of(&root_cell, IVSHMEM_REG_PEER_STATE), 0, "peer state before READY");
	bar_write(&inmate, INMATE_BAR0 + IVSHMEM_REG_LOCAL_STATE, 4, IVSHMEM_STATE_READY);
	CHECK_EQ(reg_of(&root_cell, IVSHMEM_REG_PEER_STATE), 1, "paired: root sees READY");

	/* A second inmate at the same BDF: refused, no trace. */
	n = num_trap_calls;
	console_clear();
	inmate2.state = CELL_CREATED;
	CHECK_EQ(ivshmem_cell_init(&inmate2), -EBUSY, "second inmate at 00:0e.0");
	CHECK(!ivshmem_find(&inmate2, BDF), "second inmate's device left behind");
	CHECK_EQ(cfg_read_at(__LINE__, &inmate2, BDF, 0, 4), 0xffffffff,
		 "second inmate sees a device");
	CHECK(console_has("inmate-two"), "no report naming the refused cell: \"%s\"", console);
	CHECK_EQ(num_trap_calls, n, "arch_trap_page calls for the refused cell");
	/* The first pair is untouched. */
	CHECK_EQ(reg_of(&root_cell, IVSHMEM_REG_PEER_STATE), 1, "root's peer after the refusal");
	bar_write(&root_cell, ROOT_BAR0 + IVSHMEM_REG_LOCAL_STATE, 4, IVSHMEM_STATE_READY);
	CHECK_EQ(reg_of(&inmate, IVSHMEM_REG_PEER_STATE), 1, "inmate's peer after the refusal");

	/* An inmate whose BDF has no device in the root cell. */
	console_clear();
	inmate3.state = CELL_CREATED;
	CHECK_EQ(ivshmem_cell_init(&inmate3), -EINVAL, "inmate at 00:0f.0");
	CHECK(!ivshmem_find(&inmate3, BDF_OTHER), "lost inmate's device left behind");
	CHECK(pci_cfg_read(&inmate3, BDF_OTHER, 0, 4, &v) == PCI_CFG_DONE && v == 0xffffffff,
	      "lost inmate sees a device: %#x", v);
	CHECK(console_has("inmate-lost"), "no report naming the lost cell: \"%s\"", console);

	/* Once the first inmate is gone, the BDF pairs again. */
	ivshmem_cell_exit(&inmate);
	inmate.state = CELL_FREE;
	CHECK_EQ(ivshmem_cell_init(&inmate2), 0, "second inmate after the first left");
	CHECK(ivshmem_find(&inmate2, BDF) != NULL, "second inmate's device");
	start_inmate(&inmate2);
	cfg_write(&inmate2, T_CFG_BAR(0), 4, INMATE_BAR0);
	cfg_write(&inmate2, T_CFG_COMMAND, 2, T_CMD_MEM);
	CHECK_EQ(bar_read(&inmate2, INMATE_BAR0 + IVSHMEM_REG_PEER_STATE, 4), 1,
		 "second inmate sees the root READY");
	teardown();
}

/* ---- 6. doorbells -------------------------------------------------------------------- */

static void test_doorbells(void)
{
	unsigned int cap;

	CHECK_EQ(IVSHMEM_DOORBELL(1, 0), 0x10000, "doorbell encoding");
	setup();
	create_inmate(&inmate);
	start_inmate(&inmate);
	place_bars(&root_cell);
	place_bars(&inmate);
	cap = find_cap(&inmate, T_CAP_MSIX);

	/* Out of reset, MSI-X entries are masked. */
	CHECK_EQ(bar_read(&inmate, INMATE_BAR1 + T_ENTRY(0) + 12, 4), 1, "entry 0 masked at reset");
	CHECK_EQ(bar_read(&inmate, INMATE_BAR1 + T_ENTRY(1) + 12, 4), 1, "entry 1 masked at reset");
	/* MSI-X off: a doorbell is no MSI. */
	clear_logs();
	doorbell_from(&root_cell, IVSHMEM_DOORBELL(1, 0));
	CHECK_EQ(num_msis, 0, "MSIs with MSI-X off");

	/* The inmate enables MSI-X and programs entry 0. */
	msix_control(&inmate, T_MSIX_ENABLE);
	CHECK_EQ(cfg_read(&inmate, cap + 2, 2), T_MSIX_ENABLE | 1, "MSI-X control");
	cfg_write(&inmate, cap + 2, 2, 0xffff);
	CHECK_EQ(cfg_read(&inmate, cap + 2, 2), T_MSIX_ENABLE | T_MSIX_MASKALL | 1,
		 "MSI-X control: table size is read-only");
	msix_control(&inmate, T_MSIX_ENABLE);
	msix_entry(&inmate, 0, INMATE_MSI_ADDR, INMATE_MSI_DATA, 0);
	CHECK_EQ(bar_read(&inmate, INMATE_BAR1 + T_ENTRY(0), 4), INMATE_MSI_ADDR, "entry 0 address");
	CHECK_EQ(bar_read(&inmate, INMATE_BAR1 + T_ENTRY(0) + 8, 4), INMATE_MSI_DATA, "entry 0 data");
	CHECK_EQ(bar_read(&inmate, INMATE_BAR1 + T_ENTRY(0) + 12, 4), 0, "entry 0 unmasked");
	CHECK_EQ(bar_read(&inmate, INMATE_BAR1 + T_ENTRY(2), 4), 0, "no entry 2");
	CHECK_EQ(num_msis, 0, "MSIs from programming MSI-X");

	clear_logs();
	doorbell_from(&root_cell, IVSHMEM_DOORBELL(1, 0));
	CHECK_ONE_MSI(&inmate, INMATE_MSI_ADDR, INMATE_MSI_DATA, "root rings inmate vector 0");
	if (num_msis)
		CHECK_EQ(msis[0].ret, 0, "fake APIC refused the MSI");

	/* Peers and vectors that do not exist. */
	clear_logs();
	doorbell_from(&root_cell, IVSHMEM_DOORBELL(5, 0));
	CHECK_EQ(num_msis, 0, "MSIs for peer 5");
	CHECK(console_has("peer 5"), "no report of the doorbell for peer 5: \"%s\"", console);
	clear_logs();
	doorbell_from(&root_cell, IVSHMEM_DOORBELL(1, 2));
	doorbell_from(&root_cell, IVSHMEM_DOORBELL(1, 0xffff));
	/*
	 * docs/ivshmem.md says these are "dropped, the first few reported";
	 * ivshmem.c reports only unknown peer IDs, so no report is checked.
	 */
	CHECK_EQ(num_msis, 0, "MSIs for vectors the inmate does not have");
	doorbell_from(&root_cell, IVSHMEM_DOORBELL(0, 0));	/* the root itself */
	CHECK_EQ(num_msis, 0, "MSIs for the root's own ID");
	bar_write(&root_cell, ROOT_BAR0 + IVSHMEM_REG_DOORBELL, 2, IVSHMEM_DOORBELL(1, 0));
	CHECK_EQ(num_msis, 0, "MSIs from a 16-bit doorbell write");

	/* A masked vector: remembered in the PBA, sent once when unmasked. */
	clear_logs();
	bar_write(&inmate, INMATE_BAR1 + T_ENTRY(0) + 12, 4, 1);
	doorbell_from(&root_cell, IVSHMEM_DOORBELL(1, 0));
	CHECK_EQ(num_msis, 0, "MSIs for a masked vector");
	CHECK_EQ(bar_read(&inmate, INMATE_BAR1 + T_PBA, 4), 0x1, "PBA with vector 0 pending");
	doorbell_from(&root_cell, IVSHMEM_DOORBELL(1, 0));
	bar_write(&inmate, INMATE_BAR1 + T_ENTRY(0) + 12, 4, 0);
	CHECK_ONE_MSI(&inmate, INMATE_MSI_ADDR, INMATE_MSI_DATA, "unmasking vector 0");
	CHECK_EQ(bar_read(&inmate, INMATE_BAR1 + T_PBA, 4), 0, "PBA after unmasking");
	clear_logs();
	bar_write(&inmate, INMATE_BAR1 + T_ENTRY(0) + 12, 4, 1);
	bar_write(&inmate, INMATE_BAR1 + T_ENTRY(0) + 12, 4, 0);
	CHECK_EQ(num_msis, 0, "MSIs from mask/unmask with nothing pending");

	/* Vector 1, masked since reset: its own PBA bit. */
	doorbell_from(&root_cell, IVSHMEM_DOORBELL(1, 1));
	CHECK_EQ(num_msis, 0, "MSIs for masked vector 1");
	CHECK_EQ(bar_read(&inmate, INMATE_BAR1 + T_PBA, 4), 0x2, "PBA with vector 1 pending");
	msix_entry(&inmate, 1, INMATE_MSI_ADDR, 0x29, 0);
	CHECK_ONE_MSI(&inmate, INMATE_MSI_ADDR, 0x29, "unmasking vector 1");
	CHECK_EQ(bar_read(&inmate, INMATE_BAR1 + T_PBA, 4), 0, "PBA after unmasking vector 1");

	/* The function mask holds every vector the same way. */
	clear_logs();
	msix_control(&inmate, T_MSIX_ENABLE | T_MSIX_MASKALL);
	doorbell_from(&root_cell, IVSHMEM_DOORBELL(1, 0));
	CHECK_EQ(num_msis, 0, "MSIs under the function mask");
	CHECK_EQ(bar_read(&inmate, INMATE_BAR1 + T_PBA, 4), 0x1, "PBA under the function mask");
	msix_control(&inmate, T_MSIX_ENABLE);
	CHECK_ONE_MSI(&inmate, INMATE_MSI_ADDR, INMATE_MSI_DATA, "clearing the function mask");
	CHECK_EQ(bar_read(&inmate, INMATE_BAR1 + T_PBA, 4), 0, "PBA after the function mask");

	/* An inmate that is not running gets nothing. */
	clear_logs();
	inmate.state = CELL_SHUT_DOWN;
	doorbell_from(&root_cell, IVSHMEM_DOORBELL(1, 0));
	inmate.state = CELL_FAILED;
	doorbell_from(&root_cell, IVSHMEM_DOORBELL(1, 0));
	inmate.state = CELL_LOADING;
	doorbell_from(&root_cell, IVSHMEM_DOORBELL(1, 0));
	CHECK_EQ(num_msis, 0, "MSIs to a cell that is not running");
	inmate.state = CELL_RUNNING;
	doorbell_from(&root_cell, IVSHMEM_DOORBELL(1, 0));
	CHECK_ONE_MSI(&inmate, INMATE_MSI_ADDR, INMATE_MSI_DATA, "running again");

	/* An entry that is no fixed interrupt: offered, refused, reported. */
	clear_logs();
	msix_entry(&inmate, 1, INMATE_MSI_ADDR, 0x400 | 0x29, 0);	/* NMI */
	doorbell_from(&root_cell, IVSHMEM_DOORBELL(1, 1));
	CHECK_EQ(num_msis, 1, "apic_deliver_msi calls for an NMI entry");
	if (num_msis)
		CHECK_EQ(msis[0].ret, -EINVAL, "fake APIC took an NMI");
	CHECK(console_has("not a fixed interrupt"), "no report of the NMI entry: \"%s\"", console);

	/* The other way: the inmate rings the root. */
	setup_msix(&root_cell);
	clear_logs();
	doorbell_from(&inmate, IVSHMEM_DOORBELL(0, 0));
	CHECK_ONE_MSI(&root_cell, ROOT_MSI_ADDR, ROOT_MSI_DATA, "inmate rings root vector 0");
	clear_logs();
	doorbell_from(&inmate, IVSHMEM_DOORBELL(1, 0));		/* itself */
	CHECK_EQ(num_msis, 0, "MSIs for the inmate's own ID");
	teardown();
}

/* ---- 6b. doorbell counters (BH_HC_IVSHMEM_*) ------------------------------------------ */

/* Every counter of @c's device, against @want in BH_IVSHMEM_STAT_LIST's order. */
static void check_stats_at(int line, struct cell *c, const char *what, const uint64_t *want)
{
#define T_STAT_NAME(id, name) [id] = #name,
	static const char *const names[BH_IVSHMEM_STATS] = { BH_IVSHMEM_STAT_LIST(T_STAT_NAME) };
	unsigned int i;

	for (i = 0; i < BH_IVSHMEM_STATS; i++) {
		int64_t got = ivshmem_get_info(c, BDF, i);

		CHECK(got == (int64_t)want[i], "line %d: %s: %s of %s: %lld, want %llu", line, what,
		      names[i], cell_name(c), (long long)got, (unsigned long long)want[i]);
	}
}
#define check_stats(c, what, ...) \
	check_stats_at(__LINE__, c, what, (const uint64_t[BH_IVSHMEM_STATS]){ __VA_ARGS__ })

static void test_counters(void)
{
	setup();
	create_inmate(&inmate);
	start_inmate(&inmate);
	setup_msix(&root_cell);
	setup_msix(&inmate);
	CHECK_EQ(ivshmem_list(&root_cell, 0), BDF, "root's device 0: its BDF, peer 0");
	CHECK_EQ(ivshmem_list(&inmate, 0), BDF | 1 << 16, "inmate's device 0: its BDF, peer 1");
	CHECK_EQ(ivshmem_list(&inmate, 1), -ENOENT, "inmate's device 1");
	CHECK_EQ(ivshmem_get_info(&root_cell, BDF, BH_IVSHMEM_STATS), -EINVAL, "counter past the last");
	CHECK_EQ(ivshmem_get_info(&root_cell, BDF_OTHER, 0), -ENOENT, "counter of no device");

	/*                          sent delivered no-peer not-running no-vector masked received refused */
	doorbell_from(&root_cell, IVSHMEM_DOORBELL(1, 0));
	doorbell_from(&root_cell, IVSHMEM_DOORBELL(1, 0));
	check_stats(&root_cell, "two delivered", 2, 2, 0, 0, 0, 0, 0, 0);
	check_stats(&inmate, "two delivered", 0, 0, 0, 0, 0, 0, 2, 0);
	doorbell_from(&root_cell, IVSHMEM_DOORBELL(5, 0));
	check_stats(&root_cell, "to peer 5", 3, 2, 1, 0, 0, 0, 0, 0);
	doorbell_from(&root_cell, IVSHMEM_DOORBELL(1, 7));
	check_stats(&root_cell, "to vector 7", 4, 2, 1, 0, 1, 0, 0, 0);
	inmate.state = CELL_SHUT_DOWN;
	doorbell_from(&root_cell, IVSHMEM_DOORBELL(1, 0));
	inmate.state = CELL_RUNNING;
	check_stats(&root_cell, "to a stopped cell", 5, 2, 1, 1, 1, 0, 0, 0);
	bar_write(&inmate, INMATE_BAR1 + T_ENTRY(0) + 12, 4, 1);
	doorbell_from(&root_cell, IVSHMEM_DOORBELL(1, 0));
	check_stats(&root_cell, "to a masked vector", 6, 2, 1, 1, 1, 1, 0, 0);
	bar_write(&inmate, INMATE_BAR1 + T_ENTRY(0) + 12, 4, 0);	/* sent now */
	check_stats(&inmate, "unmasked", 0, 0, 0, 0, 0, 0, 3, 0);
	msix_entry(&inmate, 1, INMATE_MSI_ADDR, 0x400 | 0x29, 0);	/* an NMI */
	doorbell_from(&root_cell, IVSHMEM_DOORBELL(1, 1));
	check_stats(&root_cell, "to an NMI entry", 7, 2, 1, 1, 1, 1, 0, 0);
	check_stats(&inmate, "its NMI entry", 0, 0, 0, 0, 0, 0, 3, 1);
	doorbell_from(&inmate, IVSHMEM_DOORBELL(0, 0));
	check_stats(&inmate, "the inmate rings back", 1, 1, 0, 0, 0, 0, 3, 1);
	check_stats(&root_cell, "rung by the inmate", 7, 2, 1, 1, 1, 1, 1, 0);
	teardown();

	/* A new cell in the slot starts from zero. */
	setup();
	create_inmate(&inmate);
	check_stats(&inmate, "a new cell", 0, 0, 0, 0, 0, 0, 0, 0);
	teardown();
}

/* ---- 7. state ---------------------------------------------------------------------------- */

static void test_state(void)
{
	setup();
	create_inmate(&inmate);
	start_inmate(&inmate);
	setup_msix(&root_cell);
	setup_msix(&inmate);
	clear_logs();

	CHECK_EQ(reg_of(&root_cell, IVSHMEM_REG_PEER_STATE), IVSHMEM_STATE_RESET, "root's peer at start");
	bar_write(&inmate, INMATE_BAR0 + IVSHMEM_REG_LOCAL_STATE, 4, IVSHMEM_STATE_READY);
	CHECK_EQ(reg_of(&root_cell, IVSHMEM_REG_PEER_STATE), IVSHMEM_STATE_READY, "root's peer READY");
	CHECK_EQ(reg_of(&inmate, IVSHMEM_REG_LOCAL_STATE), IVSHMEM_STATE_READY, "inmate's own state");
	CHECK_EQ(reg_of(&inmate, IVSHMEM_REG_PEER_STATE), IVSHMEM_STATE_RESET, "inmate's peer");
	CHECK_ONE_MSI(&root_cell, ROOT_MSI_ADDR, ROOT_MSI_DATA, "inmate READY rings the root");
	clear_logs();
	bar_write(&inmate, INMATE_BAR0 + IVSHMEM_REG_LOCAL_STATE, 4, IVSHMEM_STATE_READY);
	CHECK_EQ(num_msis, 0, "MSIs for an unchanged state");

	bar_write(&root_cell, ROOT_BAR0 + IVSHMEM_REG_LOCAL_STATE, 4, IVSHMEM_STATE_READY);
	CHECK_EQ(reg_of(&inmate, IVSHMEM_REG_PEER_STATE), IVSHMEM_STATE_READY, "inmate's peer READY");
	CHECK_ONE_MSI(&inmate, INMATE_MSI_ADDR, INMATE_MSI_DATA, "root READY rings the inmate");

	/* A cell that is not running reads as RESET to its peer. */
	inmate.state = CELL_FAILED;
	CHECK_EQ(reg_of(&root_cell, IVSHMEM_REG_PEER_STATE), IVSHMEM_STATE_RESET,
		 "root's peer while the inmate is not running");
	inmate.state = CELL_RUNNING;
	CHECK_EQ(reg_of(&root_cell, IVSHMEM_REG_PEER_STATE), IVSHMEM_STATE_READY,
		 "root's peer running again");

	/* The inmate stops (cell_shutdown(): state first, then the device). */
	clear_logs();
	inmate.state = CELL_SHUT_DOWN;
	ivshmem_cell_stopped(&inmate);
	CHECK_EQ(reg_of(&root_cell, IVSHMEM_REG_PEER_STATE), IVSHMEM_STATE_RESET, "root's peer stopped");
	CHECK_ONE_MSI(&root_cell, ROOT_MSI_ADDR, ROOT_MSI_DATA, "stopped inmate rings the root");
	clear_logs();
	ivshmem_cell_stopped(&inmate);
	CHECK_EQ(num_msis, 0, "MSIs for a second stop");
	inmate.state = CELL_RUNNING;
	CHECK_EQ(reg_of(&root_cell, IVSHMEM_REG_PEER_STATE), IVSHMEM_STATE_RESET,
		 "a stopped inmate's state reads RESET after it runs again");

	/* The inmate goes while READY: the root hears it, then nothing. */
	bar_write(&inmate, INMATE_BAR0 + IVSHMEM_REG_LOCAL_STATE, 4, IVSHMEM_STATE_READY);
	clear_logs();
	ivshmem_cell_exit(&inmate);
	inmate.state = CELL_FREE;
	CHECK(!ivshmem_find(&inmate, BDF), "inmate device after exit");
	CHECK_ONE_MSI(&root_cell, ROOT_MSI_ADDR, ROOT_MSI_DATA, "inmate exit rings the root");
	CHECK_EQ(reg_of(&root_cell, IVSHMEM_REG_PEER_STATE), IVSHMEM_STATE_RESET, "root's peer gone");
	CHECK_EQ(trap_calls(&inmate, INMATE_BAR0, 0), 1, "inmate BAR0 untrapped at exit");
	CHECK_EQ(trap_calls(&inmate, INMATE_BAR1, 0), 1, "inmate BAR1 untrapped at exit");
	CHECK(!pci_mmio_claims(&inmate, INMATE_BAR0), "inmate BAR0 claimed after exit");
	clear_logs();
	doorbell_from(&root_cell, IVSHMEM_DOORBELL(1, 0));
	CHECK_EQ(num_msis, 0, "MSIs for a peer that left");
	CHECK(console_has("peer 1"), "no report of the doorbell for the gone peer: \"%s\"", console);
	teardown();
}

/* ---- 8. reset ------------------------------------------------------------------------------- */

static void test_reset(void)
{
	unsigned int cap;

	setup();
	create_inmate(&inmate);
	start_inmate(&inmate);
	place_bars(&root_cell);
	setup_msix(&inmate);
	cap = find_cap(&inmate, T_CAP_MSIX);
	msix_control(&inmate, T_MSIX_ENABLE | T_MSIX_MASKALL);
	cfg_write(&inmate, T_CFG_INTR_LINE, 1, 5);
	CHECK_EQ(cfg_read(&inmate, T_CFG_INTR_LINE, 1), 5, "interrupt line is writable");
	bar_write(&inmate, INMATE_BAR0 + IVSHMEM_REG_LOCAL_STATE, 4, IVSHMEM_STATE_READY);
	doorbell_from(&root_cell, IVSHMEM_DOORBELL(1, 0));	/* pending */
	CHECK_EQ(reg_of(&root_cell, IVSHMEM_REG_PEER_STATE), IVSHMEM_STATE_READY, "before reset");

	/* cell_start() after a shutdown: reset, then running. */
	clear_logs();
	inmate.state = CELL_SHUT_DOWN;
	ivshmem_cell_reset(&inmate);
	inmate.state = CELL_RUNNING;
	CHECK_EQ(cfg_read(&inmate, T_CFG_BAR(0), 4), 0, "BAR0 after reset");
	CHECK_EQ(cfg_read(&inmate, T_CFG_BAR(1), 4), 0, "BAR1 after reset");
	CHECK_EQ(cfg_read(&inmate, T_CFG_COMMAND, 2), 0, "command after reset");
	CHECK_EQ(cfg_read(&inmate, T_CFG_INTR_LINE, 1), 0, "interrupt line after reset");
	CHECK_EQ(cfg_read(&inmate, cap + 2, 2), 1, "MSI-X control after reset");
	CHECK_EQ(trap_calls(&inmate, INMATE_BAR0, 0), 1, "BAR0 page given back at reset");
	CHECK_EQ(trap_calls(&inmate, INMATE_BAR1, 0), 1, "BAR1 page given back at reset");
	CHECK_EQ(trapped_count(&inmate), 0, "inmate pages trapped after reset");
	CHECK(!pci_mmio_claims(&inmate, INMATE_BAR0), "BAR0 claimed after reset");
	CHECK(!pci_mmio_claims(&inmate, INMATE_BAR1), "BAR1 claimed after reset");
	CHECK_EQ(reg_of(&root_cell, IVSHMEM_REG_PEER_STATE), IVSHMEM_STATE_RESET,
		 "root's peer after the inmate's reset");
	CHECK_EQ(num_msis, 0, "MSIs at reset");

	/* Back in place: the table and the PBA are clean, the state RESET. */
	place_bars(&inmate);
	CHECK_EQ(reg_of(&inmate, IVSHMEM_REG_LOCAL_STATE), IVSHMEM_STATE_RESET, "LOCAL_STATE after reset");
	CHECK_EQ(reg_of(&inmate, IVSHMEM_REG_IV_POSITION), 1, "IVPosition survives reset");
	CHECK_EQ(bar_read(&inmate, INMATE_BAR1 + T_ENTRY(0), 4), 0, "entry 0 address after reset");
	CHECK_EQ(bar_read(&inmate, INMATE_BAR1 + T_ENTRY(0) + 8, 4), 0, "entry 0 data after reset");
	CHECK_EQ(bar_read(&inmate, INMATE_BAR1 + T_ENTRY(0) + 12, 4), 1, "entry 0 masked after reset");
	CHECK_EQ(bar_read(&inmate, INMATE_BAR1 + T_PBA, 4), 0, "PBA after reset");
	msix_control(&inmate, T_MSIX_ENABLE);
	CHECK_EQ(num_msis, 0, "a pending vector survived reset");
	/* Still paired. */
	clear_logs();
	msix_entry(&inmate, 0, INMATE_MSI_ADDR, INMATE_MSI_DATA, 0);
	doorbell_from(&root_cell, IVSHMEM_DOORBELL(1, 0));
	CHECK_ONE_MSI(&inmate, INMATE_MSI_ADDR, INMATE_MSI_DATA, "doorbell after reset");
	teardown();
}

/* ---- 9. links --------------------------------------------------------------------------------- */

/*
 * A 3-peer link at 00:0e.0 in place of the pair: root peer 0, inmate
 * peer 1, inmate-two peer 2. The layout, from include/bulkhead/ivshmem.h
 * written out: state table 4 KiB, common section 4 KiB, then three output
 * sections of 8 KiB: peer 0's at 0x2000, peer 1's at 0x4000, peer 2's at
 * 0x6000, the end at 0x8000. The link's memory is a buffer of the test,
 * so the hypervisor's identity-mapped state table writes land in it.
 */
#define L_COMMON	0x1000ull
#define L_OUTPUT	0x2000ull
#define L_SIZE		0x8000ull
#define L_GPA		0x80000000ull	/* where the inmates see it */

static uint8_t link_mem[L_SIZE] __attribute__((aligned(4096)));

struct test_link_system {
	struct bh_system_config sys;
	uint8_t cpu_set[8];
	struct bh_memory_region mem[3];
	struct bh_pci_device pci[1];
	struct bh_ivshmem_link links[1];
} BH_PACKED;

static struct test_link_system link_sys;

static uint32_t link_state(unsigned int peer)
{
	return ((volatile uint32_t *)link_mem)[peer];
}

/* A peer's config: the link device, its memory the link's. */
static void link_peer_blob(struct test_inmate *t, uint32_t peer_id)
{
	t->pci[0].type = BH_PCI_TYPE_IVSHMEM_LINK;
	t->pci[0].shmem_peer_id = peer_id;
	t->mem[1].phys_start = (uintptr_t)link_mem;
	t->mem[1].virt_start = L_GPA;
	t->mem[1].size = L_SIZE;
}

/* The root cell on the link, the inmates' configs ready, nothing joined. */
static void link_setup(void)
{
	uint64_t root_gpa = (uintptr_t)link_mem;

	configs_init();
	memcpy(&link_sys, &test_sys, offsetof(struct test_link_system, links));
	link_sys.sys.num_ivshmem_links = 1;
	link_sys.mem[1] = (struct bh_memory_region){ root_gpa, root_gpa, L_SIZE, SHMEM_FLAGS };
	link_sys.pci[0].type = BH_PCI_TYPE_IVSHMEM_LINK;
	link_sys.links[0] = (struct bh_ivshmem_link){
		.bdf = BDF, .num_peers = 3, .phys_start = root_gpa,
		.common_size = L_COMMON, .output_size = L_OUTPUT,
	};
	CHECK(bh_system_links(&link_sys.sys) == link_sys.links, "link blob layout");
	system_config = &link_sys.sys;
	link_peer_blob(&inmate_cfg, 1);
	link_peer_blob(&inmate2_cfg, 2);
	link_peer_blob(&inmate3_cfg, 1);
	inmate3_cfg.pci[0].bdf = BDF;

	memset(link_mem, 0x77, sizeof(link_mem));	/* the state table is cleared at enable */
	memset(&root_cell, 0, sizeof(root_cell));
	root_cell.desc = &link_sys.sys.root_cell;
	root_cell.state = CELL_RUNNING;
	memset(&inmate, 0, sizeof(inmate));
	inmate.desc = &inmate_cfg.desc;
	memset(&inmate2, 0, sizeof(inmate2));
	inmate2.desc = &inmate2_cfg.desc;
	memset(&inmate3, 0, sizeof(inmate3));
	inmate3.desc = &inmate3_cfg.desc;
	num_trapped = 0;
	trap_double = trap_stray = trap_refused = 0;
	num_protects = 0;
	clear_logs();
	CHECK_EQ(ivshmem_cell_init(&root_cell), 0, "root cell init with a link");
}

static void link_teardown(void)
{
	teardown();
	system_config = &test_sys.sys;
}

/* Whether @c was given exactly the read-only ranges [@a, @b) ... (pairs, 0-terminated). */
static void check_protected(const struct cell *c, const uint64_t *ranges, const char *what)
{
	unsigned int i, n = 0, want = 0;

	while (ranges[2 * want + 1])
		want++;
	for (i = 0; i < num_protects && i < ARRAY_SIZE(protect_log); i++) {
		if (protect_log[i].cell != c)
			continue;
		CHECK(n < want, "%s: extra read-only range %#llx+%#llx", what,
		      (unsigned long long)protect_log[i].gpa,
		      (unsigned long long)protect_log[i].size);
		if (n < want) {
			CHECK_EQ(protect_log[i].gpa, ranges[2 * n], what);
			CHECK_EQ(protect_log[i].size, ranges[2 * n + 1] - ranges[2 * n], what);
		}
		n++;
	}
	CHECK_EQ(n, want, what);
}

static void test_link_layout(void)
{
	uint64_t r = (uintptr_t)link_mem;
	const uint64_t root_ro[] = { r, r + 0x1000, r + 0x4000, r + 0x8000, 0, 0 };
	const uint64_t peer1_ro[] = { L_GPA, L_GPA + 0x1000, L_GPA + 0x2000, L_GPA + 0x4000,
				      L_GPA + 0x6000, L_GPA + 0x8000, 0, 0 };
	const uint64_t peer2_ro[] = { L_GPA, L_GPA + 0x1000, L_GPA + 0x2000, L_GPA + 0x6000, 0, 0 };
	unsigned int vcap;

	link_setup();
	CHECK_EQ(link_state(0), 0, "state table cleared at enable");
	CHECK_EQ(link_state(15), 0, "all of the state table cleared");
	CHECK_EQ(link_mem[0x1000], 0x77, "the common section is left alone");
	check_protected(&root_cell, root_ro, "root (peer 0): read-only ranges");
	create_inmate(&inmate);
	check_protected(&inmate, peer1_ro, "peer 1: read-only ranges");
	create_inmate(&inmate2);
	check_protected(&inmate2, peer2_ro, "peer 2 (the last): read-only ranges");

	/* Registers and the capability tell the layout. */
	place_bars(&inmate);
	CHECK_EQ(reg_of(&inmate, IVSHMEM_REG_IV_POSITION), 1, "peer 1's IVPosition");
	CHECK_EQ(reg_of(&inmate, IVSHMEM_REG_NUM_PEERS), 3, "NUM_PEERS");
	vcap = cfg_read(&inmate, find_cap(&inmate, T_CAP_MSIX) + 1, 1);
	CHECK_EQ(cfg_read(&inmate, vcap + 2, 1), 0x30, "link capability length");
	CHECK_EQ(cfg_read(&inmate, vcap + 3, 1), 2, "link capability version");
	CHECK_EQ(cfg_read(&inmate, vcap + 8, 4), (uint32_t)L_GPA, "shmem address");
	CHECK_EQ(cfg_read(&inmate, vcap + 16, 4), (uint32_t)L_SIZE, "shmem size");
	CHECK_EQ(cfg_read(&inmate, vcap + 24, 4), 3, "peers");
	CHECK_EQ(cfg_read(&inmate, vcap + 28, 4), 0x1000, "state table size");
	CHECK_EQ(cfg_read(&inmate, vcap + 32, 4), (uint32_t)L_COMMON, "common size");
	CHECK_EQ(cfg_read(&inmate, vcap + 36, 4), 0, "common size, high");
	CHECK_EQ(cfg_read(&inmate, vcap + 40, 4), (uint32_t)L_OUTPUT, "output size");
	CHECK_EQ(cfg_read(&inmate, vcap + 48, 4), 0, "past the capability");
	place_bars(&root_cell);
	CHECK_EQ(reg_of(&root_cell, IVSHMEM_REG_NUM_PEERS), 3, "NUM_PEERS in the root");

	/* A second cell cannot be peer 1 too; nothing of it stays. */
	inmate3.state = CELL_CREATED;
	CHECK_EQ(pci_cell_init(&inmate3), 0, "inmate-lost ECAM");
	CHECK_EQ(ivshmem_cell_init(&inmate3), -EBUSY, "a second peer 1");
	CHECK(console_has("peer 1 of the link is cell \"inmate\" already"),
	      "no report of the taken peer ID: \"%s\"", console);
	CHECK(!ivshmem_find(&inmate3, BDF), "device left by a refused peer");
	CHECK_EQ(reg_of(&inmate, IVSHMEM_REG_IV_POSITION), 1, "peer 1 unharmed");
	link_teardown();
}

static void test_link_refused_writes(void)
{
	uint64_t r = (uintptr_t)link_mem;

	link_setup();
	create_inmate(&inmate);
	/* Peer 1 may write the common section and its own output section only. */
	CHECK(!ivshmem_write_refused(&inmate, 3, L_GPA + 0x1000, 0, 1), "common section");
	CHECK(!ivshmem_write_refused(&inmate, 3, L_GPA + 0x4000, 0, 1), "own section");
	CHECK(!ivshmem_write_refused(&inmate, 3, L_GPA + 0x5ffc, 0, 1), "own section's end");
	CHECK(!ivshmem_write_refused(&inmate, 3, L_GPA + 0x8000, 0, 1), "past the link");
	CHECK_EQ(console_len, 0, "reports for allowed writes");
	CHECK(ivshmem_write_refused(&inmate, 3, L_GPA + 0x6010, 0x1234, 1), "peer 2's section");
	CHECK(console_has("CPU 3: cell \"inmate\": write of 0x80006010 refused (RIP 0x1234): ivshmem 00:0e.0: peer 2's output section is read-only for peer 1"),
	      "report of the write into peer 2's section: \"%s\"", console);
	clear_logs();
	CHECK(ivshmem_write_refused(&inmate, 3, L_GPA + 0x3ffc, 0, 0), "peer 0's section's end");
	CHECK_EQ(console_len, 0, "a report while not due");
	CHECK(ivshmem_write_refused(&inmate, 3, L_GPA + 0x40, 0, 1), "state table");
	CHECK(console_has("the link's state table is written by the hypervisor only"),
	      "report of the write into the state table: \"%s\"", console);
	clear_logs();
	CHECK(ivshmem_write_refused(&root_cell, 0, r + 0x4000, 0, 1), "root into peer 1's");
	CHECK(console_has("peer 1's output section is read-only for peer 0"),
	      "report of the root's write: \"%s\"", console);
	CHECK(!ivshmem_write_refused(&root_cell, 0, r + 0x2000, 0, 1), "root's own section");
	CHECK(!ivshmem_write_refused(&inmate2, 2, L_GPA + 0x6000, 0, 1), "a cell not on the link");
	link_teardown();
}

static void test_link_state_and_doorbells(void)
{
	link_setup();
	create_inmate(&inmate);
	start_inmate(&inmate);
	create_inmate(&inmate2);
	start_inmate(&inmate2);
	setup_msix(&root_cell);
	setup_msix(&inmate);
	setup_msix(&inmate2);
	clear_logs();

	/* Peer 1 READY: the state table says so, both others hear vector 0. */
	bar_write(&inmate, INMATE_BAR0 + IVSHMEM_REG_LOCAL_STATE, 4, IVSHMEM_STATE_READY);
	CHECK_EQ(link_state(1), IVSHMEM_STATE_READY, "peer 1's state in the table");
	CHECK_EQ(link_state(0), IVSHMEM_STATE_RESET, "peer 0's state in the table");
	CHECK_EQ(num_msis, 2, "a state change rings every other peer");
	CHECK(num_msis == 2 && msis[0].cell != msis[1].cell && msis[0].cell != &inmate &&
	      msis[1].cell != &inmate, "vector 0 went to root and peer 2");
	CHECK_EQ(reg_of(&root_cell, IVSHMEM_REG_PEER_STATE), IVSHMEM_STATE_RESET,
		 "PEER_STATE on a 3-peer link (the table has the states)");
	bar_write(&root_cell, ROOT_BAR0 + IVSHMEM_REG_LOCAL_STATE, 4, 0x1234);
	CHECK_EQ(link_state(0), 0x1234, "root's state in the table");

	/* Doorbells reach any peer by ID. */
	clear_logs();
	doorbell_from(&inmate, IVSHMEM_DOORBELL(2, 0));
	CHECK_ONE_MSI(&inmate2, INMATE_MSI_ADDR, INMATE_MSI_DATA, "peer 1 rings peer 2");
	clear_logs();
	doorbell_from(&inmate2, IVSHMEM_DOORBELL(0, 0));
	CHECK_ONE_MSI(&root_cell, ROOT_MSI_ADDR, ROOT_MSI_DATA, "peer 2 rings the root");
	clear_logs();
	doorbell_from(&inmate2, IVSHMEM_DOORBELL(3, 0));
	doorbell_from(&inmate2, IVSHMEM_DOORBELL(2, 0));
	CHECK_EQ(num_msis, 0, "doorbells for no peer and for itself");
	CHECK(console_has("doorbell for peer 3 ignored (no such peer)") &&
	      console_has("doorbell for peer 2 ignored (no such peer)"),
	      "reports of the bad doorbells: \"%s\"", console);

	/* Peer 1 stops: RESET in the table, the others hear it. */
	clear_logs();
	inmate.state = CELL_FAILED;
	ivshmem_cell_stopped(&inmate);
	CHECK_EQ(link_state(1), IVSHMEM_STATE_RESET, "a stopped peer's state in the table");
	CHECK_EQ(num_msis, 2, "a stop rings every other peer");
	/* Peer 2 goes while its state is READY; ringing it then is no mistake. */
	bar_write(&inmate2, INMATE_BAR0 + IVSHMEM_REG_LOCAL_STATE, 4, IVSHMEM_STATE_READY);
	CHECK_EQ(link_state(2), IVSHMEM_STATE_READY, "peer 2 READY");
	ivshmem_cell_exit(&inmate2);
	inmate2.state = CELL_FREE;
	CHECK_EQ(link_state(2), IVSHMEM_STATE_RESET, "a destroyed peer's state in the table");
	clear_logs();
	doorbell_from(&root_cell, IVSHMEM_DOORBELL(2, 0));
	CHECK_EQ(num_msis, 0, "doorbell for a peer that left");
	CHECK(console_len == 0, "a peer that left is not reported: \"%s\"", console);
	/* It comes back as peer 2. */
	create_inmate(&inmate2);
	start_inmate(&inmate2);
	setup_msix(&inmate2);
	clear_logs();
	doorbell_from(&root_cell, IVSHMEM_DOORBELL(2, 0));
	CHECK_ONE_MSI(&inmate2, INMATE_MSI_ADDR, INMATE_MSI_DATA, "peer 2 back");
	link_teardown();
}

/* A link of inmates only: the root cell has no device on it. */
static void test_link_without_root(void)
{
	link_setup();
	ivshmem_cell_exit(&root_cell);
	link_sys.pci[0].type = BH_PCI_TYPE_DEVICE;	/* the root is no peer */
	CHECK_EQ(ivshmem_cell_init(&root_cell), 0, "root cell init, no device on the link");
	CHECK(!ivshmem_find(&root_cell, BDF), "the root has no link device");
	create_inmate(&inmate);
	start_inmate(&inmate);
	create_inmate(&inmate2);
	start_inmate(&inmate2);
	setup_msix(&inmate);
	setup_msix(&inmate2);
	clear_logs();
	doorbell_from(&inmate, IVSHMEM_DOORBELL(2, 0));
	CHECK_ONE_MSI(&inmate2, INMATE_MSI_ADDR, INMATE_MSI_DATA, "peer 1 rings peer 2, no root");
	clear_logs();
	doorbell_from(&inmate2, IVSHMEM_DOORBELL(0, 0));
	CHECK_EQ(num_msis, 0, "doorbell for the absent peer 0");
	CHECK(console_len == 0, "the absent peer 0 is no mistake: \"%s\"", console);
	bar_write(&inmate2, INMATE_BAR0 + IVSHMEM_REG_LOCAL_STATE, 4, IVSHMEM_STATE_READY);
	CHECK_EQ(link_state(2), IVSHMEM_STATE_READY, "peer 2's state, no root");
	CHECK_ONE_MSI(&inmate, INMATE_MSI_ADDR, INMATE_MSI_DATA, "peer 2's state change rings peer 1 only");
	link_teardown();
}

/* ---- 10. a real function passed to an inmate -------------------------------- */

static struct test_inmate pass_cfg;
static struct cell pass_cell;

/* The inmate config of the passthrough rows: RAM, the BAR, the device. */
static void pass_setup(uint64_t bar_region, uint16_t bdf)
{
	setup();
	hw_function_init();
	hw_real_bdf = BDF_PASS;
	inmate_blob(&pass_cfg, "edu", 4, BDF);
	pass_cfg.mem[1] = (struct bh_memory_region){ bar_region, bar_region, PASS_BAR0_SIZE,
						     MMIO_FLAGS };
	pass_cfg.pci[0] = (struct bh_pci_device){ .type = BH_PCI_TYPE_DEVICE, .bdf = bdf };
	memset(&pass_cell, 0, sizeof(pass_cell));
	pass_cell.desc = &pass_cfg.desc;
	pass_cell.id = 4;
	root_takes = root_gives = 0;
	iommu_answer = 0;
	iommu_owner = NULL;
	iommu_assigns = iommu_releases = 0;
	console_clear();
}

static void pass_teardown(void)
{
	pci_cell_release(&pass_cell);
	hw_real_bdf = ~0u;
	teardown();
}

/* Nothing of a refused assignment stays: root has it all, as before. */
static void check_untouched(const char *row)
{
	CHECK(root_takes == root_gives, "%s: BAR taken from root %u times, given back %u", row,
	      root_takes, root_gives);
	CHECK(iommu_owner == NULL, "%s: IOMMU still gives the device to the cell", row);
	CHECK(!is_trapped(&root_cell, T_ECAM_BASE + ((uint64_t)BDF_PASS << 12)),
	      "%s: root's ECAM page of the device still trapped", row);
	CHECK(pci_owner(BDF_PASS) == NULL, "%s: the device still has an owner", row);
	CHECK(pci_cfg_read(&root_cell, BDF_PASS, T_CFG_ID, 4, &(uint32_t){ 0 }) == PCI_CFG_HARDWARE,
	      "%s: root's config access does not reach the hardware", row);
}

static void test_passthrough(void)
{
	uint32_t cmd;

	pass_setup(PASS_BAR0, BDF_PASS);
	CHECK(pci_cell_assign(&pass_cell) == 1, "assign refused, or not one function: %s", console);
	CHECK(pci_owner(BDF_PASS) == &pass_cell, "owner");
	CHECK(iommu_owner == &pass_cell, "DMA domain of the cell");
	CHECK_EQ(root_takes, 1, "BAR taken from the root cell");
	CHECK_EQ(root_taken_addr, PASS_BAR0, "the BAR's address taken");
	CHECK_EQ(root_taken_size, PASS_BAR0_SIZE, "the BAR's size taken");
	CHECK_EQ(*(uint32_t *)&hw_cfg[T_CFG_BAR(0)], PASS_BAR0, "BAR0 restored after sizing");
	CHECK_EQ(hw_cfg[T_CFG_COMMAND] & T_CMD_MASTER, 0, "bus mastering off between owners");
	CHECK(is_trapped(&root_cell, T_ECAM_BASE + ((uint64_t)BDF_PASS << 12)),
	      "root's ECAM page of the device trapped");
	/* root: gone; the owner: the real thing; another inmate: nothing */
	CHECK_EQ(cfg_read_at(__LINE__, &root_cell, BDF_PASS, T_CFG_ID, 4), 0xffffffffu, "root reads");
	cfg_write_at(__LINE__, &root_cell, BDF_PASS, T_CFG_COMMAND, 2, T_CMD_MASTER);
	CHECK_EQ(hw_cfg[T_CFG_COMMAND] & T_CMD_MASTER, 0, "root's command write reached the device");
	CHECK_EQ(cfg_read_at(__LINE__, &pass_cell, BDF_PASS, T_CFG_ID, 4), 0x11e81234, "owner reads the ID");
	CHECK_EQ(cfg_read_at(__LINE__, &pass_cell, BDF_PASS, T_CFG_BAR(0), 4), PASS_BAR0, "owner reads BAR0");
	CHECK_EQ(cfg_read_at(__LINE__, &pass_cell, BDF_PASS, 0x100, 4), 0, "owner, extended space");
	CHECK_EQ(cfg_read_at(__LINE__, &inmate, BDF_PASS, T_CFG_ID, 4), 0xffffffffu, "another inmate reads");
	/* the owner may decode and master; BARs and the rest stay */
	cfg_write_at(__LINE__, &pass_cell, BDF_PASS, T_CFG_COMMAND, 2, T_CMD_MEM | T_CMD_MASTER);
	cmd = *(uint16_t *)&hw_cfg[T_CFG_COMMAND];
	CHECK_EQ(cmd, T_CMD_MEM | T_CMD_MASTER | T_CMD_INTX_OFF,
		 "owner's command write (INTx stays off: root Linux's line)");
	cfg_write_at(__LINE__, &pass_cell, BDF_PASS, T_CFG_COMMAND + 1, 1, 0);
	CHECK_EQ(*(uint16_t *)&hw_cfg[T_CFG_COMMAND] & T_CMD_INTX_OFF, T_CMD_INTX_OFF,
		 "INTx turned on by a byte write");
	cfg_write_at(__LINE__, &pass_cell, BDF_PASS, T_CFG_BAR(0), 4, 0x80000000);
	CHECK_EQ(*(uint32_t *)&hw_cfg[T_CFG_BAR(0)], PASS_BAR0, "owner moved BAR0");
	cfg_write_at(__LINE__, &pass_cell, BDF_PASS, 0x40, 4, 0x12345678);
	CHECK_EQ(hw_writes[0x40], 0, "owner's capability write reached the device");
	CHECK(console_has("register 0x10 dropped"), "dropped BAR write not reported: %s", console);
	/* a second cell cannot take it */
	CHECK_EQ(pci_take(&inmate, &pass_cfg.pci[0]), -EBUSY, "second owner");
	/* release: all back */
	pci_cell_release(&pass_cell);
	CHECK_EQ(hw_cfg[T_CFG_COMMAND] & T_CMD_MASTER, 0, "bus mastering left on at release");
	CHECK_EQ(*(uint16_t *)&hw_cfg[T_CFG_COMMAND] & T_CMD_INTX_OFF, 0,
		 "INTx not as Linux had it after release");
	CHECK_EQ(root_gives, 1, "BAR given back");
	CHECK_EQ(iommu_releases, 1, "IOMMU released");
	check_untouched("after release");
	pass_teardown();

	/* refused, nothing changed: rows of (BAR region, device, hardware, answer) */
	pass_setup(PASS_BAR0 + PASS_BAR0_SIZE, BDF_PASS);
	CHECK_EQ(pci_cell_assign(&pass_cell), -EINVAL, "BAR outside the cell's regions");
	CHECK(console_has("BAR 0 [0xfea00000, +0x100000) is not whole pages"), "reason: %s", console);
	check_untouched("BAR outside");
	pass_teardown();

	pass_setup(PASS_BAR0, BDF_PASS);
	hw_bar0_size = 0x800;	/* half a page */
	CHECK_EQ(pci_cell_assign(&pass_cell), -EINVAL, "BAR smaller than a page");
	check_untouched("small BAR");
	pass_teardown();

	pass_setup(PASS_BAR0, BDF_PASS);
	hw_bar1_io = 1;
	*(uint32_t *)&hw_cfg[T_CFG_BAR(1)] = 0xc001;
	CHECK_EQ(pci_cell_assign(&pass_cell), -EINVAL, "I/O BAR");
	CHECK(console_has("has an I/O BAR (1, port 0xc000)"), "reason: %s", console);
	check_untouched("I/O BAR");
	pass_teardown();

	pass_setup(PASS_BAR0, BDF_PASS);
	iommu_answer = -ENODEV;
	CHECK_EQ(pci_cell_assign(&pass_cell), -ENODEV, "no IOMMU");
	CHECK(console_has("needs an IOMMU the hypervisor owns"), "reason: %s", console);
	check_untouched("no IOMMU");
	pass_teardown();

	pass_setup(PASS_BAR0, BDF_PASS + 1);	/* 00:01.1: nothing there */
	CHECK_EQ(pci_cell_assign(&pass_cell), -ENODEV, "absent function");
	CHECK(console_has("PCI device 0000:00:01.1 is not there"), "reason: %s", console);
	check_untouched("absent function");
	pass_teardown();
}

/* ---- 11. MSI of a passed-through function --------------------------------- */

/* The function gets a 64-bit MSI capability at 0x50 with per-vector masks. */
#define T_MSI		0x50
#define T_MSI_FLAGS	(T_MSI + 2)
#define T_MSI_ADDR_LO	(T_MSI + 4)
#define T_MSI_ADDR_HI	(T_MSI + 8)
#define T_MSI_DATA	(T_MSI + 12)
#define T_MSI_MASK	(T_MSI + 16)
#define T_MSI_ENABLE	0x0001
#define T_MSI_MME	0x0070
#define T_MSI_64_MASKS	0x0180	/* 64-bit, per-vector masking */

static void msi_setup(void)
{
	pass_setup(PASS_BAR0, BDF_PASS);
	*(uint16_t *)&hw_cfg[T_CFG_STATUS] = 0x0010;	/* capability list */
	hw_cfg[T_CFG_CAP_PTR] = T_MSI;
	hw_cfg[T_MSI] = 0x05;
	/* Linux left it on, with its own message */
	*(uint16_t *)&hw_cfg[T_MSI_FLAGS] = T_MSI_64_MASKS | 0x0006 | T_MSI_ENABLE;
	*(uint32_t *)&hw_cfg[T_MSI_ADDR_LO] = 0xfee00018;
	*(uint16_t *)&hw_cfg[T_MSI_DATA] = 0x1234;
	route_answer = 0;
	routes = unroutes = 0;
}

static uint16_t hw_msi_flags(void)
{
	return *(uint16_t *)&hw_cfg[T_MSI_FLAGS];
}

static void owner_msi(uint32_t addr, uint16_t data, uint16_t flags)
{
	cfg_write_at(__LINE__, &pass_cell, BDF_PASS, T_MSI_ADDR_LO, 4, addr);
	cfg_write_at(__LINE__, &pass_cell, BDF_PASS, T_MSI_ADDR_HI, 4, 0);
	cfg_write_at(__LINE__, &pass_cell, BDF_PASS, T_MSI_DATA, 2, data);
	cfg_write_at(__LINE__, &pass_cell, BDF_PASS, T_MSI_FLAGS, 2, flags);
}

static void test_passthrough_msi(void)
{
	msi_setup();
	CHECK(pci_cell_assign(&pass_cell) == 1, "assign: %s", console);
	CHECK_EQ(hw_msi_flags() & T_MSI_ENABLE, 0, "Linux's MSI left on for the new owner");
	CHECK_EQ(cfg_read_at(__LINE__, &pass_cell, BDF_PASS, T_MSI_FLAGS, 2),
		 T_MSI_64_MASKS | 0x0006, "owner's view of a fresh capability (offers 8, none on)");
	CHECK_EQ(cfg_read_at(__LINE__, &pass_cell, BDF_PASS, T_MSI_ADDR_LO, 4), 0,
		 "Linux's message shown to the owner");

	/* a message the arch accepts: the device gets the routed one */
	owner_msi(0xfee02000, 0x41, T_MSI_ENABLE | 0x0030);
	CHECK(routes >= 1, "enable not routed");
	CHECK_EQ(route_addr, 0xfee02000, "address routed");
	CHECK_EQ(route_data, 0x41, "data routed");
	CHECK_EQ(*(uint32_t *)&hw_cfg[T_MSI_ADDR_LO], ROUTED_ADDR, "device's address");
	CHECK_EQ(*(uint16_t *)&hw_cfg[T_MSI_DATA], 0, "device's data");
	CHECK_EQ(hw_msi_flags() & (T_MSI_ENABLE | T_MSI_MME), T_MSI_ENABLE,
		 "device's MSI: on, one vector");
	CHECK_EQ(cfg_read_at(__LINE__, &pass_cell, BDF_PASS, T_MSI_ADDR_LO, 4), 0xfee02000,
		 "owner reads back what it wrote");
	CHECK_EQ(cfg_read_at(__LINE__, &pass_cell, BDF_PASS, T_MSI_DATA, 2), 0x41, "owner's data");
	CHECK_EQ(cfg_read_at(__LINE__, &pass_cell, BDF_PASS, T_MSI_FLAGS, 2) & T_MSI_MME, 0,
		 "multiple messages enabled");
	cfg_write_at(__LINE__, &pass_cell, BDF_PASS, T_MSI_MASK, 4, 1);
	CHECK_EQ(hw_cfg[T_MSI_MASK], 1, "mask bit not passed on");

	/* one the arch refuses: MSI off in the device, reported */
	route_answer = -EPERM;
	owner_msi(0xfee00000, 0x41, T_MSI_ENABLE);
	CHECK_EQ(hw_msi_flags() & T_MSI_ENABLE, 0, "refused message left on");
	CHECK(unroutes >= 1, "refused message not unrouted");
	CHECK(console_has("PCI device 00:01.0: MSI (address 0xfee00000, data 0x41) refused: not a CPU of the cell"),
	      "refusal: %s", console);

	/* the owner turns it off; root Linux reads nothing of it */
	route_answer = 0;
	owner_msi(0xfee02000, 0x41, T_MSI_ENABLE);
	CHECK_EQ(hw_msi_flags() & T_MSI_ENABLE, T_MSI_ENABLE, "accepted again");
	unroutes = 0;
	cfg_write_at(__LINE__, &pass_cell, BDF_PASS, T_MSI_FLAGS, 2, 0);
	CHECK_EQ(hw_msi_flags() & T_MSI_ENABLE, 0, "disable not passed on");
	CHECK(unroutes >= 1, "disable not unrouted");
	CHECK_EQ(cfg_read_at(__LINE__, &root_cell, BDF_PASS, T_MSI_ADDR_LO, 4), 0xffffffffu,
		 "root reads the owner's message");

	/* release with MSI on: off in the device, the entry gone */
	owner_msi(0xfee02000, 0x41, T_MSI_ENABLE);
	unroutes = 0;
	pci_cell_release(&pass_cell);
	CHECK_EQ(hw_msi_flags() & T_MSI_ENABLE, 0, "MSI left on at release");
	CHECK(unroutes >= 1, "entry left at release");
	pass_teardown();
}

int main(void)
{
	RUN(test_config_space);
	RUN(test_bar_sizing);
	RUN(test_bar_placement);
	RUN(test_registers);
	RUN(test_pairing);
	RUN(test_doorbells);
	RUN(test_counters);
	RUN(test_state);
	RUN(test_reset);
	RUN(test_link_layout);
	RUN(test_link_refused_writes);
	RUN(test_link_state_and_doorbells);
	RUN(test_link_without_root);
	RUN(test_passthrough);
	RUN(test_passthrough_msi);
	return check_exit();
}
