// SPDX-License-Identifier: GPL-2.0-only
/*
 * The config validator (common/config_check.c): a valid system
 * config modelled on QEMU q35 with 1 GiB of RAM and two ivshmem devices,
 * and a valid inmate cell config paired with one of them, must pass silently, and each rule, broken alone, must
 * fail with the right code and a report that names the problem. Every blob
 * is checked from a heap copy of exactly its size, so under ASan (this
 * test's _asan build) a read past the end is caught, whatever the counts
 * in the blob claim. Sets of cells are checked against each other last.
 *
 * The validator is included as source, so this test builds with the
 * Makefile's generic rule for tests/unit/test_*.c and no extra object.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/config_check.c"

#include "check.h"

/* The valid config: a system config with the root cell's arrays. */
struct test_config {
	struct bh_system_config sys;
	uint8_t cpu_set[8];
	struct bh_memory_region mem[6];
	struct bh_pio_region pio[2];
	struct bh_pci_device pci[3];
} BH_PACKED;

#define RAM_FLAGS	(BH_MEM_READ | BH_MEM_WRITE | BH_MEM_EXECUTE | BH_MEM_DMA)
#define MMIO_FLAGS	(BH_MEM_READ | BH_MEM_WRITE | BH_MEM_IO)
#define SHMEM_FLAGS	(BH_MEM_READ | BH_MEM_WRITE)

/* PCI addresses: bus << 8 | device << 3 | function. */
#define BDF_00_0E_0	(0x0e << 3)
#define BDF_00_0F_0	(0x0f << 3)

/*
 * Regions 4 and 5 are the shared memory of the ivshmem devices 00:0e.0
 * (pci device 1) and 00:0f.0 (pci device 2), in the memmap= reservation
 * above the hypervisor like qemu-q35.c's, and overlap nothing.
 */
static void test_config_init(struct test_config *t)
{
	static const struct bh_memory_region mem[6] = {
		{ 0x0, 0x0, 0xa0000, RAM_FLAGS },
		{ 0x100000, 0x100000, 0x3a000000 - 0x100000, RAM_FLAGS },
		{ 0x3f000000, 0x3f000000, 0x3ffe0000 - 0x3f000000, RAM_FLAGS },
		{ 0x80000000, 0x80000000, 0x80000000, MMIO_FLAGS },
		{ 0x3e000000, 0x3e000000, 0x200000, SHMEM_FLAGS },
		{ 0x3e200000, 0x3e200000, 0x200000, SHMEM_FLAGS },
	};
	struct bh_system_config *sys = &t->sys;
	struct bh_cell_desc *root = &sys->root_cell;

	memset(t, 0, sizeof(*t));
	memcpy(sys->signature, BH_SYSTEM_SIGNATURE, BH_SIGNATURE_LEN);
	sys->revision = BH_CONFIG_REVISION;
	sys->hypervisor_memory.phys_start = 0x3a000000;
	sys->hypervisor_memory.size = 16 << 20;
	sys->debug_console.type = BH_CONSOLE_UART_8250;
	sys->debug_console.port = 0x3f8;
	sys->debug_console.baud = 115200;
	sys->platform.pci_mmconfig_base = 0xb0000000;
	sys->platform.pci_mmconfig_end_bus = 0xff;
	sys->platform.apic_mode = BH_APIC_XAPIC;
	sys->platform.apic_base = 0xfee00000;
	sys->platform.pm_timer_port = 0x608;

	memcpy(root->signature, BH_CELL_SIGNATURE, BH_SIGNATURE_LEN);
	root->revision = BH_CONFIG_REVISION;
	strcpy(root->name, "q35-root");
	root->cpu_set_size = sizeof(t->cpu_set);
	root->num_memory_regions = 6;
	root->num_pio_regions = 2;
	root->num_pci_devices = 3;

	t->cpu_set[0] = 0x0f;
	memcpy(t->mem, mem, sizeof(mem));
	/* Every port but the hypervisor's UART at 0x3f8-0x3ff. */
	t->pio[0] = (struct bh_pio_region){ .base = 0, .length = 0x3f8 };
	t->pio[1] = (struct bh_pio_region){ .base = 0x400, .length = 0xfc00 };
	t->pci[0] = (struct bh_pci_device){ .type = BH_PCI_TYPE_DEVICE,
					    .bdf = 0x00f8 };	/* 00:1f.0 */
	t->pci[1] = (struct bh_pci_device){ .type = BH_PCI_TYPE_IVSHMEM,
					    .bdf = BDF_00_0E_0,
					    .num_msix_vectors = 2,
					    .shmem_region = 4,
					    .shmem_peer_id = IVSHMEM_ROOT_PEER_ID };
	t->pci[2] = (struct bh_pci_device){ .type = BH_PCI_TYPE_IVSHMEM,
					    .bdf = BDF_00_0F_0,
					    .num_msix_vectors = 2,
					    .shmem_region = 5,
					    .shmem_peer_id = IVSHMEM_ROOT_PEER_ID };
}

/* A sink that keeps every line, so tests can look for words in them. */
struct capture {
	char text[16384];
	size_t len;
	unsigned int lines;
	unsigned int newline_in_line;
};

__attribute__((format(printf, 2, 3)))
static void capture_report(void *ctx, const char *fmt, ...)
{
	struct capture *cap = ctx;
	size_t room = sizeof(cap->text) - cap->len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(cap->text + cap->len, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n + 2 > room)
		return;
	if (memchr(cap->text + cap->len, '\n', n))
		cap->newline_in_line++;
	cap->len += n;
	cap->text[cap->len++] = '\n';
	cap->text[cap->len] = '\0';
	cap->lines++;
}

/* Checks @n bytes of @src from a heap copy of exactly that size. */
static int check_blob(const void *src, size_t n, struct capture *cap)
{
	struct config_sink sink = { .report = capture_report, .ctx = cap };
	void *copy = malloc(n ? n : 1);
	int ret;

	memset(cap, 0, sizeof(*cap));
	memcpy(copy, src, n);
	ret = config_check_system(copy, n, &sink);
	free(copy);
	CHECK(cap->newline_in_line == 0, "a report line holds a newline:\n%s",
	      cap->text);
	return ret;
}

/*
 * One check's result against @want, @word (NULL: no report at all) and
 * @lines, the number of report lines (-1: any).
 */
static void expect_report(int ret, const struct capture *cap, int want,
			  const char *word, int lines, int line)
{
	CHECK(ret == want, "line %d: returned %d, want %d; report:\n%s",
	      line, ret, want, cap->text);
	if (word)
		CHECK(strstr(cap->text, word), "line %d: no '%s' in the report:\n%s",
		      line, word, cap->text);
	else
		CHECK(cap->lines == 0, "line %d: unexpected report:\n%s",
		      line, cap->text);
	if (lines >= 0)
		CHECK(cap->lines == (unsigned int)lines,
		      "line %d: %u report line(s), want %d:\n%s",
		      line, cap->lines, lines, cap->text);
}

/* Checks @t whole and wants @want back with @word in the report. */
#define EXPECT(t, want, word)							\
	expect_blob((t), sizeof(*(t)), (want), (word), __LINE__)
/* As EXPECT, and the report has exactly @lines lines. */
#define EXPECT_LINES(t, want, word, lines)					\
	expect_blob_lines((t), sizeof(*(t)), (want), (word), (lines), __LINE__)

static void expect_blob_lines(const void *blob, size_t n, int want,
			      const char *word, int lines, int line)
{
	struct capture cap;
	int ret = check_blob(blob, n, &cap);

	expect_report(ret, &cap, want, word, lines, line);
}

static void expect_blob(const void *blob, size_t n, int want, const char *word,
			int line)
{
	expect_blob_lines(blob, n, want, word, -1, line);
}

static void test_valid(void)
{
	struct test_config t;

	test_config_init(&t);
	EXPECT(&t, 0, NULL);
	CHECK_EQ(config_check_system(&t, sizeof(t), NULL), 0, "NULL sink");
}

static void test_header(void)
{
	struct test_config t;
	static const char junk[] = "#!/bin/sh\necho not a config at all, honest\n";

	test_config_init(&t);
	memcpy(t.sys.signature, BH_CELL_SIGNATURE, BH_SIGNATURE_LEN);
	EXPECT(&t, -ENOEXEC, "not a system config (signature 'BHCELL')");
	expect_blob(junk, sizeof(junk), -ENOEXEC, "not a system config", __LINE__);

	test_config_init(&t);
	/* A config built before links (revision 1) is refused, never misread. */
	t.sys.revision = 1;
	EXPECT(&t, -ENOEXEC, "config revision 1, this build expects 2");
	CHECK_EQ(config_check_system(&t, sizeof(t), NULL), -ENOEXEC, "NULL sink");

	test_config_init(&t);
	expect_blob(&t, 100, -EINVAL, "config is 100 bytes, shorter", __LINE__);
	expect_blob(&t, 3, -EINVAL, "shorter", __LINE__);
	expect_blob(&t, 0, -EINVAL, "shorter", __LINE__);
	CHECK_EQ(config_check_system(NULL, 0, NULL), -EINVAL, "NULL blob");
	CHECK_EQ(config_check_system(NULL, sizeof(t), NULL), -EINVAL,
		 "NULL blob with a size");
}

