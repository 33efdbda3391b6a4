/* SPDX-License-Identifier: GPL-2.0-only */
/* What a cell needs of x86 and SVM: the "arch" member of struct cell. */
#ifndef BH_ASM_CELL_H
#define BH_ASM_CELL_H

#include <hv.h>

struct arch_cell {
	uint64_t *npt_root;		/* nested page tables (pool pages) */
	uint8_t *iopm;			/* I/O permission map, 12 KiB */
	uint8_t *msrpm;			/* MSR permission map, 8 KiB */
	uint32_t pci_conf1_latch;	/* the cell's PCI config address (0xcf8) */
};

#endif
