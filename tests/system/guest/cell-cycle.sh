# SPDX-License-Identifier: GPL-2.0-only
# Guest half of cell-cycle. Args: CYCLES
# create/load/start/destroy tiny-demo CYCLES times: CPU 3 comes back every
# time, the pool usage and the cells in sysfs return to their baseline.
. /tests/guest/lib.sh
cycles=$1

load_bulkhead
hv_enable
baseline=$(cat /sys/devices/bulkhead/mem_pool_used)
for i in $(seq "$cycles"); do
	must bulkhead cell create /configs/tiny-demo.cell
	must bulkhead cell load tiny-demo /inmates/tiny-demo.bin
	must bulkhead cell start tiny-demo
	must bulkhead cell destroy tiny-demo
	[ "$(cat /sys/devices/system/cpu/cpu3/online)" = 1 ] || fail "cycle $i: CPU 3 not back online"
	used=$(cat /sys/devices/bulkhead/mem_pool_used)
	[ "$used" = "$baseline" ] || fail "cycle $i: pool usage $used, baseline $baseline"
	cells=$(ls /sys/devices/bulkhead/cells | tr '\n' ' ')
	[ "$cells" = "0 " ] || fail "cycle $i: cells in sysfs: $cells"
done
echo "$cycles cycles: pool usage $baseline pages, CPU 3 back every time"
hv_disable
