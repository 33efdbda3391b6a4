// SPDX-License-Identifier: GPL-2.0-only
/*
 * Nested page tables (hypervisor/arch/x86/npt.c): npt_map/npt_unmap/
 * npt_translate/npt_destroy on tables built from a fake page pool, and the
 * guest walks (guest_virt_to_phys, guest_read, guest_fetch) over guest
 * page tables built here in host memory.
 *
 * The pool is aligned_alloc(4096) and counts the pages in use, so every
 * test can say how many table pages a mapping costs and that nothing
 * leaks. The tables are inspected by a walker written here from the AMD
 * APM (vol. 2, 5.3 and 15.25), not by npt_translate, and the expected
 * PTE bits are spelled out from the APM too: P 0, RW 1, US 2, PWT 3,
 * PCD 4, A 5, D 6, PS 7, NX 63, address bits 12..51.
 *
 * The guest walks read guest tables and data through the identity map
 * below BH_IDENTITY_LIMIT (4 GiB), so "guest memory" is an anonymous
 * mapping at a fixed address under 4 GiB (GUEST_HOST). Under ASan
 * (this test's _asan build) that address lies in its low application
 * memory. If the mapping cannot be made, those tests are skipped (the
 * rest still run).
 *
 * npt.c is included as source, so this test builds with the Makefile's
 * generic rule for tests/unit/test_*.c plus the hypervisor include paths
 * the Makefile adds for it.
 */
#include "../../hypervisor/arch/x86/npt.c"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "check.h"

#define T_4K		0x1000ull
#define T_2M		0x200000ull
#define T_1G		0x40000000ull
#define T_LIMIT		(1ull << 48)		/* 4-level guest-physical space */

/* PTE bits, from the APM. */
#define T_P		(1ull << 0)
#define T_RW		(1ull << 1)
#define T_US		(1ull << 2)
#define T_PWT		(1ull << 3)
#define T_PCD		(1ull << 4)
#define T_A		(1ull << 5)
#define T_D		(1ull << 6)
#define T_PS		(1ull << 7)
#define T_NX		(1ull << 63)
#define T_ADDR		0x000ffffffffff000ull

/* EPT bits, from the Intel SDM (vol. 3, 29.3.2). */
#define T_EPT_R		(1ull << 0)
#define T_EPT_W		(1ull << 1)
#define T_EPT_X		(1ull << 2)
#define T_EPT_UC	(0ull << 3)
#define T_EPT_WB	(6ull << 3)
#define T_EPT_A		(1ull << 8)
#define T_EPT_D		(1ull << 9)

/*
 * ---- the guest CPU guest_fetch() asks about -----------------------------
 * What a backend's vcpu_get() would return; guest_fetch decides alone.
 */
static struct {
	uint64_t cr3, efer;
	uint16_t cs_attrib;
} t_guest;

static uint64_t t_vcpu_get(struct per_cpu *cpu, enum vcpu_reg reg)
{
	(void)cpu;
	switch (reg) {
	case VCPU_CR3:		return t_guest.cr3;
	case VCPU_EFER:		return t_guest.efer;
	case VCPU_CS_ATTRIB:	return t_guest.cs_attrib;
	default:		CHECK(0, "guest_fetch read register %d", reg); return 0;
	}
}

static const struct vcpu_ops t_vcpu_ops = { .name = "test", .get = t_vcpu_get };
const struct vcpu_ops *vcpu = &t_vcpu_ops;

/* ---- the fake page pool --------------------------------------------------- */

static long pool_used;			/* pages handed out and not freed */
static long pool_limit = -1;		/* >= 0: refuse beyond this many */
static unsigned long pool_calls;	/* of pool_alloc_page, refused too */

void *pool_alloc_page(void)
{
	void *p;

	pool_calls++;
	if (pool_limit >= 0 && pool_used >= pool_limit)
		return NULL;
	p = aligned_alloc(4096, 4096);
	if (!p)
		abort();
	memset(p, 0, 4096);
	pool_used++;
	return p;
}

void pool_free_page(void *page)
{
	CHECK(page && !((uintptr_t)page % 4096), "freeing %p", page);
	pool_used--;
	free(page);
}

/* guest_fetch() tells the root cell by its address. */
struct cell root_cell;

/* ---- a walker of our own -------------------------------------------------- */

static unsigned int t_index(uint64_t gpa, unsigned int level)
{
	return (gpa >> (12 + 9 * level)) & 511;
}

/*
 * The leaf entry for @gpa and its level (1: 2 MiB, 0: 4 KiB), or NULL.
 * Every table entry on the way must be P|RW|US without NX (SVM walks
 * nested tables as user accesses, and a table entry must not restrict
 * its leaves).
 */
static uint64_t *leaf_of(uint64_t *root, uint64_t gpa, unsigned int *level)
{
	uint64_t *table = root, *e;
	unsigned int l;

	for (l = 3;; l--) {
		e = &table[t_index(gpa, l)];
		if (!(*e & T_P))
			return NULL;
		if (l == 0 || (l < 3 && (*e & T_PS))) {
			*level = l;
			return e;
		}
		CHECK((*e & ~T_ADDR) == (T_P | T_RW | T_US),
		      "table entry 0x%llx at level %u for gpa 0x%llx",
		      (unsigned long long)*e, l, (unsigned long long)gpa);
		table = (uint64_t *)(uintptr_t)(*e & T_ADDR);
	}
}

/* Counts the 2 MiB and 4 KiB leaves under @table at @level. */
static void count_leaves(const uint64_t *table, unsigned int level,
			 unsigned long *large, unsigned long *small)
{
	unsigned int i;

	for (i = 0; i < 512; i++) {
		if (!(table[i] & T_P))
			continue;
		if (level == 0)
			(*small)++;
		else if (level < 3 && (table[i] & T_PS))
			(*large)++;
		else
			count_leaves((const uint64_t *)(uintptr_t)(table[i] & T_ADDR),
				     level - 1, large, small);
	}
}

/* npt_translate(@gpa) must give @want (~0: not mapped); 0 if it did not. */
static int check_translate_at(int line, const char *what,
			      const uint64_t *root, uint64_t gpa,
			      uint64_t want)
{
	uint64_t hpa = 0xdeadull;
	int err = npt_translate(root, gpa, &hpa);

	if (want == ~0ull) {
		CHECK(err == -EINVAL, "line %d: %s: gpa 0x%llx: got %d, hpa 0x%llx, want -EINVAL",
		      line, what, (unsigned long long)gpa, err,
		      (unsigned long long)hpa);
		return err == -EINVAL;
	}
	CHECK(err == 0 && hpa == want,
	      "line %d: %s: gpa 0x%llx: got %d, hpa 0x%llx, want 0x%llx",
	      line, what, (unsigned long long)gpa, err,
	      (unsigned long long)hpa, (unsigned long long)want);
	return err == 0 && hpa == want;
}
#define check_translate(...) check_translate_at(__LINE__, __VA_ARGS__)

