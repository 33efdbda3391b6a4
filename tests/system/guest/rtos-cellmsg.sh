# SPDX-License-Identifier: GPL-2.0-only
# Guest half of rtos-cellmsg. Args: COUNT SEED
# rtos-echo (RTOS tasks, libcellmsg blocking in the scheduler) in the
# ivshmem-demo cell; a root app sends COUNT checked messages and checks
# every echo, twice (the echo task reopens the channel between streams);
# then bare doorbells answered by the doorbell task; then the cell is
# shut down while its tasks wait, and destroyed. Then rtos-echo in the
# rtos-channels cell (both ivshmem pairs): two apps at once, one per
# channel (different streams: seeds SEED and SEED + 1), each served by
# its own task.
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

step "two channels, two tasks, two apps at once"
uio_b=/dev/$(ls /sys/bus/pci/devices/$BH_VDEV_B/uio)
must bulkhead cell create /configs/rtos-channels.cell
must bulkhead cell load rtos-channels /inmates/rtos-echo.bin
must bulkhead cell start rtos-channels
wait_peer_ready $uio
wait_peer_ready $uio_b
cellmsg-xfer -d $uio -p 1 -m block -n "$count" -s "$seed" -t 60000 >/tmp/a.out 2>&1 &
a=$!
cellmsg-xfer -d $uio_b -p 1 -m block -n "$count" -s $((seed + 1)) -t 60000 >/tmp/b.out 2>&1
rc_b=$?
wait $a
rc_a=$?
cat /tmp/a.out /tmp/b.out
[ $rc_a = 0 ] && [ $rc_b = 0 ] || fail "cellmsg-xfer on two channels: exit codes $rc_a and $rc_b"
must bulkhead cell shutdown rtos-channels
must bulkhead cell destroy rtos-channels
hv_disable
