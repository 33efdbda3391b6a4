// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Cell config for the inmate side of ivshmem pair 00:0e.0 (the root side is
 * in configs/x86/qemu-q35.c): CPU 3, 1 MiB of the reservation at 0x3c000000
 * (seen at 0, where the CPU starts), and the 2 MiB shared with root Linux.
 * Runs inmates/demos/x86/ivshmem-demo or cellmsg-echo (the benchmark
 * responder), which find the device on the emulated PCI bus.
 *
 * The pairing rule: the same BDF in both configs, each pointing at a
 * region with the same physical start and size, ROOTSHARED here.
 *
 * ivshmem-demo2.c defines the IVSHMEM_DEMO_* values for the second pair
 * and includes this file; bochs-ivshmem-demo.c those of the Bochs machine,
 * IVSHMEM_DEMO_PM_TIMER included.
 */
#include <bulkhead/config.h>
#include <bulkhead/ivshmem.h>

#include "q35-ivshmem.h"

#ifndef IVSHMEM_DEMO_NAME
#define IVSHMEM_DEMO_NAME	"ivshmem-demo"
#define IVSHMEM_DEMO_CPU	3
#define IVSHMEM_DEMO_RAM	0x3c000000
#define IVSHMEM_DEMO_SHMEM	0x3e000000	/* the root cell's region 2 */
#define IVSHMEM_DEMO_BDF	Q35_IVSHMEM_BDF_A
#endif
#ifndef IVSHMEM_DEMO_PM_TIMER
#define IVSHMEM_DEMO_PM_TIMER	0x608		/* q35 */
#endif

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const struct {
	struct bh_cell_desc cell;
	uint64_t cpus[1];
	struct bh_memory_region mem[2];
	struct bh_pio_region pio[1];
	struct bh_pci_device pci[1];
} BH_PACKED config __attribute__((section(".bhconfig"), used)) = {
	.cell = {
		.signature = BH_CELL_SIGNATURE,
		.revision = BH_CONFIG_REVISION,
		.name = IVSHMEM_DEMO_NAME,
		.cpu_set_size = sizeof(config.cpus),
		.num_memory_regions = ARRAY_SIZE(config.mem),
		.num_pio_regions = ARRAY_SIZE(config.pio),
		.num_pci_devices = ARRAY_SIZE(config.pci),
		.entry_address = 0,
	},
	.cpus = { 1 << IVSHMEM_DEMO_CPU },
	.mem = {
		/* RAM */
		{
			.phys_start = IVSHMEM_DEMO_RAM,
			.virt_start = 0,
			.size = 0x100000,
			.flags = BH_MEM_READ | BH_MEM_WRITE | BH_MEM_EXECUTE |
				 BH_MEM_LOADABLE,
		},
		/* ivshmem shared memory: the root cell's region for the BDF */
		{
			.phys_start = IVSHMEM_DEMO_SHMEM,
			.virt_start = 0x80000000,
			.size = 0x200000,
			.flags = BH_MEM_READ | BH_MEM_WRITE | BH_MEM_ROOTSHARED,
		},
	},
	.pio = {
		{ .base = IVSHMEM_DEMO_PM_TIMER, .length = 4 },		/* ACPI PM timer */
	},
	.pci = {
		{
			.type = BH_PCI_TYPE_IVSHMEM,
			.bdf = IVSHMEM_DEMO_BDF,
			.num_msix_vectors = 2,
			.shmem_region = 1,
			.shmem_peer_id = IVSHMEM_INMATE_PEER_ID,
		},
	},
};