/* Every page of [gpa, gpa + size) translates to hpa + offset (one report). */
static void check_run_at(int line, const char *what, const uint64_t *root,
			 uint64_t gpa, uint64_t hpa, uint64_t size)
{
	uint64_t off;

	for (off = 0; off < size; off += T_4K)
		if (!check_translate_at(line, what, root, gpa + off + 0x123,
					hpa + off + 0x123))
			return;
}
#define check_run(...) check_run_at(__LINE__, __VA_ARGS__)

/* Every page of [gpa, gpa + size) is unmapped (one report). */
static void check_hole_at(int line, const char *what, const uint64_t *root,
			  uint64_t gpa, uint64_t size)
{
	uint64_t off;

	for (off = 0; off < size; off += T_4K)
		if (!check_translate_at(line, what, root, gpa + off, ~0ull))
			return;
}
#define check_hole(...) check_hole_at(__LINE__, __VA_ARGS__)

static uint64_t *new_root(void)
{
	uint64_t *root;

	CHECK_EQ(pool_used, 0, "pages in use before a test");
	root = npt_create();
	CHECK(root != NULL, "npt_create");
	CHECK_EQ(pool_used, 1, "pages of an empty NPT");
	return root;
}

static void destroy(uint64_t *root)
{
	npt_destroy(root);
	CHECK_EQ(pool_used, 0, "pages in use after npt_destroy");
	pool_used = 0;			/* one leak reported, not every test */
	pool_limit = -1;
}

/* ---- npt_map: 2 MiB leaves where gpa, hpa and size allow ----------------- */

struct test_map_case {
	const char *what;
	uint64_t gpa, hpa, size;
	unsigned long large, small;	/* leaves afterwards */
	long pages;			/* table pages afterwards, root included */
};

static const struct test_map_case test_map_cases[] = {
	{ "one 4 KiB page", 0x1000, 0x5000, T_4K, 0, 1, 4 },
	{ "2 MiB, both aligned", T_2M, T_1G, T_2M, 1, 0, 3 },
	{ "2 MiB, hpa 4 KiB off", T_2M, T_1G + T_4K, T_2M, 0, 512, 4 },
	{ "2 MiB, gpa 4 KiB off", T_2M + T_4K, T_1G, T_2M, 0, 512, 5 },
	{ "2 MiB, both 4 KiB off (two tables)", T_2M + T_4K, T_1G + T_4K, T_2M, 0, 512, 5 },
	{ "2 MiB - 4 KiB, aligned", T_2M, T_1G, T_2M - T_4K, 0, 511, 4 },
	{ "4 MiB + 8 KiB", T_2M, 3 * T_2M, 2 * T_2M + 2 * T_4K, 2, 2, 4 },
	{ "8 KiB head, then 2 MiB", T_2M - 2 * T_4K, 3 * T_2M - 2 * T_4K, T_2M + 2 * T_4K, 1, 2, 4 },
	{ "head, 2 MiB, tail", T_2M - T_4K, 5 * T_2M - T_4K, T_2M + 2 * T_4K, 1, 2, 5 },
	{ "4 MiB across 1 GiB", T_1G - T_2M, 2 * T_1G, 2 * T_2M, 2, 0, 4 },
	{ "4 MiB across 512 GiB", 512 * T_1G - T_2M, T_1G, 2 * T_2M, 2, 0, 5 },
	{ "last 2 MiB of 2^48", T_LIMIT - T_2M, T_2M, T_2M, 1, 0, 3 },
	{ "last 4 KiB of 2^48", T_LIMIT - T_4K, T_4K, T_4K, 0, 1, 4 },
	{ "highest 2 MiB hpa", 0, (1ull << 52) - T_2M, T_2M, 1, 0, 3 },
	{ "highest 4 KiB hpa", 0, (1ull << 52) - T_4K, T_4K, 0, 1, 4 },
	{ "size 0", T_2M, T_2M, 0, 0, 0, 1 },
};

static void test_map(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(test_map_cases); i++) {
		const struct test_map_case *c = &test_map_cases[i];
		uint64_t *root = new_root();
		unsigned long large = 0, small = 0;
		int err;

		err = npt_map(root, c->gpa, c->hpa, c->size, NPT_READ | NPT_WRITE);
		CHECK(err == 0, "%s: npt_map: %d", c->what, err);
		count_leaves(root, 3, &large, &small);
		CHECK(large == c->large && small == c->small,
		      "%s: %lu 2 MiB and %lu 4 KiB leaves, want %lu and %lu",
		      c->what, large, small, c->large, c->small);
		CHECK(pool_used == c->pages, "%s: %ld table pages, want %ld",
		      c->what, pool_used, c->pages);
		check_run(c->what, root, c->gpa, c->hpa, c->size);
		if (c->gpa)
			check_translate(c->what, root, c->gpa - 1, ~0ull);
		if (c->gpa + c->size < T_LIMIT)
			check_translate(c->what, root, c->gpa + c->size, ~0ull);
		destroy(root);
	}
}

/* Two maps side by side and one over the other: the last one counts. */
static void test_map_twice(void)
{
	uint64_t *root = new_root();

	CHECK_EQ(npt_map(root, 0, T_1G, T_2M, NPT_READ), 0, "first 2 MiB");
	CHECK_EQ(npt_map(root, T_2M, 4 * T_1G, T_4K, NPT_READ), 0, "a 4 KiB page after it");
	check_run("two maps", root, 0, T_1G, T_2M);
	check_run("two maps", root, T_2M, 4 * T_1G, T_4K);
	check_translate("two maps", root, T_2M + T_4K, ~0ull);
	/* 4 KiB over the middle of the 2 MiB leaf: split, one page elsewhere */
	CHECK_EQ(npt_map(root, 7 * T_4K, 8 * T_1G, T_4K, NPT_READ), 0, "4 KiB over 2 MiB");
	check_run("4 KiB over 2 MiB", root, 0, T_1G, 7 * T_4K);
	check_run("4 KiB over 2 MiB", root, 7 * T_4K, 8 * T_1G, T_4K);
	check_run("4 KiB over 2 MiB", root, 8 * T_4K, T_1G + 8 * T_4K, T_2M - 8 * T_4K);
	CHECK_EQ(pool_used, 5, "table pages: root, PDPT, PD, two PTs");
	destroy(root);
}

/* ---- rights ---------------------------------------------------------------- */

struct test_rights_case {
	unsigned int access;
	uint64_t flags;			/* the leaf's bits besides the address */
};

static const struct test_rights_case test_rights_cases[] = {
	{ NPT_READ, T_P | T_US | T_NX },
	{ NPT_READ | NPT_WRITE, T_P | T_RW | T_US | T_NX },
	{ NPT_READ | NPT_EXEC, T_P | T_US },
	{ NPT_READ | NPT_WRITE | NPT_EXEC, T_P | T_RW | T_US },
	{ NPT_READ | NPT_UNCACHED, T_P | T_US | T_PCD | T_PWT | T_NX },
	{ NPT_READ | NPT_WRITE | NPT_UNCACHED, T_P | T_RW | T_US | T_PCD | T_PWT | T_NX },
	{ NPT_READ | NPT_EXEC | NPT_UNCACHED, T_P | T_US | T_PCD | T_PWT },
	{ NPT_READ | NPT_WRITE | NPT_EXEC | NPT_UNCACHED, T_P | T_RW | T_US | T_PCD | T_PWT },
};

