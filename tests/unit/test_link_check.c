// SPDX-License-Identifier: GPL-2.0-only
/*
 * The config validator's ivshmem link rules (common/config_check.c),
 * one table row per rule: a valid system config with two links and two
 * valid peer cells, then each row breaks one field and wants the report
 * line that names the cell (or link), the device and the field.
 *
 * The fixture, written out from include/bulkhead/ivshmem.h's layout:
 *   link 0, 00:10.0: root peer 0, cell "link-a" peer 1, "link-b" peer 2;
 *     3 peers, common 4 KiB, output 8 KiB: 0x1000 + 0x1000 + 3 * 0x2000
 *     = 0x8000 bytes at 0x3e400000 (a root region of its own).
 *   link 1, 00:11.0: "link-a" peer 0, "link-b" peer 1, no root;
 *     2 peers, no common section, output 4 KiB: 0x3000 bytes at
 *     0x3e500000, memory of the reservation.
 * Last, a 16-peer link with 15 inmate peers passes and a 17th is refused.
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

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

#define RAM_FLAGS	(BH_MEM_READ | BH_MEM_WRITE | BH_MEM_EXECUTE | BH_MEM_DMA)
#define MMIO_FLAGS	(BH_MEM_READ | BH_MEM_WRITE | BH_MEM_IO)
#define SHMEM_FLAGS	(BH_MEM_READ | BH_MEM_WRITE)

#define BDF_LINK0	(0x10 << 3)		/* 00:10.0 */
#define BDF_LINK1	(0x11 << 3)		/* 00:11.0 */
#define LINK0_START	0x3e400000ull
#define LINK0_SIZE	0x8000ull
#define LINK1_START	0x3e500000ull
#define LINK1_SIZE	0x3000ull

struct t_sys {
	struct bh_system_config sys;
	uint8_t cpu_set[8];
	struct bh_memory_region mem[4];
	struct bh_pci_device pci[1];
	struct bh_ivshmem_link links[2];
} BH_PACKED;

struct t_cell {
	struct bh_cell_desc desc;
	uint8_t cpu_set[8];
	struct bh_memory_region mem[3];
	struct bh_pci_device pci[2];
} BH_PACKED;

static void t_sys_init(struct t_sys *t)
{
	static const struct bh_memory_region mem[4] = {
		{ 0x0, 0x0, 0x3a000000, RAM_FLAGS },
		{ 0x3f000000, 0x3f000000, 0x1000000, RAM_FLAGS },
		{ 0x40000000, 0x40000000, 0xc0000000, MMIO_FLAGS },
		{ LINK0_START, LINK0_START, LINK0_SIZE, SHMEM_FLAGS },
	};
	struct bh_cell_desc *root = &t->sys.root_cell;

	memset(t, 0, sizeof(*t));
	memcpy(t->sys.signature, BH_SYSTEM_SIGNATURE, BH_SIGNATURE_LEN);
	t->sys.revision = BH_CONFIG_REVISION;
	t->sys.num_ivshmem_links = 2;
	t->sys.hypervisor_memory = (struct bh_memory_region){ 0x3a000000, 0, 0x1000000, 0 };
	t->sys.platform.pci_mmconfig_base = 0xb0000000;
	t->sys.platform.pci_mmconfig_end_bus = 0xff;
	t->sys.platform.apic_mode = BH_APIC_XAPIC;
	t->sys.platform.apic_base = 0xfee00000;
	memcpy(root->signature, BH_CELL_SIGNATURE, BH_SIGNATURE_LEN);
	root->revision = BH_CONFIG_REVISION;
	strcpy(root->name, "root");
	root->cpu_set_size = 8;
	root->num_memory_regions = 4;
	root->num_pci_devices = 1;
	t->cpu_set[0] = 0xff;
	t->cpu_set[1] = 0xff;
	memcpy(t->mem, mem, sizeof(mem));
	t->pci[0] = (struct bh_pci_device){ .type = BH_PCI_TYPE_IVSHMEM_LINK, .bdf = BDF_LINK0,
		.num_msix_vectors = 2, .shmem_region = 3, .shmem_peer_id = 0 };
	t->links[0] = (struct bh_ivshmem_link){ .bdf = BDF_LINK0, .num_peers = 3,
		.phys_start = LINK0_START, .common_size = 0x1000, .output_size = 0x2000 };
	t->links[1] = (struct bh_ivshmem_link){ .bdf = BDF_LINK1, .num_peers = 2,
		.phys_start = LINK1_START, .common_size = 0, .output_size = 0x1000 };
}

