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
 * UIO map indices exposed by uio_ivshmem.ko: an application mmaps
 * /dev/uioN at offset (index * page size).
 */
#define IVSHMEM_UIO_MAP_REGS		0
#define IVSHMEM_UIO_MAP_SHMEM		1

#endif /* BULKHEAD_IVSHMEM_H */