/* Each case's 4 KiB and 2 MiB leaves; @table_bits: what tables point down with. */
static void check_rights(const struct test_rights_case *cases, unsigned int n,
			 uint64_t table_bits)
{
	unsigned int i, level;

	for (i = 0; i < n; i++) {
		const struct test_rights_case *c = &cases[i];
		uint64_t *root = new_root(), *e;

		CHECK_EQ(npt_map(root, 0x3000, 0x7000, T_4K, c->access), 0, "4 KiB map");
		CHECK_EQ(npt_map(root, T_2M, 0x40200000, T_2M, c->access), 0, "2 MiB map");
		e = leaf_of(root, 0x3000, &level);
		CHECK(e && level == 0 && *e == (0x7000 | c->flags),
		      "access 0x%x, 4 KiB leaf 0x%llx, want 0x%llx", c->access,
		      e ? (unsigned long long)*e : 0ull,
		      (unsigned long long)(0x7000 | c->flags));
		e = leaf_of(root, T_2M + 0x5000, &level);
		CHECK(e && level == 1 && *e == (0x40200000 | T_PS | c->flags),
		      "access 0x%x, 2 MiB leaf 0x%llx, want 0x%llx", c->access,
		      e ? (unsigned long long)*e : 0ull,
		      (unsigned long long)(0x40200000 | T_PS | c->flags));
		CHECK((root[0] & 0xfff) == table_bits, "table entry 0x%llx, want bits 0x%llx",
		      (unsigned long long)root[0], (unsigned long long)table_bits);
		destroy(root);
	}
}

static void test_rights(void)
{
	check_rights(test_rights_cases, ARRAY_SIZE(test_rights_cases), T_P | T_RW | T_US);
}

/* The same rights in EPT format: R always, W, X, memory type WB or UC. */
static const struct test_rights_case test_ept_rights_cases[] = {
	{ NPT_READ, T_EPT_R | T_EPT_WB },
	{ NPT_READ | NPT_WRITE, T_EPT_R | T_EPT_W | T_EPT_WB },
	{ NPT_READ | NPT_EXEC, T_EPT_R | T_EPT_X | T_EPT_WB },
	{ NPT_READ | NPT_WRITE | NPT_EXEC, T_EPT_R | T_EPT_W | T_EPT_X | T_EPT_WB },
	{ NPT_READ | NPT_UNCACHED, T_EPT_R | T_EPT_UC },
	{ NPT_READ | NPT_WRITE | NPT_UNCACHED, T_EPT_R | T_EPT_W | T_EPT_UC },
	{ NPT_READ | NPT_WRITE | NPT_EXEC | NPT_UNCACHED,
	  T_EPT_R | T_EPT_W | T_EPT_X | T_EPT_UC },
};

static void test_ept_rights(void)
{
	/* tables point down with R, W, X: the walk may go anywhere below */
	npt_set_format(NPT_FORMAT_EPT);
	check_rights(test_ept_rights_cases, ARRAY_SIZE(test_ept_rights_cases),
		     T_EPT_R | T_EPT_W | T_EPT_X);
	npt_set_format(NPT_FORMAT_AMD);
}

/*
 * VT-d second-level (device DMA, dma_pt_map()): read and write bits only,
 * whatever the CPUs' format; no execute, memory type, user or NX bit.
 */
static const struct test_rights_case test_vtd_rights_cases[] = {
	{ NPT_READ, 1 },
	{ NPT_READ | NPT_WRITE, 3 },
	{ NPT_READ | NPT_EXEC | NPT_UNCACHED, 1 },
	{ NPT_READ | NPT_WRITE | NPT_EXEC | NPT_UNCACHED, 3 },
};

static void test_vtd_rights(void)
{
	unsigned int i, level;

	for (i = 0; i < ARRAY_SIZE(test_vtd_rights_cases); i++) {
		const struct test_rights_case *c = &test_vtd_rights_cases[i];
		uint64_t *root = new_root(), *e;

		CHECK_EQ(dma_pt_map(root, 0x3000, 0x3000, T_4K, c->access), 0, "4 KiB map");
		CHECK_EQ(dma_pt_map(root, T_2M, T_2M, T_2M, c->access), 0, "2 MiB map");
		e = leaf_of(root, 0x3000, &level);
		CHECK(e && level == 0 && *e == (0x3000 | c->flags),
		      "access 0x%x, 4 KiB leaf 0x%llx, want 0x%llx", c->access,
		      e ? (unsigned long long)*e : 0ull, (unsigned long long)(0x3000 | c->flags));
		e = leaf_of(root, T_2M + 0x5000, &level);
		CHECK(e && level == 1 && *e == (T_2M | T_PS | c->flags),
		      "access 0x%x, 2 MiB leaf 0x%llx, want 0x%llx", c->access,
		      e ? (unsigned long long)*e : 0ull,
		      (unsigned long long)(T_2M | T_PS | c->flags));
		destroy(root);
	}
}

/*
 * EPT: a split run merges back when the CPU set its accessed/dirty bits
 * (8, 9), and not when a page has another memory type (bits 5:3).
 */
static void test_ept_merge(void)
{
	uint64_t *root, page = (3 * T_2M) + 7 * T_4K, *e;
	unsigned int level, i;

	npt_set_format(NPT_FORMAT_EPT);
	root = new_root();
	CHECK_EQ(npt_map(root, 3 * T_2M, 5 * T_1G, T_2M, NPT_READ | NPT_WRITE), 0, "2 MiB");
	CHECK_EQ(npt_unmap(root, page, T_4K), 0, "split");
	CHECK_EQ(pool_used, 4, "split: a PT");
	for (i = 0; i < 512; i += 100) {
		e = leaf_of(root, 3 * T_2M + i * T_4K, &level);
		if (e)
			*e |= i % 200 ? T_EPT_A : T_EPT_A | T_EPT_D;
	}
	CHECK_EQ(npt_map(root, page, 5 * T_1G + 7 * T_4K, T_4K, NPT_READ | NPT_WRITE | NPT_UNCACHED),
		 0, "put back uncached");
	CHECK_EQ(pool_used, 4, "another memory type: no merge");
	CHECK_EQ(npt_map(root, page, 5 * T_1G + 7 * T_4K, T_4K, NPT_READ | NPT_WRITE), 0,
		 "put back write-back");
	e = leaf_of(root, 3 * T_2M, &level);
	CHECK(e && level == 1 && (*e & ~(T_EPT_A | T_EPT_D)) ==
	      (5 * T_1G | T_PS | T_EPT_R | T_EPT_W | T_EPT_WB),
	      "merged EPT leaf 0x%llx", e ? (unsigned long long)*e : 0ull);
	CHECK_EQ(pool_used, 3, "merged: the PT freed");
	destroy(root);
	npt_set_format(NPT_FORMAT_AMD);
}

