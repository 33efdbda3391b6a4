# SPDX-License-Identifier: GPL-2.0-only
# Shared by the cellmsg- scenarios (sourced after lib.sh).

# cellmsg_pair MODE_A MODE_B COUNT: guest a (ID 0) sends COUNT messages
# through libcellmsg's uio backend, guest b (ID 1) checks and echoes them;
# both must report the checksum the host computes for the same stream.
cellmsg_pair() {
	local mode_a=$1 mode_b=$2 count=$3 seed=$RANDOM want g line
	local sock=$W/ivshmem.sock

	want=$("$BUILD/guest/cellmsg-xfer" -e -n "$count" -s "$seed") ||
		fail "cellmsg-xfer -e failed"
	server_start "$sock" 1 1M "$W/shm.img"
	guest_start a cellmsg-xfer "a,$mode_a,$count,$seed" 2 $(ivshmem_doorbell_args "$sock" 1)
	wait_for_line "$W/server.log" "peer 0 joined" 20 || fail "guest a did not reach the server"
	guest_start b cellmsg-xfer "b,$mode_b,$count,$seed" 2 $(ivshmem_doorbell_args "$sock" 1)
	guest_wait a
	guest_wait b

	for g in a b; do
		line=$(grep -a "^side .*messages, $want" "$W/$g.com2" | tr -d '\r')
		[ -n "$line" ] || fail "guest $g did not report '$want' for $count messages" \
			"($(grep -a '^side ' "$W/$g.com2" | tr -d '\r'))"
		echo "guest $g: $line"
	done
}