static void test_root_header(void)
{
	struct test_config t;

	test_config_init(&t);
	memcpy(t.sys.root_cell.signature, "BHXXXX\0\0", BH_SIGNATURE_LEN);
	EXPECT(&t, -EINVAL, "root cell signature 'BHXXXX'");

	test_config_init(&t);
	t.sys.root_cell.revision = 7;
	EXPECT(&t, -EINVAL, "root cell revision 7, this build expects 2");

	test_config_init(&t);
	memset(t.sys.root_cell.name, 'x', BH_CELL_NAME_LEN);
	EXPECT(&t, -EINVAL, "name is not NUL-terminated");

	test_config_init(&t);
	t.sys.root_cell.name[0] = '\0';
	EXPECT(&t, -EINVAL, "name is empty");
}

static void test_size(void)
{
	struct {
		struct test_config t;
		uint8_t extra;
	} BH_PACKED big;
	struct test_config t;

	test_config_init(&t);
	expect_blob(&t, sizeof(t) - 1, -EINVAL, "but the root cell's and the links' counts make it",
		    __LINE__);

	test_config_init(&big.t);
	big.extra = 0;
	EXPECT(&big, -EINVAL, "but the root cell's and the links' counts make it");

	t.sys.root_cell.num_memory_regions = 5;
	EXPECT(&t, -EINVAL, "counts make it");
	t.sys.root_cell.num_memory_regions = 4096;
	EXPECT(&t, -EINVAL, "counts make it");
}

/* Counts that would make the arrays run far past the blob. */
static void test_huge_counts(void)
{
	struct test_config t;

	test_config_init(&t);
	t.sys.root_cell.num_memory_regions = 0xffffffff;
	EXPECT(&t, -EINVAL, "num_memory_regions 4294967295 is over the limit");

	test_config_init(&t);
	t.sys.root_cell.num_pio_regions = 4097;
	EXPECT(&t, -EINVAL, "num_pio_regions 4097 is over the limit");

	test_config_init(&t);
	t.sys.root_cell.num_pci_devices = 0x80000000;
	EXPECT(&t, -EINVAL, "num_pci_devices");

	test_config_init(&t);
	t.sys.root_cell.cpu_set_size = 0xfffffff8;
	EXPECT(&t, -EINVAL, "cpu_set_size 4294967288 is over the limit");

	/* Each count over the limit is named. */
	test_config_init(&t);
	t.sys.root_cell.num_memory_regions = 0x80000000;
	t.sys.root_cell.num_pio_regions = 0x80000000;
	EXPECT(&t, -EINVAL, "num_memory_regions 2147483648 is over the limit");
	EXPECT(&t, -EINVAL, "num_pio_regions 2147483648 is over the limit");
}

static void test_hv_memory(void)
{
	struct test_config t;

	test_config_init(&t);
	t.sys.hypervisor_memory.size = 0;
	EXPECT(&t, -EINVAL, "hypervisor memory has size 0");

	test_config_init(&t);
	t.sys.hypervisor_memory.phys_start = 0x3a100000;
	EXPECT(&t, -EINVAL, "phys_start 0x3a100000 is not a multiple of 2 MiB");

	test_config_init(&t);
	t.sys.hypervisor_memory.size = 0x1100000;
	EXPECT(&t, -EINVAL, "size 0x1100000 is not a multiple of 2 MiB");

	test_config_init(&t);
	t.sys.hypervisor_memory.size = 0x200000;
	EXPECT(&t, -EINVAL, "size 0x200000 is below the minimum of 4 MiB");

	test_config_init(&t);
	t.sys.hypervisor_memory.phys_start = 0xffffffffffe00000ull;
	t.sys.hypervisor_memory.size = 0x400000;
	EXPECT(&t, -EINVAL, "wraps past 2^64");

	test_config_init(&t);
	t.sys.hypervisor_memory.phys_start = 0xffe00000;
	t.sys.hypervisor_memory.size = 0x400000;
	EXPECT(&t, -EINVAL, "hypervisor memory [0xffe00000-0x1001fffff] ends above 4 GiB");
}

static void test_cpu_set(void)
{
	struct test_config t;

	test_config_init(&t);
	t.cpu_set[0] = 0;
	EXPECT(&t, -EINVAL, "cpu set is empty");

	test_config_init(&t);
	t.sys.root_cell.cpu_set_size = 4;
	EXPECT(&t, -EINVAL, "cpu_set_size 4 is not a multiple of 8");

	test_config_init(&t);
	t.sys.root_cell.cpu_set_size = 0;
	EXPECT(&t, -EINVAL, "cpu_set_size 0 is outside 1..8");

	test_config_init(&t);
	t.sys.root_cell.cpu_set_size = 16;
	EXPECT(&t, -EINVAL, "cpu_set_size 16 is outside 1..8");
}

static void test_mem_region_fields(void)
{
	struct test_config t;

	test_config_init(&t);
	t.mem[1].size = 0;
	EXPECT(&t, -EINVAL, "memory region 1 at 0x100000 has size 0");

	test_config_init(&t);
	t.mem[2].phys_start = t.mem[2].virt_start = 0x3f000800;
	EXPECT(&t, -EINVAL, "memory region 2: phys_start 0x3f000800 is not a multiple of 4 KiB");

	test_config_init(&t);
	t.mem[2].virt_start = 0x3f000800;
	EXPECT(&t, -EINVAL, "memory region 2: virt_start 0x3f000800 is not a multiple of 4 KiB");

	test_config_init(&t);
	t.mem[2].size = 0x1234;
	EXPECT(&t, -EINVAL, "memory region 2: size 0x1234 is not a multiple of 4 KiB");

	test_config_init(&t);
	t.mem[3].phys_start = t.mem[3].virt_start = 0xfffffffffffff000ull;
	t.mem[3].size = 0x2000;
	EXPECT(&t, -EINVAL, "memory region 3: start 0xfffffffffffff000 + size 0x2000 wraps");

	test_config_init(&t);
	t.mem[3].flags |= 0x100;
	EXPECT(&t, -EINVAL, "memory region 3 [0x80000000-0xffffffff] has unknown flags 0x100");

	test_config_init(&t);
	t.mem[0].flags = BH_MEM_WRITE;
	EXPECT(&t, -EINVAL, "memory region 0 [0x0-0x9ffff] lacks the READ flag");

	test_config_init(&t);
	t.mem[2].virt_start = 0x1000000;
	EXPECT(&t, -EINVAL, "root cell is identity-mapped");
}

static void test_mem_region_overlaps(void)
{
	struct test_config t;

	test_config_init(&t);
	t.mem[2].phys_start = t.mem[2].virt_start = 0x3a000000;
	t.mem[2].size = 0x1000000;
	EXPECT(&t, -EINVAL,
	       "memory region 2 [0x3a000000-0x3affffff] overlaps the hypervisor memory [0x3a000000-0x3affffff]");

	/* A region that only touches the hypervisor's last page. */
	test_config_init(&t);
	t.mem[2].phys_start = t.mem[2].virt_start = 0x3afff000;
	t.mem[2].size = 0x3ffe0000 - 0x3afff000;
	EXPECT(&t, -EINVAL, "overlaps the hypervisor memory");

	test_config_init(&t);
	t.mem[0].size = 0x200000;
	EXPECT(&t, -EINVAL,
	       "memory region 1 [0x100000-0x39ffffff] overlaps memory region 0 [0x0-0x1fffff]");

	/* Adjacent regions do not overlap. */
	test_config_init(&t);
	t.mem[0].size = 0x100000;
	EXPECT(&t, 0, NULL);
}

static void test_pio(void)
{
	struct test_config t;

	test_config_init(&t);
	t.pio[1].length = 0;
	EXPECT(&t, -EINVAL, "pio region 1 at port 0x400 has length 0");

	test_config_init(&t);
	t.pio[1].base = 0x401;
	EXPECT(&t, -EINVAL, "pio region 1 [0x401-0x10000] ends past port 0xffff");

	test_config_init(&t);
	t.pio[0].length = 0x3f9;
	EXPECT(&t, -EINVAL,
	       "debug console ports [0x3f8-0x3ff] overlap root pio region 0 [0x0-0x3f8]");

	/* Without a debug console, Linux may have every port. */
	test_config_init(&t);
	t.sys.debug_console.type = BH_CONSOLE_NONE;
	t.pio[0].length = 0x400;
	EXPECT(&t, 0, NULL);
}

static void test_console(void)
{
	struct test_config t;

	test_config_init(&t);
	t.sys.debug_console.type = 5;
	EXPECT(&t, -EINVAL, "debug console type 5 is unknown");

	test_config_init(&t);
	t.sys.debug_console.port = 0xfffc;
	t.pio[1].length = 0xfbf0;	/* keep clear of the console */
	EXPECT(&t, -EINVAL, "debug console port 0xfffc");
}

