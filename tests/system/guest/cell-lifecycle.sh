# SPDX-License-Identifier: GPL-2.0-only
# Guest half of cell-lifecycle. Args: CELL IMAGE CPU SECONDS
# Create, load, start a cell, let it run, shut it down, destroy it: the
# CPU goes back to Linux and the pool usage returns to its baseline.
. /tests/guest/lib.sh
cell=$1 image=$2 cpu=$3 seconds=$4

load_bulkhead
hv_enable
baseline=$(cat /sys/devices/bulkhead/mem_pool_used)
step "cell create"
must bulkhead cell create /configs/$cell.cell
[ "$(cat /sys/devices/system/cpu/cpu$cpu/online)" = 0 ] || fail "CPU $cpu still online in Linux"
step "cell load"
must bulkhead cell load $cell /inmates/$image.bin
step "cell start"
must bulkhead cell start $cell
must bulkhead cell list
must sleep "$seconds"
step "cell stats"
must bulkhead cell stats $cell
step "cell shutdown"
must bulkhead cell shutdown $cell
must bulkhead cell list
step "cell destroy"
must bulkhead cell destroy $cell
[ "$(cat /sys/devices/system/cpu/cpu$cpu/online)" = 1 ] || fail "CPU $cpu did not come back to Linux"
used=$(cat /sys/devices/bulkhead/mem_pool_used)
[ "$used" = "$baseline" ] || fail "pool usage $used pages after destroy, $baseline before create"
step "Linux uses CPU $cpu again"
must taskset -c $cpu sh -c 'i=0; while [ $i -lt 1000 ]; do i=$((i + 1)); done'
hv_disable
