# SPDX-License-Identifier: GPL-2.0-only
# hv-badconfig: wrong magic, wrong revision, overlapping regions, a
# hypervisor region outside the reservation and a root cell that lacks
# Linux's RAM (its kernel) are refused with clear errors
# (by the CLI, and by the driver or hypervisor when the CLI is bypassed);
# Linux keeps running and a good config enables afterwards.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hv.sh"

GUEST_APPEND=$HV_MEMMAP
guest_start g hv-badconfig "" 4
guest_wait g
# The overlapping config reached the hypervisor, which must say why.
hv_console_expect g "Config problem: " "overlaps"
[ "$GUEST_MODE" = x2apic ] || hv_console_expect g "IOMMU 0: no VT-d unit answers at 0xfed90000"
n=$(hv_console_count g "Activating hypervisor")
[ "$n" = 1 ] || fail "hypervisor activated $n times, expected once (the good config)"
