/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Cells: the root cell (Linux) now; inmate cells, created from it with
 * CPUs Linux gave up and memory out of the reservation, come next.
 */
#ifndef BH_CELL_H
#define BH_CELL_H

#include <hv.h>
#include <asm/cell.h>
#include <bulkhead/config.h>
#include <mmio.h>

struct per_cpu;

enum cell_state {
	CELL_FREE = 0,
	CELL_CREATED,		/* CPUs parked, nothing loaded yet */
	CELL_LOADING,		/* loadable memory mapped in the root cell */
	CELL_RUNNING,
	CELL_SHUT_DOWN,
	CELL_FAILED,
};

#define BH_MAX_CELLS	8	/* inmate cells, IDs 1..8; the root cell is 0 */

struct cell {
	const struct bh_cell_desc *desc;
	void *desc_copy;		/* pool pages holding an inmate's config */
	unsigned int desc_pages;
	uint32_t id;
	uint64_t cpu_set;		/* bit per CPU */
	enum cell_state state;
	int loadable_mapped;
	struct mmio_registry mmio;	/* emulated ranges (mmio.h) */
	struct arch_cell arch;
};

extern struct cell root_cell;

/* Hypercalls of the root cell (control.c checks who calls). */
int cell_create(struct per_cpu *caller, uint64_t config_gpa, uint64_t size);
int cell_set_loadable(struct per_cpu *caller, uint32_t id);
int cell_start(struct per_cpu *caller, uint32_t id);
int cell_shutdown(uint32_t id);
int cell_destroy(uint32_t id);
int cell_get_state(uint32_t id);
/* The cell with ID @id (0: the root cell), or NULL. */
struct cell *cell_lookup(uint32_t id);
unsigned int cell_count(void);
/* Is [@gpa, +@size) RAM of the root cell (not device memory)? Root GPA = HPA. */
int cell_root_ram_holds(uint64_t gpa, uint64_t size);
/* An inmate reports it is done (@failed 0) or failed; its CPU parks. */
void cell_report(struct per_cpu *cpu, int failed, uint64_t code);
/* An inmate CPU broke a rule: reported, parked, the cell failed. */
void cell_cpu_failed(struct per_cpu *cpu, const char *why);

#endif
