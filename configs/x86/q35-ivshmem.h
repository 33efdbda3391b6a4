/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Where the virtual functions of the two ivshmem pairs sit on QEMU's q35
 * (qemu-q35.c is the root side, ivshmem-demo.c and ivshmem-demo2.c the
 * inmate sides: one definition, so both sides of a pair name one BDF).
 *
 * Q35_X2APIC: the x2APIC machine of `make test-system-x2apic`
 * (tests/system/lib.sh, GUEST_MODE=x2apic): QEMU 10, root Linux in x2APIC
 * mode with QEMU's Intel IOMMU doing interrupt remapping, and two
 * `-device pcie-root-port` at 00:18.0 and 00:19.0 (secondary buses 1 and
 * 2). With remapping on, Linux gives a function MSI only where a DMAR
 * unit's device scope covers it, and QEMU's DMAR lists the functions
 * present at boot (no INCLUDE_PCI_ALL), bridges with their subtrees. The
 * hypervisor's functions appear later, so they sit behind the root ports,
 * as 01:00.0 and 02:00.0 (a PCIe port's bus has device 0 only).
 */
#ifndef CONFIGS_X86_Q35_IVSHMEM_H
#define CONFIGS_X86_Q35_IVSHMEM_H

#ifdef Q35_X2APIC
#define Q35_IVSHMEM_BDF_A	(0x01 << 8)	/* 01:00.0, behind 00:18.0 */
#define Q35_IVSHMEM_BDF_B	(0x02 << 8)	/* 02:00.0, behind 00:19.0 */
#else
#define Q35_IVSHMEM_BDF_A	(0x0e << 3)	/* 00:0e.0 */
#define Q35_IVSHMEM_BDF_B	(0x0f << 3)	/* 00:0f.0 */
#endif

#endif
