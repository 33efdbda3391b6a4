// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * System config for the QEMU machine the tests and `make run` use:
 *
 *   qemu-system-x86_64 -machine q35 -cpu EPYC -smp 4 -m 1G \
 *       -append "... memmap=80M\$0x3a000000 console=ttyS1"
 *
 * Reservation [0x3a000000, 0x3f000000): the first 16 MiB hold the
 * hypervisor, the rest is for inmate cells and the ivshmem shared memory.
 * Two ivshmem devices appear in root Linux after enable, each the root
 * side of a pair (the inmate sides: ivshmem-demo.c, ivshmem-demo2.c):
 *   00:0e.0  shared memory [0x3e000000, +2 MiB)
 *   00:0f.0  shared memory [0x3e200000, +2 MiB)
 * (q35-ivshmem.h says where they sit on the x2APIC machine). COM1 (0x3f8) is the
 * hypervisor's console; Linux uses COM2 (ttyS1) and gets every other port.
 * Root Linux keeps all RAM outside the reservation and the whole MMIO
 * range above 1 GiB (ECAM, PCI BARs, I/O APIC, HPET, local APIC).
 *
 * qemu-q35-link.c defines Q35_LINK and includes this file: the same
 * machine with a third device, 00:10.0, root Linux's end of a 3-peer
 * ivshmem link (q35-link.h). qemu-q35-iommu.c defines Q35_IOMMU: the
 * machine with QEMU's Intel IOMMU (-device intel-iommu), which the
 * hypervisor takes over. Built with -DQ35_X2APIC (build/configs/x2apic/),
 * the x2APIC machine of q35-ivshmem.h: the IOMMU, and the two ivshmem
 * functions behind root ports.
 */
#include <bulkhead/config.h>
#include <bulkhead/ivshmem.h>

#include "q35-ivshmem.h"

#ifdef Q35_X2APIC
#define Q35_IOMMU
#endif

#ifdef Q35_LINK
#include "q35-link.h"
#define Q35_EXTRA	1
#else
#define Q35_EXTRA	0
#endif

/*
 * The facts that differ between the machines this layout fits;
 * configs/x86/bochs-i440fx.c defines them for Bochs and includes this file.
 */
#ifndef ROOT_NAME
#define ROOT_NAME		"qemu-q35"
#ifndef Q35_CPUS
#define Q35_CPUS		0xf	/* -smp 4; the link-config scenario has more */
#endif
#define ROOT_CPUS		Q35_CPUS
#define ROOT_ECAM_BASE		0xb0000000
#define ROOT_ECAM_END_BUS	0xff
#define ROOT_PM_TIMER		0x608
#endif

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const struct {
	struct bh_system_config sys;
	uint64_t cpus[1];
	struct bh_memory_region mem[5 + Q35_EXTRA];
	struct bh_pio_region pio[2];
	struct bh_pci_device pci[2 + Q35_EXTRA];
#ifdef Q35_LINK
	struct bh_ivshmem_link links[1];
#endif
} BH_PACKED config __attribute__((section(".bhconfig"), used)) = {
	.sys = {
		.signature = BH_SYSTEM_SIGNATURE,
		.revision = BH_CONFIG_REVISION,
#ifdef Q35_LINK
		.num_ivshmem_links = ARRAY_SIZE(config.links),
#endif
		.hypervisor_memory = {
			.phys_start = 0x3a000000,
			.size = 0x1000000,
		},
		.debug_console = {
			.type = BH_CONSOLE_UART_8250,
			.port = 0x3f8,
		},
		.platform = {
			.pci_mmconfig_base = ROOT_ECAM_BASE,
			.pci_mmconfig_end_bus = ROOT_ECAM_END_BUS,
			.apic_mode = BH_APIC_XAPIC,
			.apic_base = 0xfee00000,
			.pm_timer_port = ROOT_PM_TIMER,
#ifdef Q35_IOMMU
			/* -device intel-iommu: QEMU's DRHD (ACPI DMAR) */
			.iommu_type = BH_IOMMU_VTD,
			.iommu_base = { 0xfed90000 },
#endif
		},
		.root_cell = {
			.signature = BH_CELL_SIGNATURE,
			.revision = BH_CONFIG_REVISION,
			.name = ROOT_NAME,
			.cpu_set_size = sizeof(config.cpus),
			.num_memory_regions = ARRAY_SIZE(config.mem),
			.num_pio_regions = ARRAY_SIZE(config.pio),
			.num_pci_devices = ARRAY_SIZE(config.pci),
		},
	},
	.cpus = { ROOT_CPUS },
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
		/* ivshmem pair A: shared with the (bochs-)ivshmem-demo cell */
		{
			.phys_start = 0x3e000000,
			.virt_start = 0x3e000000,
			.size = 0x200000,
			.flags = BH_MEM_READ | BH_MEM_WRITE,
		},
		/* ivshmem pair B: shared with the ivshmem-demo2 cell (QEMU) */
		{
			.phys_start = 0x3e200000,
			.virt_start = 0x3e200000,
			.size = 0x200000,
			.flags = BH_MEM_READ | BH_MEM_WRITE,
		},
		/* MMIO: ECAM (q35), PCI BARs, IOAPIC, HPET, local APIC, flash */
		{
			.phys_start = 0x40000000,
			.virt_start = 0x40000000,
			.size = 0xc0000000,
			.flags = BH_MEM_READ | BH_MEM_WRITE | BH_MEM_IO,
		},
#ifdef Q35_LINK
		/* the link's memory: a root region of its own */
		{
			.phys_start = Q35_LINK_START,
			.virt_start = Q35_LINK_START,
			.size = Q35_LINK_SIZE,
			.flags = BH_MEM_READ | BH_MEM_WRITE,
		},
#endif
	},
	.pio = {
		{ .base = 0x0, .length = 0x3f8 },
		{ .base = 0x400, .length = 0xfc00 },
	},
	.pci = {
		{
			.type = BH_PCI_TYPE_IVSHMEM,
			.bdf = Q35_IVSHMEM_BDF_A,
			.num_msix_vectors = 2,
			.shmem_region = 2,
			.shmem_peer_id = IVSHMEM_ROOT_PEER_ID,
		},
		{
			.type = BH_PCI_TYPE_IVSHMEM,
			.bdf = Q35_IVSHMEM_BDF_B,
			.num_msix_vectors = 2,
			.shmem_region = 3,
			.shmem_peer_id = IVSHMEM_ROOT_PEER_ID,
		},
#ifdef Q35_LINK
		{
			.type = BH_PCI_TYPE_IVSHMEM_LINK,
			.bdf = Q35_LINK_BDF,
			.num_msix_vectors = 2,
			.shmem_region = 5,
			.shmem_peer_id = 0,
		},
#endif
	},
#ifdef Q35_LINK
	.links = {
		{
			.bdf = Q35_LINK_BDF,
			.num_peers = Q35_LINK_PEERS,
			.phys_start = Q35_LINK_START,
			.common_size = Q35_LINK_COMMON,
			.output_size = Q35_LINK_OUTPUT,
		},
	},
#endif
};
