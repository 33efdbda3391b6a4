/* SPDX-License-Identifier: GPL-2.0-only */
/* 4-level x86 paging: nested page tables and walks of a guest's tables. */
#ifndef BH_ASM_PAGING_H
#define BH_ASM_PAGING_H

#include <hv.h>

#define PTE_P		(1ull << 0)
#define PTE_RW		(1ull << 1)
#define PTE_US		(1ull << 2)
#define PTE_PWT		(1ull << 3)
#define PTE_PCD		(1ull << 4)
#define PTE_AD		(3ull << 5)	/* accessed, dirty */
#define PTE_PS		(1ull << 7)
#define PTE_NX		(1ull << 63)
#define PTE_ADDR_MASK	0x000ffffffffff000ull
#define PAGE_SIZE_4K	4096ull

#define NPT_READ	(1u << 0)
#define NPT_WRITE	(1u << 1)
#define NPT_EXEC	(1u << 2)
#define NPT_UNCACHED	(1u << 3)

/*
 * Two formats of the same 4-level tables: AMD's nested page tables are
 * ordinary x86 page tables (every entry a user entry), Intel's EPT has
 * read/write/execute bits and a memory type instead. Leaves are always
 * readable, so bit 0 means "present" in both, and tables point down with
 * the same bits 2:0 (P, RW, US / R, W, X). Chosen once, at enable.
 * VT-d's second-level tables (for device DMA, vtd.c) are a third format
 * of the same shape: read and write bits only in the leaves.
 */
#define NPT_FORMAT_AMD	0
#define NPT_FORMAT_EPT	1
#define NPT_FORMAT_VTD	2
void npt_set_format(unsigned int format);

uint64_t *npt_create(void);
int npt_map(uint64_t *root, uint64_t gpa, uint64_t hpa, uint64_t size,
	    unsigned int access);
int npt_unmap(uint64_t *root, uint64_t gpa, uint64_t size);
void npt_destroy(uint64_t *root);
/* npt_map() for a DMA table (NPT_FORMAT_VTD, whatever the CPUs use). */
int dma_pt_map(uint64_t *root, uint64_t bus_addr, uint64_t hpa, uint64_t size,
	       unsigned int access);

/* Nested translation of @gpa under @root: 0 or -EINVAL (not mapped). */
int npt_translate(const uint64_t *root, uint64_t gpa, uint64_t *hpa);
/*
 * Guest virtual to guest physical through the guest's CR3 (4-level); the
 * guest's tables are read through @npt (NULL: the identity-mapped root).
 */
int guest_virt_to_phys(uint64_t cr3, uint64_t va, uint64_t *pa,
		       const uint64_t *npt);
/* Reads @len bytes at guest virtual @va (tables and data through @npt). */
int guest_read(uint64_t cr3, uint64_t va, void *buf, unsigned int len,
	       const uint64_t *npt);

#endif
