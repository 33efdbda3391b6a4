/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Bulkhead ABI: the hypervisor image (bulkhead.bin) as the driver loads it.
 *
 * The image starts with struct bh_image_header. The driver copies the
 * file to the start of the hypervisor memory, zeroes up to core_size,
 * places the system config and the boot page tables after it and fills in
 * the "driver" fields. Linux cannot map that memory executable (vmap()
 * forces NX), so the switch of page tables happens in a trampoline page
 * of the driver's own code, mapped at the same address in both Linux's
 * and the hypervisor's tables. On every online CPU, interrupts off:
 *
 *   driver trampoline: saves Linux's callee-saved registers and RFLAGS on
 *     its stack, on AMD sets EFER.SVME and CLGI (VMX needs neither: the
 *     hypervisor does VMXON itself), loads the boot page tables and
 *     jumps to link_base + entry_offset with RDI = CPU, RSI = Linux RSP,
 *     RDX = Linux CR3 (R12/R13 hold them too, for the way back);
 *   the hypervisor returns 0 to the driver as a guest (the CPU now runs
 *     Linux as the root cell), or jumps to trampoline_fail with a negative
 *     errno in RAX (the CPU is native, as before).
 * Disabling, the hypervisor jumps to trampoline_leave(cr3, frame, efer),
 * which switches to Linux's tables and pops @frame (a driver_va address).
 *
 * Boot page tables (built by the driver, PML4 at boot_pt_offset): the
 * image at link_base (2 MiB pages), physical memory 0..4 GiB at the same
 * virtual addresses (2 MiB pages; 3..4 GiB uncached, for the local APIC),
 * and the trampoline page at its Linux address (4 KiB).
 */
#ifndef BULKHEAD_IMAGE_H
#define BULKHEAD_IMAGE_H

#include <bulkhead/types.h>

#define BH_IMAGE_SIGNATURE	"BHIMAGE\0"
#define BH_IMAGE_REVISION	2
#define BH_IDENTITY_LIMIT	0x100000000ull	/* 4 GiB */

struct bh_image_header {
	/* written by the build */
	char signature[8];
	uint32_t revision;
	uint32_t max_cpus;
	uint64_t entry_offset;		/* of the entry from the image start */
	uint64_t core_size;		/* code, data and bss; page multiple */
	uint64_t link_base;		/* virtual address the image runs at */

	/* written by the driver before the first entry */
	uint64_t phys_base;		/* = hypervisor_memory.phys_start */
	uint64_t mem_size;		/* = hypervisor_memory.size */
	uint64_t driver_va;		/* where Linux mapped the image */
	uint64_t config_offset;		/* system config copy, from phys_base */
	uint64_t config_size;
	uint64_t boot_pt_offset;	/* PML4 of the boot page tables */
	uint64_t pool_offset;		/* free pages from here to mem_size */
	uint32_t online_cpus;		/* CPUs that will call the entry */
	uint32_t reserved;
	uint64_t trampoline_fail;	/* driver code: back to Linux, failed */
	uint64_t trampoline_leave;	/* driver code: back to Linux, disabled */

	/* written by the build */
	uint64_t console_offset;	/* struct bh_console (bulkhead/console.h) */
} BH_PACKED;

_Static_assert(sizeof(struct bh_image_header) == 128, "bh_image_header size");

#endif /* BULKHEAD_IMAGE_H */
