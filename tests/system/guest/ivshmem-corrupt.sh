# SPDX-License-Identifier: GPL-2.0-only
# Guest half of ivshmem-corrupt: a root app connected to cellmsg-echo
# scribbles its own half of the shared region (record headers, ring
# indices, geometry), closes and opens the channel again; every time the
# inmate must refuse the corrupt peer and serve the new incarnation within
# a few seconds. The host half checks what the inmate said.
. /tests/guest/lib.sh
state=/sys/devices/bulkhead/cells

load_uio_modules
load_bulkhead
hv_enable
uio=/dev/$(ls /sys/bus/pci/devices/$BH_VDEV_A/uio)
start_cellmsg_echo

step "root app scribbles its half, re-opens, and is served again"
cellmsg-reset -d $uio -c -n 50
rc=$?
[ $rc = 0 ] || fail "cellmsg-reset -c exited $rc: the inmate did not serve after the corruption"
[ "$(cat $state/1/state)" = running ] || fail "inmate is '$(cat $state/1/state)' after the corruption"

step "a well-behaved app afterwards"
must cellmsg-xfer -d $uio -p 1 -m block -n 500 -s 3 -t 30000

must bulkhead cell shutdown ivshmem-demo
must bulkhead cell destroy ivshmem-demo
hv_disable
