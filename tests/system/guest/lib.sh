# SPDX-License-Identifier: GPL-2.0-only
# Helpers for the guest halves of system scenarios (sourced, busybox sh).

fail() {
	echo "$*" >/tmp/reason
	echo "FAIL: $*"
	exit 1
}

step() {
	echo "== $*"
}

# expect_rc WANT CMD...: run CMD, fail unless it exits with WANT.
expect_rc() {
	want=$1
	shift
	"$@"
	got=$?
	[ "$got" = "$want" ] || fail "'$*' exited $got, expected $want"
}

# must CMD...: run CMD, fail unless it succeeds.
must() {
	"$@" || fail "'$*' failed (exit $?)"
}

load_uio_ivshmem() {
	must insmod /modules/uio.ko
	must insmod /modules/uio_ivshmem.ko
	[ -c /dev/uio0 ] || fail "/dev/uio0 missing after loading uio_ivshmem"
}

# own_id: the IVPosition of the first ivshmem device.
own_id() {
	ivshmem-ping info | sed -n 's/^own ID: *//p'
}

load_bulkhead() {
	must insmod /modules/bulkhead.ko
	[ -c /dev/bulkhead ] || fail "/dev/bulkhead missing after loading bulkhead.ko"
}

# hv_enable: enable with the QEMU system config; fail with its message.
hv_enable() {
	out=$(bulkhead enable /configs/qemu-q35.cell 2>&1) ||
		fail "bulkhead enable failed: $out"
	[ "$(cat /sys/devices/bulkhead/enabled)" = 1 ] || fail "sysfs says not enabled after enable"
}

hv_disable() {
	out=$(bulkhead disable 2>&1) || fail "bulkhead disable failed: $out"
	[ "$(cat /sys/devices/bulkhead/enabled)" = 0 ] || fail "sysfs says enabled after disable"
}
