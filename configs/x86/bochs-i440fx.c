// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * System config for the Bochs machine of the VMX tests
 * (tests/system/bochs.sh, tests/system/vmx-run.sh):
 *
 *   bochs: cpu: model=corei7_skylake_x, count=2 (up to 4); megs: 1024;
 *          pci: chipset=i440fx; BIOS-bochs-latest
 *   kernel: ... memmap=80M$0x3a000000 console=ttyS1
 *
 * The memory map Linux sees there (e820): RAM [0, 0x9f000) and
 * [0x100000, 0x3fff0000), ACPI tables [0x3fff0000, 0x40000000); I/O APIC
 * 0xfec00000, HPET 0xfed00000, local APIC 0xfee00000, PCI BARs from
 * 0xe0000000, BIOS 0xfffc0000. So the QEMU layout fits unchanged:
 * reservation [0x3a000000, 0x3f000000), its first 16 MiB the
 * hypervisor's, the rest for inmate cells (configs/x86/bochs-*.c) and the
 * ivshmem shared memory. Two ivshmem devices appear in root Linux after
 * enable, in PCI slots Bochs leaves free:
 *   00:0e.0  shared memory [0x3e000000, +2 MiB) (bochs-ivshmem-demo.c)
 *   00:0f.0  shared memory [0x3e200000, +2 MiB) (no inmate side yet)
 * The i440FX has no ECAM: PCI config space only through ports 0xcf8/0xcfc
 * (pci_mmconfig_base = 0). The BIOS puts the PIIX4 ACPI registers at
 * 0xb000: PM timer at 0xb008 (Linux: "ACPI: PM-Timer IO Port: 0xb008").
 * COM1 (0x3f8) is the hypervisor's console; Linux uses COM2 (ttyS1) and
 * gets every other port. The root cell has CPUs 0-1, exactly the two
 * the tests boot (APIC IDs 0, 1): the hypervisor takes the root's CPU
 * set from here, not from what is online, and a CPU named here that does
 * not exist is waited for (a cell start hangs). For a 4-CPU Bochs make it
 * 0xf.
 */
#include <bulkhead/config.h>
#include <bulkhead/ivshmem.h>

#include "bochs-i440fx.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const struct {
	struct bh_system_config sys;
	uint64_t cpus[1];
	struct bh_memory_region mem[5];
	struct bh_pio_region pio[2];
	struct bh_pci_device pci[2];
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
			.pci_mmconfig_base = 0,		/* i440FX: no ECAM */
			.apic_mode = BH_APIC_XAPIC,
			.apic_base = 0xfee00000,
			.pm_timer_port = BOCHS_PM_TIMER_PORT,
		},
		.root_cell = {
			.signature = BH_CELL_SIGNATURE,
			.revision = BH_CONFIG_REVISION,
			.name = "bochs-i440fx",
			.cpu_set_size = sizeof(config.cpus),
			.num_memory_regions = ARRAY_SIZE(config.mem),
			.num_pio_regions = ARRAY_SIZE(config.pio),
			.num_pci_devices = ARRAY_SIZE(config.pci),
		},
	},
	.cpus = { 0x3 },
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
		/* ivshmem 00:0e.0: shared with the bochs-ivshmem-demo cell */
		{
			.phys_start = 0x3e000000,
			.virt_start = 0x3e000000,
			.size = 0x200000,
			.flags = BH_MEM_READ | BH_MEM_WRITE,
		},
		/* ivshmem 00:0f.0 */
		{
			.phys_start = 0x3e200000,
			.virt_start = 0x3e200000,
			.size = 0x200000,
			.flags = BH_MEM_READ | BH_MEM_WRITE,
		},
		/* MMIO: PCI BARs, I/O APIC, HPET, local APIC, BIOS */
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
	.pci = {
		{
			.type = BH_PCI_TYPE_IVSHMEM,
			.bdf = 0x0e << 3,		/* 00:0e.0 */
			.num_msix_vectors = 2,
			.shmem_region = 2,
			.shmem_peer_id = IVSHMEM_ROOT_PEER_ID,
		},
		{
			.type = BH_PCI_TYPE_IVSHMEM,
			.bdf = 0x0f << 3,		/* 00:0f.0 */
			.num_msix_vectors = 2,
			.shmem_region = 3,
			.shmem_peer_id = IVSHMEM_ROOT_PEER_ID,
		},
	},
};
