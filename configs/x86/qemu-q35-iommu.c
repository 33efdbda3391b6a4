// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * System config: qemu-q35.c on a machine with QEMU's Intel IOMMU
 *   (-device intel-iommu as the first device; Linux booted with
 *   intel_iommu=off, so that the hypervisor finds the unit unused).
 * The hypervisor owns the unit from enable to disable: root-cell devices
 * reach root-cell RAM only (its DMA regions), and the unit's registers
 * are taken out of the root cell.
 */
#define Q35_IOMMU
#include "qemu-q35.c"
