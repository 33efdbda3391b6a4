# SPDX-License-Identifier: GPL-2.0-only
# Guest half of uio-rebind. Args: ROLE (a: ID 0, rebinds; b: ID 1, rings)
# They meet in shared memory: a writes "go" at GO once its driver is up,
# b rings until a writes "done" there and says "stopped" at STOPPED;
# then both ping-pong (a opens its device only after the storm).
. /tests/guest/lib.sh
role=$1
GO=8192
STOPPED=8256
REBINDS=40
drv=/sys/bus/pci/drivers/uio_ivshmem

load_uio_ivshmem
case $role in
a)
	dev=$(basename "$(readlink -f /sys/class/uio/uio0/device)")
	must ivshmem-ping write $GO go
	step "$REBINDS unbinds and binds of $dev under doorbells"
	# Let b's storm start before the first unbind.
	sleep 1
	i=0
	while [ $i -lt $REBINDS ]; do
		echo "$dev" >$drv/unbind || fail "unbind $i failed"
		echo "$dev" >$drv/bind || fail "bind $i failed"
		[ -c /dev/uio0 ] || fail "no /dev/uio0 after bind $i"
		i=$((i + 1))
	done
	echo "rebinds: $i"
	dmesg | grep -E "BUG:|Oops|WARNING: CPU" && fail "the kernel complained (above)"
	must ivshmem-ping write $GO done
	until [ "$(ivshmem-ping read $STOPPED 8)" = stopped ]; do sleep 0.2; done
	# The last burst's doorbells are delivered by now.
	sleep 1
	step "doorbells still work"
	must ivshmem-ping -t 20000 pingpong 1 20 4096
	;;
b)
	step "ring guest a until it is done"
	# 50 doorbells per run: one process start per burst, not per doorbell.
	burst=$(i=1; while [ $i -lt 50 ]; do printf 'ring 0 then '; i=$((i + 1)); done)
	n=0
	until [ "$(ivshmem-ping read $GO 8)" = go ]; do sleep 0.2; done
	until [ "$(ivshmem-ping read $GO 8)" = done ]; do
		# shellcheck disable=SC2086
		ivshmem-ping $burst ring 0 >/dev/null || fail "ringing a failed"
		n=$((n + 50))
	done
	echo "doorbells rung: $n"
	must ivshmem-ping write $STOPPED stopped
	step "doorbells still work"
	must ivshmem-ping -t 20000 pingpong 0 20 4096
	;;
*) fail "bad role '$role'" ;;
esac
