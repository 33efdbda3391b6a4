/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Emulated MMIO: each cell has a registry of guest-physical ranges and
 * who emulates them (the local APIC page, virtual PCI config space and
 * BARs). The architecture's fault handler looks the address up here,
 * decodes the instruction and calls the handler; it knows no subsystem.
 */
#ifndef BH_MMIO_H
#define BH_MMIO_H

#include <hv.h>

struct cell;
struct per_cpu;

/*
 * One access of @size bytes (1, 2, 4 or 8) at @gpa by @cpu (of the cell
 * the region belongs to): a store passes *@value in, a load returns it.
 */
typedef void (*mmio_handler_t)(struct per_cpu *cpu, void *ctx, uint64_t gpa,
			       int is_write, unsigned int size, uint64_t *value);

struct mmio_region {
	uint64_t start, size;
	mmio_handler_t handler;
	void *ctx;
};

#define MMIO_MAX_REGIONS	32

struct mmio_registry {
	spinlock_t lock;
	unsigned int count;
	struct mmio_region regions[MMIO_MAX_REGIONS];
};

/*
 * @cell's accesses to [@start, @start + @size) go to @handler with @ctx.
 * 0, -EINVAL (empty, wrapping), -EEXIST (overlaps a registered range) or
 * -ENOSPC (registry full).
 */
int mmio_region_register(struct cell *cell, uint64_t start, uint64_t size,
			 mmio_handler_t handler, void *ctx);
/* Removes the range registered at @start (nothing if there is none). */
void mmio_region_unregister(struct cell *cell, uint64_t start);
/* Copies the region holding @gpa into @region: 0, or -ENOENT. */
int mmio_region_find(struct cell *cell, uint64_t gpa, struct mmio_region *region);

#endif
