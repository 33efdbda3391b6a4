# SPDX-License-Identifier: GPL-2.0-only
# Guest half of cell-lifecycle, rtos-demo and the Bochs checks vmx-apic
# and vmx-rtos. Args: CONFIG IMAGE CPU SECONDS [CELL] (CELL: the cell's
# name in CONFIG, default CONFIG; the FreeRTOS configs name it FreeRTOS
# as the tutorial does).
# Create, load, start a cell, let it run, shut it down, destroy it: the
# cell is running while it runs and shut down after the shutdown, the
# CPU goes back to Linux and the pool usage returns to its baseline.
. /tests/guest/lib.sh
config=$1 image=$2 cpu=$3 seconds=$4 cell=${5:-$1}

cell_state() {
	cat "/sys/devices/bulkhead/cells/$(cell_id "$cell")/state"
}

load_bulkhead
hv_enable
baseline=$(cat /sys/devices/bulkhead/mem_pool_used)
step "cell create"
must bulkhead cell create /configs/$config.cell
[ "$(cat /sys/devices/system/cpu/cpu$cpu/online)" = 0 ] || fail "CPU $cpu still online in Linux"
step "cell load"
must bulkhead cell load $cell /inmates/$image.bin
step "cell start"
must bulkhead cell start $cell
must bulkhead cell list
must sleep "$seconds"
[ "$(cell_state)" = running ] || fail "cell $cell is '$(cell_state)' after $seconds s of running"
step "cell stats"
must bulkhead cell stats $cell
step "cell shutdown"
must bulkhead cell shutdown $cell
must bulkhead cell list
[ "$(cell_state)" = "shut down" ] || fail "cell $cell is '$(cell_state)' after shutdown"
step "cell destroy"
must bulkhead cell destroy $cell
[ "$(cat /sys/devices/system/cpu/cpu$cpu/online)" = 1 ] || fail "CPU $cpu did not come back to Linux"
used=$(cat /sys/devices/bulkhead/mem_pool_used)
[ "$used" = "$baseline" ] || fail "pool usage $used pages after destroy, $baseline before create"
step "Linux uses CPU $cpu again"
must taskset -c $cpu sh -c 'i=0; while [ $i -lt 1000 ]; do i=$((i + 1)); done'
hv_disable