/* ---- split and merge -------------------------------------------------------- */

#define RUN_GPA		(3 * T_2M)
#define RUN_HPA		(5 * T_1G)
#define RUN_RW		(T_P | T_RW | T_US | T_NX)

/* The 2 MiB run at RUN_GPA is one 2 MiB leaf RUN_HPA, read-write. */
static void check_merged_at(int line, const char *what, uint64_t *root)
{
	unsigned int level = 9;
	uint64_t *e = leaf_of(root, RUN_GPA, &level);

	CHECK(e && level == 1 && (*e & ~(T_A | T_D)) == (RUN_HPA | T_PS | RUN_RW),
	      "line %d: %s: level %u leaf 0x%llx, want a 2 MiB leaf 0x%llx",
	      line, what, level, e ? (unsigned long long)*e : 0ull,
	      (unsigned long long)(RUN_HPA | T_PS | RUN_RW));
	CHECK(pool_used == 3, "line %d: %s: %ld table pages, want 3 (no PT)",
	      line, what, pool_used);
	check_run_at(line, what, root, RUN_GPA, RUN_HPA, T_2M);
}
#define check_merged(...) check_merged_at(__LINE__, __VA_ARGS__)

/* The run is a PT (4 KiB leaves): page @hole unmapped, the others in place. */
static void check_split_at(int line, const char *what, uint64_t *root,
			   unsigned int hole)
{
	unsigned int level = 9, i;
	uint64_t *e;

	CHECK(pool_used == 4, "line %d: %s: %ld table pages, want 4", line,
	      what, pool_used);
	for (i = 0; i < 512; i++) {
		uint64_t gpa = RUN_GPA + i * T_4K;

		e = leaf_of(root, gpa, &level);
		if (i == hole) {
			CHECK(!e, "line %d: %s: page %u still mapped", line, what, i);
			check_translate_at(line, what, root, gpa, ~0ull);
			continue;
		}
		CHECK(e && level == 0 && (*e & ~(T_A | T_D)) == ((RUN_HPA + i * T_4K) | RUN_RW),
		      "line %d: %s: page %u: level %u leaf 0x%llx", line, what,
		      i, level, e ? (unsigned long long)*e : 0ull);
		check_translate_at(line, what, root, gpa + 0x10, RUN_HPA + i * T_4K + 0x10);
	}
}
#define check_split(...) check_split_at(__LINE__, __VA_ARGS__)

/* Sets accessed and dirty on some 4 KiB leaves, as the CPU would. */
static void touch(uint64_t *root, unsigned int page, uint64_t bits)
{
	unsigned int level;
	uint64_t *e = leaf_of(root, RUN_GPA + page * T_4K, &level);

	CHECK(e && level == 0, "page %u has a 4 KiB leaf to touch", page);
	if (e)
		*e |= bits;
}

static void test_split_merge(void)
{
	static const unsigned int holes[] = { 0, 5, 511 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(holes); i++) {
		uint64_t *root = new_root();
		uint64_t page = RUN_GPA + holes[i] * T_4K;

		CHECK_EQ(npt_map(root, RUN_GPA, RUN_HPA, T_2M, NPT_READ | NPT_WRITE), 0, "2 MiB");
		check_merged("mapped", root);
		CHECK_EQ(npt_unmap(root, page, T_4K), 0, "unmap 4 KiB in 2 MiB");
		check_split("split", root, holes[i]);
		/* put back with the same rights: one 2 MiB leaf again */
		CHECK_EQ(npt_map(root, page, RUN_HPA + holes[i] * T_4K, T_4K,
				 NPT_READ | NPT_WRITE), 0, "map it back");
		check_merged("merged back", root);

		/* again, with accessed/dirty set by the "CPU" on some leaves */
		CHECK_EQ(npt_unmap(root, page, T_4K), 0, "unmap again");
		check_split("split again", root, holes[i]);
		touch(root, holes[i] ? 0 : 1, T_A);
		touch(root, 77, T_A | T_D);
		touch(root, holes[i] == 511 ? 510 : 511, T_D);
		CHECK_EQ(npt_map(root, page, RUN_HPA + holes[i] * T_4K, T_4K,
				 NPT_READ | NPT_WRITE), 0, "map back after A/D");
		check_merged("merged back after A/D", root);
		destroy(root);
	}
}

/* What must not merge: other rights, another hpa, a hole left. */
static void test_no_merge(void)
{
	uint64_t *root = new_root(), page = RUN_GPA + 9 * T_4K;
	unsigned int level;
	uint64_t *e;

	CHECK_EQ(npt_map(root, RUN_GPA, RUN_HPA, T_2M, NPT_READ | NPT_WRITE), 0, "2 MiB");
	CHECK_EQ(npt_unmap(root, page, T_4K), 0, "split");

	CHECK_EQ(npt_map(root, page, RUN_HPA + 9 * T_4K, T_4K, NPT_READ), 0, "read-only");
	CHECK_EQ(pool_used, 4, "read-only page: not merged");
	e = leaf_of(root, page, &level);
	CHECK(e && level == 0 && *e == ((RUN_HPA + 9 * T_4K) | T_P | T_US | T_NX),
	      "read-only leaf 0x%llx", e ? (unsigned long long)*e : 0ull);

	CHECK_EQ(npt_map(root, page, RUN_HPA + 9 * T_4K, T_4K,
			 NPT_READ | NPT_WRITE | NPT_EXEC), 0, "executable");
	CHECK_EQ(pool_used, 4, "executable page: not merged");

	CHECK_EQ(npt_map(root, page, RUN_HPA + 10 * T_4K, T_4K, NPT_READ | NPT_WRITE), 0,
		 "another hpa");
	CHECK_EQ(pool_used, 4, "page elsewhere: not merged");
	check_translate("page elsewhere", root, page, RUN_HPA + 10 * T_4K);

	CHECK_EQ(npt_map(root, page, RUN_HPA + 9 * T_4K, T_4K, NPT_READ | NPT_WRITE), 0,
		 "the right page");
	check_merged("finally merged", root);
	destroy(root);

	/* 512 contiguous 4 KiB pages at a 2 MiB-aligned hpa merge too */
	root = new_root();
	for (unsigned int i = 0; i < 512; i++) {
		uint64_t off = (uint64_t)((i * 37) % 512) * T_4K;	/* any order */

		CHECK_EQ(npt_map(root, RUN_GPA + off, RUN_HPA + off, T_4K,
				 NPT_READ | NPT_WRITE), 0, "page by page");
		if (i < 511 && pool_used != 4) {
			CHECK(0, "merged after %u of 512 pages", i + 1);
			break;
		}
	}
	check_merged("512 single pages", root);
	destroy(root);

	/* ... but not at an hpa that is not 2 MiB aligned */
	root = new_root();
	CHECK_EQ(npt_map(root, RUN_GPA, RUN_HPA + T_4K, T_2M, NPT_READ | NPT_WRITE), 0,
		 "hpa 4 KiB off");
	CHECK_EQ(pool_used, 4, "2 MiB at an unaligned hpa: a PT");
	CHECK_EQ(npt_map(root, RUN_GPA, RUN_HPA + T_4K, T_4K, NPT_READ | NPT_WRITE), 0,
		 "first page again");
	CHECK_EQ(pool_used, 4, "still a PT");
	check_run("hpa 4 KiB off", root, RUN_GPA, RUN_HPA + T_4K, T_2M);
	destroy(root);
}

