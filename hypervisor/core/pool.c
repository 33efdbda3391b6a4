// SPDX-License-Identifier: GPL-2.0-only
/* The page pool: a bitmap allocator, one lock. */
#include <pool.h>

#define POOL_MAX_PAGES	(1u << 18)	/* 1 GiB of hypervisor memory */
#define BITS		64

static uint64_t pool_base;
static uint64_t pool_pages;
static uint64_t pool_used;
static uint64_t pool_bitmap[POOL_MAX_PAGES / BITS];
static spinlock_t pool_lock;

void pool_init(uint64_t phys_start, uint64_t pages)
{
	if (pages > POOL_MAX_PAGES)
		pages = POOL_MAX_PAGES;
	pool_base = phys_start;
	pool_pages = pages;
	pool_used = 0;
	memset(pool_bitmap, 0, sizeof(pool_bitmap));
}

void *pool_alloc_page(void)
{
	uint64_t word, i;
	void *page = NULL;
	int bit;

	spin_lock(&pool_lock);
	for (i = 0; i < (pool_pages + BITS - 1) / BITS; i++) {
		word = ~pool_bitmap[i];
		if (!word)
			continue;
		bit = __builtin_ctzll(word);
		if (i * BITS + bit >= pool_pages)
			break;
		pool_bitmap[i] |= 1ull << bit;
		pool_used++;
		page = (void *)(pool_base + (i * BITS + bit) * 4096);
		break;
	}
	spin_unlock(&pool_lock);
	if (page)
		memset(page, 0, 4096);
	return page;
}

static int pool_page_free(uint64_t n)
{
	return !(pool_bitmap[n / BITS] & (1ull << (n % BITS)));
}

void *pool_alloc_pages(unsigned int count)
{
	uint64_t start, n;
	void *pages = NULL;

	if (!count)
		return NULL;
	spin_lock(&pool_lock);
	for (start = 0; start + count <= pool_pages; start++) {
		for (n = 0; n < count && pool_page_free(start + n); n++)
			;
		if (n < count) {
			start += n;	/* skip past the page in use */
			continue;
		}
		for (n = start; n < start + count; n++)
			pool_bitmap[n / BITS] |= 1ull << (n % BITS);
		pool_used += count;
		pages = (void *)(pool_base + start * 4096);
		break;
	}
	spin_unlock(&pool_lock);
	if (pages)
		memset(pages, 0, (size_t)count * 4096);
	return pages;
}

void pool_free_pages(void *pages, unsigned int count)
{
	unsigned int i;

	for (i = 0; i < count; i++)
		pool_free_page((uint8_t *)pages + (size_t)i * 4096);
}

void pool_free_page(void *page)
{
	uint64_t n = ((uint64_t)page - pool_base) / 4096;

	if ((uint64_t)page < pool_base || n >= pool_pages)
		return;
	spin_lock(&pool_lock);
	if (pool_bitmap[n / BITS] & (1ull << (n % BITS))) {
		pool_bitmap[n / BITS] &= ~(1ull << (n % BITS));
		pool_used--;
	}
	spin_unlock(&pool_lock);
}

uint64_t pool_pages_total(void)
{
	return pool_pages;
}

uint64_t pool_pages_used(void)
{
	return pool_used;
}
