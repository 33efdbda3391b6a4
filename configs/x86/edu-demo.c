// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Cell config for inmates/demos/x86/edu-demo: CPU 2, 1 MiB of the
 * reservation at 0x3b800000 (seen at 0, where the CPU starts, and the
 * only memory its device may DMA into: BH_MEM_DMA), QEMU's edu device at
 * 00:01.0 passed through (its BAR0, 1 MiB at 0xfea00000 where the
 * firmware put it on the test machine, mapped 1:1), and the ACPI PM
 * timer's ports. Needs an IOMMU the hypervisor owns
 * (configs/x86/qemu-q35-iommu.c): without one cell create is refused.
 */
#include <bulkhead/config.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define EDU_DEMO_CPU	2
#define EDU_BDF		(0x01 << 3)	/* 00:01.0 */
#define EDU_BAR0	0xfea00000
#define EDU_BAR0_SIZE	0x100000

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
		.name = "edu-demo",
		.cpu_set_size = sizeof(config.cpus),
		.num_memory_regions = ARRAY_SIZE(config.mem),
		.num_pio_regions = ARRAY_SIZE(config.pio),
		.num_pci_devices = ARRAY_SIZE(config.pci),
		.entry_address = 0,
	},
	.cpus = { 1 << EDU_DEMO_CPU },
	.mem = {
		{
			.phys_start = 0x3b800000,
			.virt_start = 0,
			.size = 0x100000,
			.flags = BH_MEM_READ | BH_MEM_WRITE | BH_MEM_EXECUTE |
				 BH_MEM_LOADABLE | BH_MEM_DMA,
		},
		/* the device's BAR0 */
		{
			.phys_start = EDU_BAR0,
			.virt_start = EDU_BAR0,
			.size = EDU_BAR0_SIZE,
			.flags = BH_MEM_READ | BH_MEM_WRITE | BH_MEM_IO,
		},
	},
	.pio = {
		{ .base = 0x608, .length = 4 },		/* ACPI PM timer */
	},
	.pci = {
		{
			.type = BH_PCI_TYPE_DEVICE,
			.bdf = EDU_BDF,
		},
	},
};
