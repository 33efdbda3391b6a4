# SPDX-License-Identifier: GPL-2.0-only
# Guest half of uio-rebind. Args: ROLE (a: ID 0, rebinds; b: ID 1, rings)
# They meet in shared memory: b says "ringing" at RINGING once its storm
# has begun (a starts rebinding only then: its 40 rebinds take about a
# second, less than b's boot), rings until a writes "done" at DONE, and
# says "stopped" at STOPPED; then both ping-pong (a opens its device only
# after the storm).
. /tests/guest/lib.sh
role=$1
RINGING=8192
DONE=8256
STOPPED=8320
REBINDS=40
drv=/sys/bus/pci/drivers/uio_ivshmem

# wait_text OFFSET TEXT SECONDS: until TEXT is at OFFSET of the shared memory.
wait_text() {
	n=$(($3 * 5))
	until [ "$(ivshmem-ping read "$1" 16)" = "$2" ]; do
		n=$((n - 1))
		[ $n -gt 0 ] || fail "no '$2' from the peer after $3 s"
		sleep 0.2
	done
}

load_uio_ivshmem
case $role in
a)
	dev=$(basename "$(readlink -f /sys/class/uio/uio0/device)")
	wait_text $RINGING ringing 120
	step "$REBINDS unbinds and binds of $dev under doorbells"
	i=0
	while [ $i -lt $REBINDS ]; do
		echo "$dev" >$drv/unbind || fail "unbind $i failed"
		echo "$dev" >$drv/bind || fail "bind $i failed"
		[ -c /dev/uio0 ] || fail "no /dev/uio0 after bind $i"
		i=$((i + 1))
	done
	echo "rebinds: $i"
	dmesg | grep -E "BUG:|Oops|WARNING: CPU" && fail "the kernel complained (above)"
	must ivshmem-ping write $DONE done
	wait_text $STOPPED stopped 60
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
	until [ "$(ivshmem-ping read $DONE 16)" = done ]; do
		# shellcheck disable=SC2086
		ivshmem-ping $burst ring 0 >/dev/null || fail "ringing a failed"
		n=$((n + 50))
		[ $n = 50 ] && must ivshmem-ping write $RINGING ringing
		[ $n -lt 500000 ] || fail "a never said done"
	done
	echo "doorbells rung: $n"
	must ivshmem-ping write $STOPPED stopped
	step "doorbells still work"
	must ivshmem-ping -t 20000 pingpong 0 20 4096
	;;
*) fail "bad role '$role'" ;;
esac
