/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hypervisor's ivshmem device (DESIGN.md section 3; register layout in
 * include/bulkhead/ivshmem.h). Each cell of a pair or a link has one at the
 * BDF all configs name; the root cell's exist from enable to disable, an
 * inmate's from create to destroy, joined to the root device of the same
 * BDF (a pair) or to the system config's link there.
 */
#ifndef BH_IVSHMEM_H
#define BH_IVSHMEM_H

#include <hv.h>

struct cell;
struct ivshmem_dev;

/* Creates @cell's devices (an inmate's pair up with the root's). */
int ivshmem_cell_init(struct cell *cell);
/* Removes them; the peer sees RESET and gets vector 0. */
void ivshmem_cell_exit(struct cell *cell);
/* The cell starts: its devices come out of reset. */
void ivshmem_cell_reset(struct cell *cell);
/* The cell stopped (shut down or failed): the peer sees RESET. */
void ivshmem_cell_stopped(struct cell *cell);

/*
 * A write of @cell to @gpa was refused by nested paging: whether @gpa is a
 * part of one of its links that it may not write (the state table,
 * another peer's output section). With @print, says so on the console,
 * naming the device, the part and its owner.
 */
int ivshmem_write_refused(const struct cell *cell, unsigned int cpu_id,
			  uint64_t gpa, uint64_t rip, int print);

/* @cell's device at @bdf, or NULL. */
struct ivshmem_dev *ivshmem_find(const struct cell *cell, uint16_t bdf);
/* BH_HC_IVSHMEM_LIST and BH_HC_IVSHMEM_GET_INFO (bulkhead/hypercall.h). */
int64_t ivshmem_list(const struct cell *cell, uint64_t index);
int64_t ivshmem_get_info(const struct cell *cell, uint16_t bdf, uint64_t what);

/* Config space dword at @reg (4-aligned, < 256). */
uint32_t ivshmem_cfg_read(struct ivshmem_dev *dev, unsigned int reg);
/* Writes the bytes of @value that @mask selects into the dword at @reg. */
void ivshmem_cfg_write(struct ivshmem_dev *dev, unsigned int reg,
		       uint32_t value, uint32_t mask);

#endif
