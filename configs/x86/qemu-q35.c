// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * System config for the QEMU machine the tests and `make run` use:
 *
 *   qemu-system-x86_64 -machine q35 -cpu EPYC -smp 4 -m 1G \
 *       -append "... memmap=80M\$0x3a000000 console=ttyS1"
 *
 * Reservation [0x3a000000, 0x3f000000): the first 16 MiB hold the
 * hypervisor, the rest is for inmate cells. COM1 (0x3f8) is the
 * hypervisor's console; Linux uses COM2 (ttyS1) and gets every other port.
 * Root Linux keeps all RAM outside the reservation and the whole MMIO
 * range above 1 GiB (ECAM, PCI BARs, I/O APIC, HPET, local APIC).
 */
#include <bulkhead/config.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const struct {
	struct bh_system_config sys;
	uint64_t cpus[1];
	struct bh_memory_region mem[3];
	struct bh_pio_region pio[2];
} BH_PACKED config __attribute__((section(".bhconfig"), used)) = {
	.sys = {
		.signature = BH_SYSTEM_SIGNATURE,
		.revision = BH_CONFIG_REVISION,
		.hypervisor_memory = {
			.phys_start = 0x3a000000,
			.size = 0x1000000,
		},
		.debug_console = {
			.type = BH_CONSOLE_UART_8250,
			.port = 0x3f8,
		},
		.platform = {
			.pci_mmconfig_base = 0xb0000000,
			.pci_mmconfig_end_bus = 0xff,
			.apic_mode = BH_APIC_XAPIC,
			.apic_base = 0xfee00000,
			.pm_timer_port = 0x608,
		},
		.root_cell = {
			.signature = BH_CELL_SIGNATURE,
			.revision = BH_CONFIG_REVISION,
			.name = "qemu-q35",
			.cpu_set_size = sizeof(config.cpus),
			.num_memory_regions = ARRAY_SIZE(config.mem),
			.num_pio_regions = ARRAY_SIZE(config.pio),
		},
	},
	.cpus = { 0xf },
	.mem = {
		/* RAM below the reservation (with the legacy holes) */
		{
			.phys_start = 0x0,
			.virt_start = 0x0,
			.size = 0x3a000000,
			.flags = BH_MEM_READ | BH_MEM_WRITE | BH_MEM_EXECUTE |
				 BH_MEM_DMA,
		},
		/* RAM above it, up to 1 GiB: includes the ACPI tables */
		{
			.phys_start = 0x3f000000,
			.virt_start = 0x3f000000,
			.size = 0x1000000,
			.flags = BH_MEM_READ | BH_MEM_WRITE | BH_MEM_EXECUTE |
				 BH_MEM_DMA,
		},
		/* MMIO: ECAM, PCI BARs, IOAPIC, HPET, local APIC, flash */
		{
			.phys_start = 0x40000000,
			.virt_start = 0x40000000,
			.size = 0xc0000000,
			.flags = BH_MEM_READ | BH_MEM_WRITE | BH_MEM_IO,
		},
	},
	.pio = {
		{ .base = 0x0, .length = 0x3f8 },
		{ .base = 0x400, .length = 0xfc00 },
	},
};