static void test_platform(void)
{
	struct test_config t;

	test_config_init(&t);
	t.sys.platform.apic_mode = 2;
	EXPECT(&t, -EINVAL, "platform apic_mode 2 is not supported");

	test_config_init(&t);
	t.sys.platform.apic_base = 0;
	EXPECT(&t, -EINVAL, "platform apic_base is 0");

	test_config_init(&t);
	t.sys.platform.apic_base = 0xfee00010;
	EXPECT(&t, -EINVAL, "platform apic_base 0xfee00010 is not page-aligned");
}

/* The IOMMU units of the platform: text, setup, expected. */
static const struct {
	const char *what;
	uint32_t type;
	uint64_t base[BH_MAX_IOMMU_UNITS];
	int want;
	const char *word;
} iommu_rows[] = {
	{ "none", BH_IOMMU_NONE, { 0 }, 0, NULL },
	{ "one VT-d unit", BH_IOMMU_VTD, { 0xfed90000 }, 0, NULL },
	{ "four units", BH_IOMMU_VTD, { 0xfed90000, 0xfed91000, 0xfed92000, 0xfed93000 }, 0, NULL },
	{ "VT-d without a unit", BH_IOMMU_VTD, { 0 }, -EINVAL,
	  "platform iommu_type is 1 but iommu_base[0] is 0 (no unit)" },
	{ "a unit without a type", BH_IOMMU_NONE, { 0xfed90000 }, -EINVAL,
	  "platform lists 1 IOMMU unit(s) but iommu_type is 0 (none)" },
	{ "an unknown type", 7, { 0xfed90000 }, -EINVAL,
	  "platform iommu_type 7 is not supported" },
	{ "a gap in the list", BH_IOMMU_VTD, { 0xfed90000, 0, 0xfed92000 }, -EINVAL,
	  "platform iommu_base[2] follows an empty entry" },
	{ "unaligned", BH_IOMMU_VTD, { 0xfed90800 }, -EINVAL,
	  "platform iommu_base[0] 0xfed90800 is not a page below 4 GiB" },
	{ "above 4 GiB", BH_IOMMU_VTD, { 0x100000000ull }, -EINVAL,
	  "platform iommu_base[0] 0x100000000 is not a page below 4 GiB" },
};

static void test_iommu(void)
{
	struct test_config t;
	unsigned int i;

	for (i = 0; i < sizeof(iommu_rows) / sizeof(iommu_rows[0]); i++) {
		test_config_init(&t);
		t.sys.platform.iommu_type = iommu_rows[i].type;
		memcpy(t.sys.platform.iommu_base, iommu_rows[i].base,
		       sizeof(t.sys.platform.iommu_base));
		printf("# iommu: %s\n", iommu_rows[i].what);
		EXPECT(&t, iommu_rows[i].want, iommu_rows[i].word);
	}
}

static void test_pci(void)
{
	struct test_config t;

	test_config_init(&t);
	t.pci[0].type = 9;
	EXPECT(&t, -EINVAL, "pci device 0 (00:1f.0) has unknown type 9");

	test_config_init(&t);
	t.pci[1].shmem_region = 6;
	EXPECT_LINES(&t, -EINVAL,
		     "root cell pci device 1 (00:0e.0): ivshmem shmem_region 6 is not one of the root cell's 6 memory regions",
		     1);

	/* Any region of its own will do. */
	test_config_init(&t);
	t.pci[0].type = BH_PCI_TYPE_IVSHMEM;
	t.pci[0].num_msix_vectors = 1;
	t.pci[0].shmem_region = 3;
	EXPECT(&t, 0, NULL);
}

/* Rule: the root cell's end of a pair has peer ID 0. */
static void test_ivshmem_root_peer_id(void)
{
	struct test_config t;

	test_config_init(&t);
	t.pci[1].shmem_peer_id = IVSHMEM_INMATE_PEER_ID;
	EXPECT_LINES(&t, -EINVAL,
		     "root cell pci device 1 (00:0e.0): ivshmem shmem_peer_id 1 must be 0, the root cell's end of the pair",
		     1);

	test_config_init(&t);
	t.pci[2].shmem_peer_id = 7;
	EXPECT_LINES(&t, -EINVAL, "pci device 2 (00:0f.0): ivshmem shmem_peer_id 7 must be 0",
		     1);
}

/* Rule: 1..IVSHMEM_MAX_VECTORS MSI-X vectors. */
static void test_ivshmem_vectors(void)
{
	struct test_config t;

	test_config_init(&t);
	t.pci[1].num_msix_vectors = 0;
	EXPECT_LINES(&t, -EINVAL,
		     "root cell pci device 1 (00:0e.0): ivshmem num_msix_vectors 0 is outside 1..16",
		     1);

	test_config_init(&t);
	t.pci[2].num_msix_vectors = IVSHMEM_MAX_VECTORS + 1;
	EXPECT_LINES(&t, -EINVAL, "num_msix_vectors 17 is outside 1..16", 1);

	test_config_init(&t);
	t.pci[1].num_msix_vectors = 1;
	t.pci[2].num_msix_vectors = IVSHMEM_MAX_VECTORS;
	EXPECT(&t, 0, NULL);

	/* A plain device's count is not the emulated device's. */
	test_config_init(&t);
	t.pci[0].num_msix_vectors = 100;
	EXPECT(&t, 0, NULL);
}

/* Rule: one device per address in a cell. */
static void test_pci_same_address(void)
{
	struct test_config t;

	test_config_init(&t);
	t.pci[2].bdf = BDF_00_0E_0;
	EXPECT_LINES(&t, -EINVAL,
		     "root cell pci device 2 (00:0e.0) has the same domain and BDF as pci device 1",
		     1);

	test_config_init(&t);
	t.pci[0].bdf = BDF_00_0F_0;
	EXPECT_LINES(&t, -EINVAL,
		     "pci device 2 (00:0f.0) has the same domain and BDF as pci device 0", 1);

	/* Another domain is another address. */
	test_config_init(&t);
	t.pci[2].bdf = BDF_00_0E_0;
	t.pci[2].domain = 1;
	EXPECT(&t, 0, NULL);
}

/* Rule: no two root ivshmem devices on one shared memory region. */
static void test_ivshmem_same_region(void)
{
	struct test_config t;

	test_config_init(&t);
	t.pci[2].shmem_region = 4;
	EXPECT_LINES(&t, -EINVAL,
		     "root cell pci device 2 (00:0f.0): ivshmem shmem_region 4 is already pci device 1 (00:0e.0)'s: each ivshmem device needs shared memory of its own",
		     1);
}

/* Rule: the root's shared memory is a region of its own. */
static void test_ivshmem_root_overlap(void)
{
	struct test_config t;

	/* RAM from inside 00:0e.0's shared memory across 00:0f.0's. */
	test_config_init(&t);
	t.mem[2].phys_start = t.mem[2].virt_start = 0x3e100000;
	t.mem[2].size = 0x3ffe0000 - 0x3e100000;
	EXPECT_LINES(&t, -EINVAL,
		     "root cell pci device 1 (00:0e.0): ivshmem shared memory [0x3e000000-0x3e1fffff] overlaps memory region 2 [0x3e100000-0x3ffdffff]: Linux would use the shared memory as RAM; it must be a region of its own",
		     4);	/* two generic overlaps, two ivshmem lines */
	EXPECT(&t, -EINVAL, "pci device 2 (00:0f.0): ivshmem shared memory [0x3e200000-0x3e3fffff] overlaps memory region 2");

	/* Inside the MMIO range. */
	test_config_init(&t);
	t.mem[4].phys_start = t.mem[4].virt_start = 0x80000000;
	EXPECT_LINES(&t, -EINVAL,
		     "pci device 1 (00:0e.0): ivshmem shared memory [0x80000000-0x801fffff] overlaps memory region 3 [0x80000000-0xffffffff]: Linux would use the shared memory as device memory",
		     2);
}

/* Rule: the bus is one the ECAM covers. */
static void test_pci_bus(void)
{
	struct test_config t;

	test_config_init(&t);
	t.sys.platform.pci_mmconfig_end_bus = 0;
	t.pci[1].bdf = 0x100 | BDF_00_0E_0;
	EXPECT_LINES(&t, -EINVAL,
		     "root cell pci device 1 (01:0e.0): bus 0x1 is past the platform's pci_mmconfig_end_bus 0x0",
		     1);
	t.sys.platform.pci_mmconfig_end_bus = 1;
	EXPECT(&t, 0, NULL);

	/* Without an ECAM, config space is reached through ports. */
	t.sys.platform.pci_mmconfig_end_bus = 0;
	t.sys.platform.pci_mmconfig_base = 0;
	EXPECT(&t, 0, NULL);
}

