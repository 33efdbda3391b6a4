/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PCI configuration space as the PCI spec lays it out, for the hypervisor
 * (which emulates it) and inmates (which program their devices through
 * it). Linux's names (<uapi/linux/pci_regs.h>), which the kernel modules
 * use from Linux itself; that is also why these live here and not in
 * include/bulkhead/, which the modules include beside <linux/pci.h>.
 * Bulkhead's own device layout (capabilities, BAR sizes) is ABI:
 * include/bulkhead/ivshmem.h.
 */
#ifndef COMMON_PCI_H
#define COMMON_PCI_H

#define PCI_CFG_SPACE_SIZE	256	/* conventional; ECAM gives 4096 */

/* Type 0 header */
#define PCI_VENDOR_ID		0x00	/* 16 bits; the device ID above it */
#define PCI_COMMAND		0x04	/* 16 bits; the status above it */
#define PCI_STATUS		0x06
#define PCI_CLASS_REVISION	0x08	/* revision, then class << 8 */
#define PCI_BASE_ADDRESS_0	0x10	/* BAR n at + 4 * n */
#define PCI_NUM_BARS		6
#define PCI_CAPABILITY_LIST	0x34
#define PCI_INTERRUPT_LINE	0x3c

#define PCI_COMMAND_IO		0x0001
#define PCI_COMMAND_MEMORY	0x0002
#define PCI_COMMAND_MASTER	0x0004
#define PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS_CAP_LIST	0x0010

/* BAR low bits */
#define PCI_BAR_IO		0x1
#define PCI_BAR_MEM_TYPE	0x6	/* bits 2:1 */
#define PCI_BAR_MEM_64		0x4	/* memory type 2: 64 bits, two registers */

/* Capabilities: ID at +0, next at +1 */
#define PCI_CAP_LIST_NEXT	1
#define PCI_CAP_ID_MSIX		0x11
#define PCI_MSIX_FLAGS		2	/* 16 bits, in the capability */
#define PCI_MSIX_FLAGS_QSIZE	0x07ff	/* table size - 1 */
#define PCI_MSIX_FLAGS_MASKALL	0x4000
#define PCI_MSIX_FLAGS_ENABLE	0x8000
#define PCI_MSIX_ENTRY_CTRL_MASKBIT 0x1	/* vector control, bit 0 */
#define PCI_CAP_ID_MSI		0x05
#define PCI_MSI_FLAGS		2	/* 16 bits, in the capability */
#define PCI_MSI_FLAGS_ENABLE	0x0001
#define PCI_MSI_FLAGS_QSIZE	0x0070	/* vectors enabled, log2 */
#define PCI_MSI_FLAGS_64BIT	0x0080
#define PCI_MSI_FLAGS_MASKBIT	0x0100	/* per-vector masking */
#define PCI_MSI_ADDRESS_LO	4
#define PCI_MSI_ADDRESS_HI	8	/* 64-bit capable only */
#define PCI_MSI_DATA_32		8
#define PCI_MSI_DATA_64		12
#define PCI_MSI_MASK_32		12	/* per-vector masking only */
#define PCI_MSI_MASK_64		16
#define PCI_MSI_CAP_MAX		24	/* the largest form, pending bits included */

/* x86 configuration mechanism #1: an address port and 4 data ports */
#define PCI_CONF1_ADDRESS	0xcf8
#define PCI_CONF1_DATA		0xcfc
#define PCI_CONF1_PORTS		8	/* 0xcf8-0xcff, 0xcf9 reset control */
#define PCI_CONF1_ENABLE	0x80000000u

#endif /* COMMON_PCI_H */
