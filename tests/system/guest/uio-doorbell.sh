# SPDX-License-Identifier: GPL-2.0-only
# Guest half of uio-doorbell. Args: ROLE(a|b) ROUNDS
# a has ID 0, b has ID 1; a rings first. Sequence, each side in one
# ivshmem-ping run so that no doorbell can fall between two processes:
#   both: a wait with nobody ringing times out
#   both: ROUNDS doorbells of ping-pong
#   a: fill data, ring b on vector 1      b: wait, verify a's data,
#   a: wait, verify b's data                 fill data, ring a
. /tests/guest/lib.sh
role=$1 rounds=$2

load_uio_ivshmem
must ivshmem-ping info
id=$(own_id)
case $role in
a) peer=1 ;;
b) peer=0 ;;
*) fail "bad role '$role'" ;;
esac
[ "$id" = $((1 - peer)) ] || fail "own ID is '$id', expected $((1 - peer))"
dmesg | grep -q "uio_ivshmem.*MSI-X" || fail "driver did not set up MSI-X"

step "a wait without a doorbell times out"
# Nobody rings before the ping-pong below has met in shared memory.
expect_rc 3 ivshmem-ping -t 500 wait

step "ping-pong $rounds doorbells, then data"
if [ "$role" = a ]; then
	must ivshmem-ping -t 20000 pingpong $peer "$rounds" \
		then fill 4096 65536 11 then ring $peer 1 \
		then wait then verify 131072 65536 22
else
	must ivshmem-ping -t 20000 pingpong $peer "$rounds" \
		then wait then verify 4096 65536 11 \
		then fill 131072 65536 22 then ring $peer 0
fi
