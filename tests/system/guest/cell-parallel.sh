# SPDX-License-Identifier: GPL-2.0-only
# Guest half of cell-parallel: apic-demo (CPU 2) and tiny-demo (CPU 3)
# exist and run at the same time.
. /tests/guest/lib.sh

load_bulkhead
hv_enable
must bulkhead cell create /configs/apic-demo.cell
must bulkhead cell create /configs/tiny-demo.cell
must bulkhead cell load apic-demo /inmates/apic-demo.bin
must bulkhead cell load tiny-demo /inmates/tiny-demo.bin
must bulkhead cell start apic-demo
must bulkhead cell start tiny-demo
must sleep 2
out=$(bulkhead disable 2>&1) && fail "disable succeeded with cells running"
case $out in *"destroy them first"*) ;; *) fail "disable with cells: '$out'" ;; esac
out=$(bulkhead cell list) || fail "cell list failed"
echo "$out"
echo "$out" | grep -q "apic-demo *running *2" || fail "apic-demo not listed running on CPU 2"
echo "$out" | grep -q "tiny-demo" || fail "tiny-demo not listed"
must bulkhead cell destroy tiny-demo
must bulkhead cell destroy apic-demo
[ "$(cat /sys/devices/system/cpu/cpu2/online)$(cat /sys/devices/system/cpu/cpu3/online)" = 11 ] ||
	fail "CPUs 2 and 3 not back online"
hv_disable