/* Every problem is reported, not just the first. */
static void test_all_reported(void)
{
	struct test_config t;
	struct capture cap;

	test_config_init(&t);
	t.sys.platform.apic_base = 0;
	t.mem[1].flags = 0;
	t.pci[0].type = 0;
	CHECK_EQ(check_blob(&t, sizeof(t), &cap), -EINVAL, "three problems");
	CHECK_EQ(cap.lines, 3, "report lines");
	CHECK(strstr(cap.text, "apic_base") && strstr(cap.text, "READ") &&
	      strstr(cap.text, "unknown type 0"), "report:\n%s", cap.text);
}

/* Random damage must give a defined result and no access past the blob. */
static void test_random_damage(void)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	struct test_config t;
	unsigned int i, k;
	size_t n;
	void *copy;
	int ret;

	for (i = 0; i < 20000; i++) {
		test_config_init(&t);
		for (k = 0; k < 1 + i % 4; k++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			((uint8_t *)&t)[x % sizeof(t)] = (uint8_t)(x >> 32);
		}
		/* Sometimes short, from a copy of exactly that size for ASan. */
		n = sizeof(t) - (x >> 40) % 3;
		copy = malloc(n);
		memcpy(copy, &t, n);
		ret = config_check_system(copy, n, NULL);
		free(copy);
		CHECK(ret == 0 || ret == -EINVAL || ret == -ENOEXEC,
		      "iteration %u returned %d", i, ret);
	}
}

/* ---- cell configs --------------------------------------------------------- */

/*
 * The valid cell: CPU 2, 1 MiB of the reservation seen at 0, the shared
 * memory of the root cell's ivshmem device 00:0e.0 seen at 2 GiB with the
 * other end of that device, the HPET passed through, the PM timer's ports
 * and COM2 as its console.
 */
struct test_cell {
	struct bh_cell_desc cell;
	uint8_t cpu_set[8];
	struct bh_memory_region mem[3];
	struct bh_pio_region pio[2];
	struct bh_pci_device pci[1];
} BH_PACKED;

#define SHARED_FLAGS	(BH_MEM_READ | BH_MEM_WRITE | BH_MEM_ROOTSHARED)

static void test_cell_init(struct test_cell *t)
{
	static const struct bh_memory_region mem[3] = {
		{ 0x3b200000, 0x0, 0x100000, RAM_FLAGS | BH_MEM_LOADABLE },
		{ 0x3e000000, 0x80000000, 0x200000, SHARED_FLAGS },
		{ 0xfed00000, 0xfed00000, 0x1000, MMIO_FLAGS },
	};
	struct bh_cell_desc *c = &t->cell;

	memset(t, 0, sizeof(*t));
	memcpy(c->signature, BH_CELL_SIGNATURE, BH_SIGNATURE_LEN);
	c->revision = BH_CONFIG_REVISION;
	strcpy(c->name, "apic-demo");
	c->cpu_set_size = sizeof(t->cpu_set);
	c->num_memory_regions = 3;
	c->num_pio_regions = 2;
	c->num_pci_devices = 1;
	c->entry_address = 0xf0000;
	c->console = (struct bh_console){ .type = BH_CONSOLE_UART_8250,
					  .port = 0x2f8 };

	t->cpu_set[0] = 1 << 2;
	memcpy(t->mem, mem, sizeof(mem));
	t->pio[0] = (struct bh_pio_region){ .base = 0x608, .length = 4 };
	t->pio[1] = (struct bh_pio_region){ .base = 0x2f8, .length = 8 };
	t->pci[0] = (struct bh_pci_device){ .type = BH_PCI_TYPE_IVSHMEM,
					    .bdf = BDF_00_0E_0,
					    .num_msix_vectors = 2,
					    .shmem_region = 1,
					    .shmem_peer_id = IVSHMEM_INMATE_PEER_ID };
}

/* The system config every cell test checks against. */
static struct test_config test_sys;

/*
 * The system config the cell rows are checked against: the valid one,
 * with an IOMMU (QEMU's VT-d unit), which passed-through devices need.
 */
static void test_sys_init(void)
{
	test_config_init(&test_sys);
	test_sys.sys.platform.iommu_type = BH_IOMMU_VTD;
	test_sys.sys.platform.iommu_base[0] = 0xfed90000;
}

/* Checks @n bytes of cell @src from a heap copy of exactly that size. */
static int check_cell_blob(const void *src, size_t n,
			   const struct bh_system_config *sys,
			   struct capture *cap)
{
	struct config_sink sink = { .report = capture_report, .ctx = cap };
	void *copy = malloc(n ? n : 1);
	int ret;

	memset(cap, 0, sizeof(*cap));
	memcpy(copy, src, n);
	ret = config_check_cell(copy, n, sys, &sink);
	free(copy);
	CHECK(cap->newline_in_line == 0, "a report line holds a newline:\n%s",
	      cap->text);
	return ret;
}

static void expect_cell_lines(const void *blob, size_t n,
			      const struct bh_system_config *sys, int want,
			      const char *word, int lines, int line)
{
	struct capture cap;
	int ret = check_cell_blob(blob, n, sys, &cap);

	expect_report(ret, &cap, want, word, lines, line);
}

static void expect_cell_blob(const void *blob, size_t n,
			     const struct bh_system_config *sys, int want,
			     const char *word, int line)
{
	expect_cell_lines(blob, n, sys, want, word, -1, line);
}

/* Cell @t whole, against test_sys, or alone (no system config). */
#define EXPECT_CELL(t, want, word)						\
	expect_cell_blob((t), sizeof(*(t)), &test_sys.sys, (want), (word),	\
			 __LINE__)
#define EXPECT_CELL_ALONE(t, want, word)					\
	expect_cell_blob((t), sizeof(*(t)), NULL, (want), (word), __LINE__)
/* As EXPECT_CELL and EXPECT_CELL_ALONE, with exactly @lines report lines. */
#define EXPECT_CELL_LINES(t, want, word, lines)					\
	expect_cell_lines((t), sizeof(*(t)), &test_sys.sys, (want), (word),	\
			  (lines), __LINE__)
#define EXPECT_CELL_ALONE_LINES(t, want, word, lines)				\
	expect_cell_lines((t), sizeof(*(t)), NULL, (want), (word), (lines),	\
			  __LINE__)

static void test_cell_valid(void)
{
	struct test_cell t;

	test_cell_init(&t);
	EXPECT_CELL(&t, 0, NULL);
	EXPECT_CELL_ALONE(&t, 0, NULL);
	CHECK_EQ(config_check_cell(&t, sizeof(t), &test_sys.sys, NULL), 0,
		 "NULL sink");

	/* The smallest useful cell: one CPU, one region, nothing else. */
	test_cell_init(&t);
	t.cell.num_memory_regions = 1;
	t.cell.num_pio_regions = 0;
	t.cell.num_pci_devices = 0;
	t.cell.console.type = BH_CONSOLE_NONE;
	expect_cell_blob(&t, sizeof(t.cell) + 8 + sizeof(t.mem[0]), &test_sys.sys,
			 0, NULL, __LINE__);
}

static void test_cell_header(void)
{
	struct test_cell t;
	struct test_config sys;

	test_config_init(&sys);
	expect_cell_blob(&sys, sizeof(sys), &test_sys.sys, -ENOEXEC,
			 "not a cell config (signature 'BHSYSTEM')", __LINE__);

	test_cell_init(&t);
	t.cell.revision = 1;
	EXPECT_CELL(&t, -ENOEXEC, "config revision 1, this build expects 2");
	CHECK_EQ(config_check_cell(&t, sizeof(t), NULL, NULL), -ENOEXEC,
		 "NULL sink");

	test_cell_init(&t);
	expect_cell_blob(&t, 79, &test_sys.sys, -EINVAL,
			 "config is 79 bytes, shorter than a cell config header (80 bytes)",
			 __LINE__);
	expect_cell_blob(&t, 0, &test_sys.sys, -EINVAL, "shorter", __LINE__);
	CHECK_EQ(config_check_cell(NULL, 0, &test_sys.sys, NULL), -EINVAL,
		 "NULL blob");
	CHECK_EQ(config_check_cell(NULL, sizeof(t), NULL, NULL), -EINVAL,
		 "NULL blob with a size");
}

static void test_cell_size(void)
{
	struct test_cell t;

	test_cell_init(&t);
	expect_cell_blob(&t, sizeof(t) - 1, &test_sys.sys, -EINVAL,
			 "cell \"apic-demo\": config is 219 bytes, but its counts make it 220",
			 __LINE__);

	test_cell_init(&t);
	t.cell.num_pio_regions = 3;
	EXPECT_CELL(&t, -EINVAL, "but its counts make it 228");

	/* Capped before multiplying: 2^32 - 1 regions do not wrap to a fit. */
	test_cell_init(&t);
	t.cell.num_memory_regions = 0xffffffff;
	EXPECT_CELL(&t, -EINVAL, "num_memory_regions 4294967295 is over the limit");
	test_cell_init(&t);
	t.cell.cpu_set_size = 0x80000000;
	EXPECT_CELL(&t, -EINVAL, "cpu_set_size 2147483648 is over the limit");
	test_cell_init(&t);
	t.cell.num_pci_devices = 4097;
	EXPECT_CELL(&t, -EINVAL, "num_pci_devices 4097 is over the limit");
}

