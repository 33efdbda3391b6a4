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
 * gets every other port. The root cell has CPUs 0-1, the two the tests
 * boot (APIC IDs 0, 1); a 4-CPU Bochs wants 0xf (a CPU named here that
 * does not come up is left out of the root cell at enable). The layout
 * itself is qemu-q35.c's, included below.
 */
#include "bochs-i440fx.h"

#define ROOT_NAME		"bochs-i440fx"
#define ROOT_CPUS		0x3
#define ROOT_ECAM_BASE		0		/* i440FX: no ECAM */
#define ROOT_ECAM_END_BUS	0
#define ROOT_PM_TIMER		BOCHS_PM_TIMER_PORT

#include "qemu-q35.c"
