// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Cell config for inmates/demos/x86/apic-demo: CPU 2, 1 MiB of the
 * reservation at 0x3b200000 (seen at 0, where the CPU starts), and the
 * ACPI PM timer's ports for calibration. Output goes through the
 * hypervisor's console. configs/x86/bochs-apic-demo.c defines the
 * APIC_DEMO_* values for the Bochs machine and includes this file.
 */
#include <bulkhead/config.h>

#ifndef APIC_DEMO_NAME
#define APIC_DEMO_NAME		"apic-demo"
#define APIC_DEMO_CPU		2
#define APIC_DEMO_PM_TIMER	0x608	/* q35 */
#endif

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const struct {
	struct bh_cell_desc cell;
	uint64_t cpus[1];
	struct bh_memory_region mem[1];
	struct bh_pio_region pio[1];
} BH_PACKED config __attribute__((section(".bhconfig"), used)) = {
	.cell = {
		.signature = BH_CELL_SIGNATURE,
		.revision = BH_CONFIG_REVISION,
		.name = APIC_DEMO_NAME,
		.cpu_set_size = sizeof(config.cpus),
		.num_memory_regions = ARRAY_SIZE(config.mem),
		.num_pio_regions = ARRAY_SIZE(config.pio),
		.entry_address = 0,
	},
	.cpus = { 1 << APIC_DEMO_CPU },
	.mem = {
		{
			.phys_start = 0x3b200000,
			.virt_start = 0,
			.size = 0x100000,
			.flags = BH_MEM_READ | BH_MEM_WRITE | BH_MEM_EXECUTE |
				 BH_MEM_LOADABLE,
		},
	},
	.pio = {
		{ .base = APIC_DEMO_PM_TIMER, .length = 4 },		/* ACPI PM timer */
	},
};
