# SPDX-License-Identifier: GPL-2.0-only
# uio-doorbell: two guests on one ivshmem-server ring each other. They
# ping-pong doorbells (each waits for the other's before ringing back; none
# may be lost or doubled), a wait that sees no doorbell times out, and data
# one guest writes before ringing is what the other reads after waking.
source "$(dirname "$0")/../lib.sh"

sock=$W/ivshmem.sock
rounds=200
server_start "$sock" 2 1M "$W/shm.img"

# Start A first so the server gives it ID 0 and B ID 1.
guest_start a uio-doorbell "a,$rounds" 2 $(ivshmem_doorbell_args "$sock" 2)
wait_for_line "$W/server.log" "peer 0 joined" 20 || fail "guest a did not reach the server"
guest_start b uio-doorbell "b,$rounds" 2 $(ivshmem_doorbell_args "$sock" 2)
wait_for_line "$W/server.log" "peer 1 joined" 20 || fail "guest b did not reach the server"

guest_wait a
guest_wait b

# Both sides' data must also be in the server's shared memory file.
"$BUILD/tools/ivshmem-ping" -f "$W/shm.img" verify 4096 65536 11 >/dev/null ||
	fail "guest a's data is not in the shared memory"
"$BUILD/tools/ivshmem-ping" -f "$W/shm.img" verify 131072 65536 22 >/dev/null ||
	fail "guest b's data is not in the shared memory"
exit 0