static void test_cell_identity(void)
{
	struct test_cell t;

	test_cell_init(&t);
	memset(t.cell.name, 'x', BH_CELL_NAME_LEN);
	EXPECT_CELL(&t, -EINVAL, "cell name is not NUL-terminated within 32 bytes");

	test_cell_init(&t);
	t.cell.name[0] = '\0';
	EXPECT_CELL(&t, -EINVAL, "cell name is empty");

	test_cell_init(&t);
	strcpy(t.cell.name, "q35-root");
	EXPECT_CELL(&t, -EINVAL, "cell \"q35-root\": name is the root cell's name");
	EXPECT_CELL_ALONE(&t, 0, NULL);

	test_cell_init(&t);
	t.cell.id = 3;
	EXPECT_CELL(&t, -EINVAL,
		    "cell \"apic-demo\": id 3 must be 0: the hypervisor assigns cell IDs");

	/* A name that would break the line is shown harmlessly. */
	test_cell_init(&t);
	strcpy(t.cell.name, "bad\nname");
	t.cell.id = 1;
	EXPECT_CELL(&t, -EINVAL, "cell \"bad?name\": id 1");
}

static void test_cell_cpus(void)
{
	struct test_cell t;

	test_cell_init(&t);
	t.cell.cpu_set_size = 4;
	t.cell.num_memory_regions = 0;	/* keeps the size right: 4 + 32 = 36 */
	t.cell.num_pio_regions = 4;
	t.cell.num_pci_devices = 0;
	expect_cell_blob(&t, sizeof(t.cell) + 36, &test_sys.sys, -EINVAL,
			 "cell \"apic-demo\": cpu_set_size 4 is not a multiple of 8",
			 __LINE__);

	test_cell_init(&t);
	t.cell.cpu_set_size = 16;
	t.cell.num_pio_regions = 1;
	EXPECT_CELL(&t, -EINVAL, "cpu_set_size 16 is outside 1..8");

	test_cell_init(&t);
	t.cpu_set[0] = 0;
	EXPECT_CELL(&t, -EINVAL, "cell \"apic-demo\": cpu set is empty");

	test_cell_init(&t);
	t.cpu_set[0] = 1 << 5;
	EXPECT_CELL(&t, -EINVAL,
		    "cell \"apic-demo\": CPU 5 does not exist (the root cell has CPUs 0-3)");
	EXPECT_CELL_ALONE(&t, 0, NULL);

	test_cell_init(&t);
	t.cpu_set[7] = 0x80;
	test_sys.cpu_set[0] = 0x0b;	/* CPUs 0, 1, 3: the list is "0-1,3" */
	EXPECT_CELL(&t, -EINVAL, "CPU 63 does not exist (the root cell has CPUs 0-1,3)");
	test_sys.cpu_set[0] = 0x0f;

	test_cell_init(&t);
	t.cpu_set[0] = 0x05;
	EXPECT_CELL(&t, -EINVAL,
		    "cell \"apic-demo\": CPU 0 cannot be given to a cell: it is Linux's boot CPU");
	EXPECT_CELL_ALONE(&t, -EINVAL, "CPU 0 cannot be given to a cell");
}

static void test_cell_mem_fields(void)
{
	struct test_cell t;

	test_cell_init(&t);
	t.mem[2].size = 0;
	EXPECT_CELL(&t, -EINVAL, "cell \"apic-demo\": memory region 2 at 0xfed00000 has size 0");

	test_cell_init(&t);
	t.mem[0].phys_start = 0x3b200800;
	EXPECT_CELL(&t, -EINVAL, "memory region 0: phys_start 0x3b200800 is not a multiple of 4 KiB");

	test_cell_init(&t);
	t.mem[0].virt_start = 0x10;
	t.cell.entry_address = 0x10;
	EXPECT_CELL(&t, -EINVAL, "memory region 0: virt_start 0x10 is not a multiple of 4 KiB");

	test_cell_init(&t);
	t.mem[0].size = 0x100800;
	EXPECT_CELL(&t, -EINVAL, "memory region 0: size 0x100800 is not a multiple of 4 KiB");

	test_cell_init(&t);
	t.mem[2].phys_start = 0xfffffffffffff000ull;
	t.mem[2].size = 0x2000;
	EXPECT_CELL(&t, -EINVAL, "memory region 2: start 0xfffffffffffff000 + size 0x2000 wraps");

	test_cell_init(&t);
	t.mem[2].virt_start = 0xfffffffffffff000ull;
	t.mem[2].size = 0x2000;
	EXPECT_CELL(&t, -EINVAL,
		    "memory region 2: virt_start 0xfffffffffffff000 + size 0x2000 wraps");

	/* Beyond what nested paging and page table entries can address. */
	test_cell_init(&t);
	t.mem[2].virt_start = 1ull << 63;
	t.mem[2].size = 0x1000;
	EXPECT_CELL(&t, -EINVAL,
		    "memory region 2: virt_start 0x8000000000000000 + size 0x1000 is beyond 48 address bits");

	test_cell_init(&t);
	t.mem[2].virt_start = (1ull << 48) - 0x1000;
	t.mem[2].size = 0x2000;
	EXPECT_CELL(&t, -EINVAL,
		    "memory region 2: virt_start 0xfffffffff000 + size 0x2000 is beyond 48 address bits");

	test_cell_init(&t);
	t.mem[2].phys_start = 1ull << 52;
	t.mem[2].size = 0x1000;
	EXPECT_CELL(&t, -EINVAL,
		    "memory region 2: start 0x10000000000000 + size 0x1000 is beyond 52 address bits");

	test_cell_init(&t);
	t.mem[0].flags |= 0x400;
	EXPECT_CELL(&t, -EINVAL, "memory region 0 [0x3b200000-0x3b2fffff] has unknown flags 0x400");

	test_cell_init(&t);
	t.mem[1].flags &= ~(uint64_t)BH_MEM_READ;
	EXPECT_CELL(&t, -EINVAL, "memory region 1 [0x3e000000-0x3e1fffff] lacks the READ flag");
}

static void test_cell_mem_system(void)
{
	struct test_cell t;

	/* The example from the task: private RAM that is Linux's. */
	test_cell_init(&t);
	t.mem[0].phys_start = 0x3000000;
	EXPECT_CELL(&t, -EINVAL,
		    "cell \"apic-demo\": memory region 0 [0x3000000-0x30fffff] overlaps the root cell's memory region 1 [0x100000-0x39ffffff]");
	EXPECT_CELL_ALONE(&t, 0, NULL);

	test_cell_init(&t);
	t.mem[0].phys_start = 0x3a800000;
	EXPECT_CELL(&t, -EINVAL,
		    "memory region 0 [0x3a800000-0x3a8fffff] overlaps the hypervisor memory [0x3a000000-0x3affffff]");
	EXPECT_CELL_ALONE(&t, 0, NULL);

	/* Device memory may be passed on from the root cell... */
	test_cell_init(&t);
	t.mem[2].phys_start = 0x80000000;
	EXPECT_CELL(&t, 0, NULL);
	/* ...but never the hypervisor's (said once, not also "not root's"). */
	t.mem[2].phys_start = 0x3a000000;
	EXPECT_CELL_LINES(&t, -EINVAL,
			  "memory region 2 [0x3a000000-0x3a000fff] overlaps the hypervisor memory", 1);

	/* A shared region must be root's already, within one region. */
	test_cell_init(&t);
	t.mem[1].phys_start = 0x3b400000;
	EXPECT_CELL(&t, -EINVAL,
		    "memory region 1 [0x3b400000-0x3b5fffff] is ROOTSHARED but does not lie inside one root cell memory region");
	EXPECT_CELL_ALONE(&t, 0, NULL);

	test_cell_init(&t);
	t.mem[1].phys_start = 0x9f000;	/* root regions 0 and 1 with a hole */
	t.mem[1].size = 0x2000;
	EXPECT_CELL(&t, -EINVAL, "is ROOTSHARED but does not lie inside one");

	/* Not an ivshmem's: any page of root memory may be shared. */
	test_cell_init(&t);
	t.pci[0].type = BH_PCI_TYPE_DEVICE;
	t.mem[1].phys_start = 0x3ffdf000;	/* the last page of root region 2 */
	t.mem[1].size = 0x1000;
	EXPECT_CELL(&t, 0, NULL);
}

/*
 * Rule: device memory (IO) obeys the overlap rules of RAM and passes on
 * only what the root cell has as device memory.
 */
