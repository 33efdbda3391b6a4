/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The page pool: the hypervisor memory left after the image, the config
 * and the boot page tables. Pages are addressed through the identity map
 * (virtual == physical), so a page's pointer is its physical address.
 */
#ifndef BH_POOL_H
#define BH_POOL_H

#include <hv.h>

void pool_init(uint64_t phys_start, uint64_t pages);
void *pool_alloc_page(void);		/* zeroed; NULL when exhausted */
void pool_free_page(void *page);
void *pool_alloc_pages(unsigned int count);	/* contiguous, zeroed */
void pool_free_pages(void *pages, unsigned int count);
uint64_t pool_pages_total(void);
uint64_t pool_pages_used(void);

#endif
