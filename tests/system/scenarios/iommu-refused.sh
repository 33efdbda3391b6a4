# SPDX-License-Identifier: GPL-2.0-only
# iommu-refused: Linux booted with its defaults uses QEMU's Intel IOMMU
# for DMA (and interrupt) remapping: enable with the IOMMU config is
# refused with a line naming the kernel option; Linux keeps running; the
# plain config still enables.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hv.sh"

GUEST_APPEND=$HV_MEMMAP
guest_start g iommu-refused "" 4 -device intel-iommu,intremap=on
guest_wait g
hv_console_expect g "IOMMU 0 at 0xfed90000: Linux uses it for DMA remapping: boot Linux with intel_iommu=off"
n=$(hv_console_count g "Activating hypervisor")
[ "$n" = 1 ] || fail "hypervisor activated $n times, expected once (the plain config)"
