/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Where the local APIC is (xAPIC mode) and what an MSI's address says,
 * for the hypervisor (which checks and delivers MSIs) and inmates (which
 * route their ivshmem vectors). Register offsets stay with their users.
 */
#ifndef COMMON_X86_APIC_H
#define COMMON_X86_APIC_H

#include <stdint.h>

#define APIC_BASE		0xfee00000ul

/* An MSI's address: 0xfee, destination ID in bits 19:12, mode in bit 2. */
#define MSI_ADDR_BASE		((uint32_t)APIC_BASE)
#define MSI_ADDR_BASE_MASK	0xfff00000ull
#define MSI_ADDR_DEST_SHIFT	12
#define MSI_ADDR_LOGICAL	(1ull << 2)
#define MSI_ADDR(apic_id)	(MSI_ADDR_BASE | (uint32_t)(apic_id) << MSI_ADDR_DEST_SHIFT)
/*
 * Bit 4 set: the remappable format of interrupt remapping instead, an
 * index into the remapping table in bits 19:5 and 2 (VT-d spec 5.1.5).
 */
#define MSI_ADDR_REMAPPABLE	(1ull << 4)
/* An MSI's data: the vector, the delivery mode in bits 10:8. */
#define MSI_DATA_DM_SHIFT	8
#define MSI_DATA_DM_NMI		(4u << MSI_DATA_DM_SHIFT)

#endif /* COMMON_X86_APIC_H */