/* A 2 MiB map over a split run (or any PT) frees that PT. */
static void test_large_over_table(void)
{
	uint64_t *root = new_root();

	CHECK_EQ(npt_map(root, RUN_GPA, RUN_HPA, T_2M, NPT_READ | NPT_WRITE), 0, "2 MiB");
	CHECK_EQ(npt_unmap(root, RUN_GPA + 3 * T_4K, T_4K), 0, "split");
	CHECK_EQ(pool_used, 4, "split: a PT");
	CHECK_EQ(npt_map(root, RUN_GPA, 7 * T_1G, T_2M, NPT_READ | NPT_WRITE), 0,
		 "2 MiB elsewhere over the PT");
	CHECK_EQ(pool_used, 3, "the PT freed");
	check_run("2 MiB over PT", root, RUN_GPA, 7 * T_1G, T_2M);
	destroy(root);

	/* a PT of scattered 4 KiB pages, and a larger map over two of them */
	root = new_root();
	CHECK_EQ(npt_map(root, T_2M + 0x5000, 0x9000, T_4K, NPT_READ), 0, "page 1");
	CHECK_EQ(npt_map(root, 2 * T_2M + 0x1000, 0xa000, T_4K, NPT_READ), 0, "page 2");
	CHECK_EQ(pool_used, 5, "two PTs");
	CHECK_EQ(npt_map(root, T_2M, T_1G, 2 * T_2M, NPT_READ | NPT_EXEC), 0, "4 MiB over both");
	CHECK_EQ(pool_used, 3, "both PTs freed");
	check_run("4 MiB over PTs", root, T_2M, T_1G, 2 * T_2M);
	destroy(root);
}

/* ---- npt_unmap ---------------------------------------------------------------- */

static void test_unmap(void)
{
	uint64_t *root = new_root();

	/* 6 MiB at 0 (three 2 MiB leaves) and one page in the next GiB */
	CHECK_EQ(npt_map(root, 0, T_1G, 3 * T_2M, NPT_READ | NPT_WRITE), 0, "6 MiB");
	CHECK_EQ(npt_map(root, T_1G + T_4K, 0x8000, T_4K, NPT_READ), 0, "one page");
	CHECK_EQ(pool_used, 5, "root, PDPT, two PDs, one PT");

	/* from the last page of the first leaf to the first of the third */
	CHECK_EQ(npt_unmap(root, T_2M - T_4K, T_2M + 2 * T_4K), 0, "unmap across three leaves");
	check_run("partly unmapped", root, 0, T_1G, T_2M - T_4K);
	check_hole("partly unmapped", root, T_2M - T_4K, T_2M + 2 * T_4K);
	check_run("partly unmapped", root, 2 * T_2M + T_4K, T_1G + 2 * T_2M + T_4K,
		  T_2M - T_4K);
	check_run("partly unmapped", root, T_1G + T_4K, 0x8000, T_4K);
	CHECK_EQ(pool_used, 7, "two leaves split");

	/* an unmapped range: nothing changes, no table stays behind */
	CHECK_EQ(npt_unmap(root, 200 * T_1G, 3 * T_2M + T_4K), 0, "unmap nothing");
	CHECK_EQ(pool_used, 7, "unmap of nothing kept no table");

	/* the lone page: its PT, PD go (the PDPT keeps the first GiB) */
	CHECK_EQ(npt_unmap(root, T_1G + T_4K, T_4K), 0, "unmap the lone page");
	check_hole("lone page gone", root, T_1G + T_4K, T_4K);
	CHECK_EQ(pool_used, 5, "its PT and PD pruned");

	/* the rest */
	CHECK_EQ(npt_unmap(root, 0, 3 * T_2M), 0, "unmap the rest");
	check_hole("all gone", root, 0, 3 * T_2M);
	CHECK_EQ(pool_used, 1, "only the root left");
	CHECK(table_empty(root), "root empty");

	/* map and unmap at the top of the space */
	CHECK_EQ(npt_map(root, T_LIMIT - 2 * T_2M, 0, 2 * T_2M, NPT_READ), 0, "top 4 MiB");
	CHECK_EQ(npt_unmap(root, T_LIMIT - T_4K, T_4K), 0, "unmap the last page");
	check_translate("top", root, T_LIMIT - T_4K, ~0ull);
	check_translate("top", root, T_LIMIT - 2 * T_4K, 2 * T_2M - 2 * T_4K);
	CHECK_EQ(npt_unmap(root, T_LIMIT - 2 * T_2M, 2 * T_2M), 0, "unmap the top");
	CHECK_EQ(pool_used, 1, "top pruned");
	destroy(root);
}

/* ---- npt_destroy ------------------------------------------------------------ */

static void test_destroy(void)
{
	uint64_t *root = new_root();

	CHECK_EQ(npt_map(root, 0, 0, 64 * T_2M + 3 * T_4K, NPT_READ | NPT_WRITE), 0, "128 MiB");
	CHECK_EQ(npt_map(root, 3 * T_1G + T_4K, 0x1000, 17 * T_4K, NPT_READ), 0, "pages");
	CHECK_EQ(npt_map(root, 300 * T_1G, 0, T_2M, NPT_READ), 0, "far away");
	CHECK_EQ(npt_map(root, T_LIMIT - T_4K, 0, T_4K, NPT_READ), 0, "at the top");
	CHECK_EQ(npt_unmap(root, 5 * T_2M + 8 * T_4K, T_4K), 0, "a split");
	CHECK(pool_used > 8, "tables in use: %ld", pool_used);
	destroy(root);
	npt_destroy(NULL);			/* a cell that never got one */
	CHECK_EQ(pool_used, 0, "npt_destroy(NULL)");
}

/* ---- invalid input ---------------------------------------------------------- */

struct test_invalid_case {
	const char *what;
	int unmap;
	uint64_t gpa, hpa, size;
};

