# SPDX-License-Identifier: GPL-2.0-only
# Guest half of `make bench-rtos`: apic-demo (CPU 2) and rtos-bench in the
# FreeRTOS cell (CPU 3) run at once; rtos-bench reports done when its
# figures are printed. Both consoles are read by tests/system/bench-rtos.sh.
. /tests/guest/lib.sh

load_bulkhead
hv_enable
must bulkhead cell create /configs/apic-demo.cell
must bulkhead cell load apic-demo /inmates/apic-demo.bin
must bulkhead cell start apic-demo
must bulkhead cell create /configs/freertos-demo.cell
must bulkhead cell load FreeRTOS /inmates/rtos-bench.bin
must bulkhead cell start FreeRTOS
id=$(cell_id FreeRTOS)
step "rtos-bench running"
i=0
while [ "$(cat /sys/devices/bulkhead/cells/$id/state)" = running ]; do
	i=$((i + 1))
	[ $i -le 1800 ] || fail "rtos-bench still running after 180 s"
	sleep 0.1
done
[ "$(cat /sys/devices/bulkhead/cells/$id/state)" = "shut down" ] ||
	fail "rtos-bench ended '$(cat /sys/devices/bulkhead/cells/$id/state)'"
must bulkhead cell shutdown apic-demo
must bulkhead cell destroy apic-demo
must bulkhead cell destroy FreeRTOS
hv_disable