/* Peer @p0 of link 0 and @p1 of link 1, on CPU @cpu with its own RAM. */
static void t_cell_init(struct t_cell *t, const char *name, unsigned int cpu,
			uint32_t p0, uint32_t p1)
{
	memset(t, 0, sizeof(*t));
	memcpy(t->desc.signature, BH_CELL_SIGNATURE, BH_SIGNATURE_LEN);
	t->desc.revision = BH_CONFIG_REVISION;
	strcpy(t->desc.name, name);
	t->desc.cpu_set_size = 8;
	t->desc.num_memory_regions = 3;
	t->desc.num_pci_devices = 2;
	t->cpu_set[cpu / 8] = (uint8_t)(1u << (cpu % 8));
	t->mem[0] = (struct bh_memory_region){ 0x3b000000 + cpu * 0x100000ull, 0, 0x100000,
					       RAM_FLAGS | BH_MEM_LOADABLE };
	t->mem[1] = (struct bh_memory_region){ LINK0_START, 0x80000000, LINK0_SIZE,
					       SHMEM_FLAGS | BH_MEM_ROOTSHARED };
	t->mem[2] = (struct bh_memory_region){ LINK1_START, 0x90000000, LINK1_SIZE, SHMEM_FLAGS };
	t->pci[0] = (struct bh_pci_device){ .type = BH_PCI_TYPE_IVSHMEM_LINK, .bdf = BDF_LINK0,
		.num_msix_vectors = 2, .shmem_region = 1, .shmem_peer_id = p0 };
	t->pci[1] = (struct bh_pci_device){ .type = BH_PCI_TYPE_IVSHMEM_LINK, .bdf = BDF_LINK1,
		.num_msix_vectors = 1, .shmem_region = 2, .shmem_peer_id = p1 };
}

/* ---- a sink that keeps the lines ------------------------------------------ */

struct capture {
	char text[16384];
	size_t len;
	unsigned int lines;
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
	CHECK(!memchr(cap->text + cap->len, '\n', (size_t)n), "a report line holds a newline");
	cap->len += (size_t)n;
	cap->text[cap->len++] = '\n';
	cap->text[cap->len] = '\0';
	cap->lines++;
}

/* The system config from a heap copy of exactly its size (ASan sees overreads). */
static int check_sys(const void *src, size_t n, struct capture *cap)
{
	struct config_sink sink = { .report = capture_report, .ctx = cap };
	void *copy = malloc(n);
	int ret;

	memset(cap, 0, sizeof(*cap));
	memcpy(copy, src, n);
	ret = config_check_system(copy, n, &sink);
	free(copy);
	return ret;
}

static int check_cell(const void *src, size_t n, const struct bh_system_config *sys,
		      struct capture *cap)
{
	struct config_sink sink = { .report = capture_report, .ctx = cap };
	void *copy = malloc(n);
	int ret;

	memset(cap, 0, sizeof(*cap));
	memcpy(copy, src, n);
	ret = config_check_cell(copy, n, sys, &sink);
	free(copy);
	return ret;
}

static void expect(const char *row, int ret, const struct capture *cap, int want,
		   const char *word)
{
	CHECK(ret == want, "%s: returned %d, want %d; report:\n%s", row, ret, want, cap->text);
	if (word)
		CHECK(strstr(cap->text, word) != NULL, "%s: no '%s' in the report:\n%s",
		      row, word, cap->text);
	else
		CHECK(cap->lines == 0, "%s: unexpected report:\n%s", row, cap->text);
}

/* ---- system config rows ---------------------------------------------------- */

