# SPDX-License-Identifier: GPL-2.0-only
# Host side of the QEMU system tests (sourced by tests/system/scenarios/*.sh).
#
# Environment from run.sh: BUILD, KERNEL, INITRD, W (this scenario's work
# directory, empty), TOOLS (host tools). Every QEMU runs under `timeout`;
# the guest's Linux console is COM2 (ttyS1), COM1 is kept for the
# hypervisor. A scenario fails with `fail REASON`.

declare -A GUEST_PID
declare -a BG_PIDS

QEMU=${QEMU:-qemu-system-x86_64}
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
	local name=$1 test=$2 args=$3 smp=$4
	shift 4
	timeout -k 5 "$GUEST_TIMEOUT" "$QEMU" \
		-machine q35 -cpu EPYC -smp "$smp" -m 1G -accel tcg,thread=multi \
		-nodefaults -display none -no-reboot \
		-kernel "$KERNEL" -initrd "$INITRD" \
		-append "console=ttyS1 panic=-1 $GUEST_APPEND bh.test=$test bh.args=$args" \
		-serial "file:$W/$name.com1" -serial "file:$W/$name.com2" \
		"$@" >"$W/$name.qemu" 2>&1 &
	GUEST_PID[$name]=$!
}

# guest_wait NAME: wait for the guest to power off; fail with its reason.
guest_wait() {
	local name=$1 rc result
	wait "${GUEST_PID[$name]}"
	rc=$?
	unset "GUEST_PID[$name]"
	result=$(grep -a 'BULKHEAD-RESULT:' "$W/$name.com2" | tail -n 1 | tr -d '\r')
	case "$result" in
	*"RESULT: PASS"*) return 0 ;;
	*"RESULT: FAIL"*) fail "guest $name: ${result#*FAIL }" ;;
	esac
	[ $rc = 124 ] && fail "guest $name timed out after ${GUEST_TIMEOUT}s (last console line: $(tail -n 1 "$W/$name.com2" | tr -d '\r'))"
	fail "guest $name ended without a result (QEMU exit $rc: $(tail -n 1 "$W/$name.qemu"))"
}

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