static void test_cell_mem_device(void)
{
	struct test_cell t;

	/* Over Linux's RAM: uncached, but Linux's memory all the same. */
	test_cell_init(&t);
	t.mem[2].phys_start = 0x3000000;
	EXPECT_CELL_LINES(&t, -EINVAL,
			  "cell \"apic-demo\": memory region 2 [0x3000000-0x3000fff] is device memory over the root cell's memory region 1 [0x100000-0x39ffffff] (RAM): only the root cell's device memory can be passed on",
			  1);
	EXPECT_CELL_ALONE(&t, 0, NULL);

	/* Over the shared memory of the other pair (00:0f.0). */
	test_cell_init(&t);
	t.mem[2].phys_start = 0x3e200000;
	EXPECT_CELL_LINES(&t, -EINVAL,
			  "cell \"apic-demo\": memory region 2 [0x3e200000-0x3e200fff] is device memory over the root cell's memory region 5 [0x3e200000-0x3e3fffff] (the shared memory of ivshmem 00:0f.0): only the root cell's device memory can be passed on",
			  1);
	EXPECT_CELL_ALONE(&t, 0, NULL);

	/* Its own pair's shared memory, beside the ROOTSHARED region. */
	test_cell_init(&t);
	t.mem[2].phys_start = 0x3e1ff000;
	EXPECT_CELL(&t, -EINVAL,
		    "memory region 2 [0x3e1ff000-0x3e1fffff] is device memory over the root cell's memory region 4 [0x3e000000-0x3e1fffff] (the shared memory of ivshmem 00:0e.0)");

	/* In the reservation, which the root cell does not have. */
	test_cell_init(&t);
	t.mem[2].phys_start = 0x3b400000;
	EXPECT_CELL_LINES(&t, -EINVAL,
			  "cell \"apic-demo\": memory region 2 [0x3b400000-0x3b400fff] is device memory but does not lie inside one root cell device memory region",
			  1);
	EXPECT_CELL_ALONE(&t, 0, NULL);

	/* In no root region at all (between 1 and 2 GiB here). */
	test_cell_init(&t);
	t.mem[2].phys_start = 0x60000000;
	EXPECT_CELL_LINES(&t, -EINVAL, "[0x60000000-0x60000fff] is device memory but does not lie inside one root cell device memory region", 1);

	/* Half inside the root's device memory is not inside. */
	test_cell_init(&t);
	t.mem[2].phys_start = 0x7ffff000;
	t.mem[2].size = 0x2000;
	EXPECT_CELL_LINES(&t, -EINVAL, "[0x7ffff000-0x80000fff] is device memory but does not lie inside one", 1);

	/* Root RAM and root device memory at once: the RAM is named. */
	test_cell_init(&t);
	t.mem[2].phys_start = 0x3f000000;
	t.mem[2].size = 0x41001000;
	EXPECT_CELL_LINES(&t, -EINVAL, "is device memory over the root cell's memory region 2 [0x3f000000-0x3ffdffff] (RAM)", 1);

	/* The whole of the root's device memory, and its last page, are fine. */
	test_cell_init(&t);
	t.mem[2].phys_start = 0x80000000;
	t.mem[2].size = 0x80000000;
	EXPECT_CELL(&t, 0, NULL);
	t.mem[2].phys_start = 0xfffff000;
	t.mem[2].size = 0x1000;
	EXPECT_CELL(&t, 0, NULL);
}

static void test_cell_mem_own(void)
{
	struct test_cell t;

	test_cell_init(&t);
	t.mem[2].phys_start = 0x3b2ff000;
	EXPECT_CELL(&t, -EINVAL,
		    "memory region 2 [0x3b2ff000-0x3b2fffff] overlaps memory region 0 [0x3b200000-0x3b2fffff]");
	EXPECT_CELL_ALONE(&t, -EINVAL, "overlaps memory region 0");

	test_cell_init(&t);
	t.mem[2].virt_start = 0x80000;
	EXPECT_CELL(&t, -EINVAL,
		    "memory region 2 at guest-physical [0x80000-0x80fff] overlaps memory region 0 at guest-physical [0x0-0xfffff]");
	EXPECT_CELL_ALONE(&t, -EINVAL, "at guest-physical");

	/* Adjacent in both spaces is fine (RAM: device memory must be root's). */
	test_cell_init(&t);
	t.mem[2].phys_start = 0x3b300000;
	t.mem[2].virt_start = 0x100000;
	t.mem[2].flags = RAM_FLAGS;
	EXPECT_CELL(&t, 0, NULL);
}

static void test_cell_entry(void)
{
	struct test_cell t;

	test_cell_init(&t);
	t.mem[0].flags &= ~(uint64_t)BH_MEM_LOADABLE;
	EXPECT_CELL(&t, -EINVAL, "cell \"apic-demo\": no memory region is LOADABLE");
	EXPECT_CELL_ALONE(&t, -EINVAL, "no memory region is LOADABLE");

	test_cell_init(&t);
	t.cell.entry_address = 0x100000;	/* one past the end */
	EXPECT_CELL(&t, -EINVAL,
		    "entry_address 0x100000 lies in no LOADABLE region's guest-physical range");

	/* In a region, but not a LOADABLE one. */
	test_cell_init(&t);
	t.cell.entry_address = 0x80000000;
	EXPECT_CELL(&t, -EINVAL, "entry_address 0x80000000 lies in no LOADABLE");

	test_cell_init(&t);
	t.cell.entry_address = 0xfffff;
	EXPECT_CELL(&t, 0, NULL);
}

static void test_cell_pio(void)
{
	struct test_cell t;

	test_cell_init(&t);
	t.pio[0].length = 0;
	EXPECT_CELL(&t, -EINVAL, "cell \"apic-demo\": pio region 0 at port 0x608 has length 0");

	test_cell_init(&t);
	t.pio[0].base = 0xfff0;
	t.pio[0].length = 0x20;
	EXPECT_CELL(&t, -EINVAL, "pio region 0 [0xfff0-0x1000f] ends past port 0xffff");

	test_cell_init(&t);
	t.pio[1].base = 0x3f8;
	t.cell.console.type = BH_CONSOLE_NONE;
	EXPECT_CELL(&t, -EINVAL,
		    "pio region 1 [0x3f8-0x3ff] overlaps the hypervisor's debug console ports [0x3f8-0x3ff]");
	EXPECT_CELL_ALONE(&t, 0, NULL);

	/* One port of it is one too many. */
	test_cell_init(&t);
	t.pio[1].base = 0x3f0;
	t.pio[1].length = 9;
	EXPECT_CELL(&t, -EINVAL, "pio region 1 [0x3f0-0x3f8] overlaps the hypervisor's debug console");

	test_cell_init(&t);
	t.pio[1].base = 0x3f0;
	EXPECT_CELL(&t, 0, NULL);
}

static void test_cell_console(void)
{
	struct test_cell t;

	test_cell_init(&t);
	t.cell.console.type = 7;
	EXPECT_CELL(&t, -EINVAL, "cell \"apic-demo\": console type 7 is unknown");

	test_cell_init(&t);
	t.cell.console.port = 0xfffa;
	EXPECT_CELL(&t, -EINVAL, "cell \"apic-demo\": console port 0xfffa: its 8 registers end past port 0xffff");

	test_cell_init(&t);
	t.cell.console.port = 0x3f8;
	EXPECT_CELL(&t, -EINVAL,
		    "console ports [0x3f8-0x3ff] overlap the hypervisor's debug console ports [0x3f8-0x3ff]");
	EXPECT_CELL_ALONE(&t, 0, NULL);

	test_cell_init(&t);
	t.cell.console.type = BH_CONSOLE_NONE;
	t.cell.console.port = 0x3f8;	/* ignored without a UART */
	EXPECT_CELL(&t, 0, NULL);
}

static void test_cell_pci(void)
{
	struct test_cell t;

	test_cell_init(&t);
	t.pci[0].type = 0;
	EXPECT_CELL(&t, -EINVAL, "cell \"apic-demo\": pci device 0 (00:0e.0) has unknown type 0");

	test_cell_init(&t);
	t.pci[0].shmem_region = 3;
	EXPECT_CELL_LINES(&t, -EINVAL,
			  "pci device 0 (00:0e.0): ivshmem shmem_region 3 is not one of the cell's 3 memory regions",
			  1);

	/* A plain device needs no shared memory. */
	test_cell_init(&t);
	t.pci[0].type = BH_PCI_TYPE_DEVICE;
	t.pci[0].shmem_region = 99;
	EXPECT_CELL(&t, 0, NULL);

	/* Passed through: only with an IOMMU, only in PCI domain 0. */
	test_sys.sys.platform.iommu_type = BH_IOMMU_NONE;
	test_sys.sys.platform.iommu_base[0] = 0;
	EXPECT_CELL_LINES(&t, -EINVAL,
			  "cell \"apic-demo\": pci device 0 (00:0e.0) is passed through, but the system config lists no IOMMU (platform.iommu_type): its DMA would reach all memory",
			  1);
	EXPECT_CELL_ALONE(&t, 0, NULL);	/* alone, the system is not known */
	test_sys_init();
	t.pci[0].domain = 1;
	EXPECT_CELL_LINES(&t, -EINVAL,
			  "pci device 0 (0001:00:0e.0) is in PCI domain 1: only domain 0 can be passed through",
			  1);
}

