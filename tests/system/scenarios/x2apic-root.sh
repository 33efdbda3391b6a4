# SPDX-License-Identifier: GPL-2.0-only
# x2apic-root: root Linux in x2APIC mode with interrupt remapping (QEMU 10,
# -cpu EPYC,+x2apic, QEMU's Intel IOMMU with eim=on; intel_iommu=off keeps
# DMA remapping for the hypervisor). The hypervisor refuses to enable
# without the unit in its config, takes interrupt remapping over with it
# (its own table and queue; Linux's queue emulated), keeps device
# interrupts and cluster-mode IPIs flowing, lends a CPU to an x2APIC
# inmate and gets it back, and hands remapping back to Linux at disable.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hv.sh"

use_qemu10
GUEST_CPU=EPYC,+x2apic
GUEST_APPEND="$HV_MEMMAP intel_iommu=off"
guest_start g x2apic-root "" 4 -device intel-iommu,intremap=on,eim=on
guest_wait g
hv_console_expect g \
	'Linux runs the APIC in x2APIC mode: the system config must list its interrupt remapping unit' \
	'IOMMU 0: interrupt remapping taken over from Linux (65536 entries, x2APIC destinations)' \
	'Using x2APIC' 'Closing cell "apic-demo"' \
	'IOMMU 0: interrupt remapping back to Linux'
n=$(hv_console_count g 'interrupt remapping back to Linux')
[ "$n" = 2 ] || fail "interrupt remapping given back $n times, expected 2"
grep -a 'IRQ 3 (ttyS1)' "$W/g.com2" | tr -d '\r' | tee "$W/note"
hv_console_lacks g 'stopped:|refused:|NOT given back|timed out'
