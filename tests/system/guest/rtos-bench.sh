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
step "rtos-bench running"
wait_cell_state FreeRTOS "shut down" 180
must bulkhead cell shutdown apic-demo
must bulkhead cell destroy apic-demo
must bulkhead cell destroy FreeRTOS
hv_disable
