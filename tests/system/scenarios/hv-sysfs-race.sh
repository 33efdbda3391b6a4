# SPDX-License-Identifier: GPL-2.0-only
# hv-sysfs-race: readers of every file under /sys/devices/bulkhead/cells/0
# (statistics included) on all CPUs during 20 enable/disable cycles; no
# show() may issue its hypercall once the CPUs have left the hypervisor
# (VMMCALL natively: #UD, a kernel oops), every reader survives, and the
# hypervisor console is clean.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hv.sh"

GUEST_APPEND=$HV_MEMMAP
# A show() that oopses keeps its sysfs reference, so disable's removal of
# the tree would wait forever: fail in reasonable time instead.
GUEST_TIMEOUT=150
guest_start g hv-sysfs-race 20 4
guest_wait g
hv_console_cycles g 21
hv_console_clean g