static const struct test_invalid_case test_invalid_cases[] = {
	{ "map: gpa not 4 KiB aligned", 0, 0x1800, 0x2000, T_4K },
	{ "map: gpa 1 byte off 2 MiB", 0, T_2M + 1, T_2M, T_2M },
	{ "map: size not 4 KiB aligned", 0, T_2M, T_2M, T_2M + 1 },
	{ "map: size 1", 0, 0, 0, 1 },
	{ "map: gpa 2^48", 0, T_LIMIT, 0, T_4K },
	{ "map: gpa 2^63", 0, 1ull << 63, 0, T_4K },
	{ "map: gpa + size past 2^48", 0, T_LIMIT - T_4K, 0, 2 * T_4K },
	{ "map: size 2^48 + 4 KiB", 0, 0, 0, T_LIMIT + T_4K },
	{ "map: size wraps past 2^64", 0, T_2M, 0, 0ull - T_2M },
	{ "map: hpa not 4 KiB aligned", 0, T_2M, T_2M + 0x800, T_4K },
	{ "map: hpa bit 52", 0, T_2M, 1ull << 52, T_4K },
	{ "map: hpa bit 63 (NX)", 0, T_2M, (1ull << 63) | T_2M, T_2M },
	{ "map: hpa + size past 2^52", 0, 0, (1ull << 52) - T_4K, 2 * T_4K },
	{ "map: hpa + size past 2^52 (2 MiB)", 0, 0, (1ull << 52) - T_2M, 2 * T_2M },
	{ "unmap: gpa not 4 KiB aligned", 1, 0x1004, 0, T_4K },
	{ "unmap: size not 4 KiB aligned", 1, T_2M, 0, 0x800 },
	{ "unmap: gpa 2^48", 1, T_LIMIT, 0, T_4K },
	{ "unmap: gpa + size past 2^48", 1, T_LIMIT - T_2M, 0, 2 * T_2M },
	{ "unmap: size wraps past 2^64", 1, T_4K, 0, 0ull - T_4K },
};

static void test_invalid(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(test_invalid_cases); i++) {
		const struct test_invalid_case *c = &test_invalid_cases[i];
		uint64_t *root = new_root();
		unsigned long before;
		int err;

		/* something mapped, that a refused call must leave alone */
		CHECK_EQ(npt_map(root, 0, T_1G, T_2M, NPT_READ), 0, "setup");
		/*
		 * No page to be had: should a bad call get past the checks,
		 * it ends at its first allocation instead of running long.
		 */
		pool_limit = pool_used;
		before = pool_calls;
		if (c->unmap)
			err = npt_unmap(root, c->gpa, c->size);
		else
			err = npt_map(root, c->gpa, c->hpa, c->size, NPT_READ | NPT_WRITE);
		CHECK(err == -EINVAL, "%s: got %d, want -EINVAL", c->what, err);
		CHECK(pool_calls == before, "%s: %lu page(s) asked for", c->what,
		      pool_calls - before);
		CHECK(pool_used == 3, "%s: %ld table pages, want 3", c->what, pool_used);
		check_run(c->what, root, 0, T_1G, T_2M);
		destroy(root);
	}
}

/* The edges that are still valid. */
static void test_valid_edges(void)
{
	uint64_t *root = new_root();

	CHECK_EQ(npt_map(root, T_LIMIT - T_4K, 0, T_4K, NPT_READ), 0, "ends at 2^48");
	CHECK_EQ(npt_map(root, T_2M, (1ull << 52) - T_4K, T_4K, NPT_READ), 0,
		 "hpa ends at 2^52");
	CHECK_EQ(npt_unmap(root, T_LIMIT - T_2M, T_2M), 0, "unmap ends at 2^48");
	CHECK_EQ(npt_map(root, 0, 0, 0, NPT_READ), 0, "map of size 0");
	CHECK_EQ(npt_unmap(root, 0, 0), 0, "unmap of size 0");
	check_translate("edges", root, T_2M, (1ull << 52) - T_4K);
	check_translate("edges", root, T_LIMIT - T_4K, ~0ull);
	destroy(root);
}

/* An exhausted pool: -ENOMEM, what was mapped stays, nothing leaks. */
static void test_no_memory(void)
{
	uint64_t *root = new_root();

	pool_limit = 3;
	CHECK_EQ(npt_map(root, RUN_GPA, RUN_HPA, T_2M, NPT_READ), 0, "2 MiB in 3 pages");
	CHECK_EQ(npt_unmap(root, RUN_GPA, T_4K), -ENOMEM, "split without a page");
	check_run("split refused", root, RUN_GPA, RUN_HPA, T_2M);
	CHECK_EQ(npt_map(root, RUN_GPA + T_4K, 0, T_4K, NPT_READ), -ENOMEM,
		 "4 KiB over 2 MiB without a page");
	check_run("split refused", root, RUN_GPA, RUN_HPA, T_2M);
	CHECK_EQ(npt_map(root, 2 * T_1G, 0, T_2M, NPT_READ), -ENOMEM, "new PD without a page");
	check_translate("no PD", root, 2 * T_1G, ~0ull);
	destroy(root);
}

/* ---- guest page-table walks --------------------------------------------------- */

/*
 * "Guest memory": GUEST_PAGES pages at GUEST_HOST, host addresses that
 * the identity map of npt.c reaches. Without NPT (the root cell) guest
 * physical == host; with NPT, guest-physical GUEST_GPA maps there.
 */
#define GUEST_HOST	0x40000000ull		/* 1 GiB: 2 MiB and 1 GiB aligned */
#define GUEST_PAGES	32
#define GUEST_GPA	0x80000000ull		/* where an inmate sees it (1 GiB aligned) */

static uint8_t *guest_mem;

static int guest_mem_init(void)
{
	void *p;

	if (guest_mem)
		return 1;
	p = mmap((void *)(uintptr_t)GUEST_HOST, GUEST_PAGES * T_4K,
		 PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == MAP_FAILED || p != (void *)(uintptr_t)GUEST_HOST) {
		if (p != MAP_FAILED)
			munmap(p, GUEST_PAGES * T_4K);
		printf("skip: no memory at 0x%llx for guest tables\n",
		       (unsigned long long)GUEST_HOST);
		return 0;
	}
	guest_mem = p;
	return 1;
}

static uint64_t *guest_page(unsigned int n)
{
	return (uint64_t *)(guest_mem + n * T_4K);
}

/*
 * Guest tables, physical addresses relative to @base (GUEST_HOST without
 * NPT, GUEST_GPA with it). Pages: 0 PML4, 1 PDPT (va 0..512 GiB), 2 PD
 * (first GiB), 3 PT (first 2 MiB), 4 PDPT (va at 128 TiB - 512 GiB),
 * 8.. data. The mappings:
 *   VA_4K     -> page 8           VA_4K + 4 KiB -> page 10 (not 9)
 *   VA_4K + 8 KiB: not present
 *   VA_2M (2 MiB leaf) -> base (the whole guest memory, 2 MiB aligned)
 *   VA_1G (1 GiB leaf at PDPT 3) -> base
 *   VA_HIGH (PML4 255: PDPT page 4, PD page 5, PT page 6) -> page 11
 *   VA_FAR (PDPT entry 5) -> a PD at physical 4 GiB
 *   VA_FAR_DATA (2 MiB leaf) -> data at physical 4 GiB
 * Physical 4 GiB is beyond the identity map: never read.
 */
