# SPDX-License-Identifier: GPL-2.0-only
# Guest half of cell-isolation. Args: none
# apic-demo runs on CPU 2 while mem-violator, on CPU 3, reads memory its
# cell was not given: it is stopped and marked failed, apic-demo and Linux
# go on, and both cells can still be destroyed.
. /tests/guest/lib.sh

cell_state() {
	for d in /sys/devices/bulkhead/cells/*; do
		[ "$(cat $d/name)" = "$1" ] && cat $d/$2
	done
}

load_bulkhead
hv_enable
must bulkhead cell create /configs/apic-demo.cell
must bulkhead cell load apic-demo /inmates/apic-demo.bin
must bulkhead cell start apic-demo
must bulkhead cell create /configs/mem-violator.cell
must bulkhead cell load mem-violator /inmates/mem-violator.bin
must bulkhead cell start mem-violator
must sleep 2
[ "$(cell_state mem-violator state)" = failed ] ||
	fail "mem-violator is '$(cell_state mem-violator state)', expected failed"
[ "$(cell_state mem-violator cpus_failed)" = 3 ] || fail "CPU 3 not listed as failed"
[ "$(cell_state apic-demo state)" = running ] || fail "apic-demo is '$(cell_state apic-demo state)'"
must bulkhead cell list
step "Linux works"
must dd if=/dev/urandom of=/tmp/x bs=4096 count=16 2>/dev/null
must md5sum /tmp/x
must sleep 1
must bulkhead cell destroy mem-violator
must bulkhead cell destroy apic-demo
hv_disable
