# SPDX-License-Identifier: GPL-2.0-only
# Guest half of ivshmem-badconfig. Each ivshmem pairing mistake is refused
# by `bulkhead config check` with its own line, by `bulkhead cell create`,
# and again by the hypervisor when the CLI is bypassed (raw ioctl); nothing
# leaks; the good pair still works.
. /tests/guest/lib.sh
sys=/configs/qemu-q35.cell
good=/configs/ivshmem-demo.cell

# bad_cell KIND TEXT: the mutated inmate config, checked and created.
bad_cell() {
	step "$1"
	must bh-cfgtool mutate-cell "$1" $good /tmp/$1.cell
	refused "$2" bulkhead config check $sys /tmp/$1.cell
	refused "cell" bulkhead cell create /tmp/$1.cell
	out=$(bh-cfgtool raw-create /tmp/$1.cell) || fail "$1: the hypervisor accepted the cell"
	echo "$out"
	no_leak "$1"
}

load_uio_modules
load_bulkhead
hv_enable
baseline=$(cat /sys/devices/bulkhead/mem_pool_used)

bad_cell ivshmem-bdf "pci device 0 (00:10.0) has no partner: the root cell has no ivshmem device at 00:10.0 (root ivshmem devices: ${BH_VDEV_A#0000:}, ${BH_VDEV_B#0000:})"
bad_cell ivshmem-start "differs from the root cell's [0x3e000000-0x3e1fffff]: start and size must be the same in both cells"
bad_cell ivshmem-size "ivshmem shared memory [0x3e000000-0x3e0fffff] differs from the root cell's"
bad_cell ivshmem-noshared "lacks the ROOTSHARED flag"
# Device memory passes on only the root cell's device memory.
bad_cell io-over-rootram 'cell "ivshmem-demo": memory region 2 [0x1000000-0x1000fff] is device memory over the root cell'"'"'s memory region 0 [0x0-0x39ffffff] (RAM): only the root cell'"'"'s device memory can be passed on'
bad_cell io-over-shmem 'cell "ivshmem-demo": memory region 2 [0x3e200000-0x3e200fff] is device memory over the root cell'"'"'s memory region 3 [0x3e200000-0x3e3fffff] (the shared memory of ivshmem '"${BH_VDEV_B#0000:})"

step "two cells on one ivshmem device"
must bh-cfgtool mutate-cell ivshmem-twin $good /tmp/twin.cell
refused "a root ivshmem device pairs with one cell at a time" \
	bulkhead config check $sys $good /tmp/twin.cell
must bulkhead cell create $good
refused "refused" bulkhead cell create /tmp/twin.cell
out=$(bh-cfgtool raw-create /tmp/twin.cell) || fail "the hypervisor accepted a second cell on $BH_VDEV_A"
echo "$out"
must bulkhead cell destroy ivshmem-demo
no_leak twin

step "the good pair still works"
uio=/dev/$(ls /sys/bus/pci/devices/$BH_VDEV_A/uio)
must bulkhead cell create $good
must bulkhead cell load ivshmem-demo /inmates/ivshmem-demo.bin
must bulkhead cell start ivshmem-demo
wait_peer_ready $uio
must ivshmem-ping -d $uio -t 5000 ring 1 1 then wait
must bulkhead cell destroy ivshmem-demo
no_leak good
hv_disable

step "root side: shared memory over Linux's RAM"
must bh-cfgtool mutate ivshmem-ram $sys /tmp/sys-ram.cell
refused "Linux would use the shared memory as RAM; it must be a region of its own" \
	bulkhead config check /tmp/sys-ram.cell
out=$(bh-cfgtool raw-enable /tmp/sys-ram.cell) || fail "raw enable with the shared memory in RAM was accepted"
echo "$out"
step "root side: a virtual device over a real one (00:1f.0)"
must bh-cfgtool mutate ivshmem-real $sys /tmp/sys-real.cell
out=$(bh-cfgtool raw-enable /tmp/sys-real.cell) || fail "raw enable with ivshmem on 00:1f.0 was accepted"
echo "$out"
[ "$(cat /sys/devices/bulkhead/enabled)" = 0 ] || fail "left enabled"
[ -e /sys/bus/pci/devices/0000:00:1f.0 ] || fail "the LPC bridge 00:1f.0 is gone"
step "the good config still enables"
hv_enable
hv_disable
