/* SPDX-License-Identifier: GPL-2.0-only */
/* Cells: the root cell (Linux) now; inmate cells later. */
#ifndef BH_CELL_H
#define BH_CELL_H

#include <hv.h>
#include <bulkhead/config.h>

struct arch_cell {
	uint64_t *npt_root;		/* nested page tables (pool pages) */
	uint8_t *iopm;			/* I/O permission map, 12 KiB */
	uint8_t *msrpm;			/* MSR permission map, 8 KiB */
};

struct cell {
	const struct bh_cell_desc *desc;
	uint32_t id;
	uint64_t cpu_set;		/* bit per CPU */
	struct arch_cell arch;
};

extern struct cell root_cell;

int arch_cell_init(struct cell *cell);
void arch_cell_exit(struct cell *cell);

#endif
