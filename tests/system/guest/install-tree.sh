# SPDX-License-Identifier: GPL-2.0-only
# Guest half of install-tree: only files of the installed tree (/usr/local,
# /lib/modules/KVER/extra, /lib/firmware), in the README's order.
. /tests/guest/lib.sh
P=/usr/local
BH=$P/sbin/bulkhead
CONFIGS=$P/share/bulkhead/configs

for f in $BH $P/bin/ivshmem-ping $P/bin/bulkhead-bench /lib/firmware/bulkhead.bin \
	$CONFIGS/qemu-q35.cell $CONFIGS/ivshmem-demo.cell $P/share/bulkhead/inmates/cellmsg-echo.bin; do
	[ -f "$f" ] || fail "$f is not in the installed tree"
done
step "modprobe bulkhead (the installed module)"
must modprobe bulkhead
modinfo -n bulkhead | grep -q "^/lib/modules/.*/extra/bulkhead.ko" || fail "modprobe did not take the installed module"
[ -c /dev/bulkhead ] || fail "/dev/bulkhead missing after modprobe"
must $BH --version

step "enable with the installed config"
must $BH enable $CONFIGS/qemu-q35.cell
must $BH cell create $CONFIGS/ivshmem-demo.cell
must $BH cell load ivshmem-demo $P/share/bulkhead/inmates/cellmsg-echo.bin
must $BH cell start ivshmem-demo
must $BH cell list

step "modprobe uio_ivshmem and the installed benchmark"
must modprobe uio_ivshmem
uio=/dev/$(ls /sys/bus/pci/devices/$BH_VDEV_A/uio)
must $P/bin/ivshmem-ping -d $uio info
must $P/bin/bulkhead-bench -d $uio -c 1 -n 200 -i 20 -s 8 -m poll,irq

step "destroy, disable, unload"
must $BH cell destroy ivshmem-demo
must $BH disable
must modprobe -r uio_ivshmem
must modprobe -r bulkhead
