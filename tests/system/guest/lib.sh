# SPDX-License-Identifier: GPL-2.0-only
# Helpers for the guest halves of system scenarios (sourced, busybox sh).

# The machine: QEMU's q35 with 4 CPUs unless the harness says otherwise
# (guest/vmx.sh exports the Bochs machine's for the scripts it runs).
BH_SYSCONFIG=${BH_SYSCONFIG:-/configs/qemu-q35.cell}
BH_ROOT_CELL=${BH_ROOT_CELL:-qemu-q35}
BH_NCPU=${BH_NCPU:-4}
# The functions of the two ivshmem pairs (configs/x86/q35-ivshmem.h).
case $BH_MACHINE in
x2apic)	BH_VDEV_A=0000:01:00.0 BH_VDEV_B=0000:02:00.0 ;;
*)	BH_VDEV_A=${BH_VDEV_A:-0000:00:0e.0} BH_VDEV_B=${BH_VDEV_B:-0000:00:0f.0} ;;
esac

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

# refused TEXT CMD...: CMD must fail (exit 1) and say TEXT.
refused() {
	text=$1
	shift
	out=$("$@" 2>&1)
	rc=$?
	echo "$out"
	[ $rc = 1 ] || fail "'$*' exited $rc, expected 1"
	case $out in *"$text"*) ;; *) fail "'$*' did not say '$text'" ;; esac
}

# no_leak WHAT: pool usage back at $baseline, all CPUs online, no cells.
no_leak() {
	[ "$(cat /sys/devices/bulkhead/mem_pool_used)" = "$baseline" ] ||
		fail "$1: pool usage $(cat /sys/devices/bulkhead/mem_pool_used), baseline $baseline"
	[ "$(cat /sys/devices/system/cpu/online)" = "0-$((BH_NCPU - 1))" ] ||
		fail "$1: online CPUs $(cat /sys/devices/system/cpu/online)"
	[ "$(ls /sys/devices/bulkhead/cells | tr '\n' ' ')" = "0 " ] || fail "$1: cells left"
}

# must CMD...: run CMD, fail unless it succeeds.
must() {
	"$@" || fail "'$*' failed (exit $?)"
}

# load_uio_modules: uio and uio_ivshmem, also before any device exists
# (the hypervisor's virtual ones appear at enable).
load_uio_modules() {
	must insmod /modules/uio.ko
	must insmod /modules/uio_ivshmem.ko
}

# start_cellmsg_echo: the ivshmem-demo cell runs cellmsg-echo.
start_cellmsg_echo() {
	must bulkhead cell create /configs/ivshmem-demo.cell
	must bulkhead cell load ivshmem-demo /inmates/cellmsg-echo.bin
	must bulkhead cell start ivshmem-demo
}

load_uio_ivshmem() {
	load_uio_modules
	[ -c /dev/uio0 ] || fail "/dev/uio0 missing after loading uio_ivshmem"
}

# wait_peer_ready UIO: until the device shows its peer ready.
# A doorbell rung before the inmate has enabled MSI-X is lost (the device
# has no INTx); the inmates say ready only after that, so a fixed sleep
# before "ring then wait" is a race on a loaded machine.
wait_peer_ready() {
	_i=0
	until ivshmem-ping -d "$1" state | grep -q "^peer state: *1"; do
		_i=$((_i + 1))
		[ $_i -le 300 ] || fail "the peer on $1 is not ready after 30 s"
		sleep 0.1
	done
}

# root_nmis: the NMIs root Linux took, summed over its online CPUs.
root_nmis() {
	grep '^ *NMI:' /proc/interrupts |
		awk '{ n = 0; for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) n += $i; print n }'
}

# own_id: the IVPosition of the first ivshmem device.
own_id() {
	ivshmem-ping info | sed -n 's/^own ID: *//p'
}

load_bulkhead() {
	must insmod /modules/bulkhead.ko
	[ -c /dev/bulkhead ] || fail "/dev/bulkhead missing after loading bulkhead.ko"
}

# hv_enable: enable with the system config; fail with its message.
hv_enable() {
	out=$(bulkhead enable "$BH_SYSCONFIG" 2>&1) ||
		fail "bulkhead enable failed: $out"
	[ "$(cat /sys/devices/bulkhead/enabled)" = 1 ] || fail "sysfs says not enabled after enable"
}

hv_disable() {
	out=$(bulkhead disable 2>&1) || fail "bulkhead disable failed: $out"
	[ "$(cat /sys/devices/bulkhead/enabled)" = 0 ] || fail "sysfs says enabled after disable"
}

# ivshmem_counter CELL NAME: the hypervisor's doorbell counter NAME of the
# cell's ivshmem device (cells/ID/ivshmem/BDF/; root: $BH_VDEV_A, an
# inmate: its first).
ivshmem_counter() {
	if [ "$1" = 0 ]; then d=${BH_VDEV_A#0000:}; else d=$(ls /sys/devices/bulkhead/cells/$1/ivshmem | head -n 1); fi
	cat "/sys/devices/bulkhead/cells/$1/ivshmem/$d/$2" || fail "no counter $2 for cell $1"
}

# wait_inmate_report CELL CPU [SECONDS]: until the inmate on CPU has made
# its end-of-main report hypercall (its cell's statistics count one), or
# fail. A destroy right after start can otherwise stop the inmate before
# it has said anything.
wait_inmate_report() {
	id=$(cell_id "$1")
	[ -n "$id" ] || fail "no cell named $1 in sysfs"
	f=/sys/devices/bulkhead/cells/$id/statistics/cpu$2/vmexits_hypercall
	tries=$(( ${3:-30} * 10 ))
	while [ "$(cat "$f" 2>/dev/null || echo 0)" -lt 1 ]; do
		tries=$((tries - 1))
		[ $tries -gt 0 ] || fail "$1: the inmate on CPU $2 made no report in ${3:-30} s"
		sleep 0.1
	done
}

# cell_id NAME: the cell's ID from sysfs; nothing if there is none.
cell_id() {
	for d in /sys/devices/bulkhead/cells/*; do
		[ "$(cat "$d/name")" = "$1" ] && basename "$d"
	done
}

# wait_cell_state NAME STATE SECONDS: until the running cell NAME is in
# STATE; fail when it takes longer or the cell ends in another state.
wait_cell_state() {
	_id=$(cell_id "$1")
	[ -n "$_id" ] || fail "no cell named $1 in sysfs"
	_i=0
	while :; do
		_s=$(cat /sys/devices/bulkhead/cells/$_id/state)
		[ "$_s" = "$2" ] && return 0
		[ "$_s" = running ] || fail "cell $1 is '$_s', not '$2'"
		_i=$((_i + 1))
		[ $_i -le $(($3 * 10)) ] || fail "cell $1 still running after $3 s, not '$2'"
		sleep 0.1
	done
}