#define VA_4K		0x1000ull
#define VA_2M		(T_2M * 5)
#define VA_1G		(T_1G * 3)
#define VA_HIGH		0x00007f8000003000ull	/* PML4 255, PDPT 0, PD 0, PT 3 */
#define VA_FAR		(T_1G * 5)
#define VA_FAR_DATA	(T_2M * 7)

static void guest_tables(uint64_t base)
{
	uint64_t *pml4 = guest_page(0), *pdpt = guest_page(1), *pd = guest_page(2);
	uint64_t *pt = guest_page(3), *hpdpt = guest_page(4), *hpd = guest_page(5);
	uint64_t *hpt = guest_page(6);
	unsigned int i;

	memset(guest_mem, 0, GUEST_PAGES * T_4K);
	pml4[0] = (base + 1 * T_4K) | T_P | T_RW;
	pml4[255] = (base + 4 * T_4K) | T_P | T_RW | T_US;
	pdpt[0] = (base + 2 * T_4K) | T_P | T_RW;
	pdpt[3] = base | T_P | T_RW | T_PS;			/* 1 GiB */
	pdpt[5] = 0x100000000ull | T_P | T_RW;			/* PD at 4 GiB */
	pd[0] = (base + 3 * T_4K) | T_P | T_RW;
	pd[5] = base | T_P | T_RW | T_PS | T_NX;		/* 2 MiB */
	pd[7] = 0x100000000ull | T_P | T_RW | T_PS;		/* data at 4 GiB */
	pt[1] = (base + 8 * T_4K) | T_P | T_RW | T_NX;
	pt[2] = (base + 10 * T_4K) | T_P;
	hpdpt[0] = (base + 5 * T_4K) | T_P;
	hpd[0] = (base + 6 * T_4K) | T_P;
	hpt[3] = (base + 11 * T_4K) | T_P;
	/* data: each byte of page n is n ^ (offset & 0xff) */
	for (i = 8; i < GUEST_PAGES; i++)
		for (unsigned int off = 0; off < T_4K; off++)
			guest_mem[i * T_4K + off] = (uint8_t)(i ^ (off & 0xff));
}

static uint8_t data_byte(unsigned int page, unsigned int off)
{
	return (uint8_t)(page ^ (off & 0xff));
}

struct test_walk_case {
	const char *what;
	uint64_t va;
	uint64_t pa;			/* from base; ~0: -EINVAL */
};

static const struct test_walk_case test_walk_cases[] = {
	{ "4 KiB leaf", VA_4K + 0x123, 8 * T_4K + 0x123 },
	{ "next 4 KiB leaf, not contiguous", VA_4K + T_4K + 0xfff, 10 * T_4K + 0xfff },
	{ "not present PTE", VA_4K + 2 * T_4K, ~0ull },
	{ "not present PTE (page 0)", 0, ~0ull },
	{ "2 MiB leaf", VA_2M + 0x9876, 0x9876 },
	{ "not present PDE", VA_2M + T_2M, ~0ull },
	{ "1 GiB leaf", VA_1G + 0x3456, 0x3456 },
	{ "1 GiB leaf, far in", VA_1G + T_1G - 1, T_1G - 1 },
	{ "not present PDPTE", 2 * T_1G, ~0ull },
	{ "PML4 255", VA_HIGH + 0x42, 11 * T_4K + 0x42 },
	{ "not present PML4E", 0x0000008000000000ull, ~0ull },
	{ "PD beyond 4 GiB", VA_FAR, ~0ull },
};

static void check_walks(const char *mode, uint64_t base, const uint64_t *npt)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(test_walk_cases); i++) {
		const struct test_walk_case *c = &test_walk_cases[i];
		uint64_t pa = 0xdead, want = c->pa == ~0ull ? ~0ull : base + c->pa;
		/* CR3's low bits (PWT, PCD) are not part of the address */
		int err = guest_virt_to_phys(base | 0x18, c->va, &pa, npt);

		if (want == ~0ull)
			CHECK(err == -EINVAL, "%s: %s: got %d, pa 0x%llx, want -EINVAL",
			      mode, c->what, err, (unsigned long long)pa);
		else
			CHECK(err == 0 && pa == want, "%s: %s: got %d, pa 0x%llx, want 0x%llx",
			      mode, c->what, err, (unsigned long long)pa,
			      (unsigned long long)want);
	}
}

static void check_reads(const char *mode, uint64_t base, const uint64_t *npt)
{
	uint8_t buf[300];
	unsigned int i;
	int err;

	/* 100 bytes over the page boundary: 50 from page 8, 50 from page 10 */
	memset(buf, 0xee, sizeof(buf));
	err = guest_read(base, VA_4K + T_4K - 50, buf, 100, npt);
	CHECK(err == 0, "%s: read across pages: %d", mode, err);
	for (i = 0; i < 100; i++) {
		uint8_t want = i < 50 ? data_byte(8, T_4K - 50 + i) : data_byte(10, i - 50);

		if (buf[i] != want) {
			CHECK(0, "%s: byte %u: 0x%02x, want 0x%02x", mode, i, buf[i], want);
			break;
		}
	}
	CHECK(buf[100] == 0xee, "%s: wrote past len", mode);

	/* a whole page, page aligned, and one byte */
	err = guest_read(base, VA_2M + 12 * T_4K, buf, 256, npt);
	CHECK(err == 0 && buf[0] == data_byte(12, 0) && buf[255] == data_byte(12, 255),
	      "%s: read in a 2 MiB leaf: %d", mode, err);
	err = guest_read(base, VA_1G + 13 * T_4K + 7, buf, 1, npt);
	CHECK(err == 0 && buf[0] == data_byte(13, 7), "%s: one byte in a 1 GiB leaf: %d",
	      mode, err);
	CHECK_EQ(guest_read(base, VA_1G, buf, 0, npt), 0, "read of 0 bytes");

	/* the second page not present: an error, however much was read */
	CHECK_EQ(guest_read(base, VA_4K + 2 * T_4K - 10, buf, 20, npt), -EINVAL,
		 "read into a missing page");
	CHECK_EQ(guest_read(base, VA_4K + 2 * T_4K, buf, 1, npt), -EINVAL,
		 "read of a missing page");
	/* data at 4 GiB: not reachable through the identity map */
	CHECK_EQ(guest_read(base, VA_FAR_DATA, buf, 1, npt), -EINVAL, "data at 4 GiB");
	CHECK_EQ(guest_read(base, VA_FAR, buf, 1, npt), -EINVAL, "tables at 4 GiB");
}

/* The root cell: no NPT, guest physical is host physical. */
static void test_guest_walk_identity(void)
{
	if (!guest_mem_init())
		return;
	guest_tables(GUEST_HOST);
	check_walks("identity", GUEST_HOST, NULL);
	check_reads("identity", GUEST_HOST, NULL);
}