struct sys_row {
	const char *name;
	void (*mutate)(struct t_sys *t);
	const char *word;		/* NULL: valid, no report */
};

static void s_valid(struct t_sys *t) { (void)t; }
static void s_peers17(struct t_sys *t) { t->links[0].num_peers = 17; }
static void s_peers1(struct t_sys *t) { t->links[1].num_peers = 1; }
static void s_output0(struct t_sys *t) { t->links[1].output_size = 0; }
static void s_common_odd(struct t_sys *t) { t->links[1].common_size = 0x800; }
static void s_start_odd(struct t_sys *t) { t->links[1].phys_start += 0x800; }
static void s_flags(struct t_sys *t) { t->links[1].flags = 1; }
static void s_reserved(struct t_sys *t) { t->links[1].reserved1 = 4; }
static void s_above_4g(struct t_sys *t) { t->links[1].phys_start = 0xffffe000; }
static void s_huge(struct t_sys *t) { t->links[1].output_size = 1ull << 62; }
static void s_same_bdf(struct t_sys *t) { t->links[1].bdf = BDF_LINK0; }
static void s_links_overlap(struct t_sys *t) { t->links[1].phys_start = LINK0_START + 0x4000; }
static void s_over_hv(struct t_sys *t) { t->links[1].phys_start = 0x3a100000; }
static void s_over_root_ram(struct t_sys *t) { t->links[1].phys_start = 0x200000; }
static void s_root_no_link(struct t_sys *t) { t->pci[0].bdf = 0x12 << 3; }
static void s_root_peer_id(struct t_sys *t) { t->pci[0].shmem_peer_id = 3; }
static void s_root_mem_size(struct t_sys *t) { t->mem[3].size = 0x7000; }
static void s_root_mem_io(struct t_sys *t) { t->mem[3].flags |= BH_MEM_IO; }
static void s_root_pair(struct t_sys *t) { t->pci[0].type = BH_PCI_TYPE_IVSHMEM; }
static void s_count(struct t_sys *t) { t->sys.num_ivshmem_links = 1; }
static void s_many(struct t_sys *t) { t->sys.num_ivshmem_links = 17; }

static const struct sys_row sys_rows[] = {
	{ "valid", s_valid, NULL },
	{ "17 peers", s_peers17, "ivshmem link 0 (00:10.0): num_peers 17 is outside 2..16" },
	{ "1 peer", s_peers1, "ivshmem link 1 (00:11.0): num_peers 1 is outside 2..16" },
	{ "empty output", s_output0, "ivshmem link 1 (00:11.0): output_size 0x0 is not a non-zero multiple of 4 KiB" },
	{ "common odd", s_common_odd, "ivshmem link 1 (00:11.0): common_size 0x800 is not a multiple of 4 KiB" },
	{ "start odd", s_start_odd, "ivshmem link 1 (00:11.0): phys_start 0x3e500800 is not a multiple of 4 KiB" },
	{ "flags", s_flags, "ivshmem link 1 (00:11.0): flags 0x1 and the reserved fields must be 0" },
	{ "reserved", s_reserved, "ivshmem link 1 (00:11.0): flags 0x0 and the reserved fields must be 0" },
	{ "above 4 GiB", s_above_4g, "ivshmem link 1 (00:11.0): memory [0xffffe000-0x100000fff] ends above 4 GiB" },
	{ "huge output", s_huge, "ivshmem link 1 (00:11.0): output_size 0x4000000000000000 is not a non-zero multiple of 4 KiB up to 1 TiB" },
	{ "same address", s_same_bdf, "ivshmem link 1 (00:10.0): ivshmem link 0 has the same address" },
	{ "links overlap", s_links_overlap, "ivshmem link 1 (00:11.0): memory [0x3e404000-0x3e406fff] overlaps ivshmem link 0's [0x3e400000-0x3e407fff]" },
	{ "over the hypervisor", s_over_hv, "ivshmem link 1 (00:11.0): memory [0x3a100000-0x3a102fff] overlaps the hypervisor memory" },
	{ "over root RAM", s_over_root_ram, "ivshmem link 1 (00:11.0): memory [0x200000-0x202fff] overlaps root cell memory region 0 [0x0-0x39ffffff], but the root cell is no peer of the link" },
	{ "root device, no link", s_root_no_link, "root cell pci device 0 (00:12.0): the system config has no ivshmem link at 00:12.0" },
	{ "root peer ID", s_root_peer_id, "root cell pci device 0 (00:10.0): ivshmem shmem_peer_id 3 is not below ivshmem link 0's num_peers 3" },
	{ "root memory size", s_root_mem_size, "root cell pci device 0 (00:10.0): ivshmem shared memory [0x3e400000-0x3e406fff] is not ivshmem link 0's memory [0x3e400000-0x3e407fff]" },
	{ "root memory IO", s_root_mem_io, "root cell pci device 0 (00:10.0): ivshmem shmem_region 3 is device memory, not RAM" },
	{ "root pair at a link", s_root_pair, "root cell pci device 0 (00:10.0): ivshmem pair device at ivshmem link 0's address" },
	{ "link count vs size", s_count, "but the root cell's and the links' counts make it" },
	{ "too many links", s_many, "num_ivshmem_links 17 is over the limit of 16" },
};

