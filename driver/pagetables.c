// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hypervisor's first page tables, written by the driver into the
 * hypervisor memory before the first entry (layout in bulkhead/image.h).
 * After enable they are unreachable from Linux like the rest of that memory.
 */
#include <linux/errno.h>
#include <linux/string.h>

#include <bulkhead/image.h>

#include "bulkhead.h"

#define PT_P		(1ull << 0)
#define PT_RW		(1ull << 1)
#define PT_PWT		(1ull << 3)
#define PT_PCD		(1ull << 4)
#define PT_PS		(1ull << 7)
#define PT_ADDR		0x000ffffffffff000ull
#define SZ_2M_ULL	(1ull << 21)
#define SZ_1G_ULL	(1ull << 30)

struct pt_builder {
	u8 *va;			/* the page-table area as the driver sees it */
	u64 phys;
	unsigned int used, max;
};

static u64 *pt_alloc(struct pt_builder *b, u64 *phys)
{
	u64 *page;

	if (b->used == b->max)
		return NULL;
	page = (u64 *)(b->va + (size_t)b->used * 4096);
	*phys = b->phys + (u64)b->used * 4096;
	b->used++;
	memset(page, 0, 4096);
	return page;
}

static u64 *pt_va_of(struct pt_builder *b, u64 phys)
{
	return (u64 *)(b->va + (phys - b->phys));
}

/* The table below @entry, created if needed; NULL when out of pages or
 * when a large page already covers the address. */
static u64 *pt_next(struct pt_builder *b, u64 *entry)
{
	u64 phys, *table;

	if ((*entry & (PT_P | PT_PS)) == (PT_P | PT_PS))
		return NULL;		/* a large page is in the way */
	if (*entry & PT_P)
		return pt_va_of(b, *entry & PT_ADDR);
	table = pt_alloc(b, &phys);
	if (table)
		*entry = phys | PT_P | PT_RW;
	return table;
}

static unsigned int pt_index(u64 va, unsigned int level)
{
	return (va >> (12 + 9 * level)) & 511;
}

/* Maps one page of 4 KiB (level 0) or 2 MiB (level 1). */
static int pt_map(struct pt_builder *b, u64 *pml4, u64 va, u64 pa,
		  unsigned int leaf_level, u64 flags)
{
	u64 *table = pml4;
	unsigned int level;

	for (level = 3; level > leaf_level; level--) {
		table = pt_next(b, &table[pt_index(va, level)]);
		if (!table)
			return -ENOMEM;
	}
	if (table[pt_index(va, level)] & PT_P)
		return -EEXIST;		/* two mappings collide */
	table[pt_index(va, level)] = pa | flags | (leaf_level ? PT_PS : 0);
	return 0;
}

int bh_build_boot_page_tables(void *pt_va, u64 pt_phys, unsigned int max_pages,
			      u64 hv_phys, u64 hv_size, u64 link_base,
			      u64 trampoline_va, u64 trampoline_phys)
{
	struct pt_builder b = { .va = pt_va, .phys = pt_phys, .max = max_pages };
	u64 pml4_phys, addr, flags;
	u64 *pml4;
	int err;

	pml4 = pt_alloc(&b, &pml4_phys);
	if (!pml4)
		return -ENOMEM;

	/* Physical memory below 4 GiB at its own address; 3-4 GiB uncached. */
	for (addr = 0; addr < BH_IDENTITY_LIMIT; addr += SZ_2M_ULL) {
		flags = PT_P | PT_RW;
		if (addr >= 3 * SZ_1G_ULL)
			flags |= PT_PCD | PT_PWT;
		err = pt_map(&b, pml4, addr, addr, 1, flags);
		if (err)
			return err;
	}
	/* The image at its link address. */
	for (addr = 0; addr < hv_size; addr += SZ_2M_ULL) {
		err = pt_map(&b, pml4, link_base + addr, hv_phys + addr, 1,
			     PT_P | PT_RW);
		if (err)
			return err;
	}
	/* The driver's trampoline page at its Linux address. */
	err = pt_map(&b, pml4, trampoline_va, trampoline_phys, 0, PT_P);
	if (err)
		return err;
	return (int)b.used;
}
