# SPDX-License-Identifier: GPL-2.0-only
# Guest half of uio-errors (one guest, alone on its ivshmem server).
. /tests/guest/lib.sh

drv=/sys/bus/pci/drivers/uio_ivshmem

# self_doorbell: the driver works: ring our own ID, see the event.
self_doorbell() {
	out=$(ivshmem-ping -t 5000 ring "$(own_id)" then wait) ||
		fail "self doorbell failed: $out"
	echo "$out"
	[ "$out" = "doorbell: 1 event(s)" ] || fail "self doorbell: '$out', expected exactly 1 event"
}

load_uio_ivshmem
bdf=$(basename "$(ls -d $drv/0000:* | head -n 1)")
[ -n "$bdf" ] || fail "no device bound to uio_ivshmem"
self_doorbell

step "bad mmap offsets and sizes, reads of a wrong size"
must uio-errtest /dev/uio0 0

step "doorbells to peers that do not exist"
expect_rc 2 ivshmem-ping ring 70000
expect_rc 2 ivshmem-ping ring 1 70000
must ivshmem-ping ring 5
expect_rc 3 ivshmem-ping -t 1000 pingpong 5 1
self_doorbell

step "unload while the device is open"
exec 3</dev/uio0
rmmod uio_ivshmem && fail "rmmod succeeded while /dev/uio0 was open"
exec 3<&-
[ -c /dev/uio0 ] || fail "/dev/uio0 gone after refused rmmod"
self_doorbell

step "binding twice"
insmod /modules/uio_ivshmem.ko 2>/dev/null && fail "second insmod succeeded"
echo "$bdf" >$drv/bind 2>/dev/null && fail "binding $bdf a second time succeeded"
[ -c /dev/uio0 ] && [ ! -e /dev/uio1 ] || fail "binding twice changed the UIO devices"
self_doorbell

step "a device without the shared-memory BAR"
echo "1b36 0005" >$drv/new_id || fail "new_id refused"
echo "1b36 0005" >$drv/remove_id
dmesg | grep -q "uio_ivshmem.*no shared memory: neither BAR2 nor a Bulkhead capability" ||
	fail "no 'no shared memory' error in the kernel log"
[ ! -e /dev/uio1 ] || fail "a UIO device was created for the device without BAR2"
for dev in /sys/bus/pci/devices/*; do
	[ "$(cat $dev/vendor):$(cat $dev/device)" = 0x1b36:0x0005 ] || continue
	[ ! -e $dev/driver ] || fail "pci-testdev stayed bound to $(readlink $dev/driver)"
done
self_doorbell

step "unload and load again"
must rmmod uio_ivshmem
[ ! -e /dev/uio0 ] || fail "/dev/uio0 still there after rmmod"
grep -q uio_ivshmem /proc/interrupts && fail "interrupts left after rmmod"
must insmod /modules/uio_ivshmem.ko
[ -c /dev/uio0 ] || fail "/dev/uio0 missing after reload"
self_doorbell
echo "all error cases behaved"