/* An inmate: the guest's tables and data through its NPT. */
static void test_guest_walk_npt(void)
{
	uint64_t *npt, pa;
	uint8_t b;

	if (!guest_mem_init())
		return;
	npt = new_root();
	CHECK_EQ(npt_map(npt, GUEST_GPA, GUEST_HOST, GUEST_PAGES * T_4K, NPT_READ), 0,
		 "guest memory");
	/* guest-physical 4 GiB (the PD of VA_FAR, the data of VA_FAR_DATA) is host 8 GiB */
	CHECK_EQ(npt_map(npt, 0x100000000ull, 0x200000000ull, T_2M, NPT_READ), 0,
		 "gpa 4 GiB");
	guest_tables(GUEST_GPA);
	check_walks("npt", GUEST_GPA, npt);
	check_reads("npt", GUEST_GPA, npt);

	/* a table the NPT does not map: refused, not read at its gpa */
	guest_page(1)[6] = (GUEST_GPA + GUEST_PAGES * T_4K) | T_P;	/* PD past the end */
	CHECK_EQ(guest_virt_to_phys(GUEST_GPA, 6 * T_1G, &pa, npt), -EINVAL,
		 "PD outside the NPT");
	CHECK_EQ(guest_virt_to_phys(GUEST_HOST, VA_4K, &pa, npt), -EINVAL,
		 "CR3 outside the NPT");
	/* data the NPT does not map */
	guest_page(3)[9] = (GUEST_GPA + GUEST_PAGES * T_4K) | T_P;
	CHECK_EQ(guest_virt_to_phys(GUEST_GPA, 9 * T_4K, &pa, npt), 0, "pa outside NPT");
	CHECK_EQ(guest_read(GUEST_GPA, 9 * T_4K, &b, 1, npt), -EINVAL, "data outside the NPT");
	destroy(npt);
}

/* ---- guest_fetch ---------------------------------------------------------------- */

#define T_EFER_LMA	(1ull << 10)
#define T_CS_L		(1u << 9)	/* VMCB attrib: type 0-3, S, DPL, P, AVL, L */

static void test_guest_fetch(void)
{
	struct per_cpu *cpu;
	struct cell inmate;
	uint8_t buf[15];
	uint64_t *npt, *root_npt;
	unsigned int i, n;

	if (!guest_mem_init())
		return;
	cpu = aligned_alloc(4096, sizeof(*cpu));
	if (!cpu)
		abort();
	memset(cpu, 0, sizeof(*cpu));
	memset(&inmate, 0, sizeof(inmate));
	npt = new_root();
	CHECK_EQ(npt_map(npt, GUEST_GPA, GUEST_HOST, GUEST_PAGES * T_4K, NPT_READ), 0,
		 "guest memory");
	inmate.arch.npt_root = npt;
	guest_tables(GUEST_GPA);
	cpu->cell = &inmate;
	t_guest.cr3 = GUEST_GPA;
	t_guest.efer = T_EFER_LMA | (1ull << 8);	/* LMA, LME */
	t_guest.cs_attrib = T_CS_L | 0x9b;		/* code, P, L */

	/* 15 bytes inside one page */
	memset(buf, 0, sizeof(buf));
	n = guest_fetch(cpu, VA_4K + 0x100, buf, sizeof(buf));
	CHECK_EQ(n, 15, "fetch inside a page");
	for (i = 0; i < 15; i++)
		if (buf[i] != data_byte(8, 0x100 + i)) {
			CHECK(0, "fetched byte %u: 0x%02x", i, buf[i]);
			break;
		}
	/* 5 bytes at the end of a page, 10 from the next (page 10) */
	n = guest_fetch(cpu, VA_4K + T_4K - 5, buf, sizeof(buf));
	CHECK_EQ(n, 15, "fetch across pages");
	CHECK(buf[4] == data_byte(8, T_4K - 1) && buf[5] == data_byte(10, 0) &&
	      buf[14] == data_byte(10, 9), "fetch across pages: bytes");
	/* the next page missing: what the first one had */
	n = guest_fetch(cpu, VA_4K + 2 * T_4K - 5, buf, sizeof(buf));
	CHECK_EQ(n, 5, "fetch up to a missing page");
	CHECK(buf[0] == data_byte(10, T_4K - 5) && buf[4] == data_byte(10, T_4K - 1),
	      "fetch up to a missing page: bytes");
	n = guest_fetch(cpu, VA_4K + T_4K - 5, buf, 3);
	CHECK_EQ(n, 3, "fetch of fewer bytes than the page has");
	CHECK_EQ(guest_fetch(cpu, VA_4K + 2 * T_4K, buf, sizeof(buf)), 0,
		 "fetch from a missing page");

	/* not 64-bit code: nothing (CS base would matter) */
	t_guest.cs_attrib = 0x9b;
	CHECK_EQ(guest_fetch(cpu, VA_4K, buf, sizeof(buf)), 0, "compatibility mode");
	t_guest.cs_attrib = T_CS_L | 0x9b;
	t_guest.efer = 1ull << 8;
	CHECK_EQ(guest_fetch(cpu, VA_4K, buf, sizeof(buf)), 0, "LME without LMA");
	t_guest.efer = T_EFER_LMA | (1ull << 8);

	/* the root cell: identity-mapped, its tables at their physical address */
	guest_tables(GUEST_HOST);
	cpu->cell = &root_cell;
	t_guest.cr3 = GUEST_HOST;
	root_npt = npt_create();	/* the second NPT of this test */
	CHECK(root_npt != NULL, "npt_create");
	CHECK_EQ(npt_map(root_npt, GUEST_HOST, GUEST_HOST, GUEST_PAGES * T_4K, NPT_READ), 0,
		 "root cell memory");
	root_cell.arch.npt_root = root_npt;
	n = guest_fetch(cpu, VA_HIGH + 0x10, buf, sizeof(buf));
	CHECK(n == 15 && buf[0] == data_byte(11, 0x10) && buf[14] == data_byte(11, 0x1e),
	      "root cell fetch: %u bytes", n);
	/*
	 * Linux writes its own page tables: one that points at memory the
	 * root cell was not given (the hypervisor's) must not be read.
	 */
	CHECK_EQ(npt_unmap(root_npt, GUEST_HOST + 11 * T_4K, T_4K), 0, "unmap a root page");
	CHECK_EQ(guest_fetch(cpu, VA_HIGH + 0x10, buf, sizeof(buf)), 0,
		 "root cell fetch from memory outside the root cell");
	root_cell.arch.npt_root = NULL;

	npt_destroy(root_npt);
	destroy(npt);
	free(cpu);
}

int main(void)
{
	RUN(test_map);
	RUN(test_map_twice);
	RUN(test_rights);
	RUN(test_ept_rights);
	RUN(test_vtd_rights);
	RUN(test_ept_merge);
	RUN(test_split_merge);
	RUN(test_no_merge);
	RUN(test_large_over_table);
	RUN(test_unmap);
	RUN(test_destroy);
	RUN(test_invalid);
	RUN(test_valid_edges);
	RUN(test_no_memory);
	RUN(test_guest_walk_identity);
	RUN(test_guest_walk_npt);
	RUN(test_guest_fetch);
	return check_exit();
}
