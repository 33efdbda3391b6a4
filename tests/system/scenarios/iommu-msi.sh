# SPDX-License-Identifier: GPL-2.0-only
# iommu-msi: a root device's MSI aimed at an inmate's CPU does not arrive
# there. Root Linux in x2APIC mode with interrupt remapping (QEMU 10,
# Intel IOMMU with eim=on), an edu device whose remapping entry the
# bh_msi test module rewrites in Linux's table and invalidates through
# Linux's queue. The hypervisor refuses the entry when the cell takes the
# CPU and when the entry changes while the cell runs, reports it, and the
# unit's fault names the device; apic-demo on that CPU never sees the
# vector; aimed at root CPUs the same entry works, before and after.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hv.sh"

use_qemu10
GUEST_CPU=EPYC,+x2apic
GUEST_APPEND="$HV_MEMMAP intel_iommu=off"
guest_start g iommu-msi "" 4 -device intel-iommu,intremap=on,eim=on -device edu
guest_wait g
hv_console_expect g 'Using x2APIC' \
	"(vector 0xd7) refused: aimed at another cell's CPU" \
	'IOMMU 0: interrupt of device 00:' \
	'(root cell) refused: entry'
# (A second refusal of the same entry is rate-limited on the console; the
# guest shows it took effect: the inmate never saw the vector.)
hv_console_lacks g 'vector 0xd7, which has no handler|stopped:|NOT given back|timed out'
