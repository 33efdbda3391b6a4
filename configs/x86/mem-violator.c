// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Cell config for inmates/demos/x86/mem-violator: CPU 3 and 1 MiB of the
 * reservation at 0x3b400000 (seen at 0). The inmate touches memory
 * outside this on purpose. configs/x86/bochs-mem-violator.c defines
 * MEM_VIOLATOR_* for the Bochs machine and includes this file.
 */
#include <bulkhead/config.h>

#ifndef MEM_VIOLATOR_NAME
#define MEM_VIOLATOR_NAME	"mem-violator"
#define MEM_VIOLATOR_CPU	3
#endif

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const struct {
	struct bh_cell_desc cell;
	uint64_t cpus[1];
	struct bh_memory_region mem[1];
} BH_PACKED config __attribute__((section(".bhconfig"), used)) = {
	.cell = {
		.signature = BH_CELL_SIGNATURE,
		.revision = BH_CONFIG_REVISION,
		.name = MEM_VIOLATOR_NAME,
		.cpu_set_size = sizeof(config.cpus),
		.num_memory_regions = ARRAY_SIZE(config.mem),
		.entry_address = 0,
	},
	.cpus = { 1 << MEM_VIOLATOR_CPU },
	.mem = {
		{
			.phys_start = 0x3b400000,
			.virt_start = 0,
			.size = 0x100000,
			.flags = BH_MEM_READ | BH_MEM_WRITE | BH_MEM_EXECUTE |
				 BH_MEM_LOADABLE,
		},
	},
};