static void test_sys_rows(void)
{
	struct capture cap;
	struct t_sys t;
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_LEN(sys_rows); i++) {
		t_sys_init(&t);
		sys_rows[i].mutate(&t);
		ret = check_sys(&t, sizeof(t), &cap);
		expect(sys_rows[i].name, ret, &cap,
		       sys_rows[i].word ? -EINVAL : 0, sys_rows[i].word);
	}
}

/* ---- cell config rows (against the valid system config) --------------------- */

struct cell_row {
	const char *name;
	void (*mutate)(struct t_cell *t);
	int alone;			/* checked without the system config */
	const char *word;
};

static void c_valid(struct t_cell *t) { (void)t; }
static void c_peer_big(struct t_cell *t) { t->pci[0].shmem_peer_id = 3; }
static void c_peer_root(struct t_cell *t) { t->pci[0].shmem_peer_id = 0; }
static void c_no_link(struct t_cell *t) { t->pci[0].bdf = 0x13 << 3; }
static void c_mem_size(struct t_cell *t) { t->mem[1].size = 0x4000; }
static void c_mem_start(struct t_cell *t) { t->mem[2].phys_start += 0x1000; }
static void c_not_shared(struct t_cell *t) { t->mem[1].flags &= ~(uint64_t)BH_MEM_ROOTSHARED; }
static void c_shared(struct t_cell *t) { t->mem[2].flags |= BH_MEM_ROOTSHARED; }
static void c_pair(struct t_cell *t) { t->pci[0].type = BH_PCI_TYPE_IVSHMEM; }
static void c_io(struct t_cell *t) { t->mem[2].flags |= BH_MEM_IO; }
static void c_peer16(struct t_cell *t) { t->pci[1].shmem_peer_id = 16; }
static void c_same_region(struct t_cell *t) { t->pci[1].shmem_region = 1; }