/* Rule: an inmate's end of a pair has peer ID 1. */
static void test_cell_ivshmem_peer_id(void)
{
	struct test_cell t;

	test_cell_init(&t);
	t.pci[0].shmem_peer_id = IVSHMEM_ROOT_PEER_ID;
	EXPECT_CELL_LINES(&t, -EINVAL,
			  "cell \"apic-demo\": pci device 0 (00:0e.0): ivshmem shmem_peer_id 0 must be 1, the inmate's end of the pair",
			  1);
	EXPECT_CELL_ALONE_LINES(&t, -EINVAL, "shmem_peer_id 0 must be 1", 1);

	test_cell_init(&t);
	t.pci[0].shmem_peer_id = 2;
	EXPECT_CELL_LINES(&t, -EINVAL, "ivshmem shmem_peer_id 2 must be 1", 1);
}

/* Rule: 1..IVSHMEM_MAX_VECTORS MSI-X vectors, in an inmate too. */
static void test_cell_ivshmem_vectors(void)
{
	struct test_cell t;

	test_cell_init(&t);
	t.pci[0].num_msix_vectors = 0;
	EXPECT_CELL_LINES(&t, -EINVAL,
			  "cell \"apic-demo\": pci device 0 (00:0e.0): ivshmem num_msix_vectors 0 is outside 1..16",
			  1);

	test_cell_init(&t);
	t.pci[0].num_msix_vectors = 17;
	EXPECT_CELL_ALONE_LINES(&t, -EINVAL, "num_msix_vectors 17 is outside 1..16", 1);

	/* Each end has its own count. */
	test_cell_init(&t);
	t.pci[0].num_msix_vectors = IVSHMEM_MAX_VECTORS;
	EXPECT_CELL(&t, 0, NULL);
}

/* The valid cell with a second pci device. */
struct test_cell2 {
	struct test_cell t;
	struct bh_pci_device extra;
} BH_PACKED;

static void test_cell2_init(struct test_cell2 *c, uint8_t type, uint16_t bdf)
{
	test_cell_init(&c->t);
	c->t.cell.num_pci_devices = 2;
	c->extra = c->t.pci[0];
	c->extra.type = type;
	c->extra.bdf = bdf;
}

/* Rules: one device per address and one shared memory per device, in an inmate. */
static void test_cell_pci_twice(void)
{
	struct test_cell2 c;

	test_cell2_init(&c, BH_PCI_TYPE_DEVICE, BDF_00_0F_0);
	EXPECT_CELL(&c, 0, NULL);

	test_cell2_init(&c, BH_PCI_TYPE_DEVICE, BDF_00_0E_0);
	EXPECT_CELL_LINES(&c, -EINVAL,
			  "cell \"apic-demo\": pci device 1 (00:0e.0) has the same domain and BDF as pci device 0",
			  1);
	EXPECT_CELL_ALONE_LINES(&c, -EINVAL, "has the same domain and BDF", 1);

	/* Alone: against the system config, 00:0f.0's memory differs too. */
	test_cell2_init(&c, BH_PCI_TYPE_IVSHMEM, BDF_00_0F_0);
	EXPECT_CELL_ALONE_LINES(&c, -EINVAL,
				"pci device 1 (00:0f.0): ivshmem shmem_region 1 is already pci device 0 (00:0e.0)'s",
				1);
}

/* Rule: the root cell has an ivshmem device at the same address. */
static void test_cell_ivshmem_partner(void)
{
	struct test_cell t;

	test_cell_init(&t);
	t.pci[0].bdf = 0x0d << 3;
	EXPECT_CELL_LINES(&t, -EINVAL,
			  "cell \"apic-demo\": pci device 0 (00:0d.0) has no partner: the root cell has no ivshmem device at 00:0d.0 (root ivshmem devices: 00:0e.0, 00:0f.0)",
			  1);
	EXPECT_CELL_ALONE(&t, 0, NULL);

	/* The root's device at that address is no ivshmem. */
	test_cell_init(&t);
	t.pci[0].bdf = 0x00f8;
	EXPECT_CELL_LINES(&t, -EINVAL, "has no partner: the root cell has no ivshmem device at 00:1f.0",
			  1);

	test_cell_init(&t);
	t.pci[0].domain = 1;
	EXPECT_CELL_LINES(&t, -EINVAL,
			  "pci device 0 (0001:00:0e.0) has no partner: the root cell has no ivshmem device at 0001:00:0e.0",
			  1);

	test_cell_init(&t);
	test_sys.pci[1].type = test_sys.pci[2].type = BH_PCI_TYPE_DEVICE;
	EXPECT_CELL_LINES(&t, -EINVAL,
			  "no ivshmem device at 00:0e.0 (root ivshmem devices: none)", 1);
	test_sys_init();
}

/* Rule: both ends are the same memory. */
static void test_cell_ivshmem_same_memory(void)
{
	struct test_cell t;

	test_cell_init(&t);
	t.mem[1].size = 0x100000;
	EXPECT_CELL_LINES(&t, -EINVAL,
			  "cell \"apic-demo\": pci device 0 (00:0e.0): ivshmem shared memory [0x3e000000-0x3e0fffff] differs from the root cell's [0x3e000000-0x3e1fffff]: start and size must be the same in both cells",
			  1);
	EXPECT_CELL_ALONE(&t, 0, NULL);

	/* 00:0f.0's memory: shared with the root, but not 00:0e.0's. */
	test_cell_init(&t);
	t.mem[1].phys_start = 0x3e200000;
	EXPECT_CELL_LINES(&t, -EINVAL,
			  "shared memory [0x3e200000-0x3e3fffff] differs from the root cell's [0x3e000000-0x3e1fffff]",
			  1);

	/* Where the inmate sees it is its own business. */
	test_cell_init(&t);
	t.mem[1].virt_start = 0x40000000;
	EXPECT_CELL(&t, 0, NULL);
}

/* Rule: the inmate's side is ROOTSHARED. */
static void test_cell_ivshmem_rootshared(void)
{
	struct test_cell t;

	test_cell_init(&t);
	t.mem[1].flags = BH_MEM_READ | BH_MEM_WRITE;
	EXPECT_CELL(&t, -EINVAL,
		    "cell \"apic-demo\": pci device 0 (00:0e.0): ivshmem shmem_region 1 at 0x3e000000 lacks the ROOTSHARED flag");
	EXPECT_CELL_ALONE_LINES(&t, -EINVAL, "lacks the ROOTSHARED flag", 1);
}

/* Rule: the inmate's shared memory is none of its other regions. */
static void test_cell_ivshmem_overlap(void)
{
	struct test_cell t;

	test_cell_init(&t);
	t.mem[0].phys_start = 0x3e100000;
	EXPECT_CELL_ALONE(&t, -EINVAL,
			  "cell \"apic-demo\": pci device 0 (00:0e.0): ivshmem shared memory [0x3e000000-0x3e1fffff] overlaps memory region 0 [0x3e100000-0x3e1fffff] (RAM)");
	EXPECT_CELL(&t, -EINVAL, "ivshmem shared memory [0x3e000000-0x3e1fffff] overlaps memory region 0");

	test_cell_init(&t);
	t.mem[2].virt_start = 0x80100000;
	EXPECT_CELL_LINES(&t, -EINVAL,
			  "pci device 0 (00:0e.0): ivshmem shared memory at guest-physical [0x80000000-0x801fffff] overlaps memory region 2 at guest-physical [0x80100000-0x80100fff] (device memory)",
			  2);	/* and the generic guest-physical overlap */
}

static void test_cell_all_reported(void)
{
	struct test_cell t;
	struct capture cap;

	test_cell_init(&t);
	t.cell.id = 2;
	t.cpu_set[0] |= 1;
	t.mem[0].phys_start = 0x3000000;
	t.pio[1].base = 0x3f8;
	CHECK_EQ(check_cell_blob(&t, sizeof(t), &test_sys.sys, &cap), -EINVAL,
		 "four problems");
	CHECK_EQ(cap.lines, 4, "report lines");
	CHECK(strstr(cap.text, "id 2") && strstr(cap.text, "CPU 0") &&
	      strstr(cap.text, "root cell's memory region 1") &&
	      strstr(cap.text, "debug console"), "report:\n%s", cap.text);
}

static void test_cell_random_damage(void)
{
	uint64_t x = 0x2545f4914f6cdd1dull;
	struct test_cell t;
	unsigned int i, k;
	size_t n;
	void *copy;
	int ret;

	for (i = 0; i < 20000; i++) {
		test_cell_init(&t);
		for (k = 0; k < 1 + i % 4; k++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			((uint8_t *)&t)[x % sizeof(t)] = (uint8_t)(x >> 32);
		}
		n = sizeof(t) - (x >> 40) % 3;
		copy = malloc(n);
		memcpy(copy, &t, n);
		ret = config_check_cell(copy, n, i % 2 ? &test_sys.sys : NULL, NULL);
		free(copy);
		CHECK(ret == 0 || ret == -EINVAL || ret == -ENOEXEC,
		      "iteration %u returned %d", i, ret);
	}
}

