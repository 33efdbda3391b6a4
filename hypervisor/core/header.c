// SPDX-License-Identifier: GPL-2.0-only
/* The image header the driver reads and completes (bulkhead/image.h). */
#include <asm/layout.h>
#include <bulkhead/console.h>
#include <percpu.h>
#include <setup.h>

extern uint8_t __image_start[], __image_end[];
extern struct bh_console_log hv_log;
void bh_entry(void);

_Static_assert(__builtin_offsetof(struct bh_image_header, phys_base) == HDR_PHYS_BASE,
	       "entry.S reads phys_base");
_Static_assert(__builtin_offsetof(struct bh_image_header, boot_pt_offset) ==
	       HDR_BOOT_PT_OFFSET, "entry.S reads boot_pt_offset");
_Static_assert(__builtin_offsetof(struct bh_image_header, trampoline_fail) ==
	       HDR_TRAMPOLINE_FAIL, "entry.S reads trampoline_fail");
_Static_assert(MAX_CPUS == BH_MAX_CPUS, "entry.S bounds the CPU number");

struct bh_image_header bh_header __attribute__((section(".header"), used)) = {
	.signature = BH_IMAGE_SIGNATURE,
	.revision = BH_IMAGE_REVISION,
	.max_cpus = BH_MAX_CPUS,
	.entry_offset = (uint64_t)bh_entry - HV_LINK_BASE,
	.core_size = (uint64_t)__image_end - HV_LINK_BASE,
	.link_base = HV_LINK_BASE,
	.console_offset = (uint64_t)&hv_log - HV_LINK_BASE,
};

/* The stacks entry.S switches to, one per CPU. */
uint8_t bh_stacks[BH_MAX_CPUS][STACK_SIZE] __attribute__((aligned(PAGE_SIZE)));
struct per_cpu per_cpu_area[BH_MAX_CPUS];
uint64_t cpus_online;
