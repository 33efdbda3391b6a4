// SPDX-License-Identifier: GPL-2.0-only
/*
 * Nested page tables (guest physical -> host physical), 4 levels, 2 MiB
 * pages wherever both addresses and the size allow, 4 KiB otherwise.
 * Table pages come from the pool. AMD format: every entry is a "user"
 * entry, as SVM treats nested walks as user accesses. EPT format: the
 * same tables with EPT's leaf bits (asm/paging.h); the walks, splits and
 * merges below do not care which.
 */
#include <asm/linux.h>
#include <asm/paging.h>
#include <asm/processor.h>
#include <asm/vcpu.h>
#include <percpu.h>
#include <cell.h>
#include <bulkhead/image.h>
#include <pool.h>

#define SIZE_2M		(1ull << 21)

/* EPT leaf bits (Intel SDM vol. 3, 29.3.2) */
#define EPT_READ	(1ull << 0)
#define EPT_WRITE	(1ull << 1)
#define EPT_EXEC	(1ull << 2)
#define EPT_MT_UC	(0ull << 3)
#define EPT_MT_WB	(6ull << 3)
#define EPT_AD		(3ull << 8)	/* accessed, dirty: only with EPTP bit 6 */

/* VT-d second-level leaf bits (VT-d spec 9.8): no memory type, no A/D. */
#define VTD_SL_READ	(1ull << 0)
#define VTD_SL_WRITE	(1ull << 1)

static unsigned int npt_format = NPT_FORMAT_AMD;

void npt_set_format(unsigned int format)
{
	npt_format = format;
}

uint64_t *npt_create(void)
{
	return pool_alloc_page();
}

/*
 * Device memory is uncached whatever the guest's PAT says; RAM is
 * write-back and the guest's PAT still applies (no "ignore PAT").
 */
static uint64_t ept_leaf_flags(unsigned int access)
{
	uint64_t f = EPT_READ;

	if (access & NPT_WRITE)
		f |= EPT_WRITE;
	if (access & NPT_EXEC)
		f |= EPT_EXEC;
	return f | (access & NPT_UNCACHED ? EPT_MT_UC : EPT_MT_WB);
}

static uint64_t leaf_flags(unsigned int format, unsigned int access)
{
	uint64_t f = PTE_P | PTE_US;

	if (format == NPT_FORMAT_EPT)
		return ept_leaf_flags(access);
	if (format == NPT_FORMAT_VTD)
		return VTD_SL_READ | (access & NPT_WRITE ? VTD_SL_WRITE : 0);

	if (access & NPT_WRITE)
		f |= PTE_RW;
	if (!(access & NPT_EXEC))
		f |= PTE_NX;
	if (access & NPT_UNCACHED)
		f |= PTE_PCD | PTE_PWT;
	return f;
}

/* Replaces a 2 MiB leaf by a table of 512 4 KiB leaves, same rights. */
static uint64_t *split_large(uint64_t *entry)
{
	uint64_t *table = pool_alloc_page();
	uint64_t base = *entry & PTE_ADDR_MASK & ~(SIZE_2M - 1);
	uint64_t flags = *entry & ~PTE_ADDR_MASK & ~PTE_PS;
	unsigned int i;

	if (!table)
		return NULL;
	for (i = 0; i < 512; i++)
		table[i] = (base + i * PAGE_SIZE_4K) | flags;
	*entry = (uint64_t)table | PTE_P | PTE_RW | PTE_US;
	return table;
}

