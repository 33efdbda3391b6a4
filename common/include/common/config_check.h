/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Validation of system and cell config blobs (include/bulkhead/config.h).
 *
 * One implementation for everyone who must not trust a config: the
 * hypervisor (freestanding, before it uses anything in it), the bulkhead
 * tool (so users see every mistake before the driver is involved) and the
 * host unit tests. Hence no libc: only <stdint.h>, <stddef.h> and the ABI
 * headers, and problems go out through a caller-supplied sink instead of
 * printf.
 */
#ifndef BULKHEAD_CONFIG_CHECK_H
#define BULKHEAD_CONFIG_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include <bulkhead/config.h>

#include <bulkhead/errno.h>

/*
 * Where the checker tells about problems. @report is called once per
 * problem with one line of text, without a trailing newline. Its formats
 * use only %s %u %d %x %llx %llu %lx %lu (no widths or flags), so the
 * hypervisor's small printf can serve as well as the C library's.
 */
struct config_sink {
	void (*report)(void *ctx, const char *fmt, ...)
		__attribute__((format(printf, 2, 3)));
	void *ctx;
};

/*
 * Checks a system config blob of @size bytes. Returns 0, -ENOEXEC (not a
 * Bulkhead system config: wrong signature or revision) or -EINVAL
 * (anything else). Reports every problem found, not just the first,
 * through @sink, which may be NULL. Never reads outside
 * [@blob, @blob + @size), whatever the blob's counts say.
 */
int config_check_system(const void *blob, uint64_t size,
			const struct config_sink *sink);

/*
 * Checks an inmate cell config blob (struct bh_cell_desc and its arrays)
 * of @size bytes on its own and against @sys, a system config that
 * config_check_system() accepted. Returns 0, -ENOEXEC (not a Bulkhead
 * cell config: wrong signature or revision) or -EINVAL. Reports every
 * problem, one line each, naming the cell; never reads outside the blob.
 *
 * @sys may be NULL where the system config in use is not known (the
 * bulkhead tool before `cell create`): then only the rules that need no
 * system config are applied. Skipped are the name clash with the root
 * cell, "CPU N does not exist" (CPUs outside the root cell's set), the
 * overlaps with the hypervisor memory and with the root cell's memory
 * regions, the containment of ROOTSHARED regions in root memory and of
 * device memory (BH_MEM_IO) regions in one root device memory region, the
 * clashes of pio regions and the console with the debug console, and the
 * pairing of each ivshmem device with the root cell's at the same address
 * (there must be one, with the same shared memory), and for a link device
 * everything about its link (it exists, the peer ID is below its peers
 * and not the root's, the region is exactly its memory, ROOTSHARED
 * exactly when the root is a peer); alone, a link device's peer ID must
 * still be below IVSHMEM_MAX_PEERS. The hypervisor always passes its
 * system config.
 */
int config_check_cell(const void *blob, uint64_t size,
		      const struct bh_system_config *sys,
		      const struct config_sink *sink);

/*
 * Checks inmate cells against each other: no CPU in two cells, no memory
 * overlap between two cells except for regions that both flag
 * BH_MEM_ROOTSHARED with the same phys_start and size (shared memory, as
 * for ivshmem) or that are both the memory of one link (a link without
 * the root is not ROOTSHARED), no name used twice, no two cells with a
 * pair device at one address (a root ivshmem device pairs with one cell
 * at a time), and no two peers of a link with one peer ID. Each of
 * @cells[0..@n) must have
 * passed config_check_cell() already; the root cell is not among them
 * (config_check_cell() checks each cell against it). Returns 0 or -EINVAL.
 */
int config_check_cell_set(const struct bh_cell_desc *const *cells,
			  unsigned int n, const struct config_sink *sink);

#endif /* BULKHEAD_CONFIG_CHECK_H */
