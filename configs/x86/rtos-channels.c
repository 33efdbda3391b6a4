// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Cell config for rtos-echo with two channels: the inmate side of both
 * ivshmem pairs of configs/x86/qemu-q35.c (00:0e.0 and 00:0f.0, the
 * root cell's regions 2 and 3, ROOTSHARED here), on CPU 3 with
 * ivshmem-demo's RAM (the two cells never run at once). One echo task per
 * device (inmates/rtos/demos/rtos-echo.c). The pairing rule as in
 * ivshmem-demo.c: same BDF, same physical start and size.
 */
#include <bulkhead/config.h>
#include <bulkhead/ivshmem.h>

#include "q35-ivshmem.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const struct {
	struct bh_cell_desc cell;
	uint64_t cpus[1];
	struct bh_memory_region mem[3];
	struct bh_pio_region pio[1];
	struct bh_pci_device pci[2];
} BH_PACKED config __attribute__((section(".bhconfig"), used)) = {
	.cell = {
		.signature = BH_CELL_SIGNATURE,
		.revision = BH_CONFIG_REVISION,
		.name = "rtos-channels",
		.cpu_set_size = sizeof(config.cpus),
		.num_memory_regions = ARRAY_SIZE(config.mem),
		.num_pio_regions = ARRAY_SIZE(config.pio),
		.num_pci_devices = ARRAY_SIZE(config.pci),
		.entry_address = 0,
	},
	.cpus = { 1 << 3 },
	.mem = {
		/* RAM */
		{
			.phys_start = 0x3c000000,
			.virt_start = 0,
			.size = 0x100000,
			.flags = BH_MEM_READ | BH_MEM_WRITE | BH_MEM_EXECUTE |
				 BH_MEM_LOADABLE,
		},
		/* pair A's shared memory: the root cell's region 2 */
		{
			.phys_start = 0x3e000000,
			.virt_start = 0x80000000,
			.size = 0x200000,
			.flags = BH_MEM_READ | BH_MEM_WRITE | BH_MEM_ROOTSHARED,
		},
		/* pair B's: the root cell's region 3 */
		{
			.phys_start = 0x3e200000,
			.virt_start = 0x80200000,
			.size = 0x200000,
			.flags = BH_MEM_READ | BH_MEM_WRITE | BH_MEM_ROOTSHARED,
		},
	},
	.pio = {
		{ .base = 0x608, .length = 4 },		/* ACPI PM timer (q35) */
	},
	.pci = {
		{
			.type = BH_PCI_TYPE_IVSHMEM,
			.bdf = Q35_IVSHMEM_BDF_A,
			.num_msix_vectors = 2,
			.shmem_region = 1,
			.shmem_peer_id = IVSHMEM_INMATE_PEER_ID,
		},
		{
			.type = BH_PCI_TYPE_IVSHMEM,
			.bdf = Q35_IVSHMEM_BDF_B,
			.num_msix_vectors = 2,
			.shmem_region = 2,
			.shmem_peer_id = IVSHMEM_INMATE_PEER_ID,
		},
	},
};
