// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Cell config for the RTOS inmates (inmates/rtos/demos/): freertos-demo,
 * rtos-bench, rtos-overflow. The cell is called "FreeRTOS", as in the
 * Jailhouse tutorial: CPU 3, 1 MiB of the reservation at 0x3c800000
 * (seen at 0, where the CPU starts), and the ACPI PM timer's ports for
 * calibration. It uses CPU 3 so that apic-demo (CPU 2) can run beside it,
 * for the jitter comparison of rtos-bench. configs/x86/bochs-freertos-demo.c
 * defines FREERTOS_DEMO_* for the Bochs machine and includes this file.
 */
#include <bulkhead/config.h>

#ifndef FREERTOS_DEMO_CPU
#define FREERTOS_DEMO_CPU	3
#define FREERTOS_DEMO_PM_TIMER	0x608	/* q35 */
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
		.name = "FreeRTOS",
		.cpu_set_size = sizeof(config.cpus),
		.num_memory_regions = ARRAY_SIZE(config.mem),
		.num_pio_regions = ARRAY_SIZE(config.pio),
		.entry_address = 0,
	},
	.cpus = { 1 << FREERTOS_DEMO_CPU },
	.mem = {
		{
			.phys_start = 0x3c800000,
			.virt_start = 0,
			.size = 0x100000,
			.flags = BH_MEM_READ | BH_MEM_WRITE | BH_MEM_EXECUTE |
				 BH_MEM_LOADABLE,
		},
	},
	.pio = {
		{ .base = FREERTOS_DEMO_PM_TIMER, .length = 4 },	/* ACPI PM timer */
	},
};
