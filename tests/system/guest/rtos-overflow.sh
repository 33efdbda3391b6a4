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
step "waiting for the cell to fail"
wait_cell_state FreeRTOS failed 30
must bulkhead cell list
step "cell destroy"
must bulkhead cell destroy FreeRTOS
[ "$(cat /sys/devices/system/cpu/cpu3/online)" = 1 ] || fail "CPU 3 did not come back to Linux"
hv_disable
