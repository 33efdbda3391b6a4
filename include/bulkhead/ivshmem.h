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
 * hypervisor raises an interrupt in a cell when its peer's state changes.
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
