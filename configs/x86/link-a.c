// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Cell config for peer 1 of qemu-q35-link.c's link 00:10.0: CPU 3, 1 MiB
 * of the reservation at 0x3c400000 (seen at 0), and the link's memory,
 * ROOTSHARED because root Linux is a peer. Runs inmates/demos/x86/
 * link-peer. link-b.c defines the LINK_CELL_* values of peer 2 and
 * includes this file.
 */
#include <bulkhead/config.h>

#include "q35-link.h"

#ifndef LINK_CELL_NAME
#define LINK_CELL_NAME		"link-a"
#define LINK_CELL_CPU		3
#define LINK_CELL_RAM		0x3c400000
#define LINK_CELL_PEER		1
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
		.name = LINK_CELL_NAME,
		.cpu_set_size = sizeof(config.cpus),
		.num_memory_regions = ARRAY_SIZE(config.mem),
		.num_pio_regions = ARRAY_SIZE(config.pio),
		.num_pci_devices = ARRAY_SIZE(config.pci),
		.entry_address = 0,
	},
	.cpus = { 1 << LINK_CELL_CPU },
	.mem = {
		/* RAM */
		{
			.phys_start = LINK_CELL_RAM,
			.virt_start = 0,
			.size = 0x100000,
			.flags = BH_MEM_READ | BH_MEM_WRITE | BH_MEM_EXECUTE |
				 BH_MEM_LOADABLE,
		},
		/* the link's memory: start and size are the link's */
		{
			.phys_start = Q35_LINK_START,
			.virt_start = Q35_LINK_GPA,
			.size = Q35_LINK_SIZE,
			.flags = BH_MEM_READ | BH_MEM_WRITE | BH_MEM_ROOTSHARED,
		},
	},
	.pio = {
		{ .base = 0x608, .length = 4 },		/* ACPI PM timer */
	},
	.pci = {
		{
			.type = BH_PCI_TYPE_IVSHMEM_LINK,
			.bdf = Q35_LINK_BDF,
			.num_msix_vectors = 2,
			.shmem_region = 1,
			.shmem_peer_id = LINK_CELL_PEER,
		},
	},
};