/* The table one level down from @entry, created (or split) if needed. */
static uint64_t *next_table(uint64_t *entry)
{
	uint64_t *table;

	if ((*entry & PTE_P) && (*entry & PTE_PS))
		return split_large(entry);
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

static void free_level(uint64_t *table, unsigned int level);

/* The table an entry at @level points to, or NULL (none, or a leaf). */
static uint64_t *table_below(uint64_t entry, unsigned int level)
{
	if (level == 0 || !(entry & PTE_P) || (entry & PTE_PS))
		return NULL;
	return (uint64_t *)(entry & PTE_ADDR_MASK);
}

/*
 * Sets the leaf for @gpa (flags 0: clears it). A 2 MiB leaf that
 * replaces a table frees that table: nothing it held is reachable now.
 */
static int map_one(uint64_t *root, uint64_t gpa, uint64_t hpa, int large,
		   uint64_t flags)
{
	uint64_t *table = root, *old;
	unsigned int level;

	for (level = 3; level > (large ? 1u : 0u); level--) {
		table = next_table(&table[index_of(gpa, level)]);
		if (!table)
			return -ENOMEM;
	}
	old = table_below(table[index_of(gpa, level)], level);
	if (!flags)
		table[index_of(gpa, level)] = 0;
	else
		table[index_of(gpa, level)] = hpa | flags | (large ? PTE_PS : 0);
	if (old)
		free_level(old, level - 1);
	return 0;
}

/*
 * A table of 512 4 KiB leaves that map one aligned 2 MiB run with the
 * same rights is a 2 MiB leaf again: a page that was split off (a BAR
 * moved over it) and put back costs no table page for ever after.
 */
static void merge_large(uint64_t *root, uint64_t gpa, uint64_t ad)
{
	uint64_t *table = root, *entry = NULL, *leaves, first;
	unsigned int level, i;

	for (level = 3; level > 1; level--) {
		entry = &table[index_of(gpa, level)];
		table = table_below(*entry, level);
		if (!table)
			return;
	}
	entry = &table[index_of(gpa, 1)];
	leaves = table_below(*entry, 1);
	if (!leaves)
		return;
	first = leaves[0] & ~ad;
	if (!(first & PTE_P) || (first & PTE_ADDR_MASK) % SIZE_2M)
		return;
	for (i = 1; i < 512; i++)
		if ((leaves[i] & ~ad) != first + i * PAGE_SIZE_4K)
			return;
	*entry = first | PTE_PS;
	pool_free_page(leaves);
}

/* Guest-physical addresses of 4-level tables: 48 bits. */
#define NPT_GPA_LIMIT	(1ull << 48)

static int npt_range_valid(uint64_t gpa, uint64_t size)
{
	return !(gpa % PAGE_SIZE_4K) && !(size % PAGE_SIZE_4K) &&
	       gpa < NPT_GPA_LIMIT && size <= NPT_GPA_LIMIT - gpa;
}

static int map_range(uint64_t *root, uint64_t gpa, uint64_t hpa, uint64_t size,
		     unsigned int format, unsigned int access)
{
	uint64_t flags = leaf_flags(format, access), step;
	/* The CPU sets accessed and dirty bits as it walks: not rights. */
	uint64_t ad = format == NPT_FORMAT_EPT ? EPT_AD :
		      format == NPT_FORMAT_AMD ? PTE_AD : 0;
	int large, err;

	/* hpa + size <= 2^52: no page past the address bits of an entry */
	if (!npt_range_valid(gpa, size) || (hpa & ~PTE_ADDR_MASK) ||
	    size > PTE_ADDR_MASK + PAGE_SIZE_4K - hpa)
		return -EINVAL;
	while (size) {
		large = !(gpa % SIZE_2M) && !(hpa % SIZE_2M) && size >= SIZE_2M;
		step = large ? SIZE_2M : PAGE_SIZE_4K;
		err = map_one(root, gpa, hpa, large, flags);
		if (err)
			return err;
		/* Once per 2 MiB run that this call completes or ends in. */
		if (!large && (size == step || !((gpa + step) % SIZE_2M)))
			merge_large(root, gpa, ad);
		gpa += step;
		hpa += step;
		size -= step;
	}
	return 0;
}

int npt_map(uint64_t *root, uint64_t gpa, uint64_t hpa, uint64_t size,
	    unsigned int access)
{
	return map_range(root, gpa, hpa, size, npt_format, access);
}

int dma_pt_map(uint64_t *root, uint64_t bus_addr, uint64_t hpa, uint64_t size,
	       unsigned int access)
{
	return map_range(root, bus_addr, hpa, size, NPT_FORMAT_VTD, access);
}

static int table_empty(const uint64_t *table)
{
	unsigned int i;

	for (i = 0; i < 512; i++)
		if (table[i])
			return 0;
	return 1;
}

/* Frees the tables below @table (at @level) that no longer map anything. */
static void prune(uint64_t *table, unsigned int level)
{
	uint64_t *next;
	unsigned int i;

	for (i = 0; level > 0 && i < 512; i++) {
		if (!(table[i] & PTE_P) || (table[i] & PTE_PS))
			continue;
		next = (uint64_t *)(table[i] & PTE_ADDR_MASK);
		prune(next, level - 1);
		if (table_empty(next)) {
			table[i] = 0;
			pool_free_page(next);
		}
	}
}

int npt_unmap(uint64_t *root, uint64_t gpa, uint64_t size)
{
	uint64_t step;
	int large, err;

	if (!npt_range_valid(gpa, size))
		return -EINVAL;
	while (size) {
		large = !(gpa % SIZE_2M) && size >= SIZE_2M;
		step = large ? SIZE_2M : PAGE_SIZE_4K;
		err = map_one(root, gpa, 0, large, 0);
		if (err)
			return err;
		gpa += step;
		size -= step;
	}
	prune(root, 3);
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

int npt_translate(const uint64_t *root, uint64_t gpa, uint64_t *hpa)
{
	const uint64_t *table = root;
	uint64_t entry, mask;
	unsigned int level;

	for (level = 3;; level--) {
		entry = table[index_of(gpa, level)];
		if (!(entry & PTE_P))
			return -EINVAL;
		if (level == 0 || (level < 3 && (entry & PTE_PS))) {
			mask = (1ull << (12 + 9 * level)) - 1;
			*hpa = (entry & PTE_ADDR_MASK & ~mask) | (gpa & mask);
			return 0;
		}
		table = (const uint64_t *)(entry & PTE_ADDR_MASK);
	}
}

/* Guest-physical to host-physical: identity without NPT (the root cell). */
static int to_host(const uint64_t *npt, uint64_t gpa, uint64_t *hpa)
{
	if (!npt) {
		*hpa = gpa;
		return 0;
	}
	return npt_translate(npt, gpa, hpa);
}

int guest_virt_to_phys(uint64_t cr3, uint64_t va, uint64_t *pa,
		       const uint64_t *npt)
{
	uint64_t entry, table = cr3 & PTE_ADDR_MASK, host;
	unsigned int level;

	for (level = 3;; level--) {
		if (to_host(npt, table, &host) || host >= BH_IDENTITY_LIMIT)
			return -EINVAL;
		entry = ((const uint64_t *)host)[index_of(va, level)];
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

int guest_read(uint64_t cr3, uint64_t va, void *buf, unsigned int len,
	       const uint64_t *npt)
{
	uint8_t *out = buf;
	uint64_t pa, host;
	int err;

	while (len) {
		unsigned int chunk = PAGE_SIZE_4K - (va & (PAGE_SIZE_4K - 1));

		if (chunk > len)
			chunk = len;
		err = guest_virt_to_phys(cr3, va, &pa, npt);
		if (!err)
			err = to_host(npt, pa, &host);
		if (err)
			return err;
		if (host + chunk > BH_IDENTITY_LIMIT)
			return -EINVAL;
		memcpy(out, (const void *)host, chunk);
		out += chunk;
		va += chunk;
		len -= chunk;
	}
	return 0;
}

unsigned int guest_fetch(struct per_cpu *cpu, uint64_t rip, uint8_t *buf,
			 unsigned int max)
{
	unsigned int first = PAGE_SIZE_4K - (rip & (PAGE_SIZE_4K - 1));
	uint64_t cr3 = vcpu_get(cpu, VCPU_CR3);
	/*
	 * Through the cell's own nested tables, the root cell's too: Linux
	 * writes its page tables, and one pointing at memory the root was
	 * not given (the hypervisor's) must not feed the decoder its bytes.
	 */
	const uint64_t *npt = cpu->cell->arch.npt_root;

	/* Long mode with a 64-bit code segment only: CS base is 0 there. */
	if (!(vcpu_get(cpu, VCPU_EFER) & EFER_LMA) ||
	    !(vcpu_get(cpu, VCPU_CS_ATTRIB) & SEG_ATTRIB_L))
		return 0;
	if (first > max)
		first = max;
	if (guest_read(cr3, rip, buf, first, npt))
		return 0;
	if (first < max && !guest_read(cr3, rip + first, buf + first, max - first, npt))
		return max;
	return first;
}
