// SPDX-License-Identifier: GPL-2.0-only
/*
 * Nested page tables (guest physical -> host physical), 4 levels, 2 MiB
 * pages wherever both addresses and the size allow, 4 KiB otherwise.
 * Table pages come from the pool; every NPT entry is a "user" entry, as
 * SVM treats nested walks as user accesses.
 */
#include <asm/paging.h>
#include <bulkhead/image.h>
#include <pool.h>

#define SIZE_2M		(1ull << 21)

uint64_t *npt_create(void)
{
	return pool_alloc_page();
}

static uint64_t leaf_flags(unsigned int access)
{
	uint64_t f = PTE_P | PTE_US;

	if (access & NPT_WRITE)
		f |= PTE_RW;
	if (!(access & NPT_EXEC))
		f |= PTE_NX;
	if (access & NPT_UNCACHED)
		f |= PTE_PCD | PTE_PWT;
	return f;
}

/* The table one level down from @entry, created if absent. */
static uint64_t *next_table(uint64_t *entry)
{
	uint64_t *table;

	if (*entry & PTE_P)
		return (uint64_t *)(*entry & PTE_ADDR_MASK);
	table = pool_alloc_page();
	if (!table)
		return NULL;
	*entry = (uint64_t)table | PTE_P | PTE_RW | PTE_US;
	return table;
}

static unsigned int index_of(uint64_t gpa, unsigned int level)
{
	return (gpa >> (12 + 9 * level)) & 511;
}

static int map_one(uint64_t *root, uint64_t gpa, uint64_t hpa, int large,
		   uint64_t flags)
{
	uint64_t *table = root;
	unsigned int level;

	for (level = 3; level > (large ? 1u : 0u); level--) {
		table = next_table(&table[index_of(gpa, level)]);
		if (!table)
			return -ENOMEM;
	}
	table[index_of(gpa, level)] = hpa | flags | (large ? PTE_PS : 0);
	return 0;
}

int npt_map(uint64_t *root, uint64_t gpa, uint64_t hpa, uint64_t size,
	    unsigned int access)
{
	uint64_t flags = leaf_flags(access), step;
	int large, err;

	while (size) {
		large = !(gpa % SIZE_2M) && !(hpa % SIZE_2M) && size >= SIZE_2M;
		step = large ? SIZE_2M : PAGE_SIZE_4K;
		err = map_one(root, gpa, hpa, large, flags);
		if (err)
			return err;
		gpa += step;
		hpa += step;
		size -= step;
	}
	return 0;
}

static void free_level(uint64_t *table, unsigned int level)
{
	unsigned int i;

	for (i = 0; level > 0 && i < 512; i++)
		if ((table[i] & PTE_P) && !(table[i] & PTE_PS))
			free_level((uint64_t *)(table[i] & PTE_ADDR_MASK), level - 1);
	pool_free_page(table);
}

void npt_destroy(uint64_t *root)
{
	if (root)
		free_level(root, 3);
}

int guest_virt_to_phys(uint64_t cr3, uint64_t va, uint64_t *pa)
{
	uint64_t entry, table = cr3 & PTE_ADDR_MASK;
	unsigned int level;

	for (level = 3;; level--) {
		if (table >= BH_IDENTITY_LIMIT)
			return -EINVAL;
		entry = ((const uint64_t *)table)[index_of(va, level)];
		if (!(entry & PTE_P))
			return -EINVAL;
		if (level == 0 || (level < 3 && (entry & PTE_PS))) {
			uint64_t mask = (1ull << (12 + 9 * level)) - 1;

			*pa = (entry & PTE_ADDR_MASK & ~mask) | (va & mask);
			return 0;
		}
		table = entry & PTE_ADDR_MASK;
	}
}

int guest_read(uint64_t cr3, uint64_t va, void *buf, unsigned int len)
{
	uint8_t *out = buf;
	uint64_t pa;
	int err;

	while (len) {
		unsigned int chunk = PAGE_SIZE_4K - (va & (PAGE_SIZE_4K - 1));

		if (chunk > len)
			chunk = len;
		err = guest_virt_to_phys(cr3, va, &pa);
		if (err)
			return err;
		if (pa + chunk > BH_IDENTITY_LIMIT)
			return -EINVAL;
		memcpy(out, (const void *)pa, chunk);
		out += chunk;
		va += chunk;
		len -= chunk;
	}
	return 0;
}
