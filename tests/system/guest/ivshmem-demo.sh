# SPDX-License-Identifier: GPL-2.0-only
# Guest half of ivshmem-demo: the root cell's virtual ivshmem devices
# appear on enable and go on disable; uio_ivshmem binds them; ivshmem-ping
# (unchanged from the two-guest setup) talks to the ivshmem-demo inmate:
# reads its greeting from the shared memory, rings it, gets its answer.
. /tests/guest/lib.sh

vdev=/sys/bus/pci/devices/$BH_VDEV_A
vdev2=/sys/bus/pci/devices/$BH_VDEV_B

load_uio_modules
load_bulkhead
[ ! -e $vdev ] || fail "$BH_VDEV_A exists before enable"
hv_enable
step "virtual devices after enable"
[ -e $vdev ] || fail "$BH_VDEV_A did not appear on enable"
[ -e $vdev2 ] || fail "$BH_VDEV_B did not appear on enable"
for d in $vdev $vdev2; do
	[ "$(cat $d/vendor):$(cat $d/device)" = "0x1af4:0x1110" ] ||
		fail "$d is $(cat $d/vendor):$(cat $d/device), not 1af4:1110"
	[ "$(readlink $d/driver)" != "" ] && basename "$(readlink $d/driver)" | grep -qx uio_ivshmem ||
		fail "$d not bound to uio_ivshmem"
done
cat $vdev/resource
ls /sys/class/uio
uio=$(ls $vdev/uio)
step "ivshmem-ping info on /dev/$uio"
must ivshmem-ping -d /dev/$uio info

step "the inmate side"
must bulkhead cell create /configs/ivshmem-demo.cell
must bulkhead cell load ivshmem-demo /inmates/ivshmem-demo.bin
must bulkhead cell start ivshmem-demo
sleep 2
greeting=$(ivshmem-ping -d /dev/$uio read 0)
echo "shared memory: $greeting"
echo "$greeting" | grep -q "Hello from ivshmem-demo" || fail "no greeting in the shared memory: '$greeting'"
step "doorbell round trips"
must ivshmem-ping -d /dev/$uio -t 5000 ring 1 1 then wait then ring 1 1 then wait then ring 1 1 then wait
count=$(ivshmem-ping -d /dev/$uio read 64)
[ "$count" = 3 ] || fail "the inmate counted '$count' doorbells, not 3"
step "the second pair ($BH_VDEV_B, ivshmem-demo2 on CPU 2) beside the first"
uio2=$(ls $vdev2/uio)
must bulkhead cell create /configs/ivshmem-demo2.cell
must bulkhead cell load ivshmem-demo2 /inmates/ivshmem-demo.bin
must bulkhead cell start ivshmem-demo2
sleep 2
ivshmem-ping -d /dev/$uio2 read 0 | grep -q "Hello from ivshmem-demo" ||
	fail "no greeting in the second pair's shared memory"
must ivshmem-ping -d /dev/$uio2 -t 5000 ring 1 1 then wait then ring 1 1 then wait
[ "$(ivshmem-ping -d /dev/$uio2 read 64)" = 2 ] || fail "the second inmate did not count 2 doorbells"
[ "$(ivshmem-ping -d /dev/$uio read 64)" = 3 ] || fail "the first inmate's count moved: doorbells crossed pairs"
must bulkhead cell list

step "peer state"
ivshmem-ping -d /dev/$uio state | grep -q "peer state: *1 (ready)" || fail "root side does not see the inmate ready"
must bulkhead cell shutdown ivshmem-demo
ivshmem-ping -d /dev/$uio state | grep -q "peer state: *0 (reset)" || fail "root side still sees the inmate after shutdown"
must bulkhead cell destroy ivshmem-demo
must bulkhead cell destroy ivshmem-demo2

step "disable while an app waits on /dev/$uio"
ivshmem-ping -d /dev/$uio -t 60000 wait >/tmp/waiter.out 2>&1 &
waiter=$!
cellmsg-xfer -d /dev/$uio -p 1 -m block -n 10 -t 60000 >/tmp/xfer.out 2>&1 &
xfer=$!
sleep 1
hv_disable
[ ! -e $vdev ] || fail "$BH_VDEV_A still there after disable"
wait $waiter
rc=$?
cat /tmp/waiter.out
[ $rc = 2 ] || fail "the waiting app exited $rc, not 2 (device error), when its device went away"
grep -q "went away" /tmp/waiter.out || fail "the waiting app did not say its device went away"
wait $xfer
rc=$?
cat /tmp/xfer.out
[ $rc = 1 ] || fail "the libcellmsg app waiting for its peer exited $rc, not 1, when its device went away"
grep -q "No such device" /tmp/xfer.out || fail "the libcellmsg app did not get ENODEV"
dmesg | grep -q "BUG:\|Oops\|WARNING: CPU" && fail "kernel complained: $(dmesg | grep -m1 'BUG:\|Oops\|WARNING: CPU')"
echo "ivshmem-demo guest done"
