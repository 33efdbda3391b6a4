# SPDX-License-Identifier: GPL-2.0-only
# Guest half of rtos-cellmsg. Args: COUNT SEED
# rtos-echo (RTOS tasks, libcellmsg blocking in the scheduler) in the
# ivshmem-demo cell; a root app sends COUNT checked messages and checks
# every echo, twice (the echo task reopens the channel between streams);
# then bare doorbells answered by the doorbell task; then the cell is
# shut down while its tasks wait, and destroyed.
. /tests/guest/lib.sh
count=$1 seed=$2

load_uio_modules
load_bulkhead
hv_enable
uio=/dev/$(ls /sys/bus/pci/devices/$BH_VDEV_A/uio)
must bulkhead cell create /configs/ivshmem-demo.cell
must bulkhead cell load ivshmem-demo /inmates/rtos-echo.bin
must bulkhead cell start ivshmem-demo
wait_peer_ready $uio
for stream in 1 2; do
	step "stream $stream: $count messages"
	must cellmsg-xfer -d $uio -p 1 -m block -n "$count" -s "$seed" -t 60000
done
step "1000 bare doorbells answered by a task, 1000 interrupt-mode messages"
must bulkhead-bench -d $uio -c 1 -i 1000 -s 8 -m doorbell,irq
step "cell shutdown while the tasks wait"
must bulkhead cell shutdown ivshmem-demo
id=$(cell_id ivshmem-demo)
[ "$(cat /sys/devices/bulkhead/cells/$id/state)" = "shut down" ] ||
	fail "the RTOS cell is '$(cat /sys/devices/bulkhead/cells/$id/state)' after shutdown"
must bulkhead cell destroy ivshmem-demo
hv_disable
