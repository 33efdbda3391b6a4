# SPDX-License-Identifier: GPL-2.0-only
# iommu-msi: a root device's MSI aimed at an inmate's CPU does not arrive
# there. Root Linux with interrupt remapping, in x2APIC mode (QEMU 10,
# Intel IOMMU with eim=on) and in xAPIC mode (QEMU 7.2, without eim: a
# second guest), an edu device whose remapping entry the
# bh_msi test module rewrites in Linux's table and invalidates through
# Linux's queue. The hypervisor refuses the entry when the cell takes the
# CPU and when the entry changes while the cell runs, reports it, and the
# unit's fault names the device; apic-demo on that CPU never sees the
# vector; aimed at root CPUs the same entry works, before and after.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hv.sh"

# check NAME: what both machines' hypervisor consoles must show. (A
# second refusal of the same entry is rate-limited on the console; the
# guest shows it took effect: the inmate never saw the vector.)
check() {
	hv_console_expect "$1" "(vector 0xd7) refused: aimed at another cell's CPU"
	hv_console_lacks "$1" 'vector 0xd7, which has no handler|stopped:|NOT given back|timed out|WARNING'
}

GUEST_APPEND="$HV_MEMMAP intel_iommu=off"
guest_start x iommu-msi xapic 4 -device intel-iommu,intremap=on -device edu
guest_wait x
check x
hv_console_expect x 'interrupt remapping taken over from Linux (65536 entries, xAPIC destinations)'

use_qemu10
GUEST_CPU=EPYC,+x2apic
guest_start g iommu-msi x2apic 4 -device intel-iommu,intremap=on,eim=on -device edu
guest_wait g
check g
# QEMU 7.2 does not record interrupt faults (its log says "detected
# non-present IRTE"); QEMU 10 does, and the hypervisor reports them.
hv_console_expect g 'Using x2APIC' 'x2APIC destinations' \
	'IOMMU 0: interrupt of device 00:' '(root cell) refused: entry'
