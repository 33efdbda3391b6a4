/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Bulkhead ABI: the ivshmem PCI device as every cell sees it.
 *
 * This is the single definition of the register layout. The UIO driver,
 * libcellmsg, the tools, the inmates and the hypervisor's emulated device
 * all include it; nothing else may spell these offsets out.
 *
 * Compatible with QEMU's ivshmem-plain / ivshmem-doorbell (docs/specs/
 * ivshmem-spec): the first four registers behave as there. Bulkhead's
 * emulated device adds the state registers after the doorbell.
 */
#ifndef BULKHEAD_IVSHMEM_H
#define BULKHEAD_IVSHMEM_H

#include <bulkhead/types.h>

#define IVSHMEM_PCI_VENDOR_ID		0x1af4
#define IVSHMEM_PCI_DEVICE_ID		0x1110
#define IVSHMEM_PCI_CLASS		0x050000	/* memory controller, RAM */

/* PCI BARs of the device. */
#define IVSHMEM_BAR_REGS		0	/* MMIO registers below */
#define IVSHMEM_BAR_MSIX		1	/* MSI-X table and PBA */
#define IVSHMEM_BAR_SHMEM		2	/* the shared memory */

/* Size of the register block in BAR0, in bytes. */
#define IVSHMEM_REGS_SIZE		0x100

/*
 * Bulkhead's emulated device makes BAR0 and BAR1 one page each (QEMU's
 * BAR0 is 256 bytes): the hypervisor traps them page by page, and a BAR
 * that shared its page with another device's would trap that one too.
 */
#define IVSHMEM_EMU_BAR_SIZE		0x1000

/* MSI-X vectors a Bulkhead ivshmem device may have (config's count). */
#define IVSHMEM_MAX_VECTORS		16

/* BAR1 layout of the emulated device: the table, then the PBA. */
#define IVSHMEM_MSIX_TABLE_OFFSET	0x000
#define IVSHMEM_MSIX_PBA_OFFSET		0x800
#define IVSHMEM_MSIX_ENTRY_SIZE		16

/*
 * Where the emulated device's shared memory is. It has no BAR2: the
 * region sits at the guest-physical address the cell's config gives,
 * found through a vendor-specific capability (ID 0x09) in config space:
 *   +0 cap ID, +1 next, +2 length (IVSHMEM_VCAP_LEN), +3 version (1)
 *   +4  magic "BHIV" (IVSHMEM_VCAP_MAGIC, little-endian u32)
 *   +8  shared memory guest-physical address, u64 (two dwords, low first)
 *   +16 shared memory size in bytes, u64
 * Drivers use BAR2 when the device has one (QEMU), this capability
 * otherwise.
 */
#define IVSHMEM_VCAP_ID			0x09
#define IVSHMEM_VCAP_LEN		0x18
#define IVSHMEM_VCAP_VERSION		1
#define IVSHMEM_VCAP_MAGIC		0x56494842u	/* "BHIV" */
#define IVSHMEM_VCAP_MAGIC_OFF		0x04
#define IVSHMEM_VCAP_ADDR_OFF		0x08
#define IVSHMEM_VCAP_SIZE_OFF		0x10

/*
 * A link's device (BH_PCI_TYPE_IVSHMEM_LINK) has version 2 of the
 * capability, longer by the layout of the link's memory (below), all
 * written by the hypervisor from the system config and read-only:
 *   +24 number of peers, u32 (2..IVSHMEM_MAX_PEERS)
 *   +28 state table size in bytes, u32 (IVSHMEM_STATE_TABLE_SIZE)
 *   +32 common read-write section size in bytes, u64 (may be 0)
 *   +40 size of each peer's output section in bytes, u64
 * A two-peer device of the old form (BH_PCI_TYPE_IVSHMEM) keeps version 1.
 */
