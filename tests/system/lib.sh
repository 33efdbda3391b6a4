# SPDX-License-Identifier: GPL-2.0-only
# Host side of the QEMU system tests (sourced by tests/system/scenarios/*.sh).
#
# Environment from run.sh: BUILD, KERNEL, INITRD, W (this scenario's work
# directory, empty), TOOLS (host tools). Every QEMU runs under `timeout`;
# the guest's Linux console is COM2 (ttyS1), COM1 is kept for the
# hypervisor. A scenario fails with `fail REASON`.

declare -A GUEST_PID
declare -a BG_PIDS

# The emulator and CPU model of every guest: Debian's QEMU 7.2 and EPYC
# unless the caller says otherwise (QEMU=$QEMU10 GUEST_CPU=EPYC,+x2apic
# runs any scenario on QEMU 10 with x2APIC). QEMU10 is where `make deps`
# unpacks QEMU 10 (mk/qemu10.sh); the x2apic- scenarios need it.
QEMU=${QEMU:-qemu-system-x86_64}
QEMU10=${QEMU10:-/opt/bulkhead/qemu10/bin/qemu-system-x86_64}
GUEST_CPU=${GUEST_CPU:-EPYC}
# Machine-wide extras for every guest of a run, e.g. root Linux in x2APIC
# mode: GUEST_MACHINE_ARGS="-device intel-iommu,intremap=on,eim=on"
# GUEST_MACHINE_APPEND=intel_iommu=off (QEMU wants the IOMMU before the
# scenario's own devices, so these come first).
GUEST_MACHINE_ARGS=${GUEST_MACHINE_ARGS:-}
GUEST_MACHINE_APPEND=${GUEST_MACHINE_APPEND:-}
# GUEST_MODE=x2apic: every guest is the x2APIC machine instead (`make
# test-system-x2apic`): QEMU 10, the EPYC model with x2apic, QEMU's Intel
# IOMMU remapping interrupts in x2APIC mode (Linux booted with
# intel_iommu=off keeps its DMA remapping free for the hypervisor), and
# two PCIe root ports for the ivshmem functions; the guests use the
# machine's configs (bh.machine=, configs/x86/q35-ivshmem.h).
GUEST_MODE=${GUEST_MODE:-}
# The ivshmem pairs' functions as the hypervisor names them.
VDEV_A=00:0e.0 VDEV_B=00:0f.0
GUEST_TIMEOUT=${GUEST_TIMEOUT:-180}
# Extra kernel arguments for guest_start (the hv- scenarios set memmap=).
GUEST_APPEND=${GUEST_APPEND:-}
# The reservation configs/x86/qemu-q35.c expects ('$' kept literal).
HV_MEMMAP='memmap=80M$0x3a000000'

fail() {
	echo "$*" >"$W/reason"
	echo "FAIL: $*" >&2
	exit 1
}

cleanup() {
	local pid
	for pid in "${GUEST_PID[@]}" "${BG_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	wait 2>/dev/null
}
trap cleanup EXIT

# guest_start NAME TEST ARGS SMP [QEMU ARGS...]: boot a guest in the
# background that runs tests/system/guest/TEST.sh with ARGS (comma list).
guest_start() {
	guest_boot "$@" &
	GUEST_PID[$1]=$!
}

# Under QEMU 7.2's multi-threaded TCG on a loaded host, Debian's kernel
# now and then stalls for good early in its boot (seen in CI: no line
# after "clocksource: Switched to clocksource hpet" for 180 s), long
# before any Bulkhead code runs. A guest that has not reached the
# initramfs's /init (BULKHEAD-BEGIN) after BOOT_STALL seconds is booted
# once more, its console kept as NAME.com2.stalled and the retry noted
# in the scenario's log; a second stall fails as a timeout. The same for
# a kernel that dies before /init, before any Bulkhead code ran (seen in
# CI with 6.12 under QEMU 7.2's multi-threaded TCG: "Oops: int3" in
# sched_clock_cpu while the boot patched a static key, a stale
# translation of the breakpoint on another vCPU).
BOOT_STALL=${BOOT_STALL:-120}
# The guest's RAM (QEMU -m); config-create boots other sizes.
GUEST_MEM=${GUEST_MEM:-1G}
# GUEST_SERIALS=1: one serial port, Linux's console on it (still
# NAME.com2), no COM1 for the hypervisor; config-create boots such a one.
GUEST_SERIALS=${GUEST_SERIALS:-2}

