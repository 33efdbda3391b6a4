# SPDX-License-Identifier: GPL-2.0-only
# Guest half of iommu-passthrough (QEMU with -device intel-iommu and an edu
# device at 00:01.0; Linux booted with intel_iommu=off intremap=off, or,
# for x2apic-passthrough, in x2APIC mode with interrupt remapping).
# Args: [x2apic]
# Without an IOMMU in the system config the cell that wants the device is
# refused and the device stays Linux's (not in x2APIC mode: there enable
# itself needs the unit). With one, cell create takes edu from Linux
# (gone from sysfs, its BAR unreachable), edu-demo DMAs inside its own
# memory and is blocked outside it, and tries its MSI (the host side
# checks what arrived); destroy gives it back, and a root DMA through it
# works again.
. /tests/guest/lib.sh
edu=/sys/bus/pci/devices/0000:00:01.0

cell_state() {
	for d in /sys/devices/bulkhead/cells/*; do
		[ "$(cat $d/name)" = "$1" ] && cat $d/state
	done
}

[ -e $edu ] || fail "no edu device at 00:01.0"
id=$(devmem 0xfea00000 32) || fail "devmem of edu's BAR0 failed"
[ "$id" = 0x010000ED ] || fail "edu's BAR0 is not at 0xfea00000 (ID register reads $id)"
load_bulkhead
baseline_cpus=$(cat /sys/devices/system/cpu/online)

if [ "$1" != x2apic ]; then
	step "no IOMMU in the system config: the cell is refused, edu stays Linux's"
	hv_enable
	refused "refused cell" bulkhead cell create /configs/edu-demo.cell
	[ -e $edu ] || fail "edu not back in Linux after the refused create"
	[ "$(cat /sys/devices/system/cpu/online)" = "$baseline_cpus" ] || fail "CPUs not back after the refused create"
	must edu-dma selftest
	hv_disable
fi

step "with the IOMMU: edu passed to edu-demo"
BH_SYSCONFIG=/configs/qemu-q35-iommu.cell
hv_enable
must bulkhead cell create /configs/edu-demo.cell
[ ! -e $edu ] || fail "edu still in Linux after cell create"
id=$(devmem 0xfea00000 32)
echo "root reads edu's BAR0: ${id:-nothing (refused: the reader got a fault)}"
[ "$id" != 0x010000ED ] || fail "root Linux still reaches edu's BAR0"
must bulkhead cell load edu-demo /inmates/edu-demo.bin
must bulkhead cell start edu-demo
i=0
while [ "$(cell_state edu-demo)" = running ]; do
	i=$((i + 1))
	[ $i -le 150 ] || fail "edu-demo still running after 15 s"
	sleep 0.1
done
[ "$(cell_state edu-demo)" = "shut down" ] || fail "edu-demo is '$(cell_state edu-demo)', expected shut down (done)"
# The hypervisor reports DMA faults when a root CPU next exits.
sleep 1
must bulkhead cell destroy edu-demo

step "edu is Linux's again"
[ -e $edu ] || fail "edu not back in Linux after destroy"
must edu-dma selftest
hv_disable
