// SPDX-License-Identifier: GPL-2.0-only
/*
 * The system config validator (hypervisor/core/config_check.c): a valid
 * config modelled on QEMU q35 with 1 GiB of RAM must pass silently, and
 * each rule, broken alone, must fail with the right code and a report that
 * names the problem. Every blob is checked from a heap copy of exactly its
 * size, so under ASan (this test's _asan build) a read past the end is
 * caught, whatever the counts in the blob claim.
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

#include "../../hypervisor/core/config_check.c"

#include "check.h"

/* The valid config: a system config with the root cell's arrays. */
struct test_config {
	struct bh_system_config sys;
	uint8_t cpu_set[8];
	struct bh_memory_region mem[4];
	struct bh_pio_region pio[2];
	struct bh_pci_device pci[1];
} BH_PACKED;

#define RAM_FLAGS	(BH_MEM_READ | BH_MEM_WRITE | BH_MEM_EXECUTE | BH_MEM_DMA)
#define MMIO_FLAGS	(BH_MEM_READ | BH_MEM_WRITE | BH_MEM_IO)

static void test_config_init(struct test_config *t)
{
	static const struct bh_memory_region mem[4] = {
		{ 0x0, 0x0, 0xa0000, RAM_FLAGS },
		{ 0x100000, 0x100000, 0x3a000000 - 0x100000, RAM_FLAGS },
		{ 0x3f000000, 0x3f000000, 0x3ffe0000 - 0x3f000000, RAM_FLAGS },
		{ 0x80000000, 0x80000000, 0x80000000, MMIO_FLAGS },
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
	root->num_memory_regions = 4;
	root->num_pio_regions = 2;
	root->num_pci_devices = 1;

	t->cpu_set[0] = 0x0f;
	memcpy(t->mem, mem, sizeof(mem));
	/* Every port but the hypervisor's UART at 0x3f8-0x3ff. */
	t->pio[0] = (struct bh_pio_region){ .base = 0, .length = 0x3f8 };
	t->pio[1] = (struct bh_pio_region){ .base = 0x400, .length = 0xfc00 };
	t->pci[0] = (struct bh_pci_device){ .type = BH_PCI_TYPE_DEVICE,
					    .bdf = 0x00f8 };	/* 00:1f.0 */
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

/* Checks @t whole and wants @want back with @word in the report. */
#define EXPECT(t, want, word)							\
	expect_blob((t), sizeof(*(t)), (want), (word), __LINE__)

static void expect_blob(const void *blob, size_t n, int want, const char *word,
			int line)
{
	struct capture cap;
	int ret = check_blob(blob, n, &cap);

	CHECK(ret == want, "line %d: returned %d, want %d; report:\n%s",
	      line, ret, want, cap.text);
	if (word)
		CHECK(strstr(cap.text, word), "line %d: no '%s' in the report:\n%s",
		      line, word, cap.text);
	else
		CHECK(cap.lines == 0, "line %d: unexpected report:\n%s",
		      line, cap.text);
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
	t.sys.revision = 2;
	EXPECT(&t, -ENOEXEC, "config revision 2, this build expects 1");
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
	EXPECT(&t, -EINVAL, "root cell revision 7, this build expects 1");

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
	expect_blob(&t, sizeof(t) - 1, -EINVAL, "but the root cell's counts make it",
		    __LINE__);

	test_config_init(&big.t);
	big.extra = 0;
	EXPECT(&big, -EINVAL, "but the root cell's counts make it");

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

static void test_pci(void)
{
	struct test_config t;

	test_config_init(&t);
	t.pci[0].type = 9;
	EXPECT(&t, -EINVAL, "pci device 0 (0:1f.0) has unknown type 9");

	test_config_init(&t);
	t.pci[0].type = BH_PCI_TYPE_IVSHMEM;
	t.pci[0].shmem_region = 4;
	EXPECT(&t, -EINVAL, "ivshmem shmem_region 4 is not one of the root cell's 4");

	test_config_init(&t);
	t.pci[0].type = BH_PCI_TYPE_IVSHMEM;
	t.pci[0].shmem_region = 3;
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

int main(void)
{
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
	RUN(test_pci);
	RUN(test_all_reported);
	RUN(test_random_damage);
	return check_exit();
}