static const struct cell_row cell_rows[] = {
	{ "valid", c_valid, 0, NULL },
	{ "valid alone", c_valid, 1, NULL },
	{ "peer ID past num_peers", c_peer_big, 0, "cell \"link-a\": pci device 0 (00:10.0): ivshmem shmem_peer_id 3 is not below ivshmem link 0's num_peers 3" },
	{ "the root's peer ID", c_peer_root, 0, "cell \"link-a\": pci device 0 (00:10.0): ivshmem shmem_peer_id 0 is the root cell's on the link" },
	{ "no link there", c_no_link, 0, "cell \"link-a\": pci device 0 (00:13.0): the system config has no ivshmem link at 00:13.0" },
	{ "memory size", c_mem_size, 0, "cell \"link-a\": pci device 0 (00:10.0): ivshmem shared memory [0x3e400000-0x3e403fff] is not ivshmem link 0's memory [0x3e400000-0x3e407fff]" },
	{ "memory start", c_mem_start, 0, "cell \"link-a\": pci device 1 (00:11.0): ivshmem shared memory [0x3e501000-0x3e503fff] is not ivshmem link 1's memory [0x3e500000-0x3e502fff]" },
	{ "root peer, not ROOTSHARED", c_not_shared, 0, "cell \"link-a\": pci device 0 (00:10.0): ivshmem shmem_region 1 lacks the ROOTSHARED flag: the root cell is a peer of the link" },
	{ "no root peer, ROOTSHARED", c_shared, 0, "cell \"link-a\": pci device 1 (00:11.0): ivshmem shmem_region 2 is ROOTSHARED, but the root cell is no peer of the link" },
	{ "pair device at a link", c_pair, 0, "cell \"link-a\": pci device 0 (00:10.0): ivshmem pair device at ivshmem link 0's address" },
	{ "device memory", c_io, 0, "cell \"link-a\": pci device 1 (00:11.0): ivshmem shmem_region 2 is device memory, not RAM" },
	{ "peer 16 alone", c_peer16, 1, "cell \"link-a\": pci device 1 (00:11.0): ivshmem shmem_peer_id 16 is not below 16, the most peers a link has" },
	{ "two links, one region", c_same_region, 0, "cell \"link-a\": pci device 1 (00:11.0): ivshmem shmem_region 1 is already pci device 0 (00:10.0)'s" },
};

static void test_cell_rows(void)
{
	struct capture cap;
	struct t_cell c;
	struct t_sys s;
	unsigned int i;
	int ret;

	t_sys_init(&s);
	for (i = 0; i < ARRAY_LEN(cell_rows); i++) {
		t_cell_init(&c, "link-a", 1, 1, 0);
		cell_rows[i].mutate(&c);
		ret = check_cell(&c, sizeof(c), cell_rows[i].alone ? NULL : &s.sys, &cap);
		expect(cell_rows[i].name, ret, &cap,
		       cell_rows[i].word ? -EINVAL : 0, cell_rows[i].word);
	}
}

/* ---- cells together ---------------------------------------------------------- */

struct set_row {
	const char *name;
	void (*mutate)(struct t_cell *b);
	const char *word;
};

static void b_same_peer(struct t_cell *b) { b->pci[0].shmem_peer_id = 1; }
static void b_other_start(struct t_cell *b) { b->mem[2].phys_start += 0x1000; }

static const struct set_row set_rows[] = {
	{ "two peers of both links", c_valid, NULL },
	{ "a peer ID twice", b_same_peer, "cell \"link-b\": pci device 0 (00:10.0): ivshmem shmem_peer_id 1 is also cell \"link-a\"'s on the link (its pci device 0): peer IDs must be unique" },
	{ "link memory not the same", b_other_start, "cell \"link-b\": memory region 2 [0x3e501000-0x3e503fff] overlaps cell \"link-a\"'s memory region 2 [0x3e500000-0x3e502fff]" },
};

static void test_set_rows(void)
{
	struct config_sink sink = { .report = capture_report };
	const struct bh_cell_desc *cells[2];
	struct t_cell a, b;
	struct capture cap;
	unsigned int i;
	int ret;

	sink.ctx = &cap;
	for (i = 0; i < ARRAY_LEN(set_rows); i++) {
		t_cell_init(&a, "link-a", 1, 1, 0);
		t_cell_init(&b, "link-b", 2, 2, 1);
		set_rows[i].mutate(&b);
		cells[0] = &a.desc;
		cells[1] = &b.desc;
		memset(&cap, 0, sizeof(cap));
		ret = config_check_cell_set(cells, 2, &sink);
		expect(set_rows[i].name, ret, &cap, set_rows[i].word ? -EINVAL : 0,
		       set_rows[i].word);
	}
}

/* ---- the most peers: 16 pass, 17 do not --------------------------------------- */

struct t_sys16 {
	struct bh_system_config sys;
	uint8_t cpu_set[8];
	struct bh_memory_region mem[4];
	struct bh_pci_device pci[1];
	struct bh_ivshmem_link links[1];
} BH_PACKED;