guest_boot() {
	# (runs in its own subshell: $qemu stays global for the traps)
	local name=$1 test=$2 args=$3 smp=$4 attempt deadline console=ttyS1 serials died
	shift 4
	serials="-serial file:$W/$name.com1 -serial file:$W/$name.com2"
	if [ "$GUEST_SERIALS" = 1 ]; then
		console=ttyS0 serials="-serial file:$W/$name.com2"
	fi
	qemu=
	trap 'kill $qemu 2>/dev/null' EXIT
	trap 'kill $qemu 2>/dev/null; exit 143' TERM
	for attempt in 1 2; do
		timeout -k 5 "$GUEST_TIMEOUT" "$QEMU" \
			-machine q35 -cpu "$GUEST_CPU" -smp "$smp" -m "$GUEST_MEM" -accel tcg,thread=multi \
			-nodefaults -display none -no-reboot \
			-kernel "$KERNEL" -initrd "$INITRD" \
			-append "console=$console panic=-1 $GUEST_MACHINE_APPEND $GUEST_APPEND bh.test=$test bh.args=$args" \
			$serials \
			$GUEST_MACHINE_ARGS "$@" >"$W/$name.qemu" 2>&1 &
		qemu=$!
		deadline=$((SECONDS + BOOT_STALL))
		while kill -0 $qemu 2>/dev/null && [ $SECONDS -lt $deadline ] &&
			! grep -aq BULKHEAD-BEGIN "$W/$name.com2" 2>/dev/null; do
			sleep 0.5
		done
		if [ $attempt = 2 ] || grep -aq BULKHEAD-BEGIN "$W/$name.com2"; then
			wait $qemu
			return
		fi
		if ! kill -0 $qemu 2>/dev/null; then
			# Ended before /init: a retry only if the kernel died on its own.
			died=$(grep -a -m 1 -E 'Kernel panic|Oops:' "$W/$name.com2" | tr -d '\r')
			if [ -z "$died" ]; then
				wait $qemu
				return
			fi
			echo "# guest $name: Linux died before /init ($died); booting it again" >&2
		else
			echo "# guest $name: Linux stalled before /init for ${BOOT_STALL}s" \
				"(last line: $(tail -n 1 "$W/$name.com2" | tr -d '\r')); booting it again" >&2
			kill $qemu
		fi
		wait $qemu
		mv "$W/$name.com2" "$W/$name.com2.stalled"
		rm -f "$W/$name.com1"
	done
}

# guest_wait NAME: wait for the guest to power off; fail with its reason.
guest_wait() {
	local name=$1 rc result oops
	wait "${GUEST_PID[$name]}"
	rc=$?
	unset "GUEST_PID[$name]"
	result=$(grep -a 'BULKHEAD-RESULT:' "$W/$name.com2" | tail -n 1 | tr -d '\r')
	case "$result" in
	*"RESULT: PASS"*) return 0 ;;
	*"RESULT: FAIL"*) fail "guest $name: ${result#*FAIL }" ;;
	esac
	[ $rc = 124 ] && fail "guest $name timed out after ${GUEST_TIMEOUT}s (last console line: $(tail -n 1 "$W/$name.com2" | tr -d '\r'))"
	oops=$(grep -a -m 1 -E 'BUG:|Kernel panic|Oops:' "$W/$name.com2" | tr -d '\r')
	[ -n "$oops" ] && fail "guest $name: the kernel died: $oops"
	fail "guest $name ended without a result (QEMU exit $rc: $(tail -n 1 "$W/$name.qemu"))"
}

# use_qemu10: this scenario's guests run on QEMU 10 (skips without it).
use_qemu10() {
	if ! "$QEMU10" --version 2>/dev/null | grep -q 'version 1[0-9]\.'; then
		echo "QEMU 10 not found at $QEMU10 (make deps unpacks it there)" >"$W/reason"
		exit 77
	fi
	QEMU=$QEMU10
}

# not_in_mode MODE REASON: skip this scenario when the run is in GUEST_MODE MODE.
not_in_mode() {
	[ "$GUEST_MODE" = "$1" ] || return 0
	echo "$2" >"$W/reason"
	exit 77
}

case $GUEST_MODE in
"") ;;
x2apic)
	use_qemu10
	GUEST_CPU=EPYC,+x2apic
	GUEST_MACHINE_ARGS="-device intel-iommu,intremap=on,eim=on
		-device pcie-root-port,id=bh-rp0,chassis=1,addr=0x18
		-device pcie-root-port,id=bh-rp1,chassis=2,addr=0x19 $GUEST_MACHINE_ARGS"
	GUEST_MACHINE_APPEND="intel_iommu=off bh.machine=x2apic $GUEST_MACHINE_APPEND"
	VDEV_A=01:00.0 VDEV_B=02:00.0
	;;
*) fail "GUEST_MODE=$GUEST_MODE: no such machine (x2apic is one)" ;;
esac

# wait_for_line FILE PATTERN SECONDS: poll FILE until it has PATTERN.
wait_for_line() {
	local file=$1 pattern=$2 deadline=$((SECONDS + $3))
	until grep -aq "$pattern" "$file" 2>/dev/null; do
		[ $SECONDS -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

# server_start SOCKET VECTORS SIZE SHMFILE: an ivshmem server for doorbell guests.
server_start() {
	"$TOOLS/ivshmem-server" -S "$1" -n "$2" -l "$3" -m "$4" 2>"$W/server.log" &
	BG_PIDS+=($!)
	wait_for_line "$W/server.log" "listening on" 10 || fail "ivshmem-server did not start: $(cat "$W/server.log")"
}

# ivshmem_doorbell_args SOCKET VECTORS: QEMU arguments for a doorbell device.
ivshmem_doorbell_args() {
	echo "-chardev socket,path=$1,id=ivs -device ivshmem-doorbell,chardev=ivs,vectors=$2"
}
