#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# `make run`: boots two QEMU guests on one ivshmem-doorbell device (our
# ivshmem-server in between) and shows them exchanging doorbells and data.
# Usage: demo.sh BUILD_DIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
source "$here/env.sh"
harness_env "${1:-build}" || exit 1
export W=$BUILD/demo
rm -rf "$W" && mkdir -p "$W"
source "$here/lib.sh"

rounds=${ROUNDS:-1000}
sock=$W/ivshmem.sock
echo "Starting ivshmem-server on $sock (1 MiB shared memory, 1 vector)"
server_start "$sock" 1 1M "$W/shm.img"
echo "Booting guest a and guest b (QEMU TCG, q35, -cpu EPYC, 2 vCPUs each)..."
guest_start a demo "a,$rounds" 2 $(ivshmem_doorbell_args "$sock" 1)
wait_for_line "$W/server.log" "peer 0 joined" 20 || fail "guest a did not reach the server"
guest_start b demo "b,$rounds" 2 $(ivshmem_doorbell_args "$sock" 1)

show() {
	[ -f "$W/$1.com2" ] || return 0
	sed -n '/BULKHEAD-BEGIN/,/BULKHEAD-RESULT/p' "$W/$1.com2" | tr -d '\r' |
		grep -av '^\[ *[0-9.]*\]' | grep -av BULKHEAD-BEGIN | sed "s/^/[guest $1] /"
}
finish() {
	local status=$?
	show a
	show b
	if [ $status = 0 ]; then
		echo "Both guests exchanged data and $rounds doorbell round trips. Logs: $W"
	else
		echo "The demo failed: $(cat "$W/reason" 2>/dev/null). Logs: $W"
	fi
	cleanup
	exit $status
}
trap finish EXIT
guest_wait a
guest_wait b
exit 0