struct t_cell16 {
	struct bh_cell_desc desc;
	uint8_t cpu_set[8];
	struct bh_memory_region mem[2];
	struct bh_pci_device pci[1];
} BH_PACKED;

/* A link of @peers at 00:10.0: 4 KiB state, 4 KiB common, 4 KiB each. */
static void t_sys16_init(struct t_sys16 *t, unsigned int peers)
{
	struct t_sys base;

	t_sys_init(&base);
	memset(t, 0, sizeof(*t));
	memcpy(&t->sys, &base.sys, sizeof(base.sys) + sizeof(base.cpu_set) +
	       sizeof(base.mem) + sizeof(base.pci));
	t->sys.num_ivshmem_links = 1;
	t->mem[3].size = IVSHMEM_LINK_SIZE(0x1000, 0x1000, peers);
	t->links[0] = (struct bh_ivshmem_link){ .bdf = BDF_LINK0, .num_peers = (uint16_t)peers,
		.phys_start = LINK0_START, .common_size = 0x1000, .output_size = 0x1000 };
}

static void t_cell16_init(struct t_cell16 *t, unsigned int peer, uint64_t size)
{
	memset(t, 0, sizeof(*t));
	memcpy(t->desc.signature, BH_CELL_SIGNATURE, BH_SIGNATURE_LEN);
	t->desc.revision = BH_CONFIG_REVISION;
	snprintf(t->desc.name, sizeof(t->desc.name), "peer-%u", peer);
	t->desc.cpu_set_size = 8;
	t->desc.num_memory_regions = 2;
	t->desc.num_pci_devices = 1;
	t->cpu_set[peer / 8] = (uint8_t)(1u << (peer % 8));
	t->mem[0] = (struct bh_memory_region){ 0x3b000000 + peer * 0x100000ull, 0, 0x100000,
					       RAM_FLAGS | BH_MEM_LOADABLE };
	t->mem[1] = (struct bh_memory_region){ LINK0_START, 0x80000000, size,
					       SHMEM_FLAGS | BH_MEM_ROOTSHARED };
	t->pci[0] = (struct bh_pci_device){ .type = BH_PCI_TYPE_IVSHMEM_LINK, .bdf = BDF_LINK0,
		.num_msix_vectors = 1, .shmem_region = 1, .shmem_peer_id = peer };
}

static void test_most_peers(void)
{
	struct config_sink sink = { .report = capture_report };
	const struct bh_cell_desc *descs[IVSHMEM_MAX_PEERS];
	static struct t_cell16 cells[IVSHMEM_MAX_PEERS];
	struct capture cap;
	struct t_sys16 s;
	unsigned int p;
	int ret;

	t_sys16_init(&s, 16);
	ret = check_sys(&s, sizeof(s), &cap);
	expect("16-peer system", ret, &cap, 0, NULL);
	for (p = 1; p < 16; p++) {
		t_cell16_init(&cells[p], p, s.mem[3].size);
		descs[p - 1] = &cells[p].desc;
		ret = check_cell(&cells[p], sizeof(cells[p]), &s.sys, &cap);
		expect("a peer of 16", ret, &cap, 0, NULL);
	}
	sink.ctx = &cap;
	memset(&cap, 0, sizeof(cap));
	ret = config_check_cell_set(descs, 15, &sink);
	expect("16 peers together", ret, &cap, 0, NULL);

	t_sys16_init(&s, 17);
	ret = check_sys(&s, sizeof(s), &cap);
	expect("17-peer system", ret, &cap, -EINVAL,
	       "ivshmem link 0 (00:10.0): num_peers 17 is outside 2..16");
	t_cell16_init(&cells[0], 16, IVSHMEM_LINK_SIZE(0x1000, 0x1000, 17));
	ret = check_cell(&cells[0], sizeof(cells[0]), NULL, &cap);
	expect("peer 16 alone", ret, &cap, -EINVAL,
	       "ivshmem shmem_peer_id 16 is not below 16");
}

int main(void)
{
	RUN(test_sys_rows);
	RUN(test_cell_rows);
	RUN(test_set_rows);
	RUN(test_most_peers);
	return check_exit();
}
