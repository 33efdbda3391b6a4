# SPDX-License-Identifier: GPL-2.0-only
# Guest half of x2apic-root (QEMU 10, -cpu EPYC,+x2apic, -device
# intel-iommu,intremap=on,eim=on; Linux with intel_iommu=off, so in x2APIC
# mode with interrupt remapping and queued invalidation on). Args: none
# Without the unit in the system config enable is refused; with it the
# hypervisor takes interrupt remapping over: device interrupts and
# Linux's cluster-mode IPIs keep arriving, a CPU goes to an inmate and
# comes back in x2APIC mode, and after disable Linux's own remapping works
# on (a second enable and disable too).
. /tests/guest/lib.sh

dmesg | grep -q 'x2apic enabled' || fail "root Linux is not in x2APIC mode"
dmesg | grep -q 'Enabled IRQ remapping in x2apic mode' || fail "root Linux has no interrupt remapping in x2APIC mode"
# interrupts SOURCE: the total of /proc/interrupts' row SOURCE
# (an IRQ number with its colon, or an IPI row such as CAL:).
interrupts() {
	grep "^ *$1" /proc/interrupts | awk '{ n = 0; for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) n += $i; print n; exit }'
}
# busy: every CPU of Linux works a while, with TLB shootdowns (munmap).
busy() {
	for c in 0 1 2 3; do
		[ "$(cat /sys/devices/system/cpu/cpu$c/online 2>/dev/null || echo 1)" = 1 ] || continue
		taskset -c $c dd if=/dev/zero of=/dev/null bs=64k count=2000 2>/dev/null &
	done
	wait
}
# flows WHAT: the serial port's IO-APIC interrupt (IRQ 3, our console
# ttyS1: its output raises them), function-call IPIs (Linux's cluster-mode
# logical IPIs) and local timer interrupts all count up.
flows() {
	serial=$(interrupts 3:) cal=$(interrupts CAL:) loc=$(interrupts LOC:)
	busy
	echo "$1: all CPUs were busy"
	s=$(interrupts 3:) c=$(interrupts CAL:) l=$(interrupts LOC:)
	echo "$1: IRQ 3 (ttyS1) $serial -> $s, CAL $cal -> $c, LOC $loc -> $l"
	[ "$s" -gt "$serial" ] || fail "$1: no serial interrupt arrived"
	[ "$c" -gt "$cal" ] || fail "$1: no function-call IPI arrived"
	[ "$l" -gt "$loc" ] || fail "$1: no local timer interrupt arrived"
}

load_bulkhead
step "the system config without the IOMMU: refused"
refused "the hypervisor refused to start" bulkhead enable /configs/qemu-q35.cell
flows "after the refused enable"

step "enable with the IOMMU: interrupt remapping taken over"
BH_SYSCONFIG=/configs/qemu-q35-iommu.cell
hv_enable
flows "under the hypervisor"
step "apic-demo on CPU 2, twice: the CPU comes back in x2APIC mode"
for round in 1 2; do
	must bulkhead cell create /configs/apic-demo.cell
	must bulkhead cell load apic-demo /inmates/apic-demo.bin
	must bulkhead cell start apic-demo
	must sleep 2
	must bulkhead cell shutdown apic-demo
	must bulkhead cell destroy apic-demo
	[ "$(cat /sys/devices/system/cpu/cpu2/online)" = 1 ] || fail "round $round: CPU 2 not back in Linux"
done
flows "CPU 2 back"
hv_disable
flows "after disable: Linux's own remapping"
step "a second enable and disable"
hv_enable
flows "enabled again"
hv_disable
flows "disabled again"
