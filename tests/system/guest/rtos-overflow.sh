# SPDX-License-Identifier: GPL-2.0-only
# Guest half of rtos-overflow: the RTOS cell runs a task that overflows
# its stack; the cell must end up failed (not running, not shut down),
# and destroying it gives the CPU back to Linux.
. /tests/guest/lib.sh

load_bulkhead
hv_enable
must bulkhead cell create /configs/freertos-demo.cell
must bulkhead cell load FreeRTOS /inmates/rtos-overflow.bin
must bulkhead cell start FreeRTOS
id=$(cell_id FreeRTOS)
step "waiting for the cell to fail"
i=0
while [ "$(cat /sys/devices/bulkhead/cells/$id/state)" != failed ]; do
	i=$((i + 1))
	[ $i -le 300 ] || fail "the cell is '$(cat /sys/devices/bulkhead/cells/$id/state)' 30 s after start, not failed"
	sleep 0.1
done
must bulkhead cell list
step "cell destroy"
must bulkhead cell destroy FreeRTOS
[ "$(cat /sys/devices/system/cpu/cpu3/online)" = 1 ] || fail "CPU 3 did not come back to Linux"
hv_disable
