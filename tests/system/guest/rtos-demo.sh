# SPDX-License-Identifier: GPL-2.0-only
# Guest half of rtos-demo (and of the Bochs check vmx-rtos).
# Args: IMAGE SECONDS [CONFIG [CPU]] (default freertos-demo, CPU 3)
# The tutorial's commands for the FreeRTOS cell: create, load, start, let
# the tasks run, shut the cell down while they run, destroy it. The CPU
# goes back to Linux and the pool usage returns to its baseline.
. /tests/guest/lib.sh
image=$1 seconds=$2 config=${3:-freertos-demo} cpu=${4:-3}

load_bulkhead
hv_enable
baseline=$(cat /sys/devices/bulkhead/mem_pool_used)
step "cell create"
must bulkhead cell create /configs/$config.cell
step "cell load"
must bulkhead cell load FreeRTOS /inmates/$image.bin
step "cell start"
must bulkhead cell start FreeRTOS
must sleep "$seconds"
must bulkhead cell list
id=$(cell_id FreeRTOS)
[ "$(cat /sys/devices/bulkhead/cells/$id/state)" = running ] ||
	fail "the RTOS cell is '$(cat /sys/devices/bulkhead/cells/$id/state)' while its tasks run"
step "cell shutdown"
must bulkhead cell shutdown FreeRTOS
[ "$(cat /sys/devices/bulkhead/cells/$id/state)" = "shut down" ] ||
	fail "the RTOS cell is '$(cat /sys/devices/bulkhead/cells/$id/state)' after shutdown"
step "cell destroy"
must bulkhead cell destroy FreeRTOS
[ "$(cat /sys/devices/system/cpu/cpu$cpu/online)" = 1 ] || fail "CPU $cpu did not come back to Linux"
used=$(cat /sys/devices/bulkhead/mem_pool_used)
[ "$used" = "$baseline" ] || fail "pool usage $used pages after destroy, $baseline before create"
hv_disable