#define IVSHMEM_VCAP_LINK_VERSION	2
#define IVSHMEM_VCAP_LINK_LEN		0x30
#define IVSHMEM_VCAP_PEERS_OFF		0x18
#define IVSHMEM_VCAP_STATE_SIZE_OFF	0x1c
#define IVSHMEM_VCAP_COMMON_SIZE_OFF	0x20
#define IVSHMEM_VCAP_OUTPUT_SIZE_OFF	0x28

/*
 * Interrupt vectors by convention: 0 carries the channel's doorbells and
 * the peer-state changes the hypervisor raises; libcellmsg uses it. The
 * benchmark responder answers vector 1 by ringing vector 1 back at once
 * (the bare doorbell round trip, without libcellmsg).
 */
#define IVSHMEM_VECTOR_CHANNEL		0
#define IVSHMEM_VECTOR_ECHO		1

/* Peer IDs in a Bulkhead pair: the root cell's side and the inmate's. */
#define IVSHMEM_ROOT_PEER_ID		0
#define IVSHMEM_INMATE_PEER_ID		1

/*
 * BAR0 registers, all 32 bits wide, accessed with 32-bit loads and stores.
 *
 * INTR_MASK / INTR_STATUS only matter for INTx (QEMU's device without
 * MSI-X): bit 0 of STATUS is set by a doorbell, reading STATUS clears it,
 * and the line is raised while (STATUS & MASK) != 0.
 */
#define IVSHMEM_REG_INTR_MASK		0x00	/* rw */
#define IVSHMEM_REG_INTR_STATUS		0x04	/* rw, read clears */
#define IVSHMEM_REG_IV_POSITION		0x08	/* ro: own peer ID */
#define IVSHMEM_REG_DOORBELL		0x0c	/* wo: see IVSHMEM_DOORBELL() */

/*
 * Bulkhead extension (emulated device only; QEMU's device reads 0 here).
 * LOCAL_STATE is written by this side to announce its state to the peer,
 * PEER_STATE mirrors the peer's LOCAL_STATE and is read-only; the
 * hypervisor raises vector 0 in a cell when its peer's state changes.
 * A cell that stops (shut down, failed, destroyed) reads as RESET to its
 * peer, whatever it wrote last.
 */
#define IVSHMEM_REG_LOCAL_STATE		0x10	/* rw */
#define IVSHMEM_REG_PEER_STATE		0x14	/* ro */
/*
 * ro: peers the device's link has (2 on a pair). On a link of more than
 * two, PEER_STATE reads RESET: the state table has every peer's state.
 */
#define IVSHMEM_REG_NUM_PEERS		0x18

#define IVSHMEM_STATE_RESET		0	/* absent or not initialised */
#define IVSHMEM_STATE_READY		1	/* serving the channel */

/* A doorbell value: ring @vector in peer @peer_id. */
#define IVSHMEM_DOORBELL_PEER_SHIFT	16
#define IVSHMEM_DOORBELL_VECTOR_MASK	0xffffu
#define IVSHMEM_DOORBELL(peer_id, vector)				\
	((((unsigned int)(peer_id) & 0xffffu) << IVSHMEM_DOORBELL_PEER_SHIFT) | \
	 ((unsigned int)(vector) & IVSHMEM_DOORBELL_VECTOR_MASK))

/* Highest peer ID a doorbell can address. */
#define IVSHMEM_MAX_PEER_ID		0xffffu

/* IV_POSITION reads this when the device has no shared memory yet. */
#define IVSHMEM_POSITION_INVALID	0xffffffffu

