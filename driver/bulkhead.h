/* SPDX-License-Identifier: GPL-2.0-only */
/* bulkhead.ko internals shared between its files. */
#ifndef BULKHEAD_DRIVER_H
#define BULKHEAD_DRIVER_H

#include <linux/types.h>

/*
 * Builds the hypervisor's boot page tables (see bulkhead/image.h) in the
 * pages at @pt_va/@pt_phys, at most @max_pages of them. Returns the number
 * of pages used or a negative errno.
 */
int bh_build_boot_page_tables(void *pt_va, u64 pt_phys, unsigned int max_pages,
			      u64 hv_phys, u64 hv_size, u64 link_base,
			      u64 trampoline_va, u64 trampoline_phys);

#endif
