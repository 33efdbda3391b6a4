# SPDX-License-Identifier: GPL-2.0-only
# Guest half of ivshmem-reset: the inmate is destroyed and re-created under
# a connected root app (which must see ECONNRESET, then a clean channel),
# and a root app is killed under the inmate (which must go on serving, and
# answer `cell shutdown` even when the app left it busy-polling).
. /tests/guest/lib.sh
state=/sys/devices/bulkhead/cells

# wait_line FILE TEXT: up to 60 s for TEXT to appear in FILE.
wait_line() {
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -le 600 ] || { cat "$1"; fail "no '$2' from the app in 60 s"; }
		sleep 0.1
	done
}

load_uio_modules
load_bulkhead
hv_enable
uio=/dev/$(ls /sys/bus/pci/devices/$BH_VDEV_A/uio)
start_cellmsg_echo

step "inmate destroyed and re-created under a connected app"
cellmsg-reset -d $uio -n 1000 >/tmp/reset.out 2>&1 &
app=$!
wait_line /tmp/reset.out "generation 1: 100 echoes checked"
must bulkhead cell destroy ivshmem-demo
must ivshmem-ping -d $uio state
ivshmem-ping -d $uio state | grep -q "peer state: *0 (reset)" ||
	fail "the root side does not see its peer reset after destroy"
start_cellmsg_echo
wait $app
rc=$?
cat /tmp/reset.out
[ $rc = 0 ] || fail "cellmsg-reset exited $rc across the inmate's restart"
grep -q "reported as ECONNRESET" /tmp/reset.out || fail "the app did not see ECONNRESET"

step "root app killed under the inmate"
cellmsg-reset -d $uio -k >/tmp/kill.out 2>&1 &
app=$!
wait_line /tmp/kill.out "generation 1: 100 echoes checked"
kill -9 $app
wait $app
sleep 1
[ "$(cat $state/1/state)" = running ] || fail "inmate is '$(cat $state/1/state)' after the app was killed"
must cellmsg-xfer -d $uio -p 1 -m block -n 2000 -s 7 -t 60000

step "app killed while the inmate busy-polls: cell shutdown still answered"
bulkhead-bench -d $uio -m floor,poll -s 8 -n 1000000 >/tmp/bench.out 2>&1 &
app=$!
wait_line /tmp/bench.out "floor "
sleep 1
kill -9 $app
wait $app
must bulkhead cell shutdown ivshmem-demo
[ "$(cat $state/1/state)" = "shut down" ] || fail "the polling inmate did not answer shutdown: state '$(cat $state/1/state)'"
must bulkhead cell start ivshmem-demo

must bulkhead cell shutdown ivshmem-demo
must bulkhead cell destroy ivshmem-demo
hv_disable
