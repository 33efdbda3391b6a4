# SPDX-License-Identifier: GPL-2.0-only
# Guest half of config-create. Args: MACHINE (q35: the machine of
# configs/x86/qemu-q35.c; other: another -m or device set)
# `bulkhead config create` with the two ivshmem pairs' cells makes the
# system config of this machine: printed between markers for the host to
# compile, its blob checked by `config check` and used: enable, the
# ivshmem-demo cell with cellmsg-echo, 2,000 checked messages, disable.
. /tests/guest/lib.sh
machine=$1

step "refused without a reservation big enough"
refused "no memmap=SIZE\$START reservation of at least" \
	bulkhead config create --mem-hv 16M --mem-inmates 1G -o /tmp/none.c
step "config create"
bulkhead config create --name qemu-q35 --mem-hv 16M --mem-inmates 48M \
	--cell /configs/ivshmem-demo.cell --cell /configs/ivshmem-demo2.cell \
	-o /tmp/gen.c -b /tmp/gen.cell || fail "config create failed"
echo "== generated C begin"
cat /tmp/gen.c
echo "== generated C end"
echo "generated blob sha256 $(sha256sum /tmp/gen.cell | cut -d' ' -f1)"
if [ "$machine" = q35 ]; then
	cmp /tmp/gen.cell /configs/qemu-q35.cell ||
		fail "the generated config differs from configs/x86/qemu-q35.c's"
	step "with the 3-peer link of qemu-q35-link.c"
	pairs="--cell /configs/ivshmem-demo.cell --cell /configs/ivshmem-demo2.cell"
	links="--cell /configs/link-a.cell --cell /configs/link-b.cell"
	must bulkhead config create --name qemu-q35 $pairs $links --link 00:10.0,3,64K,64K \
		-o /tmp/link.c -b /tmp/link.cell
	cmp /tmp/link.cell /configs/qemu-q35-link.cell ||
		fail "the generated link config differs from configs/x86/qemu-q35-link.c's"
	must bulkhead config check /tmp/link.cell /configs/link-a.cell /configs/link-b.cell
	refused "say its shape with --link 00:10.0" bulkhead config create $links -o /tmp/x.c
	refused "4 peers, common 0x10000 and output 0x10000 make" \
		bulkhead config create $links --link 00:10.0,4,64K,64K -o /tmp/x.c
	refused "no --cell config has a device there" \
		bulkhead config create --link 00:11.0,3,64K,64K -o /tmp/x.c
fi
must bulkhead config check /tmp/gen.cell /configs/ivshmem-demo.cell /configs/ivshmem-demo2.cell
if [ "$machine" = one-serial ]; then
	bulkhead config create -o /tmp/x.c 2>&1 | grep -q "no serial port besides Linux's console" ||
		fail "config create did not say the hypervisor gets no UART"
fi
step "enable with it, a cell, the ivshmem ping-pong"
load_uio_modules
load_bulkhead
BH_SYSCONFIG=/tmp/gen.cell
hv_enable
step "not while the hypervisor runs"
refused "disable it first" bulkhead config create -o /tmp/again.c
out=$(bulkhead console) || fail "bulkhead console failed"
case $out in *"Activating hypervisor"*) ;; *) fail "the hypervisor's log lacks its start" ;; esac
uio=/dev/$(ls /sys/bus/pci/devices/$BH_VDEV_A/uio)
start_cellmsg_echo
cellmsg-xfer -d $uio -p 1 -m poll -n 2000 -s 7 -t 120000 || fail "cellmsg-xfer failed with exit code $?"
must bulkhead cell destroy ivshmem-demo
hv_disable
