# SPDX-License-Identifier: GPL-2.0-only
# Guest half of cell-cycle. Args: CYCLES [CELL IMAGE CPU]
# create/load/start/destroy CELL (tiny-demo) CYCLES times: its CPU (3)
# comes back every time, the pool usage and the cells in sysfs return to
# their baseline.
. /tests/guest/lib.sh
cycles=$1 cell=${2:-tiny-demo} image=${3:-tiny-demo} cpu=${4:-3}

load_bulkhead
hv_enable
baseline=$(cat /sys/devices/bulkhead/mem_pool_used)
for i in $(seq "$cycles"); do
	must bulkhead cell create /configs/$cell.cell
	must bulkhead cell load $cell /inmates/$image.bin
	must bulkhead cell start $cell
	wait_inmate_report $cell $cpu
	must bulkhead cell destroy $cell
	[ "$(cat /sys/devices/system/cpu/cpu$cpu/online)" = 1 ] || fail "cycle $i: CPU $cpu not back online"
	used=$(cat /sys/devices/bulkhead/mem_pool_used)
	[ "$used" = "$baseline" ] || fail "cycle $i: pool usage $used, baseline $baseline"
	cells=$(ls /sys/devices/bulkhead/cells | tr '\n' ' ')
	[ "$cells" = "0 " ] || fail "cycle $i: cells in sysfs: $cells"
done
echo "$cycles cycles: pool usage $baseline pages, CPU $cpu back every time"
hv_disable