/*
 * ---- links ---------------------------------------------------------------
 *
 * A link is one shared memory area and 2..IVSHMEM_MAX_PEERS peers (root
 * Linux and inmates in any mix), described once in the system config
 * (struct bh_ivshmem_link, bulkhead/config.h). Its memory, from its
 * start, in this order, every part a whole number of 4 KiB pages so that
 * nested paging can give each its own rights:
 *
 *   state table     IVSHMEM_STATE_TABLE_SIZE bytes: u32 state of peer N
 *                   at IVSHMEM_STATE_ENTRY(N), the rest reads 0. Written
 *                   only by the hypervisor (a peer's LOCAL_STATE while its
 *                   cell runs, RESET otherwise); read-only in every peer.
 *   common section  common_size bytes (may be 0), read-write in every peer.
 *   output sections num_peers of output_size bytes, peer 0's first: each
 *                   is read-write in its owner and read-only in every
 *                   other peer. A write into another peer's output
 *                   section or into the state table never lands: an
 *                   inmate is stopped, root Linux gets a #GP; both are
 *                   reported on the hypervisor console.
 *
 * So a peer can write only its own output section (and the common one)
 * and read everything: a channel between peers A and B is A's part in
 * A's section and B's part in B's; a publisher's ring in its section has
 * each subscriber's read position in that subscriber's own section.
 */
#define IVSHMEM_MAX_PEERS		16
#define IVSHMEM_LINK_PAGE		0x1000
#define IVSHMEM_STATE_TABLE_SIZE	0x1000
#define IVSHMEM_STATE_ENTRY(peer)	((peer) * 4u)
#define IVSHMEM_LINK_COMMON_OFFSET	IVSHMEM_STATE_TABLE_SIZE

/* Where peer @peer's output section starts, from the link's start. */
#define IVSHMEM_LINK_OUTPUT_OFFSET(common_size, output_size, peer)		\
	((uint64_t)IVSHMEM_STATE_TABLE_SIZE + (uint64_t)(common_size) +		\
	 (uint64_t)(peer) * (uint64_t)(output_size))
/* The link's whole size: everything up to the end of the last section. */
#define IVSHMEM_LINK_SIZE(common_size, output_size, num_peers)			\
	IVSHMEM_LINK_OUTPUT_OFFSET(common_size, output_size, num_peers)

_Static_assert(IVSHMEM_STATE_ENTRY(IVSHMEM_MAX_PEERS) <= IVSHMEM_STATE_TABLE_SIZE,
	       "every peer's state fits the state table");
_Static_assert(IVSHMEM_STATE_TABLE_SIZE % IVSHMEM_LINK_PAGE == 0,
	       "the state table is whole pages (read-only in nested paging)");
_Static_assert(IVSHMEM_MAX_PEERS <= IVSHMEM_MAX_PEER_ID + 1,
	       "a doorbell can name every peer");
_Static_assert(IVSHMEM_LINK_OUTPUT_OFFSET(0x2000, 0x3000, 2) == 0x9000,
	       "sections follow each other");

/*
 * UIO map indices exposed by uio_ivshmem.ko: an application mmaps
 * /dev/uioN at offset (index * page size).
 *
 * A two-peer device (QEMU's, or Bulkhead's of the old form) has the
 * registers and the whole shared memory, read-write. A link's device has
 * (UIO allows five maps): the registers; the state table, read-only; the
 * common section, read-write (absent when empty); the device's own output
 * section, read-write; all output sections, peer 0's first, read-only.
 * A writable mmap of a read-only map fails with EACCES. sysfs names each
 * (maps/mapN/name: "state", "common", "output", "outputs"), and the PCI
 * device's ivshmem_peer_id, ivshmem_num_peers and ivshmem_output_size say
 * whose section is where.
 */
#define IVSHMEM_UIO_MAP_REGS		0
#define IVSHMEM_UIO_MAP_SHMEM		1
#define IVSHMEM_UIO_MAP_STATE		1	/* links */
#define IVSHMEM_UIO_MAP_COMMON		2	/* links */
#define IVSHMEM_UIO_MAP_OUTPUT		3	/* links: own section */
#define IVSHMEM_UIO_MAP_OUTPUTS		4	/* links: all, read-only */

#endif /* BULKHEAD_IVSHMEM_H */
