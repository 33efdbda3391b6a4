# SPDX-License-Identifier: GPL-2.0-only
# Guest half of iommu-msi (root Linux with QEMU's Intel IOMMU remapping
# interrupts, an edu device). Args: x2apic (QEMU 10, eim=on: Linux in
# x2APIC mode) or xapic (Linux in xAPIC mode with remapping). bh_msi binds edu and
# re-aims its remapping entry the way a buggy driver could. Aimed at a
# root CPU the MSI arrives there (Linux logs a vector it has no handler
# for); aimed at an inmate's CPU it is refused, whether the entry was
# written before the cell took the CPU or while the cell runs; Linux's own
# entry keeps working throughout; the CPU back in Linux gets it again.
. /tests/guest/lib.sh
VECTOR=0xd7	# no handler in Linux or in apic-demo (CPU 2)
VECTOR_DEC=$((VECTOR))

dmesg | grep -q "Enabled IRQ remapping in $1 mode" || fail "root Linux has no interrupt remapping in $1 mode"
edu=
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor"):$(cat "$d/device")" = 0x1234:0x11e8 ] && edu=$d
done
[ -n "$edu" ] || fail "no edu device"
ctl=$edu/bh_msi

interrupts() {
	sed -n 's/^interrupts \([0-9]*\).*/\1/p' "$ctl"
}
# stray CPU: how often Linux's CPU took VECTOR without a handler for it.
stray() {
	dmesg | grep -c " $1\.$VECTOR_DEC No irq handler for vector"
}
# raise WHAT WANT: the device sends its MSI; Linux's handler runs WANT times.
raise() {
	before=$(interrupts)
	echo raise >"$ctl" || fail "$1: raise failed"
	sleep 0.5
	after=$(interrupts)
	grep bh_msi /proc/interrupts
	echo "$1: Linux's handler ran $((after - before)) times"
	[ $((after - before)) = "$2" ] || fail "$1: Linux's handler ran $((after - before)) times, expected $2"
}
aim() {
	echo "aim $1 $VECTOR" >"$ctl" || fail "aim at x2APIC ID $1 failed"
}
restore() {
	echo restore >"$ctl" || fail "restoring Linux's entry failed"
}

must insmod /modules/bh_msi.ko
[ -e "$ctl" ] || fail "bh_msi did not bind $edu"
cat "$ctl"
step "without the hypervisor: the MSI reaches Linux"
raise "before enable" 1

load_bulkhead
BH_SYSCONFIG=/configs/qemu-q35-iommu.cell
hv_enable
step "Linux's own entry: the MSI reaches Linux"
raise "own entry" 1
step "aimed at root CPU 2: it arrives there"
aim 2
raise "aimed at CPU 2" 0
[ "$(stray 2)" = 1 ] || fail "CPU 2 did not take vector $VECTOR ($(stray 2) times)"

step "apic-demo takes CPU 2 while the entry names it: refused"
must bulkhead cell create /configs/apic-demo.cell
must bulkhead cell load apic-demo /inmates/apic-demo.bin
must bulkhead cell start apic-demo
wait_inmate_report apic-demo 2 10
raise "aimed at the inmate's CPU" 0
step "Linux's entry again, while the cell runs"
restore
raise "restored" 1
step "aimed at the inmate's CPU while it runs: refused"
aim 2
raise "aimed again" 0
sleep 1

step "CPU 2 back in Linux: the same entry reaches it again"
must bulkhead cell shutdown apic-demo
must bulkhead cell destroy apic-demo
[ "$(cat /sys/devices/system/cpu/cpu2/online)" = 1 ] || fail "CPU 2 not back in Linux"
raise "CPU 2 back" 0
[ "$(stray 2)" = 2 ] || fail "CPU 2 back in Linux did not take vector $VECTOR ($(stray 2) times in all)"
restore
raise "restored at the end" 1
must rmmod bh_msi
hv_disable