/* ---- sets of cells ------------------------------------------------------------ */

static int check_set(const struct test_cell *a, const struct test_cell *b,
		     struct capture *cap)
{
	struct config_sink sink = { .report = capture_report, .ctx = cap };
	const struct bh_cell_desc *cells[2] = { &a->cell, &b->cell };

	memset(cap, 0, sizeof(*cap));
	CHECK_EQ(config_check_cell(a, sizeof(*a), &test_sys.sys, NULL), 0, "cell a");
	CHECK_EQ(config_check_cell(b, sizeof(*b), &test_sys.sys, NULL), 0, "cell b");
	return config_check_cell_set(cells, 2, &sink);
}

/* A second cell that shares nothing with test_cell_init()'s: it pairs with 00:0f.0. */
static void test_cell_init_peer(struct test_cell *t)
{
	test_cell_init(t);
	strcpy(t->cell.name, "tiny-demo");
	t->cpu_set[0] = 1 << 3;
	t->mem[0].phys_start = 0x3b000000;
	t->mem[1].phys_start = 0x3e200000;
	t->mem[2].phys_start = 0xfed01000;
	t->pci[0].bdf = BDF_00_0F_0;
}

static void test_set(void)
{
	struct test_cell a, b;
	struct capture cap;

	test_cell_init(&a);
	test_cell_init_peer(&b);
	CHECK_EQ(check_set(&a, &b, &cap), 0, "disjoint cells, one ivshmem device each");
	CHECK_EQ(cap.lines, 0, "report lines");
	CHECK_EQ(config_check_cell_set(NULL, 0, NULL), 0, "no cells");

	test_cell_init_peer(&b);
	b.cpu_set[0] = 1 << 2;
	CHECK_EQ(check_set(&a, &b, &cap), -EINVAL, "CPU twice");
	CHECK(strstr(cap.text, "cell \"tiny-demo\": CPU 2 is also in cell \"apic-demo\""),
	      "report:\n%s", cap.text);

	test_cell_init_peer(&b);
	b.mem[0].phys_start = 0x3b280000;
	CHECK_EQ(check_set(&a, &b, &cap), -EINVAL, "memory overlap");
	CHECK(strstr(cap.text, "cell \"tiny-demo\": memory region 0 [0x3b280000-0x3b37ffff] overlaps cell \"apic-demo\"'s memory region 0 [0x3b200000-0x3b2fffff]"),
	      "report:\n%s", cap.text);

	/* Device memory is not shared either. */
	test_cell_init_peer(&b);
	b.mem[2].phys_start = 0xfed00000;
	CHECK_EQ(check_set(&a, &b, &cap), -EINVAL, "same device memory");
	CHECK(strstr(cap.text, "memory region 2 [0xfed00000-0xfed00fff] overlaps"),
	      "report:\n%s", cap.text);

	/* Shared, but not the same region on both sides. */
	test_cell_init_peer(&b);
	b.pci[0].type = BH_PCI_TYPE_DEVICE;
	b.mem[1].phys_start = 0x3e100000;
	b.mem[1].size = 0x100000;
	CHECK_EQ(check_set(&a, &b, &cap), -EINVAL, "different shared regions");
	CHECK(strstr(cap.text, "the same start and size in both"), "report:\n%s",
	      cap.text);

	/* Shared on one side only. */
	test_cell_init_peer(&b);
	b.mem[1].flags = RAM_FLAGS;
	b.mem[1].phys_start = 0x3b100000;	/* b alone must pass */
	b.mem[1].size = 0x1000;
	b.pci[0].type = BH_PCI_TYPE_DEVICE;
	a.mem[1].phys_start = 0x3b100000;
	a.mem[1].size = 0x1000;
	a.mem[1].flags = RAM_FLAGS;
	a.pci[0].type = BH_PCI_TYPE_DEVICE;
	CHECK_EQ(check_set(&a, &b, &cap), -EINVAL, "private region twice");
	CHECK(strstr(cap.text, "memory region 1 [0x3b100000-0x3b100fff] overlaps cell \"apic-demo\"'s"),
	      "report:\n%s", cap.text);

	test_cell_init(&a);
	test_cell_init_peer(&b);
	strcpy(b.cell.name, "apic-demo");
	CHECK_EQ(check_set(&a, &b, &cap), -EINVAL, "same name");
	CHECK(strstr(cap.text, "cell \"apic-demo\": another cell has the same name"),
	      "report:\n%s", cap.text);
	CHECK_EQ(cap.lines, 1, "report lines");
}

/* Rule: a root ivshmem device pairs with one cell at a time. */
static void test_set_ivshmem(void)
{
	struct test_cell a, b;
	struct capture cap;

	test_cell_init(&a);
	test_cell_init_peer(&b);
	b.pci[0].bdf = BDF_00_0E_0;
	b.mem[1].phys_start = 0x3e000000;	/* b alone pairs with 00:0e.0 */
	CHECK_EQ(check_set(&a, &b, &cap), -EINVAL, "two cells on 00:0e.0");
	CHECK(strstr(cap.text, "cell \"tiny-demo\": pci device 0 (00:0e.0) is also cell \"apic-demo\"'s ivshmem device 0: a root ivshmem device pairs with one cell at a time"),
	      "report:\n%s", cap.text);
	CHECK_EQ(cap.lines, 1, "report lines");

	/* The same address, but a plain device in one of them. */
	b.pci[0].type = BH_PCI_TYPE_DEVICE;
	CHECK_EQ(check_set(&a, &b, &cap), 0, "an ivshmem and a plain device");
}

/* Three cells: each pair is looked at. */
static void test_set_three(void)
{
	struct test_cell a, b, c;
	const struct bh_cell_desc *cells[3] = { &a.cell, &b.cell, &c.cell };
	struct capture cap;
	struct config_sink sink = { .report = capture_report, .ctx = &cap };

	test_cell_init(&a);
	test_cell_init_peer(&b);
	test_cell_init_peer(&c);
	strcpy(c.cell.name, "third");
	c.cpu_set[0] = 1 << 1;
	c.mem[0].phys_start = 0x3b400000;
	c.mem[1].phys_start = 0x3ffdf000;	/* a page of root RAM, no ivshmem */
	c.mem[1].size = 0x1000;
	c.mem[2].phys_start = 0xfed02000;
	c.pci[0].type = BH_PCI_TYPE_DEVICE;
	memset(&cap, 0, sizeof(cap));
	CHECK_EQ(config_check_cell_set(cells, 3, &sink), 0, "three disjoint cells");

	c.cpu_set[0] = 1 << 3;
	memset(&cap, 0, sizeof(cap));
	CHECK_EQ(config_check_cell_set(cells, 3, &sink), -EINVAL, "third takes CPU 3");
	CHECK(strstr(cap.text, "cell \"third\": CPU 3 is also in cell \"tiny-demo\""),
	      "report:\n%s", cap.text);
	CHECK_EQ(cap.lines, 1, "report lines");
}

int main(void)
{
	test_sys_init();
	RUN(test_valid);
	RUN(test_header);
	RUN(test_root_header);
	RUN(test_size);
	RUN(test_huge_counts);
	RUN(test_hv_memory);
	RUN(test_cpu_set);
	RUN(test_mem_region_fields);
	RUN(test_mem_region_overlaps);
	RUN(test_pio);
	RUN(test_console);
	RUN(test_platform);
	RUN(test_iommu);
	RUN(test_pci);
	RUN(test_ivshmem_root_peer_id);
	RUN(test_ivshmem_vectors);
	RUN(test_pci_same_address);
	RUN(test_ivshmem_same_region);
	RUN(test_ivshmem_root_overlap);
	RUN(test_pci_bus);
	RUN(test_all_reported);
	RUN(test_random_damage);
	RUN(test_cell_valid);
	RUN(test_cell_header);
	RUN(test_cell_size);
	RUN(test_cell_identity);
	RUN(test_cell_cpus);
	RUN(test_cell_mem_fields);
	RUN(test_cell_mem_system);
	RUN(test_cell_mem_device);
	RUN(test_cell_mem_own);
	RUN(test_cell_entry);
	RUN(test_cell_pio);
	RUN(test_cell_console);
	RUN(test_cell_pci);
	RUN(test_cell_ivshmem_peer_id);
	RUN(test_cell_ivshmem_vectors);
	RUN(test_cell_pci_twice);
	RUN(test_cell_ivshmem_partner);
	RUN(test_cell_ivshmem_same_memory);
	RUN(test_cell_ivshmem_rootshared);
	RUN(test_cell_ivshmem_overlap);
	RUN(test_cell_all_reported);
	RUN(test_cell_random_damage);
	RUN(test_set);
	RUN(test_set_ivshmem);
	RUN(test_set_three);
	return check_exit();
}
